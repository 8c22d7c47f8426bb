package org.securecmd.daemon.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestsTest {
  private static List<String> words(String s) {
    return s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "status                    | status",
      "connections               | connections",
      "disconnect 12             | disconnect 12",
      "reload                    | reload",
      "revoke device-17          | revoke identity device-17",
      "revoke --serial 0A:FF     | revoke serial 0A:FF",
      "unrevoke device-17        | unrevoke device-17",
      "revoked                   | revoked",
      "metrics                   | metrics",
  })
  void wordsBecomeOneRequestLine(String args, String line) {
    assertEquals(line, Requests.line(words(args)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                  | no subcommand",
      "status now          | status takes no argument",
      "disconnect          | disconnect needs ID",
      "disconnect 1 2      | disconnect needs ID",
      "revoke              | revoke needs IDENTITY (or --serial HEX)",
      "revoke --serial     | revoke needs IDENTITY (or --serial HEX)",
      "unrevoke            | 'unrevoke needs IDENTITY|SERIAL'",
      "frobnicate          | unknown subcommand \"frobnicate\"",
  })
  void badWordsAreUsageErrors(String args, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Requests.line(words(args))).getMessage());
  }

  @org.junit.jupiter.api.Test
  void controlCharactersAreRefused() {
    assertEquals("revoke: control characters are not allowed",
        assertThrows(IllegalArgumentException.class, () -> Requests.line(List.of("revoke", "a\nstatus")))
            .getMessage());
  }
}
