package org.securecmd.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.pki.cli.Cli;
import org.securecmd.tls.SoftHsm.Tools;

/** securecmd-pki and openssl agree both ways: openssl verifies what we issue, we sign what openssl requests. */
class OpensslInteropTest {
  @TempDir static Path dir;
  static Path ca;

  @BeforeAll
  static void ca() {
    ca = dir.resolve("ca");
    Cli.run("init-ca", "--ca-dir", ca.toString(), "--cn", "Fleet CA").ok();
  }

  private static String openssl(String... args) throws Exception {
    return Tools.run(concat("openssl", args));
  }

  private static List<String> concat(String first, String... rest) {
    List<String> l = new java.util.ArrayList<>(List.of(first));
    l.addAll(List.of(rest));
    return l;
  }

  /** A CSR made by {@code openssl req} with the given {@code -newkey} spec. */
  private static Path opensslCsr(String name, String cn, String... newkey) throws Exception {
    Path csr = dir.resolve(name + ".csr");
    List<String> cmd = concat("openssl", "req", "-new", "-nodes", "-keyout", dir.resolve(name + ".key").toString(),
        "-subj", "/CN=" + cn, "-out", csr.toString());
    cmd.addAll(List.of(newkey));
    Tools.run(cmd);
    return csr;
  }

  @Test
  void caKeyIsPrivateFromBirthAndCaIsSelfVerifying() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("ca.key"))));
    assertTrue(openssl("verify", "-CAfile", ca.resolve("ca.crt").toString(), ca.resolve("ca.crt").toString()).contains(": OK"));
    assertEquals(1, Cli.run("init-ca", "--ca-dir", ca.toString(), "--cn", "Again").code(), "refuses to overwrite");
  }

  @Test
  void intermediateIssuingCaChainsToTheRootAndSignsDevices() throws Exception {
    Path issuing = dir.resolve("issuing");
    Cli.run("init-intermediate", "--ca-dir", ca.toString(), "--out-dir", issuing.toString(), "--cn", "Fleet Issuing CA").ok();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(issuing.resolve("ca.key"))));
    String text = openssl("x509", "-in", issuing.resolve("ca.crt").toString(), "-noout", "-text");
    assertTrue(text.contains("CA:TRUE, pathlen:0"), text);
    assertTrue(openssl("verify", "-CAfile", ca.resolve("ca.crt").toString(), issuing.resolve("ca.crt").toString())
        .contains(": OK"));
    assertTrue(Cli.run("list", "--ca-dir", ca.toString()).ok().out().contains("Fleet Issuing CA"), "root's index records it");
    Path csr = opensslCsr("via-issuing", "dev-issued", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    Path crt = dir.resolve("via-issuing.crt");
    Cli.run("sign-csr", "--ca-dir", issuing.toString(), "--csr", csr.toString(), "--out", crt.toString()).ok();
    assertTrue(openssl("verify", "-purpose", "sslclient", "-CAfile", ca.resolve("ca.crt").toString(), "-untrusted",
        issuing.resolve("ca.crt").toString(), crt.toString()).contains(": OK"));
    assertEquals(1, Cli.run("init-intermediate", "--ca-dir", ca.toString(), "--out-dir", issuing.toString(), "--cn", "X")
        .code(), "refuses to overwrite");
  }

  @Test
  void rsaCaWorksToo() throws Exception {
    Path rsa = dir.resolve("rsa-ca");
    Cli.run("init-ca", "--ca-dir", rsa.toString(), "--cn", "RSA CA", "--key-type", "rsa").ok();
    assertTrue(openssl("x509", "-in", rsa.resolve("ca.crt").toString(), "-noout", "-text").contains("(4096 bit)"));
    Path csr = opensslCsr("rsa-dev", "dev-rsa", "-newkey", "rsa:2048");
    Cli.run("sign-csr", "--ca-dir", rsa.toString(), "--csr", csr.toString(), "--out", dir.resolve("rsa-dev.crt").toString()).ok();
    assertTrue(openssl("verify", "-purpose", "sslclient", "-CAfile", rsa.resolve("ca.crt").toString(),
        dir.resolve("rsa-dev.crt").toString()).contains(": OK"));
  }

  @Test
  void serverCertificateVerifiesWithOpenssl() throws Exception {
    String prefix = dir.resolve("server").toString();
    Cli.run("server-cert", "--ca-dir", ca.toString(), "--cn", "backend", "--ip", "127.0.0.1", "--dns", "localhost",
        "--dns", "backend.example", "--out", prefix).ok();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(prefix + ".key"))));
    assertTrue(openssl("verify", "-purpose", "sslserver", "-CAfile", ca.resolve("ca.crt").toString(), prefix + ".crt")
        .contains(": OK"));
    String text = openssl("x509", "-in", prefix + ".crt", "-noout", "-text");
    assertTrue(text.contains("IP Address:127.0.0.1"), text);
    assertTrue(text.contains("DNS:backend.example"), text);
    assertTrue(text.contains("TLS Web Server Authentication"), text);
    openssl("pkey", "-in", prefix + ".key", "-noout"); // openssl reads the key we wrote
  }

  @Test
  void signsAnOpensslCsrAsADeviceCertificate() throws Exception {
    Path csr = opensslCsr("dev-1", "dev-1", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    Path crt = dir.resolve("dev-1.crt");
    Cli r = Cli.run("sign-csr", "--ca-dir", ca.toString(), "--csr", csr.toString(), "--out", crt.toString()).ok();
    assertTrue(r.out().startsWith("issued device dev-1 serial "), r.out());
    assertTrue(openssl("verify", "-purpose", "sslclient", "-CAfile", ca.resolve("ca.crt").toString(), crt.toString())
        .contains(": OK"));
    String text = openssl("x509", "-in", crt.toString(), "-noout", "-text");
    assertTrue(text.contains("Subject: CN = dev-1"), text);
    assertTrue(text.contains("URI:urn:securecmd:device:dev-1"), text);
    assertTrue(text.contains("TLS Web Client Authentication"), text);
    Path p384 = opensslCsr("dev-384", "whatever", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384");
    Cli.run("sign-csr", "--ca-dir", ca.toString(), "--csr", p384.toString(), "--device-id", "dev-384",
        "--out", dir.resolve("dev-384.crt").toString()).ok();
    assertTrue(openssl("x509", "-in", dir.resolve("dev-384.crt").toString(), "-noout", "-subject").contains("CN = dev-384"));
  }

  @Test
  void refusesWeakKeysAndBadSignatures() throws Exception {
    Path rsa1024 = opensslCsr("weak-rsa", "dev-weak", "-newkey", "rsa:1024");
    Path p521 = opensslCsr("weak-ec", "dev-weak", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521");
    Path good = opensslCsr("tampered", "dev-aaaa", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    Path tampered = dir.resolve("tampered-bad.csr");
    Files.write(tampered, tamper(Files.readString(good), "dev-aaaa", "dev-bbbb"));
    String[][] rows = {
        {rsa1024.toString(), ": weak key: RSA 1024 bits (at least 2048)"},
        {p521.toString(), ": weak or unsupported key: EC curve secp521r1 (allowed: P-256, P-384)"},
        {tampered.toString(), ": the CSR's signature does not verify"},
    };
    for (String[] row : rows) {
      Cli r = Cli.run("sign-csr", "--ca-dir", ca.toString(), "--csr", row[0], "--out", dir.resolve("x.crt").toString());
      assertEquals(1, r.code(), row[0]);
      assertEquals("securecmd-pki: sign-csr: " + row[0] + row[1] + "\n", r.err());
    }
    assertFalse(Files.exists(dir.resolve("x.crt")));
    assertThrows(java.security.GeneralSecurityException.class, () -> DeviceRequest.read(good, "bad id with spaces"));
  }

  /** The CSR's DER with one name changed: still parses, signature no longer matches. */
  private static byte[] tamper(String pem, String from, String to) {
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der = Base64.getDecoder().decode(b64);
    String s = new String(der, StandardCharsets.ISO_8859_1).replace(from, to);
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void signDirSignsEveryGoodCsrAndReportsTheBadOnes() throws Exception {
    Path in = Files.createDirectories(dir.resolve("batch-in"));
    for (String id : List.of("dev-b1", "dev-b2")) {
      Files.move(opensslCsr(id, id, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"), in.resolve(id + ".csr"));
    }
    Files.move(opensslCsr("dev-b3", "dev-b3", "-newkey", "rsa:1024"), in.resolve("dev-b3.csr"));
    Path out = dir.resolve("batch-out");
    Cli r = Cli.run("sign-dir", "--ca-dir", ca.toString(), "--in", in.toString(), "--out", out.toString());
    assertEquals(1, r.code(), r.err());
    assertEquals("signed 2, refused 1\n", r.out());
    assertTrue(r.err().contains("dev-b3.csr: weak key: RSA 1024 bits"), r.err());
    for (String id : List.of("dev-b1", "dev-b2")) {
      assertTrue(openssl("verify", "-CAfile", ca.resolve("ca.crt").toString(), out.resolve(id + ".crt").toString())
          .contains(": OK"));
    }
    assertFalse(Files.exists(out.resolve("dev-b3.crt")));
  }

  @Test
  void revokedDeviceIsInACrlThatOpensslChecks() throws Exception {
    Path csr = opensslCsr("dev-rv", "dev-rv", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    Path crt = dir.resolve("dev-rv.crt");
    Cli.run("sign-csr", "--ca-dir", ca.toString(), "--csr", csr.toString(), "--out", crt.toString()).ok();
    Cli r = Cli.run("revoke", "--ca-dir", ca.toString(), "--device", "dev-rv", "--reason", "keyCompromise").ok();
    assertTrue(r.out().startsWith("revoked device dev-rv serial "), r.out());
    assertEquals(1, Cli.run("revoke", "--ca-dir", ca.toString(), "--device", "dev-rv").code(), "nothing left to revoke");
    Path crl = dir.resolve("crl.pem");
    Cli.run("crl", "--ca-dir", ca.toString(), "--out", crl.toString()).ok();
    assertTrue(openssl("crl", "-in", crl.toString(), "-CAfile", ca.resolve("ca.crt").toString(), "-noout")
        .contains("verify OK"));
    AssertionError refused = assertThrows(AssertionError.class, () -> openssl("verify", "-crl_check",
        "-CRLfile", crl.toString(), "-CAfile", ca.resolve("ca.crt").toString(), crt.toString()));
    assertTrue(refused.getMessage().contains("certificate revoked"), refused.getMessage());
    String list = Cli.run("list", "--ca-dir", ca.toString()).ok().out();
    assertTrue(list.lines().anyMatch(l -> l.contains("revoked") && l.endsWith("dev-rv")), list);
  }

  @Test
  void usageErrorsExitTwo() {
    assertEquals(2, Cli.run("frobnicate").code());
    assertEquals(2, Cli.run("sign-csr", "--ca-dir", "x").code());
    Cli r = Cli.run("revoke", "--ca-dir", "x", "--device", "a", "--serial", "1");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("securecmd-pki: give exactly one of --device or --serial"), r.err());
  }
}
