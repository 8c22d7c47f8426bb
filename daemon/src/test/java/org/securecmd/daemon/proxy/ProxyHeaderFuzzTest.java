package org.securecmd.daemon.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of valid headers (and random bytes) through the parser as the daemon calls it: every
 * input ends in a header or a {@link ProxyHeaderException} with a reason and a message; nothing else
 * escapes, and the parser never reads past the length the header declares (nor more than the limit).
 * Fixed seed and count: the same run every time; a failure prints the seed, the index and the bytes.
 */
class ProxyHeaderFuzzTest {
  private static final long SEED = 0x9509_2C0DEL;
  private static final int INPUTS = 30_000;

  @Test
  void mutatedHeadersEndInAHeaderOrADocumentedRefusal() throws Exception {
    Random random = new Random(SEED);
    byte[][] seeds = {
        ProxyHeaders.proxy(new InetSocketAddress("192.0.2.7", 40001), new InetSocketAddress("198.51.100.1", 5000)),
        ProxyHeaders.proxy(new InetSocketAddress("2001:db8::7", 1), new InetSocketAddress("2001:db8::1", 5000),
            ProxyHeaders.tlv(0x05, new byte[8])),
        ProxyHeaders.withCrc(new InetSocketAddress("10.1.2.3", 555), new InetSocketAddress("10.0.0.10", 5000)),
        ProxyHeaders.local(),
        ProxyHeaders.raw(0x21, 0x31, new byte[216])};
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = i % 10 == 0 ? randomBytes(random) : mutate(seeds[random.nextInt(seeds.length)], random);
      try {
        check(input);
      } catch (AssertionError | java.io.IOException | RuntimeException e) {
        fail("input " + i + " (seed " + SEED + ", " + input.length + " bytes): "
            + HexFormat.of().formatHex(input, 0, Math.min(input.length, 256)), e);
      }
    }
  }

  private static void check(byte[] input) throws Exception {
    CountingStream in = new CountingStream(input);
    try {
      ProxyHeader h = ProxyHeaderParser.read(in);
      assertEquals(h.length(), in.consumed(), "consumed exactly the header");
      assertTrue(h.length() >= 16 && h.length() <= 16 + ProxyHeaderParser.MAX_PAYLOAD);
      if (h.command() == ProxyHeader.Command.LOCAL) assertTrue(h.source().isEmpty());
      h.source().ifPresent(s -> assertTrue(s.getPort() >= 0 && s.getPort() <= 65535));
    } catch (ProxyHeaderException e) {
      assertNotNull(e.reason());
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
      assertTrue(in.consumed() <= 16 + ProxyHeaderParser.MAX_PAYLOAD, "bounded read: " + in.consumed());
    }
  }

  private static byte[] mutate(byte[] seed, Random r) {
    byte[] b = seed.clone();
    switch (r.nextInt(5)) {
      case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
      case 2 -> b = ProxyHeaders.concat(b, randomBytes(r));
      case 3 -> {
        b[14] = (byte) r.nextInt(256);
        b[15] = (byte) r.nextInt(256);
      }
      default -> {
        for (int k = r.nextInt(4); k >= 0; k--) b[12 + r.nextInt(b.length - 12)] = (byte) r.nextInt(256);
      }
    }
    return b;
  }

  private static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(64)];
    r.nextBytes(b);
    if (b.length > 0 && r.nextBoolean()) b[0] = 0x0D;
    return b;
  }

  /** Counts what the parser took, so over-reading is caught. */
  private static final class CountingStream extends ByteArrayInputStream {
    private final int total;

    CountingStream(byte[] b) {
      super(b);
      total = b.length;
    }

    int consumed() {
      return total - available();
    }
  }
}
