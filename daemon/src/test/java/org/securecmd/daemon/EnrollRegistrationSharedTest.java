package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.config.ConfigLoader;
import org.securecmd.daemon.state.EnrollmentRegistry;
import org.securecmd.daemon.state.PendingEnrollment;
import org.securecmd.daemon.state.Registration;
import org.securecmd.daemon.state.StateStores;
import org.securecmd.daemon.state.TestPostgres;
import org.securecmd.tls.TestPki;

/**
 * Two daemons of one fleet on one real PostgreSQL: a TPM registered or approved with securecmdctl on host A
 * is registered on host B at once (the registry reads the database on every lookup), and one EK has one
 * name across both.
 */
class EnrollRegistrationSharedTest {
  private static final TestPki MAKER = new TestPki("EK Maker");
  @RegisterExtension static final TestPostgres pg = new TestPostgres();
  @TempDir Path dir;
  private TestDaemon a;
  private TestDaemon b;



  @AfterEach
  void stopDaemons() throws Exception {
    if (b != null) b.close();
    if (a != null) a.close();
  }

  private static String config(String url, boolean attestation) {
    String base = TestDaemon.config("allow = [\"*\"]", attestation ? EnrollRegistrationTest.ATTESTATION : "");
    String state = "[state]\ndirectory = \"state\"\n";
    assertTrue(base.contains(state));
    return base.replace(state, """
        [state]
        directory = "state"
        backend = "postgresql"
        url = "%s"
        user = "%s"
        password_file = "%s"
        """.formatted(url, TestPostgres.USER, pg.passwordFile()));
  }

  private TestDaemon host(String name, String url, TestDaemon like) throws Exception {
    Path hostDir = Files.createDirectories(dir.resolve(name));
    MAKER.writeRoot(hostDir.resolve("ek-ca.pem"));
    if (like != null) {
      like.pki.intermediate().write(hostDir, "issuing");
      return TestDaemon.startLike(like, hostDir, config(url, true));
    }
    TestDaemon d = TestDaemon.start(hostDir, config(url, false));
    d.pki.intermediate().write(hostDir, "issuing"); // the issuing CA exists once TestDaemon made the PKI
    d.writeConfig(config(url, true));
    TestDaemonAccess.reload(d);
    return d;
  }

  private static List<?> list(TestDaemon d, String what, String key) {
    Ctl.Result r = new Ctl(d.daemon.adminSocket()).run("--json", "enroll", what);
    assertEquals(0, r.code(), r.toString());
    return (List<?>) ((Map<?, ?>) Json.parse(r.out())).get(key);
  }

  @Test
  void aTpmRegisteredOrApprovedOnHostAIsRegisteredOnHostB() throws Exception {
    String url = pg.url(pg.createDatabase());
    a = host("a", url, null);
    b = host("b", url, a);
    Ctl ctlA = new Ctl(a.daemon.adminSocket());
    Ctl ctlB = new Ctl(b.daemon.adminSocket());
    String ek1 = "1".repeat(64);
    assertEquals(0, ctlA.run("enroll", "add", "dev-1", "--ek-sha256", ek1).code());
    List<?> onB = list(b, "list", "registrations");
    assertEquals(1, onB.size());
    assertEquals("dev-1", ((Map<?, ?>) onB.get(0)).get("name"));
    Ctl.Result conflict = ctlB.run("enroll", "add", "dev-2", "--ek-sha256", ek1);
    assertEquals(1, conflict.code());
    assertTrue(conflict.err().contains("is registered as \"dev-1\""), conflict.err());

    // a device's proof held on host A: its request waits, and host B's operator approves it
    EnrollmentRegistry registryA = StateStores.enrollmentRegistry(ConfigLoader.load(a.dir.resolve("config.toml")));
    String ek2 = "2".repeat(64);
    registryA.addPending(new PendingEnrollment(ek2, "192.0.2.9", Instant.now(), new byte[] {0, 2, 1, 1}));
    assertEquals(1, list(b, "pending", "pending").size());
    assertTrue(ctlB.run("status").out().contains("1 TPM(s) registered, 1 waiting for approval"),
        ctlB.run("status").out());
    Ctl.Result approved = ctlB.run("enroll", "approve", "222222222222", "dev-2");
    assertEquals(0, approved.code(), approved.toString());
    assertEquals("dev-2", registryA.byEk(ek2).map(Registration::name).orElseThrow(),
        "host A finds the approval made on host B");
    assertEquals(List.of(), list(a, "pending", "pending"));
    assertEquals(2, list(a, "list", "registrations").size());
    assertEquals(0, ctlA.run("enroll", "remove", "dev-1").code());
    assertEquals(1, list(b, "list", "registrations").size());
  }
}
