package org.securecmd.daemon.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestsTest {
  private static List<String> words(String s) {
    return s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
  }

  private static String line(String args) {
    return assertInstanceOf(Requests.Send.class, Requests.parse(words(args))).line();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "status                    | status",
      "connections               | connections",
      "disconnect 12             | disconnect 12",
      "disconnect -- 12          | disconnect 12",
      "reload                    | reload",
      "revoke device-17          | revoke identity device-17",
      "revoke --serial 0A:FF     | revoke serial 0A:FF",
      "revoke 0A:FF --serial     | revoke serial 0A:FF",
      "revoke --serial -- 0A     | revoke serial 0A",
      "revoke -- --help          | revoke identity --help",
      "revoke -- --json          | revoke identity --json",
      "revoke -- --serial        | revoke identity --serial",
      "revoke -- -               | revoke identity -",
      "revoke -                  | revoke identity -",
      "revoke -- --              | revoke identity --",
      "unrevoke device-17        | unrevoke device-17",
      "unrevoke -- --socket      | unrevoke --socket",
      "revoked                   | revoked",
      "metrics                   | metrics",
      "attest show dev-1         | attest show dev-1",
      "attest learn dev-1 golden | attest learn dev-1 golden",
      "attest -- learn dev-1 g   | attest learn dev-1 g",
  })
  void wordsBecomeOneRequestLine(String args, String line) {
    assertEquals(line, line(args));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                  | no subcommand",
      "status now          | status takes no argument",
      "disconnect          | usage: securecmdctl [GLOBAL OPTIONS] disconnect [--] ID",
      "disconnect 1 2      | usage: securecmdctl [GLOBAL OPTIONS] disconnect [--] ID",
      "revoke              | 'usage: securecmdctl [GLOBAL OPTIONS] revoke [--serial] [--reason TEXT] [--] IDENTITY|HEX'",
      "revoke --serial     | 'usage: securecmdctl [GLOBAL OPTIONS] revoke [--serial] [--reason TEXT] [--] IDENTITY|HEX'",
      "revoke a b          | 'usage: securecmdctl [GLOBAL OPTIONS] revoke [--serial] [--reason TEXT] [--] IDENTITY|HEX'",
      "unrevoke            | 'usage: securecmdctl [GLOBAL OPTIONS] unrevoke [--] IDENTITY|HEX'",
      "frobnicate          | unknown subcommand \"frobnicate\"",
      "attest              | 'usage: securecmdctl attest show DEVICE | attest learn DEVICE STATE'",
      "attest show         | 'usage: securecmdctl attest show DEVICE | attest learn DEVICE STATE'",
      "attest show a b     | 'usage: securecmdctl attest show DEVICE | attest learn DEVICE STATE'",
      "attest learn a      | 'usage: securecmdctl attest show DEVICE | attest learn DEVICE STATE'",
      "attest forget a     | 'usage: securecmdctl attest show DEVICE | attest learn DEVICE STATE'",
      "revoke --force x    | revoke: unknown option --force (put a name that starts with \"-\" after \"--\")",
      "revoke -dev         | revoke: unknown option -dev (put a name that starts with \"-\" after \"--\")",
      "status --json       | status: unknown option --json (global options go before the subcommand)",
      "revoke x --socket s | revoke: unknown option --socket (global options go before the subcommand)",
      "unrevoke --serial 1 | unrevoke: unknown option --serial (put a name that starts with \"-\" after \"--\")",
  })
  void badWordsAreUsageErrors(String args, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Requests.parse(words(args))).getMessage());
  }

  @ParameterizedTest
  @CsvSource({"revoke --help", "revoke -h", "revoke device-1 --help", "status --help", "unrevoke --help"})
  void helpOfASubcommandSendsNothing(String args) {
    Requests.Help help = assertInstanceOf(Requests.Help.class, Requests.parse(words(args)));
    String name = args.split(" ")[0];
    assertTrue(help.text().startsWith("usage: securecmdctl [GLOBAL OPTIONS] " + name), help.text());
  }

  @Test
  void revokeHelpDescribesSerial() {
    String text = ((Requests.Help) Requests.parse(List.of("revoke", "--help"))).text();
    assertTrue(text.contains("--serial  the argument is a certificate serial number"), text);
  }

  @Test
  void controlCharactersAreRefused() {
    assertEquals("revoke: control characters are not allowed",
        assertThrows(IllegalArgumentException.class, () -> Requests.parse(List.of("revoke", "a\nstatus")))
            .getMessage());
  }

  @org.junit.jupiter.api.Test
  void revokeReasonGoesAfterATab() {
    assertEquals(new Requests.Send("revoke", "revoke serial 0A\treason=lost in the field"),
        Requests.parse(List.of("revoke", "--reason", "lost in the field", "--serial", "0A")));
    assertEquals("revoke identity x\tby=" + System.getProperty("user.name"),
        RevokeRequest.signed("revoke identity x"));
    assertEquals("status", RevokeRequest.signed("status"), "only revoke is signed");
  }
}
