package org.securecmd.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.securecmd.daemon.TestDaemon;
import org.securecmd.daemon.TestDaemonAccess;
import org.securecmd.daemon.state.TestPostgres;
import org.securecmd.tls.Pem;
import org.securecmd.tls.TestPki;

/**
 * RENEW on two daemons sharing one real PostgreSQL ({@code [state] backend = "postgresql"}), real TLS, the
 * real client CLI: the issuance records, the same-key rule and the rekey rollover hold across hosts.
 */
class SharedRenewalTest {
  @RegisterExtension
  static final TestPostgres pg = new TestPostgres();
  @TempDir Path dir;
  private TestDaemon a;
  private TestDaemon b;

  @AfterEach
  void stopDaemons() throws Exception {
    if (b != null) b.close();
    if (a != null) a.close();
  }

  private static String config(String database, boolean enrollment) {
    String base = TestDaemon.config("allow = [\"trusted-client\", \"dev-*\"]", enrollment ? """
        [enrollment]
        ca_certificate = "issuing.crt"
        ca_key = "issuing.key"
        validity = "365d"
        renew_before = "3650d"
        allow = ["dev-*"]
        """ : "");
    return pg.withState(base, database);
  }

  /** Daemons A and B of one fleet (same PKI and issuing CA), sharing {@code database}. */
  private void startBoth(String database) throws Exception {
    a = TestDaemon.start(Files.createDirectories(dir.resolve("a")), config(database, false));
    a.pki.intermediate().write(a.dir, "issuing"); // the issuing CA exists once TestDaemon made the PKI
    a.writeConfig(config(database, true));
    TestDaemonAccess.reload(a);
    Path bDir = Files.createDirectories(dir.resolve("b"));
    a.pki.intermediate().write(bDir, "issuing");
    b = TestDaemon.startLike(a, bDir, config(database, true));
  }

  private record Run(int code, String out, String err) {}

  /** The client CLI against {@code to}: {@code renew [options]} or a request such as {@code WHOAMI}. */
  private Run client(TestDaemon to, Path[] files, String... args) throws Exception {
    boolean renew = args[0].equals("renew");
    List<String> all = new ArrayList<>(renew ? List.of(args) : List.of());
    all.addAll(List.of("--port", String.valueOf(to.port()), "--ca", to.dir.resolve("ca.crt").toString(),
        "--cert", files[0].toString(), "--key", files[1].toString(), "127.0.0.1"));
    if (!renew) all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(all.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String serialOf(Path certFile) throws Exception {
    return Pem.readCertificates(certFile).get(0).getSerialNumber().toString(16);
  }

  private static boolean refused(TestDaemon d, TestPki.Issued device) {
    try {
      return "FORBIDDEN".equals(d.send(device, "PING").errorCode());
    } catch (Exception e) {
      return false;
    }
  }

  private static void await(BooleanSupplier condition, Duration bound, String what) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + bound + ": " + what);
      Thread.sleep(10); // polling interval of a bounded wait
    }
  }

  @Test
  void aSameKeyRenewalOnOneHostIsRefusedOnTheOtherAndEveryHostListsEveryRecord() throws Exception {
    startBoth(pg.createDatabase());
    Path[] files = a.pki.issue(TestPki.spec("dev-1").clientAuth()).write(dir, "dev1");
    String original = serialOf(files[0]);
    Run onA = client(a, files, "renew");
    assertEquals(0, onA.code(), onA.err());
    String renewed = serialOf(files[0]);
    assertNotEquals(original, renewed);

    Run onB = client(b, files, "renew");
    assertEquals(renewed, serialOf(files[0]), "B issued nothing");
    assertTrue(onB.code() != 0 && onB.err().contains("ERR NOT_DUE") && onB.err().contains("already renewed with this key"),
        onB.code() + " " + onB.err());

    Run rekeyOnB = client(b, files, "renew", "--rekey"); // a new key is accepted at once, on any host
    assertEquals(0, rekeyOnB.code(), rekeyOnB.err());
    String rekeyed = serialOf(files[0]);
    for (TestDaemon d : List.of(a, b)) {
      String issued = TestDaemonAccess.ctl(d).run("issued");
      assertTrue(issued.contains(renewed) && issued.contains(rekeyed) && issued.contains(original), issued);
    }
  }

  @Test
  void aDeviceRekeyedOnOneHostThatConnectsToTheOtherHasItsOldSerialDeniedOnBoth() throws Exception {
    startBoth(pg.createDatabase());
    TestPki.Issued device = a.pki.issue(TestPki.spec("dev-2").clientAuth());
    Path[] files = device.write(dir, "dev2");
    Run r = client(a, files, "renew", "--rekey");
    assertEquals(0, r.code(), r.err());
    assertEquals("PONG", b.send(device, "PING").text(), "the old pair works until the new certificate is used");
    assertEquals("PONG", a.send(device, "PING").text());

    Run whoami = client(b, files, "WHOAMI"); // the new certificate's first connection, on the other host
    assertEquals(0, whoami.code(), whoami.err());
    assertTrue(whoami.out().contains("serial=" + serialOf(files[0])), whoami.out());
    await(() -> refused(b, device) && refused(a, device), Duration.ofSeconds(5),
        "the replaced serial is denied on both hosts");
    String revoked = TestDaemonAccess.ctl(a).run("revoked");
    assertTrue(revoked.contains(" " + device.certificate().getSerialNumber().toString(16) + " ")
        && revoked.contains("replaced by a renewed certificate"), revoked);
    assertEquals(0, client(a, files, "WHOAMI").code(), "the new certificate is served on A as well");
  }
}
