package org.securecmd.daemon.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditLogTest {
  private static Arguments row(String in, String out) {
    return Arguments.of(in, out);
  }

  static Stream<Arguments> values() {
    return Stream.of(
        row("device-1", "device-1"),
        row("GET_SECRET", "GET_SECRET"),
        row("", "-"),
        row("a\nb", "a\\x0ab"),
        row("a\r\nb", "a\\x0d\\x0ab"),
        row("\0", "\\x00"),
        row("tab\t", "tab\\x09"),
        row("\u001b[31m", "\\x1b[31m"),
        row("del\u007f", "del\\x7f"),
        row("say \"hi\"", "say\\x20\\x22hi\\x22"),
        row("back\\slash", "back\\x5cslash"),
        row("x result=OK", "x\\x20result=OK"),
        row(" ", "\\x20"),
        row("csi\u009b2J", "csi\\x9b2J"),
        row("line\u2028sep", "line\\u2028sep"),
        row("para\u2029sep", "para\\u2029sep"),
        row("evil\u202eexe.txt", "evil\\u202eexe.txt"),
        row("lone\ud800", "lone\\ud800"),
        row("gerät😀", "gerät😀"),
        row("a".repeat(128), "a".repeat(128)),
        row("a".repeat(129), "a".repeat(128) + "..."),
        row("a".repeat(10_000), "a".repeat(128) + "..."));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("values")
  void escapeMakesPeerTextOneTokenWithoutControlCharactersOrSpaces(String in, String out) {
    assertEquals(out, AuditLog.escape(in));
  }

  @Test
  void durationsPrintAsMillisecondsWithOneDecimalRoundedHalfUpAsFormatDid() {
    for (long micros : new long[] {0, 1, 49, 50, 149, 150, 999, 1000, 1049, 1050, 12_345, 9_999_949, 9_999_950}) {
      assertEquals(String.format(java.util.Locale.ROOT, "%.1f", micros / 1000.0), AuditLog.millis(micros),
          micros + " µs");
    }
  }

  @Test
  void escapeMarksTruncationAlsoWhenEscapesFillTheBound() {
    String escaped = AuditLog.escape("\n".repeat(50));
    assertTrue(escaped.endsWith("..."), escaped);
    assertTrue(escaped.startsWith("\\x0a\\x0a"), escaped);
  }

  @Test
  void escapeOutputIsBounded() {
    for (String s : new String[] {"\n".repeat(1000), "a".repeat(1000), "a\n".repeat(1000), " ".repeat(200)}) {
      String escaped = AuditLog.escape(s);
      assertTrue(escaped.length() <= 128 + 4 + 3, escaped.length() + ": " + escaped);
      assertFalse(escaped.contains(" "));
      assertFalse(escaped.chars().anyMatch(c -> c < 0x20));
    }
  }

  static Stream<Arguments> quotedValues() {
    return Stream.of(
        row("certificate revoked (CRL)", "certificate revoked (CRL)"),
        row("handshake timed out", "handshake timed out"),
        row("say \"hi\"\n", "say \\x22hi\\x22\\x0a"),
        row("", "-"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("quotedValues")
  void quotedReasonsKeepSpacesButEscapeQuotesAndControls(String in, String out) {
    assertEquals(out, AuditLog.escapeQuoted(in));
  }
}
