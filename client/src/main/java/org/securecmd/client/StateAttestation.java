package org.securecmd.client;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.tpm.Attestation;
import org.securecmd.tpm.Handles;
import org.securecmd.tpm.LoadedKey;
import org.securecmd.tpm.PcrSelection;
import org.securecmd.tpm.Tpm;
import org.securecmd.tpm.TpmException;
import org.securecmd.tpm.TpmSpec;

/**
 * Proves this device's measured state on a connection, as the server's {@code require_state} commands ask:
 * {@code NONCE}, a TPM2_Quote of the PCRs the server named with the attestation key persisted at enrollment,
 * {@code QUOTE}, then the command again, on the same connection.
 *
 * <pre>{@code
 * try (StateAttestation tpm = StateAttestation.open("device:/dev/tpmrm0");
 *      Connection c = client.connect("fleet.example", 5000)) {
 *   Reply r = tpm.send(c, "UNLOCK");   // quotes when the server answers ERR ATTESTATION_REQUIRED
 * }
 * }</pre>
 *
 * Not thread-safe: one TPM connection, used by one thread.
 */
public final class StateAttestation implements AutoCloseable {
  /** Every PCR of the SHA-256 bank: a quote of them all satisfies any state the server has. */
  public static final List<Integer> ALL_PCRS = allPcrs();
  private final Tpm tpm;
  private final LoadedKey ak;

  private StateAttestation(Tpm tpm, LoadedKey ak) {
    this.tpm = tpm;
    this.ak = ak;
  }

  /**
   * Opens the TPM named by {@code tpmSpec} ({@code device:/dev/tpmrm0}, {@code swtpm:host=H,port=P}) with the
   * AK that enrollment persisted at {@code 0x81000002}.
   *
   * @throws ClientException of kind {@code TLS} when the TPM or the AK cannot be used
   */
  public static StateAttestation open(String tpmSpec) throws ClientException {
    Tpm tpm = null;
    try {
      tpm = Tpm.open(TpmSpec.parse(tpmSpec));
      return new StateAttestation(tpm, tpm.persistentKey(Handles.AK_PERSISTENT));
    } catch (TpmException | IllegalArgumentException e) {
      if (tpm != null) closeQuietly(tpm);
      throw new ClientException(ClientException.Kind.TLS, "TPM " + tpmSpec + ": " + e.getMessage(), e);
    }
  }

  /** Uses {@code ak} (a loaded or persistent AK) of an open {@code tpm}; closing this closes {@code tpm}. */
  public static StateAttestation of(Tpm tpm, LoadedKey ak) {
    return new StateAttestation(tpm, ak);
  }

  /**
   * Sends {@code request}; when the server answers {@code ERR ATTESTATION_REQUIRED <state> sha256:<pcrs>},
   * quotes those PCRs and, if the quote is accepted, sends {@code request} once more. A refused quote's
   * {@code ERR} (its reason) is returned instead of the request's.
   */
  public Reply send(Connection c, String request) throws ClientException {
    Reply r = c.send(request);
    if (r.code() != ErrorCode.ATTESTATION_REQUIRED) return r;
    Reply proof = prove(c, requested(r.text()));
    return proof.isError() ? proof : c.send(request);
  }

  /** {@code NONCE}, then {@code QUOTE} of {@code pcrs} (SHA-256 bank); the server's answer to the quote. */
  public Reply prove(Connection c, List<Integer> pcrs) throws ClientException {
    Reply nonce = c.send("NONCE");
    if (nonce.isError()) return nonce;
    byte[] n;
    try {
      n = Base64.getDecoder().decode(nonce.text());
    } catch (IllegalArgumentException e) {
      throw new ClientException(ClientException.Kind.NETWORK, "NONCE answered no base64: " + nonce.text(), e);
    }
    PcrSelection selection = new PcrSelection(org.securecmd.tpm.Alg.SHA256, pcrs.stream().sorted().toList());
    Attestation quote;
    byte[] values;
    try {
      quote = tpm.quote(ak, n, selection);
      values = tpm.pcrRead(selection).concatenated();
    } catch (TpmException e) {
      throw new ClientException(ClientException.Kind.TLS, "TPM quote failed: " + e.getMessage(), e);
    }
    Base64.Encoder b = Base64.getEncoder();
    return c.send("QUOTE " + b.encodeToString(quote.attest()) + " " + b.encodeToString(quote.signatureBytes()) + " "
        + b.encodeToString(values));
  }

  /** The PCRs of {@code <state> sha256:0,2,7}. */
  static List<Integer> requested(String text) throws ClientException {
    String[] f = text.split(" ");
    if (f.length != 2 || !f[1].matches("sha256:[0-9]{1,2}(,[0-9]{1,2})*")) {
      throw new ClientException(ClientException.Kind.NETWORK, "ATTESTATION_REQUIRED without \"<state>"
          + " sha256:<pcrs>\": " + text, null);
    }
    List<Integer> pcrs = new ArrayList<>();
    for (String p : f[1].substring("sha256:".length()).split(",")) {
      int i = Integer.parseInt(p);
      if (i > 23) {
        throw new ClientException(ClientException.Kind.NETWORK, "PCR " + i + " does not exist: " + text, null);
      }
      pcrs.add(i);
    }
    return pcrs;
  }

  @Override
  public void close() {
    closeQuietly(tpm);
  }

  private static void closeQuietly(Tpm tpm) {
    try {
      tpm.close();
    } catch (TpmException ignored) {
      // the connection to the TPM goes away with us anyway
    }
  }

  private static List<Integer> allPcrs() {
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < 24; i++) all.add(i);
    return List.copyOf(all);
  }
}
