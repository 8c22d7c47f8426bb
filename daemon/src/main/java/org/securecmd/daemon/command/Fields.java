package org.securecmd.daemon.command;

import java.util.Base64;
import java.util.Optional;

/**
 * The arguments of the enrollment verbs: exactly {@code count} fields of standard base64 (RFC 4648, with
 * padding, no line breaks) separated by single spaces.
 */
final class Fields {
  private Fields() {}

  /** The decoded fields, or empty when the count, the separators or the base64 are wrong. */
  static Optional<byte[][]> decode(String arguments, int count) {
    String[] parts = arguments.split(" ", -1);
    if (parts.length != count) return Optional.empty();
    byte[][] out = new byte[count][];
    Base64.Decoder d = Base64.getDecoder();
    for (int i = 0; i < count; i++) {
      if (parts[i].isEmpty() || parts[i].length() % 4 != 0) return Optional.empty();
      try {
        out[i] = d.decode(parts[i]);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  static String encode(byte[]... fields) {
    StringBuilder b = new StringBuilder();
    for (byte[] f : fields) {
      if (!b.isEmpty()) b.append(' ');
      b.append(Base64.getEncoder().encodeToString(f));
    }
    return b.toString();
  }
}
