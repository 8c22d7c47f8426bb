package org.securecmd.daemon.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TerminalTextTest {
  /** Rows use \\uXXXX for the input's special characters; the expected output is literal. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "trusted-client                 | trusted-client",
      "grüße-東京                      | grüße-東京",
      "\\u001b[2Jowned                | \\x1b[2Jowned",
      "a\\u0000b\\u0007c\\u0009d       | a\\x00b\\x07c\\x09d",
      "line\\u000anext\\u000d          | line\\x0anext\\x0d",
      "del\\u007f                      | del\\x7f",
      "csi\\u009b31m\\u0085nel\\u0080 | csi\\x9b31m\\x85nel\\x80",
      "\\u202egnp.exe                 | \\u202egnp.exe",
      "\\u2066iso\\u2069\\u200e\\u200f\\u061c | \\u2066iso\\u2069\\u200e\\u200f\\u061c",
      "para\\u2028\\u2029             | para\\u2028\\u2029",
      "back\\\\slash                   | back\\\\slash",
      "lone\\ud800                     | lone\\ud800",
      "emoji\\ud83d\\ude00             | emoji\ud83d\ude00",
  })
  void controlsAreEscaped(String input, String expected) {
    assertEquals(expected, TerminalText.escape(unescape(input)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "a{x=\\\"q\\\\\\\"\\\"} 1\\u000ab 2\\u000a | a{x=\\\"q\\\\\\\"\\\"} 1\\u000ab 2\\u000a",
      "m{cn=\\\"\\u001b[2J\\\"} 1\\u000a       | m{cn=\\\"\\x1b[2J\\\"} 1\\u000a",
  })
  void expositionTextKeepsLinesAndBackslashes(String input, String expected) {
    assertEquals(unescape(expected), TerminalText.escapeLines(unescape(input)));
  }

  /** Java-style \\uXXXX and \\\\ and \\" in the table, to their characters. */
  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'u') {
        b.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '\\' || s.charAt(i + 1) == '"')) {
        b.append(s.charAt(++i));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
