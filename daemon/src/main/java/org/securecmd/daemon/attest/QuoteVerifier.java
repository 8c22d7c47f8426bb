package org.securecmd.daemon.attest;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collection;
import java.util.TreeMap;
import org.securecmd.daemon.attest.AttestationException.Check;

/**
 * The TPM2_Quote verdict of {@code QUOTE}: the PCR values the device sent are what its TPM measured, now.
 *
 * <pre>{@code
 * VerifiedQuote q = QuoteVerifier.verify(recordedAk, nonce, attest, signature, values, List.of(0, 2, 7));
 * }</pre>
 *
 * <p>In order, each with its own refusal: the TPMS_ATTEST parses with magic ff544347 and type quote (8018);
 * its signature verifies with the AK recorded at enrollment (never a key the device sends now); its
 * extraData is the nonce; its qualifiedSigner is that AK under its EK (when the EK is known: an AK restored
 * with {@link AttestationKey#enrolled} was tied to its EK at enrollment); the selection is the SHA-256 bank
 * alone and covers every PCR in {@code required}; there is one 32-byte value per selected PCR; and the hash
 * of the values (with the signature's hash algorithm, as the TPM computes it) is the quote's pcrDigest.
 * Whether the values match a state is {@link PcrState}'s question.
 */
public final class QuoteVerifier {
  private static final int SHA256 = 0x000b;

  private QuoteVerifier() {}

  /**
   * @param nonce the server's nonce for this connection (the caller makes sure it is used once)
   * @param attest the raw TPMS_ATTEST
   * @param signature the raw TPMT_SIGNATURE
   * @param values the PCR values concatenated in the selection's order (ascending index)
   * @param required PCR indices the quote must cover (may be empty)
   */
  public static VerifiedQuote verify(AttestationKey ak, byte[] nonce, byte[] attest, byte[] signature, byte[] values,
      Collection<Integer> required) throws AttestationException {
    Nonces.check(nonce);
    TpmsAttest a = TpmsAttest.parse(attest);
    if (a.type() != TpmsAttest.QUOTE) {
      throw AttestationException.bad("TPMS_ATTEST type " + HashAlg.hex16(a.type()) + " is not quote (8018)");
    }
    TpmSignature sig = TpmSignature.parse(signature);
    sig.verify(ak.ak, "AK", attest, "quote");
    if (!MessageDigest.isEqual(a.extraData(), nonce)) {
      throw AttestationException.failed(Check.NONCE, "quote extraData is not this connection's nonce");
    }
    byte[] qualifiedName = ak.qualifiedName();
    // null for an AK recorded at enrollment (kept without its EK): credential activation tied it to the EK
    // then, and a restricted signing key signs only what its TPM made (see AttestationKey.enrolled)
    if (qualifiedName != null && !MessageDigest.isEqual(a.qualifiedSigner(), qualifiedName)) {
      throw AttestationException.failed(Check.QUALIFIED_SIGNER, "quote qualifiedSigner is not the AK under this EK");
    }
    var banks = a.pcrSelection().banks().stream().filter(b -> !b.pcrs().isEmpty()).toList();
    if (banks.size() != 1 || banks.get(0).hashAlg() != SHA256) {
      throw AttestationException.failed(Check.PCR_SELECTION, "quote must select PCRs of the sha256 bank only");
    }
    var selected = banks.get(0).pcrs();
    for (int pcr : required.stream().sorted().toList()) {
      if (!selected.contains(pcr)) throw AttestationException.failed(Check.PCR_SELECTION,
          "quote does not cover PCR " + pcr);
    }
    if (values.length != selected.size() * 32) {
      throw AttestationException.failed(Check.PCR_VALUES, values.length + " bytes of PCR values for " + selected.size()
          + " selected PCRs (32 bytes each)");
    }
    if (!MessageDigest.isEqual(sig.hashAlg().digest(values), a.pcrDigest())) {
      throw AttestationException.failed(Check.PCR_VALUES, "PCR values do not hash to the quoted pcrDigest");
    }
    TreeMap<Integer, byte[]> pcrs = new TreeMap<>();
    for (int i = 0; i < selected.size(); i++) {
      pcrs.put(selected.get(i), Arrays.copyOfRange(values, i * 32, i * 32 + 32));
    }
    return new VerifiedQuote(pcrs, HashAlg.SHA256.digest(values));
  }
}
