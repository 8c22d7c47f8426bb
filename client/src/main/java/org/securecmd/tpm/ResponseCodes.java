package org.securecmd.tpm;

import java.util.Map;

/**
 * TPM 2.0 response codes (TPM 2.0 Part 2, "TPM_RC"), decoded into a short meaning for the messages of
 * {@link TpmException}. Format-one codes (bit 7 set) carry the number of the handle, session or parameter
 * at fault; the meaning names it.
 */
public final class ResponseCodes {
  /** TPM_RC_HANDLE (format one): the handle is not loaded or not of the right kind. */
  public static final int HANDLE = 0x08b;
  /** TPM_RC_INTEGRITY (format one): e.g. a credential blob made for another key's Name. */
  public static final int INTEGRITY = 0x09f;
  /** TPM_RC_NV_DEFINED: the NV index or persistent handle is already in use. */
  public static final int NV_DEFINED = 0x14c;
  /** TPM_RC_OBJECT_MEMORY (warning): no room for another transient object. */
  public static final int OBJECT_MEMORY = 0x902;
  /** TPM_RC_YIELDED (warning): the TPM suspended the command; send it again. */
  public static final int YIELDED = 0x908;
  /** TPM_RC_TESTING (warning): the TPM is running self-tests; send it again. */
  public static final int TESTING = 0x90a;
  /** TPM_RC_RETRY (warning): the TPM could not start the command; send it again. */
  public static final int RETRY = 0x922;

  private static final Map<Integer, String> FORMAT_ZERO = Map.ofEntries(
      Map.entry(0x100, "TPM not initialized (TPM2_Startup missing)"),
      Map.entry(0x101, "TPM in failure mode"),
      Map.entry(0x103, "improper use of a sequence handle"),
      Map.entry(0x10b, "private area is malformed"),
      Map.entry(0x119, "HMAC check failed"),
      Map.entry(0x120, "command is disabled"),
      Map.entry(0x121, "command failed because audit sequence required exclusivity"),
      Map.entry(0x124, "authorization handle is not correct for command"),
      Map.entry(0x125, "command requires an authorization session for the handle and it is not present"),
      Map.entry(0x126, "policy failure in math operation or an invalid authPolicy value"),
      Map.entry(0x127, "PCR check fail"),
      Map.entry(0x128, "PCR have changed since checked"),
      Map.entry(0x12e, "context ID counter is at maximum"),
      Map.entry(0x12f, "authValue or authPolicy is not available for the selected entity"),
      Map.entry(0x130, "a _TPM_Init and Startup(CLEAR) is required"),
      Map.entry(0x142, "command size is not consistent with contents"),
      Map.entry(0x143, "command code not supported"),
      Map.entry(0x144, "authorization size is out of range or not consistent with contents"),
      Map.entry(0x145, "use of an authorization session with a context command"),
      Map.entry(0x146, "NV offset + size is out of range"),
      Map.entry(0x147, "requested allocation size is larger than allowed"),
      Map.entry(0x148, "NV access locked"),
      Map.entry(0x149, "NV access authorization fails in command actions"),
      Map.entry(0x14a, "an NV index is used before being initialized"),
      Map.entry(0x14b, "insufficient space for NV allocation"),
      Map.entry(NV_DEFINED, "NV index or persistent object already defined"),
      Map.entry(0x150, "context in TPM2_ContextLoad is not valid"),
      Map.entry(0x152, "new parent is not a storage key"),
      Map.entry(0x155, "the sensitive area did not unmarshal correctly after decryption"));

  private static final Map<Integer, String> FORMAT_ONE = Map.ofEntries(
      Map.entry(0x081, "asymmetric algorithm not supported or not correct"),
      Map.entry(0x082, "inconsistent attributes"),
      Map.entry(0x083, "hash algorithm not supported or not appropriate"),
      Map.entry(0x084, "value is out of range or is not correct for the context"),
      Map.entry(0x085, "hierarchy is not enabled or is not correct for the use"),
      Map.entry(0x087, "key size is not supported"),
      Map.entry(0x088, "mask generation function not supported"),
      Map.entry(0x089, "mode of operation not supported"),
      Map.entry(0x08a, "the type of the value is not appropriate for the use"),
      Map.entry(HANDLE, "the handle is not correct for the use (not loaded?)"),
      Map.entry(0x08c, "unsupported key derivation function"),
      Map.entry(0x08d, "value was out of allowed range"),
      Map.entry(0x08e, "the authorization HMAC check failed and the DA counter incremented"),
      Map.entry(0x08f, "invalid nonce size or nonce value mismatch"),
      Map.entry(0x092, "unsupported or incompatible scheme"),
      Map.entry(0x095, "structure is the wrong size"),
      Map.entry(0x096, "unsupported symmetric algorithm or key size"),
      Map.entry(0x097, "incorrect structure tag"),
      Map.entry(0x098, "union selector is incorrect"),
      Map.entry(0x09a, "the TPM was unable to unmarshal a value because there were not enough bytes"),
      Map.entry(0x09b, "the signature is not valid"),
      Map.entry(0x09c, "key fields are not compatible with the selected use"),
      Map.entry(0x09d, "a policy check failed"),
      Map.entry(INTEGRITY, "integrity check failed"),
      Map.entry(0x0a0, "invalid ticket"),
      Map.entry(0x0a1, "reserved bits not set to zero as required"),
      Map.entry(0x0a2, "authorization failure without DA implications"),
      Map.entry(0x0a3, "the policy has expired"),
      Map.entry(0x0a4, "the commandCode in the policy is not the commandCode of the command"),
      Map.entry(0x0a5, "public and sensitive portions of an object are not cryptographically bound"),
      Map.entry(0x0a6, "curve not supported"),
      Map.entry(0x0a7, "point is not on the required curve"));

  private static final Map<Integer, String> WARNINGS = Map.ofEntries(
      Map.entry(0x901, "gap for context ID is too large"),
      Map.entry(OBJECT_MEMORY, "out of memory for object contexts (flush transient objects)"),
      Map.entry(0x903, "out of memory for session contexts (flush sessions)"),
      Map.entry(0x904, "out of shared object/session memory"),
      Map.entry(0x905, "out of session handles"),
      Map.entry(0x906, "out of object handles"),
      Map.entry(0x907, "bad locality"),
      Map.entry(YIELDED, "the TPM has suspended operation on the command"),
      Map.entry(0x909, "the command was canceled"),
      Map.entry(TESTING, "TPM is performing self-tests"),
      Map.entry(0x920, "the TPM is rate-limiting accesses to prevent wearout of NV"),
      Map.entry(0x921, "authorizations for objects subject to DA protection are not allowed at this time (lockout)"),
      Map.entry(RETRY, "the TPM was not able to start the command (retry)"),
      Map.entry(0x923, "the command may require writing of NV and NV is not current accessible"));

  private ResponseCodes() {}

  /** A format-one code without its handle/session/parameter number; other codes unchanged. */
  static int base(int rc) {
    return isFormatOne(rc) ? (rc & 0x3f) | 0x80 : rc;
  }

  /** A short meaning of {@code rc}, naming the handle, session or parameter a format-one code points at. */
  static String describe(int rc) {
    if ((rc & 0xfffff000) != 0) {
      // The upper bytes are TSS layers (a resource manager answering for the TPM), not the TPM itself.
      return "error from TSS layer 0x" + Integer.toHexString(rc >>> 16);
    }
    if (isFormatOne(rc)) {
      String meaning = FORMAT_ONE.getOrDefault(base(rc), "format-one error 0x" + Integer.toHexString(base(rc)));
      int n = (rc >>> 8) & 0xf;
      if ((rc & 0x40) != 0) return meaning + ", parameter " + n;
      if ((rc & 0x800) != 0) return meaning + ", session " + (n & 0x7);
      return n == 0 ? meaning : meaning + ", handle " + n;
    }
    if ((rc & 0x400) != 0) return "vendor-defined error";
    String meaning = (rc & 0x800) != 0 ? WARNINGS.get(rc) : FORMAT_ZERO.get(rc);
    return meaning != null ? meaning : "unknown response code";
  }

  private static boolean isFormatOne(int rc) {
    return (rc & 0x80) != 0 && (rc & 0xfffff000) == 0;
  }
}
