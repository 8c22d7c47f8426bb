package org.securecmd.daemon.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.protocol.Reply;

class WhoAmITest {
  private static Arguments row(Identity id, String line) {
    return Arguments.of(id, line);
  }

  static Stream<Arguments> identities() {
    return Stream.of(
        row(Identity.ANONYMOUS, "anonymous"),
        row(new Identity("device-1", List.of(), List.of(), "1f"), "cn=device-1 serial=1f"),
        row(new Identity("device-1", List.of("a.example", "b.example"), List.of("spiffe://x/d1"), "1f"),
            "cn=device-1 dns=a.example dns=b.example uri=spiffe://x/d1 serial=1f"),
        row(new Identity("", List.of("a.example"), List.of(), "1f"), "dns=a.example serial=1f"),
        row(new Identity("", List.of(), List.of(), "abc"), "serial=abc"),
        row(new Identity("my device", List.of(), List.of(), "1"), "cn=my%20device serial=1"),
        row(new Identity("100%", List.of(), List.of(), "1"), "cn=100%25 serial=1"),
        row(new Identity("a\nb", List.of(), List.of(), "1"), "cn=a%0Ab serial=1"),
        row(new Identity("a\r\nb", List.of(), List.of(), "1"), "cn=a%0D%0Ab serial=1"),
        row(new Identity("nul\0", List.of(), List.of(), "1"), "cn=nul%00 serial=1"),
        row(new Identity("tab\t", List.of(), List.of(), "1"), "cn=tab%09 serial=1"),
        row(new Identity("esc\u001b[0m", List.of(), List.of(), "1"), "cn=esc%1B[0m serial=1"),
        row(new Identity("del\u007f", List.of(), List.of(), "1"), "cn=del%7F serial=1"),
        row(new Identity("x cn=admin", List.of(), List.of(), "1"), "cn=x%20cn=admin serial=1"),
        row(new Identity("gerät😀", List.of(), List.of(), "1"), "cn=gerät😀 serial=1"),
        row(new Identity("ERR x", List.of(), List.of(), "1"), "cn=ERR%20x serial=1"),
        row(new Identity("d", List.of("a b"), List.of("spiffe://x/a b"), "1"), "cn=d dns=a%20b uri=spiffe://x/a%20b serial=1"));
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @MethodSource("identities")
  void reportsTheIdentityOnOneLineWithUnsafeCharactersEscaped(Identity id, String expected) {
    Answer a = new WhoAmI().handle(Calls.by(id));
    assertTrue(a.error().isEmpty(), a.toString());
    Reply r = a.reply();
    assertEquals(expected, r.line());
    assertTrue(Reply.isSingleLine(r.line()));
  }
}
