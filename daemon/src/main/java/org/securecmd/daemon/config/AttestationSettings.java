package org.securecmd.daemon.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code [attestation]}: devices without a certificate may enroll by proving their TPM (the EK certificate,
 * credential activation of an AK, TPM2_Certify of the new TLS key). Absent means off. The EK CA bundle is
 * read here, at load, so a reload with a broken bundle is refused like any other bad value.
 *
 * @param ekCa the PEM bundle of TPM manufacturers' EK CAs (roots and intermediates)
 * @param ekCaCertificates the certificates in it, in file order; at least one, each a CA
 * @param enroll who may complete an enrollment
 * @param stepTimeout the longest a device may take between two enrollment requests
 * @param maxEnrollmentsPerAddress concurrent enrollment attempts from one address
 * @param maxEnrollments concurrent enrollment attempts in total
 */
public record AttestationSettings(Path ekCa, List<X509Certificate> ekCaCertificates, EnrollMode enroll,
                                  Duration stepTimeout, int maxEnrollmentsPerAddress, int maxEnrollments) {
  /** {@code enroll}: which TPMs may enroll. */
  public enum EnrollMode {
    /** Only EKs an operator registered ({@code securecmdctl enroll add}), each under its registered name. */
    REGISTERED,
    /** Any EK that chains to {@code ek_ca}; after its proof holds it waits until an operator approves a name. */
    APPROVE
  }

  public AttestationSettings {
    ekCaCertificates = List.copyOf(ekCaCertificates);
    if (ekCaCertificates.isEmpty()) throw new IllegalArgumentException("no EK CA certificate");
    if (maxEnrollmentsPerAddress < 1 || maxEnrollments < maxEnrollmentsPerAddress) {
      throw new IllegalArgumentException("enrollment caps " + maxEnrollmentsPerAddress + "/" + maxEnrollments);
    }
  }

  static AttestationSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("ek_ca", "enroll", "step_timeout", "max_enrollments_per_address", "max_enrollments"));
    EnrollMode mode = r.choice("enroll", "registered", Map.entry("registered", EnrollMode.REGISTERED),
        Map.entry("approve", EnrollMode.APPROVE));
    Duration step = r.duration("step_timeout", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofMinutes(10));
    int perAddress = (int) r.integer("max_enrollments_per_address", 4, 1, 10_000);
    int total = (int) r.integer("max_enrollments", 64, 1, 100_000);
    if (total < perAddress) {
      throw r.error("max_enrollments", String.valueOf(total), "must be at least max_enrollments_per_address ("
          + perAddress + ")");
    }
    if (!r.has("ek_ca")) throw r.missing("ek_ca", "the PEM bundle of the TPM manufacturers' EK CAs is required");
    Path ekCa = r.requiredPath("ek_ca", "", "the PEM bundle of the TPM manufacturers' EK CAs is required");
    return new AttestationSettings(ekCa, certificates(r, ekCa), mode, step, perAddress, total);
  }

  /** The bundle's certificates: at least one, and every one a CA (an EK certificate here would be trusted as one). */
  private static List<X509Certificate> certificates(TableReader r, Path file) throws ConfigException {
    String shown = TableReader.quoted(file.toString());
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw r.error("ek_ca", shown, "cannot read the EK CA bundle: no such file");
    } catch (IOException e) {
      throw r.error("ek_ca", shown, "cannot read the EK CA bundle: " + e.getMessage());
    }
    List<X509Certificate> out = new ArrayList<>();
    try {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw r.error("ek_ca", shown, "not a PEM bundle of certificates: " + e.getMessage());
    }
    if (out.isEmpty()) throw r.error("ek_ca", shown, "holds no certificate; expected one or more EK CA certificates (PEM)");
    for (X509Certificate c : out) {
      if (c.getBasicConstraints() < 0) {
        throw r.error("ek_ca", shown, "\"" + c.getSubjectX500Principal().getName()
            + "\" is not a CA certificate (basicConstraints CA:TRUE); the bundle holds EK CAs, not EK certificates");
      }
    }
    return out;
  }
}
