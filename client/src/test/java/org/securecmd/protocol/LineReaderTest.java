package org.securecmd.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LineReaderTest {
  private static final HexFormat HEX = HexFormat.of();

  private static LineReader reader(String text, int max) {
    return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
  }

  private static LineReader readerOfHex(String hex, int max) {
    return new LineReader(new ByteArrayInputStream(HEX.parseHex(hex)), max);
  }

  /** Escapes: \n \r \t written as such in the CSV rows. */
  private static String unescape(String s) {
    return s.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");
  }

  /** Counts the bytes handed out, so tests can prove how much was consumed. */
  private static final class CountingInputStream extends InputStream {
    private final long length;
    private final int fill;
    long read;

    CountingInputStream(long length, int fill) {
      this.length = length;
      this.fill = fill;
    }

    @Override
    public int read() {
      if (read >= length) return -1;
      read++;
      return fill;
    }
  }

  @ParameterizedTest(name = "[{index}] max={1} {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      "abcd\\n"       | 4 | abcd
      "abcd\\r\\n"    | 4 | abcd
      "abc\\n"        | 4 | abc
      "a\\n"          | 1 | a
      "a\\r\\n"       | 1 | a
      "\\n"           | 4 | ""
      "\\r\\n"        | 4 | ""
      "GET_SECRET\\n" | 1024 | GET_SECRET
      "a b  c\\n"     | 16 | a b  c
      "\\tx\\n"       | 16 | "\\tx"
      "a\\rb\\n"      | 16 | "a\\rb"
      "ab\\r\\r\\n"   | 16 | "ab\\r"
      "\\r\\r\\n"     | 2 | "\\r"
      """)
  void lineWithinTheBoundIsReturnedWithoutItsEnding(String input, int max, String expected) throws Exception {
    assertEquals(unescape(expected), reader(unescape(input), max).readLine());
  }

  @ParameterizedTest(name = "[{index}] max={1} {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      "abcde\\n"      | 4
      "abcde\\r\\n"   | 4
      "abcd\\r\\r\\n" | 4
      "abcd\\rx\\n"   | 4
      "ab\\n"         | 1
      "ab\\r\\n"      | 1
      "abcdefghij"    | 4
      "abcdefghij\\n" | 4
      """)
  void lineLongerThanTheBoundIsRefusedWithLineTooLong(String input, int max) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> reader(unescape(input), max).readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, e.code());
    assertEquals("line longer than " + max + " bytes", e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] max={0}")
  @ValueSource(ints = {1, 4, 16, 1024})
  void boundCountsBytesNotCharacters(int max) throws Exception {
    // "é" is two bytes: max/2 of them fit exactly when max is even, one more byte does not.
    String fits = "x".repeat(max % 2) + "é".repeat(max / 2);
    assertEquals(fits, reader(fits + "\n", max).readLine());
    ProtocolException e = assertThrows(ProtocolException.class, () -> reader(fits + "y\n", max).readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, e.code());
  }

  @Test
  void lineLongerThanBoundIsRefusedWithoutBufferingIt() {
    int max = 1024;
    CountingInputStream in = new CountingInputStream(1 << 20, 'A');
    ProtocolException e = assertThrows(ProtocolException.class, () -> new LineReader(in, max).readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, e.code());
    assertTrue(in.read <= max + 2, "read " + in.read + " bytes of a 1 MiB line, bound is " + max);
    assertEquals(max + 2, in.read);
  }

  @Test
  void crOnlyLineOfCarriageReturnsIsRefusedAfterAtMostMaxPlusTwoBytes() {
    CountingInputStream in = new CountingInputStream(1 << 20, '\r');
    ProtocolException e = assertThrows(ProtocolException.class, () -> new LineReader(in, 8).readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, e.code());
    assertEquals(10, in.read);
  }

  @Test
  void endOfStreamAtStartOfLineIsNull() throws Exception {
    assertNull(reader("", 16).readLine());
  }

  @Test
  void endOfStreamAfterTheLastLineIsNull() throws Exception {
    LineReader r = reader("a\nb\r\n", 16);
    assertEquals("a", r.readLine());
    assertEquals("b", r.readLine());
    assertNull(r.readLine());
    assertNull(r.readLine());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"a", "abc", "\\r", "abc\\r", "abcd"})
  void endOfStreamInTheMiddleOfALineIsEofException(String input) {
    EOFException e = assertThrows(EOFException.class, () -> reader(unescape(input), 4).readLine());
    assertEquals("end of stream in the middle of a line", e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      ff,                 lone 0xff
      c3,                 truncated two-byte sequence
      80,                 lone continuation byte
      c080,               overlong NUL
      e282,               truncated three-byte sequence
      eda080,             UTF-16 surrogate D800
      f4908080,           above U+10FFFF
      61fe62,             0xfe inside ASCII
      """)
  void invalidUtf8IsBadRequestAndTheNextLineStillReads(String hex, String what) throws Exception {
    LineReader r = readerOfHex(hex + "0a" + "4f4b0d0a", 16);
    ProtocolException e = assertThrows(ProtocolException.class, r::readLine, what);
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals("request is not valid UTF-8", e.getMessage());
    assertEquals("OK", r.readLine());
    assertNull(r.readLine());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      c3a9,       é
      e282ac,     €
      f09f9880,   😀
      """)
  void validMultiByteUtf8Decodes(String hex, String expected) throws Exception {
    assertEquals(expected, readerOfHex(hex + "0a", 16).readLine());
  }

  @Test
  void nulIsPassedThroughForTheParserToRefuse() throws Exception {
    assertEquals("a\0b", readerOfHex("6100620a", 16).readLine());
  }

  @Test
  void aLongLineDoesNotCorruptTheBufferForTheNextShortLine() throws Exception {
    LineReader r = reader("abcd\nxy\n", 4);
    assertEquals("abcd", r.readLine());
    assertEquals("xy", r.readLine());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void nonPositiveBoundIsRefused(int max) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new LineReader(InputStream.nullInputStream(), max));
    assertEquals("maxLineBytes < 1: " + max, e.getMessage());
  }

  @Test
  void readsManyLinesFromOneStream() throws IOException, ProtocolException {
    LineReader r = reader("PING\r\nWHOAMI\nGET_SECRET x\n", 64);
    assertArrayEquals(new String[] {"PING", "WHOAMI", "GET_SECRET x"},
        new String[] {r.readLine(), r.readLine(), r.readLine()});
  }

  private static LineReader renewReader(String text) {
    return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 16, "RENEW ", 64);
  }

  @Test
  void onlyLinesStartingWithTheLongPrefixGetTheLongerLimit() throws Exception {
    String renew = "RENEW " + "A".repeat(58); // 64 bytes
    LineReader r = renewReader(renew + "\n" + "PING\n");
    assertEquals(renew, r.readLine());
    assertEquals("PING", r.readLine());
    ProtocolException tooLongForRenew = assertThrows(ProtocolException.class, () -> renewReader(renew + "A\n").readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, tooLongForRenew.code());
    ProtocolException other = assertThrows(ProtocolException.class,
        () -> renewReader("GET_SECRET " + "A".repeat(10) + "\n").readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, other.code());
    assertTrue(other.getMessage().contains("16 bytes"), other.getMessage());
    ProtocolException lowerCase = assertThrows(ProtocolException.class,
        () -> renewReader("renew " + "A".repeat(20) + "\n").readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, lowerCase.code(), "the prefix is matched exactly");
  }

  @Test
  void eachOfSeveralLongPrefixesGetsTheLongerLimitAndNoOtherLine() throws Exception {
    String enroll = "ENROLL " + "A".repeat(57); // 64 bytes
    String proof = "ENROLL-PROOF " + "B".repeat(51);
    LineReader r = new LineReader(new ByteArrayInputStream((enroll + "\n" + proof + "\nPING\n")
        .getBytes(StandardCharsets.UTF_8)), 16, java.util.List.of("RENEW ", "ENROLL ", "ENROLL-PROOF "), 64);
    assertEquals(enroll, r.readLine());
    assertEquals(proof, r.readLine());
    assertEquals("PING", r.readLine());
    ProtocolException nonce = assertThrows(ProtocolException.class, () -> new LineReader(new ByteArrayInputStream(
        ("NONCE " + "A".repeat(20) + "\n").getBytes(StandardCharsets.UTF_8)), 16,
        java.util.List.of("RENEW ", "ENROLL ", "ENROLL-PROOF "), 64).readLine());
    assertEquals(ErrorCode.LINE_TOO_LONG, nonce.code(), "NONCE is not a long verb");
  }
}
