package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
  private static final String EXPECTED =
      "expected a number of bytes, or a string with B, KiB, MiB or GiB (e.g. \"4KiB\")";

  @ParameterizedTest(name = "[{index}] {0} = {1}")
  @CsvSource(quoteCharacter = '"', textBlock = """
      0,               0
      1,               1
      1024,            1024
      512B,            512
      0B,              0
      1KiB,            1024
      4KiB,            4096
      1MiB,            1048576
      1GiB,            1073741824
      16GiB,           17179869184
      "4 KiB",         4096
      "  4KiB  ",      4096
      0004KiB,         4096
      999999999999,    999999999999
      999999999999B,   999999999999
      999999999999KiB, 1023999999998976
      999999999999MiB, 1048575999998951424
      8589934591GiB,   9223372035781033984
      """)
  void parsesEveryUnit(String text, long bytes) {
    assertEquals(bytes, Sizes.parse(text));
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"", " ", "B", "KiB", "4kib", "4KB", "4kB", "4K", "4k", "4M", "4MB", "4G", "4TiB", "4 B B",
      "-1", "-1B", "+1", "1.5KiB", "1,024", "1_024", "0x10", "1e3", "1000000000000", "4KiBs", "KiB4", "٤KiB"})
  void refusesBadForms(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    assertEquals(EXPECTED, e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] \"{0}\"")
  @ValueSource(strings = {"8589934592GiB", "999999999999GiB", "9999999999GiB"})
  void refusesSizesThatOverflowALong(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sizes.parse(text));
    assertEquals("size too large", e.getMessage());
  }
}
