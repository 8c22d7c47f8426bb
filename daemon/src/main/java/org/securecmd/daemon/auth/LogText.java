package org.securecmd.daemon.auth;

/**
 * Text a peer controls (names from its certificate or CSR, the verb it sent, reasons quoting either), made
 * safe for one log line: the one sanitiser of every daemon log line that carries peer data. A CN with U+009B
 * (the 8-bit CSI) must not reach a terminal running {@code journalctl} raw, bidi controls must not
 * reorder what an operator reads, and a value must not forge a {@code key=value} pair or a second line.
 * So C0 and C1 controls and DEL, format characters (bidi embeddings, overrides and isolates, ALM/LRM/RLM,
 * zero-width characters), the line and paragraph separators U+2028/U+2029, lone surrogates, the double
 * quote and the backslash become {@code \xNN} (up to U+00FF) or {@code \\uNNNN}; values are bounded to about
 * {@value #MAX_CHARS} characters, then {@code ...}; an empty value is {@code -}. It lives here, the lowest
 * package every log writer with peer data may use (audit, command, enroll, server, state, admin);
 * {@code securecmdctl} may not depend on it and has {@code ctl.TerminalText} for the operator's terminal.
 */
public final class LogText {
  static final int MAX_CHARS = 128;

  private LogText() {}

  /** For an unquoted value ({@code client=...}): spaces are escaped too, so the value stays one token. */
  public static String token(String s) {
    return escape(s, false);
  }

  /** For a value written inside quotes ({@code reason="..."}): spaces stay. */
  public static String quoted(String s) {
    return escape(s, true);
  }

  private static String escape(String s, boolean keepSpaces) {
    if (s == null) return "-";
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 8);
    int i = 0;
    while (i < s.length() && b.length() < MAX_CHARS) {
      int c = s.codePointAt(i);
      if (c == ' ' && keepSpaces || !needsEscape(c)) b.appendCodePoint(c);
      else if (c <= 0xff) b.append(String.format("\\x%02x", c));
      else b.append(String.format(c <= 0xffff ? "\\u%04x" : "\\U%08x", c));
      i += Character.charCount(c);
    }
    if (i < s.length()) b.append("...");
    return b.isEmpty() ? "-" : b.toString();
  }

  private static boolean needsEscape(int c) {
    if (c == '"' || c == '\\' || c == ' ') return true;
    if (Character.isISOControl(c)) return true; // C0, DEL, C1 (U+0080..U+009F)
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
