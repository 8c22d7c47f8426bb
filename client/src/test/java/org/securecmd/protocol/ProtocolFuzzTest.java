package org.securecmd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random byte streams, built from fragments a hostile peer would send, through the request path the daemon runs
 * ({@link LineReader} at the daemon's bound, then {@link Request#parse}): every line ends in a request, a
 * documented ERR code, or a clean end; nothing else escapes. Fixed seed and count: the same run every time;
 * a failure prints the seed and the stream to replay it.
 */
class ProtocolFuzzTest {
  private static final long SEED = 0x5EC_C0DEL;
  private static final int STREAMS = 20_000;
  private static final int MAX_LINE = 1024;
  private static final Set<ErrorCode> READ_ERRORS = Set.of(ErrorCode.LINE_TOO_LONG, ErrorCode.BAD_REQUEST);
  private static final String[] FRAGMENTS = {
      "GET_SECRET", "PING", "WHOAMI", " ", "\t", "\r", "\n", "\r\n", "\0", "\u0085", "\u007f", "é", "€", "𝄞",
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "ERR BAD_REQUEST x", "{client}", "../", "%n%s", "\u202e", "\ufeff"};

  @Test
  void randomStreamsEndInRequestsDocumentedErrorsOrACleanEnd() throws Exception {
    Random random = new Random(SEED);
    for (int i = 0; i < STREAMS; i++) {
      byte[] stream = stream(random);
      try {
        check(stream);
      } catch (AssertionError | RuntimeException e) {
        fail("stream " + i + " (seed " + SEED + ", " + stream.length + " bytes): "
            + HexFormat.of().formatHex(stream, 0, Math.min(stream.length, 256)), e);
      }
    }
  }

  private static void check(byte[] stream) throws IOException {
    LineReader reader = new LineReader(new ByteArrayInputStream(stream), MAX_LINE);
    for (int lines = 0; lines <= stream.length; lines++) {
      String line;
      try {
        line = reader.readLine();
      } catch (ProtocolException e) {
        assertTrue(READ_ERRORS.contains(e.code()), e.code().name());
        assertSingleLineReply(e.toReply());
        if (e.code() == ErrorCode.LINE_TOO_LONG) return; // the daemon closes here
        continue;
      } catch (EOFException e) {
        return; // a line cut by the end of the stream: the daemon just closes
      }
      if (line == null) return;
      assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= MAX_LINE + 1, "bounded: " + line.length());
      assertFalse(line.contains("\n"), "no newline inside a line");
      try {
        Request r = Request.parse(line);
        assertFalse(r.verb().isEmpty());
        assertFalse(r.verb().contains(" "));
        assertTrue(r.verb().length() <= Request.MAX_VERB_LENGTH);
        assertTrue(r.verb().chars().noneMatch(c -> Character.isISOControl(c) && c != '\t'), r.verb());
        // "VERB " (one trailing space, empty arguments) comes back as "VERB": the only difference allowed
        if (!line.equals(r.verb() + " ")) assertEquals(line, r.line(), "the request is the line as sent");
      } catch (ProtocolException e) {
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertSingleLineReply(e.toReply());
      }
    }
    fail("more lines than bytes");
  }

  private static void assertSingleLineReply(Reply r) {
    assertTrue(r.isError());
    assertTrue(Reply.isSingleLine(r.line()), r.line());
  }

  /** Up to ~3 KiB: fragments, random bytes, invalid UTF-8, and now and then a long run without a newline. */
  private static byte[] stream(Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int parts = 1 + random.nextInt(12);
    for (int p = 0; p < parts; p++) {
      switch (random.nextInt(6)) {
        case 0, 1 -> out.writeBytes(FRAGMENTS[random.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.UTF_8));
        case 2 -> {
          byte[] b = new byte[random.nextInt(16)];
          random.nextBytes(b);
          out.writeBytes(b);
        }
        case 3 -> out.writeBytes(new byte[] {(byte) (0x80 + random.nextInt(0x80)), (byte) random.nextInt(256)});
        case 4 -> out.writeBytes("A".repeat(random.nextInt(2) == 0 ? MAX_LINE - 2 + random.nextInt(5)
            : random.nextInt(3 * MAX_LINE)).getBytes(StandardCharsets.US_ASCII));
        default -> out.write('\n');
      }
    }
    return out.toByteArray();
  }
}
