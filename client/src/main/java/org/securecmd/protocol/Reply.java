package org.securecmd.protocol;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One reply line. A success carries its text; a failure carries a code and a human text and is sent as
 * {@code ERR <CODE> <text>}. Replies are single-line by construction: the factory methods refuse (ok) or
 * replace (error) anything that would break framing.
 *
 * @param errorCode {@code null} for success, else the code as sent (possibly one this version does not know)
 * @param text the reply text, or the error's human text
 */
public record Reply(String errorCode, String text) {
  private static final String ERR = "ERR";

  public Reply {
    if (text == null) throw new IllegalArgumentException("text == null");
    if (errorCode != null && (errorCode.isEmpty() || errorCode.indexOf(' ') >= 0 || !isSingleLine(errorCode))) {
      throw new IllegalArgumentException("bad error code: " + errorCode);
    }
    if (!isSingleLine(text)) throw new IllegalArgumentException("reply text is not a single line");
  }

  /** A success reply; the text must be one line (no CR, LF or NUL) and must not start with "ERR ". */
  public static Reply ok(String text) {
    if (readsAsError(text)) {
      throw new IllegalArgumentException("a success reply cannot start with \"ERR \"");
    }
    return new Reply(null, text);
  }

  /** An error reply; control characters in {@code text} are replaced by '?'. */
  public static Reply error(ErrorCode code, String text) {
    return new Reply(code.name(), sanitize(text));
  }

  /** Parses a received line (without its newline). */
  public static Reply parse(String line) {
    if (line.equals(ERR)) return new Reply("INTERNAL", "");
    if (!line.startsWith(ERR + " ")) return new Reply(null, line);
    String rest = line.substring(ERR.length() + 1);
    int space = rest.indexOf(' ');
    if (space < 0) return new Reply(rest.isEmpty() ? "INTERNAL" : rest, "");
    // "ERR  text" has an empty code: still an error, of no known kind
    return new Reply(space == 0 ? "INTERNAL" : rest.substring(0, space), rest.substring(space + 1));
  }

  public boolean isError() {
    return errorCode != null;
  }

  /** The known code, or {@code null} on success or for a code this version does not know. */
  public ErrorCode code() {
    return errorCode == null ? null : ErrorCode.byName(errorCode);
  }

  /** The line as sent, without the trailing newline. */
  public String line() {
    if (errorCode == null) return text;
    return text.isEmpty() ? ERR + " " + errorCode : ERR + " " + errorCode + " " + text;
  }

  /** Writes the line and its newline, then flushes. */
  public void writeTo(OutputStream out) throws IOException {
    out.write((line() + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** True when {@code s} has no CR, LF or NUL, so it can travel as one line. */
  public static boolean isSingleLine(String s) {
    return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 && s.indexOf('\0') < 0;
  }

  /**
   * True when a client would read {@code s} as an error reply ({@code ERR} alone or followed by a space):
   * the one rule, used wherever a configured or file-borne value is checked before it is sent as a success.
   */
  public static boolean readsAsError(String s) {
    return s.equals(ERR) || s.startsWith(ERR + " ");
  }

  private static String sanitize(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return b.toString();
  }

  @Override
  public String toString() {
    return line();
  }
}
