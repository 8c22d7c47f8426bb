package org.securecmd.daemon.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogTextTest {
  @ParameterizedTest(name = "[{index}] U+{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      # code point (hex) | escaped
      0000               | \\x00
      000a               | \\x0a
      001b               | \\x1b
      0020               | \\x20
      0022               | \\x22
      005c               | \\x5c
      007f               | \\x7f
      0080               | \\x80
      0085               | \\x85
      009b               | \\x9b
      009f               | \\x9f
      00ad               | \\xad
      061c               | \\u061c
      200b               | \\u200b
      200e               | \\u200e
      200f               | \\u200f
      2028               | \\u2028
      2029               | \\u2029
      202a               | \\u202a
      202e               | \\u202e
      2066               | \\u2066
      2069               | \\u2069
      feff               | \\ufeff
      d800               | \\ud800
      dfff               | \\udfff
      e0001              | \\U000e0001
      """)
  void everyControlFormatSeparatorAndLoneSurrogateIsEscaped(String hex, String escaped) {
    String c = new String(Character.toChars(Integer.parseInt(hex, 16)));
    assertEquals("a" + escaped + "b", LogText.token("a" + c + "b"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
      device-1        | device-1
      gerät😀         | gerät😀
      ''              | -
      """)
  void printableTextStaysAsItIs(String in, String out) {
    assertEquals(out, LogText.token(in == null ? "" : in));
  }

  @Test
  void quotedKeepsSpacesButNotQuotesOrControls() {
    assertEquals("say \\x22hi\\x22\\u2028\\x9b[2J", LogText.quoted("say \"hi\"\u2028\u009b[2J"));
    assertEquals("a\\x20b", LogText.token("a b"));
  }

  @Test
  void aSurrogatePairIsOneCharacterAndALoneHalfIsEscaped() {
    assertEquals("😀\\ud83d", LogText.token("😀\ud83d"));
  }

  @Test
  void outputIsBoundedAndMarksTruncation() {
    for (String s : new String[] {"\u009b".repeat(1000), "a".repeat(1000), "\u202e".repeat(200), "😀".repeat(200)}) {
      String escaped = LogText.token(s);
      assertTrue(escaped.length() <= LogText.MAX_CHARS + 10 + 3, escaped.length() + ": " + escaped);
      assertTrue(escaped.endsWith("..."), escaped);
      assertFalse(escaped.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x202e), escaped);
    }
    assertEquals("-", LogText.token(null));
  }
}
