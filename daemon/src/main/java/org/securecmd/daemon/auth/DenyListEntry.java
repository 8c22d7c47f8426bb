package org.securecmd.daemon.auth;

import java.time.Instant;

/**
 * One revocation: what is denied ({@code identity NAME} or {@code serial HEX}) and who made it, when and why.
 * Only {@link #kind} and {@link #value} decide access; the rest is for operators ({@code securecmdctl revoked}).
 *
 * @param by who revoked, e.g. {@code root@host-a}; empty when unknown (a list written before it was recorded)
 * @param at when; {@link Instant#EPOCH} when unknown
 * @param reason the operator's {@code --reason}, empty when none was given
 */
public record DenyListEntry(Kind kind, String value, String by, Instant at, String reason) {
  /** What an entry matches. */
  public enum Kind {
    /** An exact name, matched against the certificate's CN and SANs. */
    IDENTITY,
    /** A certificate serial, lower-case hex without leading zeros. */
    SERIAL;

    /** The word used on disk, on the admin socket and in the database: {@code identity} or {@code serial}. */
    public String word() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** @throws IllegalArgumentException for anything but {@code identity} or {@code serial} */
    public static Kind of(String word) {
      return switch (word) {
        case "identity" -> IDENTITY;
        case "serial" -> SERIAL;
        default -> throw new IllegalArgumentException("expected \"identity\" or \"serial\", got \"" + word + "\"");
      };
    }
  }

  public DenyListEntry {
    if (kind == Kind.SERIAL) value = DenyList.normalizeSerial(value);
    if (!DenyList.validEntry(value)) throw new IllegalArgumentException("not a valid deny-list entry: \"" + value + "\"");
    if (!by.isEmpty() && !DenyList.validEntry(by)) throw new IllegalArgumentException("not a valid \"by\": " + by);
    if (!reason.isEmpty() && !DenyList.validEntry(reason)) {
      throw new IllegalArgumentException("a reason is one line without control characters or edge spaces");
    }
  }

  /** An entry whose origin is unknown. */
  public static DenyListEntry of(Kind kind, String value) {
    return new DenyListEntry(kind, value, "", Instant.EPOCH, "");
  }

  /** {@code "identity NAME"} or {@code "serial HEX"}: unique within a list. */
  public String key() {
    return kind.word() + " " + value;
  }
}
