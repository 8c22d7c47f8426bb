package org.securecmd.bench;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * STYLE.md section 7 ("Allowed dependencies") as ArchUnit rules over compiled classes, so that a wildcard
 * import or a fully qualified name cannot hide a dependency the way it could from a source scan. Shared by
 * {@link ArchitectureTest} (the real classes of every module) and {@link PlantedViolationTest} (classes
 * built to break a rule, to show that the rules catch them and name them).
 */
final class PackageRules {
  static final String ROOT = "org.securecmd";
  /** The composition root, org.securecmd.daemon itself: it may depend on anything, nothing may depend on it. */
  static final String DAEMON_ROOT = "daemon";
  /** Marks a package that may depend on the main code of every other module (bench). */
  private static final Set<String> ANY = Set.of("*");
  /** What "JDK only" admits: the platform's own packages. */
  private static final List<String> JDK = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

  private PackageRules() {}

  /**
   * Package (below org.securecmd) → the org.securecmd packages it may depend on besides itself. A package
   * without a row is a violation: a new package gets its row (and its line in STYLE.md) when it is made.
   */
  static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      // client module: JDK only
      Map.entry("protocol", Set.of()),
      Map.entry("tls", Set.of()),
      // the device's own TPM 2.0 command layer (command bytes to /dev/tpmrm0, or swtpm's socket in tests):
      // JDK only, as tpm2-tools cannot take a qualifying nonce and its file formats change between versions
      Map.entry("tpm", Set.of()),
      // client → tpm: the library's attestation (a quote on ERR ATTESTATION_REQUIRED) and enrollment
      Map.entry("client", Set.of("protocol", "tls", "tpm")),
      // client.cli → tpm: --tpm SPEC (device:/dev/tpmrm0 or swtpm:host=H,port=P) of enroll and --attest
      Map.entry("client.cli", Set.of("client", "tls", "protocol", "tpm")),
      // ca module: the issuer shared by securecmd-pki and the daemon's RENEW (JDK + BouncyCastle only)
      Map.entry("ca", Set.of()),
      // daemon module
      // config → protocol goes beyond STYLE.md's "config is a leaf", on purpose: the rule for a success
      // reply lives once, in protocol.Reply, and config checks configured replies against it so that the
      // error can name the file and line. protocol is itself a JDK-only leaf, so no cycle can form.
      Map.entry("daemon.config", Set.of("protocol")),
      Map.entry("daemon.systemd", Set.of()),
      Map.entry("daemon.tls", Set.of("daemon.config", "tls")),
      Map.entry("daemon.auth", Set.of("daemon.config")),
      // command → attest: the attestation verbs (ENROLL, ENROLL-PROOF, NONCE, QUOTE) are handlers, and
      // require_attested_key / require_state check the connection's attestation facts.
      Map.entry("daemon.command", Set.of("daemon.config", "daemon.auth", "protocol", "daemon.enroll",
          "daemon.attest")),
      Map.entry("daemon.audit", Set.of("daemon.auth", "protocol")),
      // server → attest: a connection holds its attestation facts (a verified quote and when it expires) and
      // a reload re-checks attested connections against the new states.
      Map.entry("daemon.server", Set.of("daemon.config", "daemon.tls", "daemon.auth", "daemon.command",
          "daemon.audit", "protocol", "daemon.proxy", "daemon.attest")),
      // the PROXY v2 header parser: bytes in, addresses out (STYLE.md: "proxy: JDK only", "server → proxy")
      Map.entry("daemon.proxy", Set.of()),
      // admin → enroll, attest: the requests behind securecmdctl enroll (add, approve) and attest (show,
      // learn), beside issued.
      Map.entry("daemon.admin", Set.of("daemon.server", "daemon.auth", "daemon.audit", "daemon.state",
          "daemon.enroll", "daemon.attest")),
      // state → config beyond STYLE.md's "state → auth": it reads its own [state] settings and reports a bad
      // password_file as a ConfigException with file and line, as daemon.tls does for the key files.
      // state → ca for OutputFiles only: the one atomic, durable file replace (shared with securecmd-pki).
      Map.entry("daemon.state", Set.of("daemon.auth", "daemon.config", "ca")),
      // enroll issues with the CA code shared with securecmd-pki (ca) and reads the issuing CA's PEM files
      // with the client's parser (tls) rather than a second one; → protocol: a refusal carries its
      // ErrorCode; → attest: an attested certificate's rekey must come with a TPM2_Certify of the new key.
      Map.entry("daemon.enroll", Set.of("daemon.config", "daemon.auth", "daemon.state", "ca", "tls", "protocol",
          "daemon.attest")),
      // attest: bytes and records in, verdicts out, no sockets. EK certificate chains are read with the
      // client's PEM parser (tls) and checked with the CA code (ca); the enrollment and state policies read
      // [attestation] (config), identities (auth) and the registered EKs and enrolled AKs (state); verdicts
      // name their ErrorCode (protocol: BAD_ATTESTATION, STATE_MISMATCH, ...).
      Map.entry("daemon.attest", Set.of("daemon.config", "daemon.auth", "daemon.state", "ca", "tls", "protocol")),
      Map.entry("daemon.ctl", Set.of("daemon.admin", "daemon.config")),
      // metrics: the HTTP endpoint serves whatever text the root hands it (admin's Prometheus text, the
      // same as securecmdctl metrics), so it needs no other securecmd package but config.HostPort, the one
      // formatter of addresses for people (config is a leaf, so no cycle can form).
      Map.entry("daemon.metrics", Set.of("daemon.config")),
      // pki module: the CA tool; device-side steps reuse the client's TLS code
      Map.entry("pki", Set.of("tls", "ca")),
      Map.entry("pki.device", Set.of("pki", "tls")),
      Map.entry("pki.cli", Set.of("pki", "pki.device", "tls", "ca")),
      // bench module: drives everything else, from main code only (see MAIN_CODE_ONLY)
      Map.entry("bench", ANY),
      Map.entry("bench.pkcs11", ANY));

  /**
   * Packages whose third-party dependencies are limited (prefixes besides {@link #JDK}); any other package
   * may use what its module's pom declares. The client module ships to devices with nothing beside it.
   */
  static final Map<String, List<String>> EXTERNAL = Map.ofEntries(
      Map.entry("protocol", List.of()),
      Map.entry("tls", List.of()),
      Map.entry("tpm", List.of()),
      Map.entry("client", List.of()),
      Map.entry("client.cli", List.of()),
      Map.entry("ca", List.of("org.bouncycastle.")),
      // "JDK only" in STYLE.md for these two means no other securecmd package; they log like the rest.
      Map.entry("daemon.systemd", List.of("org.slf4j.")),
      Map.entry("daemon.proxy", List.of("org.slf4j.")));

  /** Main code: neither Maven's target/test-classes nor a test-jar. */
  static final class MainCode implements ImportOption {
    @Override
    public boolean includes(Location location) {
      return !isTestCode(location.asURI().toString());
    }
  }

  static boolean isTestCode(String location) {
    return location.contains("/test-classes/") || location.matches(".*-tests\\.jar!/.*");
  }

  /** Every org.securecmd class depends only on the packages its row allows, and on the root only if it is bench. */
  static final ArchRule ALLOWED_DEPENDENCIES = classes().that().resideInAPackage(ROOT + "..")
      .should(new ArchCondition<JavaClass>("depend only on the packages STYLE.md section 7 allows") {
        @Override
        public void check(JavaClass origin, ConditionEvents events) {
          String from = key(origin.getPackageName());
          if (from.equals(DAEMON_ROOT)) return;
          Set<String> allowed = ALLOWED.get(from);
          if (allowed == null) {
            events.add(SimpleConditionEvent.violated(origin, origin.getName() + ": package " + origin.getPackageName()
                + " has no row in STYLE.md section 7's dependency table"));
            return;
          }
          List<String> external = EXTERNAL.get(from);
          for (Dependency d : origin.getDirectDependenciesFromSelf()) {
            String target = d.getTargetClass().getBaseComponentType().getPackageName();
            if (target.equals(ROOT) || target.startsWith(ROOT + ".")) {
              String to = key(target);
              if (to.equals(from) || allowed == ANY) continue;
              if (!allowed.contains(to)) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription() + ": " + from + " may not depend on "
                    + to + (to.equals(DAEMON_ROOT) ? " (the composition root)" : "")
                    + " (STYLE.md section 7 allows " + from + " → " + allowed + ")"));
              }
            } else if (external != null && !target.isEmpty() && !startsWithAny(target + ".", JDK)
                && !startsWithAny(target + ".", external)) {
              events.add(SimpleConditionEvent.violated(d, d.getDescription() + ": " + from + " may use only the JDK"
                  + (external.isEmpty() ? "" : " and " + external) + ", not " + target));
            }
          }
        }
      });

  /** No main class (bench's included) depends on a class of any module's tests. */
  static final ArchRule MAIN_CODE_ONLY = mainCodeOnly(PackageRules::isTestCode);

  /** {@link #MAIN_CODE_ONLY} with {@code isTestCode} telling test code by the URI of its class file. */
  static ArchRule mainCodeOnly(Predicate<String> isTestCode) {
    return classes().that().resideInAPackage(ROOT + "..")
        .and(new DescribedPredicate<JavaClass>("are main code") {
          @Override
          public boolean test(JavaClass c) {
            return c.getSource().map(s -> !isTestCode.test(s.getUri().toString())).orElse(true);
          }
        })
        .should(new ArchCondition<JavaClass>("depend on no test code") {
          @Override
          public void check(JavaClass origin, ConditionEvents events) {
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
              JavaClass target = d.getTargetClass().getBaseComponentType();
              Optional<String> where = target.getSource().map(s -> s.getUri().toString());
              if (where.map(isTestCode::test).orElse(false)) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription() + ": main code depends on test code "
                    + where.get()));
              }
            }
          }
        });
  }

  /** No cycles between packages (each package below org.securecmd is one slice). */
  static final ArchRule NO_CYCLES = SlicesRuleDefinition.slices().matching(ROOT + ".(**)").should().beFreeOfCycles();

  /** "org.securecmd.daemon.config" → "daemon.config". */
  static String key(String packageName) {
    return packageName.equals(ROOT) ? "" : packageName.substring(ROOT.length() + 1);
  }

  private static boolean startsWithAny(String name, List<String> prefixes) {
    for (String p : prefixes) {
      if (name.startsWith(p)) return true;
    }
    return false;
  }
}
