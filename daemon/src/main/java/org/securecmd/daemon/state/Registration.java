package org.securecmd.daemon.state;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A device name bound to one TPM: only that TPM may enroll under that name, and it gets no other.
 *
 * <p>The TPM is named by its <em>EK identity</em>: the SHA-256, in lower-case hex, of the DER
 * SubjectPublicKeyInfo of its endorsement key (the key in its EK certificate; the same bytes as
 * {@code openssl x509 -in ek.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum}). It names the
 * key, not the certificate, so a re-issued EK certificate keeps the registration.
 *
 * @param name the device name its certificates get as {@code CN=} (see {@link #validName})
 * @param ekSha256 the EK identity (see {@link #validEkSha256})
 * @param by who registered it (an operator's {@code user@host}, or empty)
 */
public record Registration(String name, String ekSha256, Instant registeredAt, String by) {
  private static final Pattern NAME = Pattern.compile("[^\\s,\\p{Cntrl}]{1,64}");
  private static final Pattern EK = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern BY = Pattern.compile("[^\\s\\p{Cntrl}]{0,200}");

  public Registration {
    if (!validName(name)) throw new IllegalArgumentException("not a device name: \"" + name + "\"");
    if (!validEkSha256(ekSha256)) throw new IllegalArgumentException("not an EK identity (64 lower-case hex): " + ekSha256);
    if (!BY.matcher(by).matches()) throw new IllegalArgumentException("by: not a user name: " + by);
  }

  /**
   * A registrable device name: 1 to 64 characters (a certificate CN's upper bound), without white space,
   * commas or control characters, so it reads unchanged in CSV files, admin requests and state files.
   */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** 64 lower-case hex digits. */
  public static boolean validEkSha256(String hex) {
    return hex != null && EK.matcher(hex).matches();
  }

  /**
   * {@code text} as an EK identity: hex digits in either case, optionally separated by colons (as
   * {@code openssl dgst -c} prints them); empty when it is not 32 bytes of hex.
   */
  public static Optional<String> normalizeEkSha256(String text) {
    String hex = text.strip().replace(":", "").toLowerCase(java.util.Locale.ROOT);
    return validEkSha256(hex) ? Optional.of(hex) : Optional.empty();
  }

  /** The id of a pending request of the TPM with this EK identity: stable per EK, short enough to type. */
  public static String pendingId(String ekSha256) {
    return ekSha256.substring(0, 12);
  }

  /**
   * Why {@code wanted} cannot be added beside what is registered under its name and for its EK; empty when
   * it can (or is already there exactly).
   */
  static Optional<String> conflict(Registration wanted, Optional<Registration> byName, Optional<Registration> byEk) {
    if (byName.isPresent() && !byName.get().ekSha256().equals(wanted.ekSha256())) {
      return Optional.of("\"" + wanted.name() + "\" is registered to another EK (" + byName.get().ekSha256()
          + "); remove it first");
    }
    if (byEk.isPresent() && !byEk.get().name().equals(wanted.name())) {
      return Optional.of("EK " + wanted.ekSha256() + " is registered as \"" + byEk.get().name()
          + "\"; one TPM has one name: remove it first");
    }
    return Optional.empty();
  }
}
