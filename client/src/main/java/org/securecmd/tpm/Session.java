package org.securecmd.tpm;

/**
 * How one handle of a command is authorized: a password (the object's authValue, empty for the keys made
 * here and for the hierarchies of a fresh TPM) or a policy session whose policy the caller has satisfied
 * (see {@link Tpm#endorsementPolicySession}). Unsalted, unbound, without HMAC or parameter encryption.
 */
public sealed interface Session {
  /** The password session with an empty password. */
  static Session password() {
    return new Password(new byte[0]);
  }

  /** A password session (TPM_RS_PW) with {@code value} as authValue. */
  record Password(byte[] value) implements Session {
    public Password {
      value = value.clone();
    }
  }

  /** A started policy session (handle 0x03xxxxxx) whose policy digest now matches the object's authPolicy. */
  record Policy(int handle) implements Session {
    public Policy {
      if ((handle >>> 24) != 0x03) {
        throw new IllegalArgumentException("not a policy session handle: 0x" + Integer.toHexString(handle));
      }
    }
  }
}
