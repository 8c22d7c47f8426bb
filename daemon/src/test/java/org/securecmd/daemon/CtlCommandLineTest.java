package org.securecmd.daemon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.daemon.admin.Json;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;

/**
 * securecmdctl's command line against a real daemon: what it prints of a hostile certificate, global options
 * before the subcommand only, each subcommand's own options and help, {@code --}, and which entry an
 * unrevoke removed.
 */
class CtlCommandLineTest {
  /** ESC sequences (clear screen, set the terminal title, BEL), a bidi override and a C1 CSI. */
  private static final String HOSTILE_CN = "evil\u001b[2J\u001b]0;pwned\u0007\u202e\u009b31mend";

  @TempDir Path dir;
  private TestDaemon d;

  @AfterEach
  void stop() throws InterruptedException {
    if (d != null) d.close();
  }

  private Ctl start() throws Exception {
    d = TestDaemon.start(dir, TestDaemon.config("", ""));
    return new Ctl(d.daemon.adminSocket());
  }

  @Test
  void connectionsEscapesTerminalControlsFromAnOpensslMadeCertificate() throws Exception {
    // The tutorial's flow: a CA, a device key and CSR, "openssl x509 -req" signs it. The CN comes from a
    // config file, as -subj cannot carry control bytes through every locale.
    Path pki = Files.createDirectory(dir.resolve("pki"));
    Files.writeString(pki.resolve("device.cnf"), "[req]\ndistinguished_name = dn\nprompt = no\nutf8 = yes\n"
        + "string_mask = utf8only\n[dn]\nCN = " + HOSTILE_CN + "\n", UTF_8);
    Files.writeString(pki.resolve("client.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n");
    openssl(pki, "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key");
    openssl(pki, "req -x509 -new -nodes -key ca.key -sha256 -days 3650 -out ca.crt -subj /CN=Tutorial-CA"
        + " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
    openssl(pki, "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out device.key");
    openssl(pki, "req -new -key device.key -config device.cnf -out device.csr");
    openssl(pki, "x509 -req -in device.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out device.crt -days 365"
        + " -sha256 -extfile client.ext");
    d = TestDaemon.start(dir, TestDaemon.config("allow = [\"*\"]", "").replace("ca = \"ca.crt\"", "ca = \"pki/ca.crt\""));
    Ctl ctl = new Ctl(d.daemon.adminSocket());
    SecureCmdClient device = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificate(d.pki.rootCertificate())
        .certifiedKey(CertifiedKey.load(pki.resolve("device.crt"), pki.resolve("device.key"))).build(),
        Duration.ofSeconds(5));
    try (Connection c = device.connect("127.0.0.1", d.port())) {
      assertEquals("PONG", c.send("PING").text());
      Ctl.Result human = ctl.run("connections");
      assertEquals(0, human.code(), human.toString());
      String shown = "evil\\x1b[2J\\x1b]0;pwned\\x07\\u202e\\x9b31mend";
      assertTrue(human.out().contains(shown), human.out());
      for (char raw : new char[] {'\u001b', '\u0007', '\u202e', '\u009b'}) {
        assertFalse(human.out().indexOf(raw) >= 0, "raw U+" + Integer.toHexString(raw) + " in " + human.out());
      }
      Ctl.Result json = ctl.run("--json", "connections");
      assertFalse(json.out().chars().anyMatch(ch -> ch < 0x20 && ch != '\n' || ch >= 0x7f && ch <= 0x9f
          || ch == 0x202e), "raw controls in --json: " + json.out());
      Map<?, ?> info = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(json.out().strip())).get("connections")).getFirst();
      assertEquals(HOSTILE_CN, info.get("identity"), "the JSON still carries the exact name");

      Ctl.Result disconnect = ctl.run("disconnect", String.valueOf(info.get("id")));
      assertTrue(disconnect.out().contains("(" + shown + " from 127.0.0.1:"), disconnect.out());
    }
  }

  @Test
  void anIpv6PeerIsShownInItsShortForm() throws Exception {
    d = TestDaemon.start(dir, TestDaemon.config("", ""), new org.securecmd.daemon.config.ListenAddress("::1", 0));
    Ctl ctl = new Ctl(d.daemon.adminSocket());
    try (Connection c = d.client(d.device).connect("::1", d.port())) {
      assertEquals("PONG", c.send("PING").text());
      Ctl.Result human = ctl.run("connections");
      assertTrue(human.out().contains("[::1]:"), human.out());
      assertFalse(human.out().contains("0:0:0:0"), human.out());
      Map<?, ?> info = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(ctl.run("--json", "connections").out().strip()))
          .get("connections")).getFirst();
      assertTrue(String.valueOf(info.get("remote")).matches("\\[::1]:[0-9]+"), info.toString());
      Ctl.Result disconnect = ctl.run("disconnect", String.valueOf(info.get("id")));
      assertTrue(disconnect.out().contains(" from [::1]:"), disconnect.out());
    }
  }

  @Test
  void revokeHelpPrintsRevokesHelpAndRevokesNothing() throws Exception {
    Ctl ctl = start();
    Ctl.Result help = ctl.run("revoke", "--help");
    assertEquals(0, help.code(), help.toString());
    assertTrue(help.out().startsWith("usage: securecmdctl [GLOBAL OPTIONS] revoke [--serial] [--reason TEXT] [--] IDENTITY|HEX\n"),
        help.out());
    assertEquals("the deny list is empty\n", ctl.run("revoked").out());
    assertEquals("PONG", d.send(d.device, "PING").text());
  }

  @Test
  void identitiesNamedLikeOptionsAreRevokedAfterDoubleDash() throws Exception {
    Ctl ctl = start();
    Ctl.Result bare = ctl.run("revoke", "--json");
    assertEquals(2, bare.code(), bare.toString());
    assertTrue(bare.err().startsWith("securecmdctl: revoke: unknown option --json (global options go before"
        + " the subcommand)"), bare.err());
    for (String name : List.of("--json", "--help", "-x", "--")) {
      Ctl.Result r = ctl.run("revoke", "--", name);
      assertEquals(0, r.code(), r.toString());
      assertEquals("revoked identity " + name + "; closed 0 open connection(s)\n", r.out());
    }
    assertEquals("identity --\nidentity --help\nidentity --json\nidentity -x\n",
        ctl.run("revoked").out().replaceAll("  \\(.*\\)\n", "\n"), "(who and when follow each entry)");
    Ctl.Result un = ctl.run("unrevoke", "--", "--help");
    assertEquals("removed identity --help from the deny list\n", un.out());
  }

  @Test
  void globalOptionsGoBeforeTheSubcommandOnly() throws Exception {
    Ctl ctl = start();
    Ctl.Result after = ctl.run("status", "--json");
    assertEquals(2, after.code(), after.toString());
    assertTrue(after.err().contains("status: unknown option --json (global options go before the subcommand)"));
    Ctl.Result before = ctl.run("--json", "status");
    assertEquals(0, before.code(), before.toString());
    assertEquals(true, ((Map<?, ?>) Json.parse(before.out().strip())).get("ok"));
    Ctl.Result dashes = ctl.run("--json", "--", "revoked");
    assertEquals(0, dashes.code(), dashes.toString());
    Ctl.Result unknown = ctl.run("--frobnicate", "status");
    assertEquals(2, unknown.code(), unknown.toString());
    assertTrue(unknown.err().startsWith("securecmdctl: unknown global option --frobnicate\n"), unknown.err());
    Ctl.Result globalHelp = Ctl.runRaw("--help");
    assertEquals(0, globalHelp.code());
    assertTrue(globalHelp.out().contains("revoke [--serial] [--reason TEXT] [--] IDENTITY|HEX"), globalHelp.out());
  }

  @Test
  void unrevokeSaysWhetherItRemovedAnIdentityASerialOrBoth() throws Exception {
    Ctl ctl = start();
    assertEquals(0, ctl.run("revoke", "abc").code());
    assertEquals(0, ctl.run("revoke", "--serial", "0A:BC").code());
    assertEquals(0, ctl.run("revoke", "device-7").code());
    assertEquals(0, ctl.run("revoke", "--serial", "ff").code());
    assertEquals("removed identity abc and serial abc from the deny list\n", ctl.run("unrevoke", "abc").out());
    assertEquals("removed identity device-7 from the deny list\n", ctl.run("unrevoke", "device-7").out());
    Map<?, ?> j = (Map<?, ?>) Json.parse(ctl.run("--json", "unrevoke", "00:FF").out().strip());
    assertEquals("ff", j.get("serial"), j.toString());
    assertFalse(j.containsKey("identity"), j.toString());
    assertEquals("the deny list is empty\n", ctl.run("revoked").out());
  }

  private static void openssl(Path dir, String args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args.split(" ")));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("openssl " + args + ":\n" + out);
  }
}
