package org.securecmd.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import java.util.List;
import java.util.TreeSet;

/**
 * STYLE.md section 7's package dependency map (see {@link PackageRules}) on the compiled main classes of
 * every Java module: client, ca, daemon, pki and bench. It lives in bench's tests because bench depends on
 * all the other modules, so its test class path holds all their main classes (target/classes in a reactor
 * build, the jars otherwise) and Maven builds them before it; a test in any other module could not see bench,
 * and reading other modules' target/classes by path would check stale or missing output.
 */
@AnalyzeClasses(packages = PackageRules.ROOT, importOptions = PackageRules.MainCode.class)
class ArchitectureTest {
  // Methods rather than ArchRule fields: surefire's -Dtest filter (how this project runs tests narrowly)
  // silently skips fields.
  @ArchTest
  static void packagesDependOnlyOnWhatStyleAllows(JavaClasses classes) {
    PackageRules.ALLOWED_DEPENDENCIES.check(classes);
  }

  @ArchTest
  static void packagesFormNoCycles(JavaClasses classes) {
    PackageRules.NO_CYCLES.check(classes);
  }

  /** An import that silently found nothing of a module would make the rules above pass vacuously. */
  @ArchTest
  static void everyModuleIsChecked(JavaClasses classes) {
    TreeSet<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      String key = PackageRules.key(c.getPackageName());
      found.add(key.contains(".") ? key.substring(0, key.indexOf('.')) : key);
    }
    List<String> modules = List.of("bench", "ca", "client", "daemon", "pki", "protocol", "tls");
    assertTrue(found.containsAll(modules), "top-level packages imported: " + found + ", expected at least " + modules);
  }

  /** Imports tests as well (the rule must see where a target class comes from), then checks only main code. */
  @ArchTest
  static void mainCodeDependsOnNoTestCode(JavaClasses ignored) {
    PackageRules.MAIN_CODE_ONLY.check(new ClassFileImporter().importPackages(PackageRules.ROOT));
  }
}
