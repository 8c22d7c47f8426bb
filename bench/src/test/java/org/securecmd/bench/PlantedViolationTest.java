package org.securecmd.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The rules of {@link PackageRules} catch a planted violation and name the class and the forbidden dependency. */
class PlantedViolationTest {
  private static final String PLANTED = "org.securecmd.daemon.config.PlantedServerReference";

  @Test
  void aWildcardImportOfAForbiddenPackageIsCaughtAndNamed() throws ClassNotFoundException {
    JavaClasses planted = new ClassFileImporter().importClasses(Class.forName(PLANTED));
    EvaluationResult result = PackageRules.ALLOWED_DEPENDENCIES.evaluate(planted);
    assertTrue(result.hasViolation(), "the planted config → server dependency passed");
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertTrue(report.contains(PLANTED + ".describe(org.securecmd.daemon.server.Generation)"), report);
    assertTrue(report.contains("daemon.config may not depend on daemon.server"), report);
  }

  @Test
  void theCycleThePlantedClassClosesIsCaught() throws ClassNotFoundException {
    // server → config is allowed; the planted class adds config → server.
    JavaClasses classes = new ClassFileImporter().withImportOption(new PackageRules.MainCode())
        .importPackages("org.securecmd.daemon.server", "org.securecmd.daemon.config");
    assertFalse(PackageRules.NO_CYCLES.evaluate(classes).hasViolation(), "a cycle without the planted class");
    JavaClasses withPlanted = new ClassFileImporter()
        .importPackages("org.securecmd.daemon.server", "org.securecmd.daemon.config");
    EvaluationResult result = PackageRules.NO_CYCLES.evaluate(withPlanted);
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertTrue(result.hasViolation(), "the planted cycle config → server → config passed");
    assertTrue(report.contains(PLANTED), report);
  }

  @Test
  void mainCodeUsingTestCodeIsCaughtAndNamed() {
    // Both classes are bench's test code; here PackageRules alone counts as test code, so this class (which
    // uses it) stands for a main class that would use another module's test helper.
    JavaClasses classes = new ClassFileImporter().importClasses(PlantedViolationTest.class, PackageRules.class);
    EvaluationResult result = PackageRules.mainCodeOnly(uri -> uri.endsWith("/PackageRules.class")).evaluate(classes);
    assertTrue(result.hasViolation(), "a dependency on test code passed");
    String report = String.join("\n", result.getFailureReport().getDetails());
    assertTrue(report.contains(PlantedViolationTest.class.getName()), report);
    assertTrue(report.contains("main code depends on test code") && report.contains("PackageRules.class"), report);
  }

  @Test
  void testJarsAndTestClassDirectoriesAreTestCode() {
    assertTrue(PackageRules.isTestCode(
        "jar:file:/r/securecmd-daemon-0.1.0-tests.jar!/org/securecmd/daemon/RunningDaemon.class"));
    assertTrue(PackageRules.isTestCode("file:/w/pki/target/test-classes/org/securecmd/pki/FleetDaemon.class"));
    assertFalse(PackageRules.isTestCode("jar:file:/r/securecmd-daemon-0.1.0.jar!/org/securecmd/daemon/Main.class"));
    assertFalse(PackageRules.isTestCode("file:/w/daemon/target/classes/org/securecmd/daemon/Main.class"));
  }
}
