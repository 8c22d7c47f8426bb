package org.securecmd.bench.pkcs11;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.pki.CaDirectory;
import org.securecmd.pki.DeviceRequest;
import org.securecmd.ca.OutputFiles;
import org.securecmd.pki.device.Enrollment;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;
import org.securecmd.tls.Pkcs11Token;

/**
 * Benchmark, not a test: ECDSA P-256 signatures per second and full mutual-TLS handshakes per second
 * (a new SSLContext per connection, so nothing resumes) with the device key in a PEM file, in SoftHSM2
 * and in swtpm. Run it with {@code bench/pkcs11-bench.sh [SECONDS]}; it prints a Markdown table.
 */
public final class Pkcs11Bench {
  private Pkcs11Bench() {}

  private record Row(String where, double signaturesPerSecond, double handshakesPerSecond) {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    Path dir = Files.createTempDirectory("securecmd-bench");
    CaDirectory ca = CaDirectory.create(dir.resolve("ca"), "Bench CA", "ec", Duration.ofDays(30));
    CaDirectory.Issued server = ca.issueServer("backend", List.of("127.0.0.1"), List.of(), Duration.ofDays(30));
    OutputFiles.writeSecret(dir.resolve("server.key"), CaDirectory.pem("PRIVATE KEY", server.keyPair().getPrivate().getEncoded()));
    OutputFiles.writeAtomically(dir.resolve("server.crt"), CaDirectory.pem("CERTIFICATE", server.certificate().getEncoded()));
    List<Row> rows = new ArrayList<>();
    long hsmSlot = SoftHsmToken.init("bench", "1234");
    try (BenchDaemon daemon = BenchDaemon.start(dir);
         SoftwareTpm tpm = SoftwareTpm.start()) {
      // file: a key securecmd-pki would never write for a device, made here only to compare
      CaDirectory.Issued fileKey = ca.issueServer("dev-file", List.of(), List.of(), Duration.ofDays(30));
      X509Certificate fileCert = ca.signDevice(new DeviceRequest(dir, fileKey.keyPair().getPublic(), "dev-file"),
          Duration.ofDays(30));
      CertifiedKey file = new CertifiedKey(fileKey.keyPair().getPrivate(), List.of(fileCert));
      measure("warm-up (JIT), not reported", file, ca, daemon.port(), Math.min(seconds, 2));
      rows.add(measure("PEM file (SunEC)", file, ca, daemon.port(), seconds));
      rows.add(measure("SoftHSM2", enroll(ca, dir, new Pkcs11Token.Settings(SoftHsmToken.MODULE, hsmSlot, -1), "dev-hsm"),
          ca, daemon.port(), seconds));
      long tpmSlot = tpm.addToken("bench", "1234");
      rows.add(measure("swtpm (tpm2-abrmd, tpm2-pkcs11)",
          enroll(ca, dir, new Pkcs11Token.Settings(SoftwareTpm.MODULE, tpmSlot, -1), "dev-tpm"), ca, daemon.port(), seconds));
    }
    System.out.printf("%n| device key in | ECDSA P-256 signatures/s | full mTLS handshakes/s | ms per handshake |%n");
    System.out.printf("|---|---:|---:|---:|%n");
    for (Row r : rows) {
      System.out.printf("| %s | %.0f | %.1f | %.1f |%n", r.where(), r.signaturesPerSecond(), r.handshakesPerSecond(),
          1000 / r.handshakesPerSecond());
    }
  }

  private static CertifiedKey enroll(CaDirectory ca, Path dir, Pkcs11Token.Settings settings, String id) throws Exception {
    Pkcs11Token token = Pkcs11Token.open(settings, "1234".toCharArray());
    PKCS10CertificationRequest csr = Enrollment.createKeyAndCsr(token, "device", id);
    Path csrFile = dir.resolve(id + ".csr");
    Files.write(csrFile, CaDirectory.pem("CERTIFICATE REQUEST", csr.getEncoded()));
    X509Certificate cert = ca.signDevice(DeviceRequest.read(csrFile, null), Duration.ofDays(30));
    Enrollment.installCertificate(token, "device", List.of(cert));
    return token.certifiedKey("device");
  }

  private static Row measure(String where, CertifiedKey key, CaDirectory ca, int port, double seconds) throws Exception {
    byte[] data = new byte[64];
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    int signatures = 0;
    while (System.nanoTime() < end) {
      Signature s = Signature.getInstance("SHA256withECDSA");
      s.initSign(key.privateKey());
      s.update(data);
      s.sign();
      signatures++;
    }
    double sigRate = signatures / ((System.nanoTime() - start) / 1e9);
    HandshakeSetup setup = new HandshakeSetup.Builder().addTrustedCertificates(Pem.parseCertificates(
        new String(CaDirectory.pem("CERTIFICATE", ca.certificate().getEncoded()), java.nio.charset.StandardCharsets.US_ASCII)))
        .certifiedKey(key).build();
    end = System.nanoTime() + (long) (seconds * 1e9);
    start = System.nanoTime();
    int handshakes = 0;
    while (System.nanoTime() < end) {
      try (Connection c = new SecureCmdClient(setup, Duration.ofSeconds(10)).connect("127.0.0.1", port)) {
        if (!c.send("GET_SECRET").text().equals("THIS_IS_THE_SECRET")) throw new AssertionError("wrong reply");
      }
      handshakes++;
    }
    double hsRate = handshakes / ((System.nanoTime() - start) / 1e9);
    System.err.printf("%s: %d signatures, %d handshakes%n", where, signatures, handshakes);
    return new Row(where, sigRate, hsRate);
  }
}
