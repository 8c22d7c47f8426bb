package org.securecmd.protocol;

/**
 * One parsed request line: {@code VERB [ARGUMENTS]}. The verb is what precedes the first space; the
 * arguments are the rest of the line as sent (possibly empty).
 */
public record Request(String verb, String arguments) {
  /** Longest verb accepted; configured verbs are shorter. */
  public static final int MAX_VERB_LENGTH = 64;

  public Request {
    if (verb == null || verb.isEmpty()) throw new IllegalArgumentException("empty verb");
    if (arguments == null) throw new IllegalArgumentException("arguments == null");
  }

  /**
   * Parses a decoded line (without its line ending).
   *
   * @throws ProtocolException {@code BAD_REQUEST} for an empty line, a line starting with a space,
   *     control characters, or an over-long verb
   */
  public static Request parse(String line) throws ProtocolException {
    if (line.isEmpty()) throw new ProtocolException(ErrorCode.BAD_REQUEST, "empty request");
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (Character.isISOControl(c) && c != '\t') { // C0, DEL and C1 (e.g. NEL U+0085)
        throw new ProtocolException(ErrorCode.BAD_REQUEST, "control character in request");
      }
    }
    int space = line.indexOf(' ');
    String verb = space < 0 ? line : line.substring(0, space);
    if (verb.isEmpty()) throw new ProtocolException(ErrorCode.BAD_REQUEST, "request starts with a space");
    if (verb.length() > MAX_VERB_LENGTH) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "verb longer than " + MAX_VERB_LENGTH + " characters");
    }
    return new Request(verb, space < 0 ? "" : line.substring(space + 1));
  }

  /** The line as sent, without the newline. */
  public String line() {
    return arguments.isEmpty() ? verb : verb + " " + arguments;
  }
}
