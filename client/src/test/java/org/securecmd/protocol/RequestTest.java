package org.securecmd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RequestTest {
  static Stream<Arguments> goodLines() {
    return Stream.of(
        Arguments.of("PING", "PING", ""),
        Arguments.of("GET_SECRET", "GET_SECRET", ""),
        Arguments.of("GET_SECRET x", "GET_SECRET", "x"),
        Arguments.of("A b c", "A", "b c"),
        Arguments.of("A  b", "A", " b"),
        Arguments.of("A b ", "A", "b "),
        Arguments.of("A ", "A", ""),
        Arguments.of("A   ", "A", "  "),
        Arguments.of("SET k=v;x|y", "SET", "k=v;x|y"),
        Arguments.of("ECHO a\tb", "ECHO", "a\tb"),
        Arguments.of("TAB\tARG", "TAB\tARG", ""),
        Arguments.of("verb lower", "verb", "lower"),
        Arguments.of("é ü", "é", "ü"),
        Arguments.of("X 😀", "X", "😀"),
        Arguments.of("V".repeat(64), "V".repeat(64), ""),
        Arguments.of("V".repeat(64) + " " + "a".repeat(1000), "V".repeat(64), "a".repeat(1000)));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("goodLines")
  void verbIsBeforeTheFirstSpaceAndArgumentsAreKeptVerbatim(String line, String verb, String arguments)
      throws ProtocolException {
    Request r = Request.parse(line);
    assertEquals(verb, r.verb());
    assertEquals(arguments, r.arguments());
  }

  static Stream<Arguments> badLines() {
    return Stream.of(
        Arguments.of("", "empty request"),
        Arguments.of(" ", "request starts with a space"),
        Arguments.of(" PING", "request starts with a space"),
        Arguments.of("  PING x", "request starts with a space"),
        Arguments.of("PING\0", "control character in request"),
        Arguments.of("\0", "control character in request"),
        Arguments.of("PI\0NG", "control character in request"),
        Arguments.of("PING \0", "control character in request"),
        Arguments.of("PING\r", "control character in request"),
        Arguments.of("PING\rX", "control character in request"),
        Arguments.of("PING\n", "control character in request"),
        Arguments.of("PING x\ny", "control character in request"),
        Arguments.of("\u001b[31mPING", "control character in request"),
        Arguments.of("PING \u0007", "control character in request"),
        Arguments.of("PING\u001f", "control character in request"),
        Arguments.of("PING\u007f", "control character in request"),
        Arguments.of("PING x\u007f", "control character in request"),
        Arguments.of(" \0", "control character in request"),
        Arguments.of("V".repeat(65), "verb longer than 64 characters"),
        Arguments.of("V".repeat(65) + " x", "verb longer than 64 characters"),
        Arguments.of("V".repeat(1000), "verb longer than 64 characters"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("badLines")
  void malformedLineIsBadRequestWithItsReason(String line, String message) {
    ProtocolException e = assertThrows(ProtocolException.class, () -> Request.parse(line));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertEquals(message, e.getMessage());
    assertEquals("ERR BAD_REQUEST " + message, e.toReply().line());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      PING          | PING
      PING x        | PING x
      PING  x       | PING  x
      PING x        | PING x
      'PING '       | PING
      """)
  void lineReassemblesTheRequest(String line, String expected) throws ProtocolException {
    assertEquals(expected, Request.parse(line).line());
  }

  @Test
  void constructorRefusesEmptyVerbAndNullArguments() {
    assertEquals("empty verb", assertThrows(IllegalArgumentException.class, () -> new Request("", "")).getMessage());
    assertEquals("empty verb", assertThrows(IllegalArgumentException.class, () -> new Request(null, "")).getMessage());
    assertEquals("arguments == null",
        assertThrows(IllegalArgumentException.class, () -> new Request("PING", null)).getMessage());
  }
}
