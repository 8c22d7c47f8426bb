package org.securecmd.daemon.ctl;

/**
 * Makes a string from the daemon safe to print on a terminal. Identities, subjects and error messages come
 * from device certificates and config files: a CN carrying ESC sequences must not rewrite the operator's
 * screen, and bidi controls must not reorder what is shown. So C0 and C1 controls and DEL become
 * {@code \xNN}, bidi controls, line/paragraph separators and lone surrogates {@code \\uNNNN}, and the
 * backslash itself {@code \\}, so the output is unambiguous. {@code --json} output is the JSON, escaped there.
 */
final class TerminalText {
  private TerminalText() {}

  static String escape(Object value) {
    return escape(String.valueOf(value), false);
  }

  /**
   * For text that is already in a format of its own (the Prometheus exposition, whose label values escape
   * backslash, quote and line feed): line feeds and backslashes stay, every other control is escaped.
   */
  static String escapeLines(String text) {
    return escape(text, true);
  }

  private static String escape(String s, boolean lines) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      int n = Character.charCount(c);
      String replacement = lines && (c == '\n' || c == '\\') ? null : replacement(c);
      if (replacement != null && b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
      if (b != null) {
        if (replacement != null) b.append(replacement);
        else b.appendCodePoint(c);
      }
      i += n;
    }
    return b == null ? s : b.toString();
  }

  private static String replacement(int c) {
    if (c == '\\') return "\\\\";
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) return String.format("\\x%02x", c);
    if (isBidiOrSeparator(c) || Character.isSurrogate((char) c) && c <= 0xffff) return String.format("\\u%04x", c);
    return null;
  }

  /** ALM, LRM, RLM, the embeddings and overrides, the isolates, and U+2028/U+2029. */
  private static boolean isBidiOrSeparator(int c) {
    return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  }
}
