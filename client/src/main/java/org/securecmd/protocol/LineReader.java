package org.securecmd.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines terminated by {@code \n} (a {@code \r} before it is dropped) with a hard bound on their
 * length, so a peer can never make us buffer without limit. Decoding is strict UTF-8.
 *
 * <p>Not thread-safe; one reader per connection. The stream should be buffered.
 */
public final class LineReader {
  private final InputStream in;
  private final int maxLineBytes;
  private final byte[][] longPrefixes;
  private final int longMaxBytes;
  /**
   * Grows as a line needs it, up to the bound, and goes back to its first size after a line longer than
   * {@link #KEPT_BYTES}: a connection waiting for its next request (most of a device's life) holds
   * {@value #FIRST_BYTES} bytes here, not the bound (1 KiB by default, 16 KiB for {@code RENEW}).
   */
  private byte[] buffer;
  private static final int FIRST_BYTES = 128;
  private static final int KEPT_BYTES = 1024;

  /** @param maxLineBytes the longest line accepted, not counting the line ending */
  public LineReader(InputStream in, int maxLineBytes) {
    this(in, maxLineBytes, "", maxLineBytes);
  }

  /**
   * A reader whose lines starting with {@code longPrefix} (e.g. {@code "RENEW "}) may be up to
   * {@code longMaxBytes} long; every other line keeps {@code maxLineBytes}. The larger buffer is only
   * allocated when such a line arrives.
   */
  public LineReader(InputStream in, int maxLineBytes, String longPrefix, int longMaxBytes) {
    this(in, maxLineBytes, java.util.List.of(longPrefix), longMaxBytes);
  }

  /**
   * As above, for several prefixes (e.g. {@code "RENEW "}, {@code "ENROLL "}, {@code "ENROLL-PROOF "}); an
   * empty prefix matches nothing.
   */
  public LineReader(InputStream in, int maxLineBytes, java.util.List<String> longPrefixes, int longMaxBytes) {
    if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes < 1: " + maxLineBytes);
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.longPrefixes = longPrefixes.stream().filter(p -> !p.isEmpty())
        .map(p -> p.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    this.longMaxBytes = Math.max(maxLineBytes, longMaxBytes);
    this.buffer = new byte[Math.min(FIRST_BYTES, maxLineBytes + 1)]; // + 1: room for a trailing CR
  }

  /**
   * Returns the next line without its ending, or {@code null} at a clean end of stream.
   *
   * @throws ProtocolException {@code LINE_TOO_LONG} once more than the bound was read without a newline
   *     (the stream is then mid-line: close it), {@code BAD_REQUEST} for invalid UTF-8 (the stream is
   *     at the next line and may go on)
   * @throws EOFException when the stream ends in the middle of a line
   */
  public String readLine() throws IOException, ProtocolException {
    int length = 0;
    int limit = maxLineBytes;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (length == 0) return null;
        throw new EOFException("end of stream in the middle of a line");
      }
      if (b == '\n') break;
      if (length == limit + 1 && limit < longMaxBytes && startsWithLongPrefix(length)) {
        limit = longMaxBytes;
      }
      if (length == limit + 1) {
        throw new ProtocolException(ErrorCode.LINE_TOO_LONG, "line longer than " + limit + " bytes");
      }
      if (length == buffer.length) buffer = java.util.Arrays.copyOf(buffer, Math.min(2 * length, limit + 1));
      buffer[length++] = (byte) b;
    }
    if (length > 0 && buffer[length - 1] == '\r') length--;
    if (length > limit) {
      throw new ProtocolException(ErrorCode.LINE_TOO_LONG, "line longer than " + limit + " bytes");
    }
    String line = decode(length);
    if (buffer.length > KEPT_BYTES + 1) buffer = new byte[FIRST_BYTES];
    return line;
  }

  private boolean startsWithLongPrefix(int length) {
    for (byte[] prefix : longPrefixes) {
      if (startsWith(prefix, length)) return true;
    }
    return false;
  }

  private boolean startsWith(byte[] prefix, int length) {
    if (length < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (buffer[i] != prefix[i]) return false;
    }
    return true;
  }

  private String decode(int length) throws ProtocolException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(buffer, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ProtocolException(ErrorCode.BAD_REQUEST, "request is not valid UTF-8");
    }
  }
}
