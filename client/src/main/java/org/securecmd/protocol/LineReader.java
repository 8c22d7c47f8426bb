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
  private final byte[] buffer;

  /** @param maxLineBytes the longest line accepted, not counting the line ending */
  public LineReader(InputStream in, int maxLineBytes) {
    if (maxLineBytes < 1) throw new IllegalArgumentException("maxLineBytes < 1: " + maxLineBytes);
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.buffer = new byte[maxLineBytes + 1]; // + room for a trailing CR
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
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (length == 0) return null;
        throw new EOFException("end of stream in the middle of a line");
      }
      if (b == '\n') break;
      if (length == buffer.length) {
        throw new ProtocolException(ErrorCode.LINE_TOO_LONG, "line longer than " + maxLineBytes + " bytes");
      }
      buffer[length++] = (byte) b;
    }
    if (length > 0 && buffer[length - 1] == '\r') length--;
    if (length > maxLineBytes) {
      throw new ProtocolException(ErrorCode.LINE_TOO_LONG, "line longer than " + maxLineBytes + " bytes");
    }
    return decode(length);
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
