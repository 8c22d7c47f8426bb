package org.securecmd.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"THIS_IS_THE_SECRET", "", " ", "a b c", "ERR", "ERRx", "ERR_X", "err x", "xERR x",
      "ERR\tx", "é😀", "PONG"})
  void okRoundTripsThroughItsLine(String text) {
    if (text.equals("ERR")) {
      assertThrows(IllegalArgumentException.class, () -> Reply.ok(text));
      return;
    }
    Reply r = Reply.ok(text);
    assertFalse(r.isError());
    assertNull(r.code());
    assertNull(r.errorCode());
    assertEquals(text, r.line());
    assertEquals(r, Reply.parse(r.line()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"ERR", "ERR ", "ERR x", "ERR FORBIDDEN", "ERR FORBIDDEN no", "ERR  x"})
  void okThatWouldReadAsAnErrorIsRefused(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reply.ok(text));
    assertEquals("a success reply cannot start with \"ERR \"", e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"a\nb", "a\rb", "a\0b", "\n", "\r", "\0", "line\n", "\r\n"})
  void multiLineOkIsRefused(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reply.ok(text));
    assertEquals("reply text is not a single line", e.getMessage());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @EnumSource(ErrorCode.class)
  void errorRoundTripsThroughItsLineForEveryCode(ErrorCode code) {
    Reply r = Reply.error(code, "some human text");
    assertTrue(r.isError());
    assertEquals(code, r.code());
    assertEquals("ERR " + code.name() + " some human text", r.line());
    assertEquals(r, Reply.parse(r.line()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @EnumSource(ErrorCode.class)
  void errorWithoutTextIsJustErrAndCode(ErrorCode code) {
    Reply r = Reply.error(code, "");
    assertEquals("ERR " + code.name(), r.line());
    assertEquals(r, Reply.parse(r.line()));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      "ERR FORBIDDEN not on the allow list"  | FORBIDDEN       | FORBIDDEN       | not on the allow list
      "ERR UNKNOWN_COMMAND"                  | UNKNOWN_COMMAND | UNKNOWN_COMMAND | ""
      "ERR LINE_TOO_LONG x"                  | LINE_TOO_LONG   | LINE_TOO_LONG   | x
      "ERR BUSY  two spaces"                 | BUSY            | BUSY            | " two spaces"
      "ERR INTERNAL "                        | INTERNAL        | INTERNAL        | ""
      "ERR"                                  | INTERNAL        | INTERNAL        | ""
      "ERR "                                 | INTERNAL        | INTERNAL        | ""
      "ERR TEAPOT short and stout"           | TEAPOT          |                 | short and stout
      "ERR TEAPOT"                           | TEAPOT          |                 | ""
      "ERR forbidden x"                      | forbidden       |                 | x
      "ERR  x"                               | INTERNAL        | INTERNAL        | x
      "ERR  "                                | INTERNAL        | INTERNAL        | ""
      "ERR   x y"                            | INTERNAL        | INTERNAL        | " x y"
      """)
  void parseSplitsCodeAndTextAndKeepsUnknownCodesAsText(String line, String errorCode, ErrorCode code,
      String text) {
    Reply r = Reply.parse(line);
    assertTrue(r.isError());
    assertEquals(errorCode, r.errorCode());
    assertEquals(code, r.code());
    assertEquals(text, r.text());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"ERRx", "ERR\tFORBIDDEN", "err FORBIDDEN", " ERR FORBIDDEN", "OK", ""})
  void parseOfLinesNotStartingWithErrSpaceIsSuccess(String line) {
    Reply r = Reply.parse(line);
    assertFalse(r.isError());
    assertEquals(line, r.text());
  }

  static Stream<Arguments> unsafeErrorTexts() {
    return Stream.of(
        Arguments.of("a\nb", "a?b"),
        Arguments.of("a\r\nb", "a??b"),
        Arguments.of("nul\0", "nul?"),
        Arguments.of("\u001b[31mred", "?[31mred"),
        Arguments.of("tab\there", "tab?here"),
        Arguments.of("del\u007f", "del?"),
        Arguments.of("nel\u0085", "nel?"),
        Arguments.of("é 😀 ok", "é 😀 ok"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("unsafeErrorTexts")
  void errorTextControlCharactersAreReplacedByQuestionMarks(String text, String sent) {
    Reply r = Reply.error(ErrorCode.INTERNAL, text);
    assertEquals(sent, r.text());
    assertEquals("ERR INTERNAL " + sent, r.line());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"", "A B", " ", "A\nB", "A\rB", "A\0B"})
  void constructorRefusesErrorCodesThatWouldNotParseBack(String code) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reply(code, "x"));
    assertEquals("bad error code: " + code, e.getMessage());
  }

  @Test
  void writeToSendsTheLineAndOneNewline() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Reply.error(ErrorCode.FORBIDDEN, "é").writeTo(out);
    Reply.ok("secret").writeTo(out);
    assertEquals("ERR FORBIDDEN é\nsecret\n", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void toStringIsTheLine() {
    assertEquals("ERR BUSY limit", Reply.error(ErrorCode.BUSY, "limit").toString());
  }
}
