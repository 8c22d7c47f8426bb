package org.securecmd.pki;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.regex.Pattern;
import org.securecmd.ca.SigningRequest;

/**
 * A device's certificate signing request that passed the checks: those of {@link SigningRequest} (signature,
 * key strength), and it names a device id (CN, or given by the operator).
 */
public record DeviceRequest(Path source, PublicKey publicKey, String deviceId) {
  /** Device ids: what the daemon's allow lists match, so no spaces or wildcards. */
  public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

  public DeviceRequest {
    if (publicKey == null) throw new IllegalArgumentException("publicKey == null");
    if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
      throw new IllegalArgumentException("device id must match " + DEVICE_ID.pattern() + ": " + deviceId);
    }
  }

  /**
   * Reads and checks a CSR (PEM or DER).
   *
   * @param deviceId the id to certify, or null to take the CSR's subject CN
   * @throws GeneralSecurityException naming the file and the check that failed
   */
  public static DeviceRequest read(Path file, String deviceId) throws IOException, GeneralSecurityException {
    SigningRequest csr;
    try {
      csr = SigningRequest.parse(Files.readAllBytes(file));
    } catch (SigningRequest.Refused e) {
      throw new GeneralSecurityException(file + ": " + e.getMessage(), e);
    }
    String id = deviceId != null ? deviceId : csr.commonName();
    if (id == null) throw new GeneralSecurityException(file + ": the CSR has no CN; give --device-id");
    if (!DEVICE_ID.matcher(id).matches()) {
      throw new GeneralSecurityException(file + ": device id \"" + id + "\" must match " + DEVICE_ID.pattern());
    }
    return new DeviceRequest(file, csr.publicKey(), id);
  }
}
