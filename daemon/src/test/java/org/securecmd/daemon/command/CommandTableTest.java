package org.securecmd.daemon.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.CommandSettings;
import org.securecmd.daemon.config.ReplySource;
import org.securecmd.daemon.config.ReplyEncoding;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Request;

class CommandTableTest {
  private static final Identity DEVICE = new Identity("device-1", List.of("d1.fleet"), List.of(), "1f");
  private static final Identity OTHER = new Identity("laptop", List.of(), List.of(), "2e");

  private static final CommandTable TABLE = table(
      new CommandSettings("GET_SECRET", new ReplySource.Static("THIS_IS_THE_SECRET"), ReplyEncoding.PLAIN, List.of("*")),
      new CommandSettings("DEVICE_ONLY", new ReplySource.Static("for devices"), ReplyEncoding.PLAIN, List.of("device-*")),
      new CommandSettings("NOBODY", new ReplySource.Static("never"), ReplyEncoding.PLAIN, List.of()),
      new CommandSettings("BY_SAN", new ReplySource.Static("by san"), ReplyEncoding.PLAIN, List.of("*.fleet")),
      new CommandSettings("B64", new ReplySource.Static("AAEC"), ReplyEncoding.BASE64, List.of("*")),
      new CommandSettings("PUBLIC", new ReplySource.Static("for all"), ReplyEncoding.PLAIN, List.of(), true),
      new CommandSettings("STAR_AND_ANON", new ReplySource.Static("both"), ReplyEncoding.PLAIN, List.of("*"), true));

  private static CommandTable table(CommandSettings... commands) {
    Map<String, CommandSettings> m = new LinkedHashMap<>();
    Arrays.stream(commands).forEach(c -> m.put(c.name(), c));
    return CommandTable.of(m, Optional.empty());
  }

  private static Identity identity(String who) {
    return switch (who) {
      case "device" -> DEVICE;
      case "other" -> OTHER;
      default -> Identity.ANONYMOUS;
    };
  }

  @ParameterizedTest(name = "[{index}] {1}: {0}")
  @CsvSource(delimiter = '|', textBlock = """
      GET_SECRET        | device    | THIS_IS_THE_SECRET
      GET_SECRET        | other     | THIS_IS_THE_SECRET
      GET_SECRET        | anonymous | ERR FORBIDDEN not allowed for this client
      PUBLIC            | anonymous | for all
      PUBLIC            | device    | ERR FORBIDDEN not allowed for this client
      STAR_AND_ANON     | anonymous | both
      STAR_AND_ANON     | other     | both
      DEVICE_ONLY       | device    | for devices
      DEVICE_ONLY       | other     | ERR FORBIDDEN not allowed for this client
      DEVICE_ONLY       | anonymous | ERR FORBIDDEN not allowed for this client
      NOBODY            | device    | ERR FORBIDDEN not allowed for this client
      NOBODY            | anonymous | ERR FORBIDDEN not allowed for this client
      BY_SAN            | device    | by san
      BY_SAN            | other     | ERR FORBIDDEN not allowed for this client
      B64               | device    | AAEC
      PING              | device    | PONG
      PING              | other     | PONG
      PING              | anonymous | PONG
      WHOAMI            | device    | cn=device-1 dns=d1.fleet serial=1f
      WHOAMI            | anonymous | anonymous
      UNKNOWN           | device    | ERR UNKNOWN_COMMAND unknown command
      get_secret        | device    | ERR UNKNOWN_COMMAND unknown command
      Ping              | anonymous | ERR UNKNOWN_COMMAND unknown command
      GET_SECRET x      | device    | ERR BAD_REQUEST GET_SECRET takes no arguments
      GET_SECRET  x     | device    | ERR BAD_REQUEST GET_SECRET takes no arguments
      PING x            | anonymous | ERR BAD_REQUEST PING takes no arguments
      WHOAMI me         | device    | ERR BAD_REQUEST WHOAMI takes no arguments
      DEVICE_ONLY x     | other     | ERR FORBIDDEN not allowed for this client
      UNKNOWN x         | device    | ERR UNKNOWN_COMMAND unknown command
      """)
  void dispatchAnswersUnknownThenForbiddenThenBadArgumentsThenTheHandler(String line, String who, String reply)
      throws Exception {
    assertEquals(reply, dispatch(TABLE, line, identity(who)).toString());
  }

  @Test
  void builtInsExistEvenWithoutConfiguredCommands() throws Exception {
    CommandTable empty = CommandTable.of(Map.of(), Optional.empty());
    assertTrue(empty.knows("PING"));
    assertTrue(empty.knows("WHOAMI"));
    assertFalse(empty.knows("GET_SECRET"));
    assertEquals("ERR UNKNOWN_COMMAND unknown command", dispatch(empty, "GET_SECRET", DEVICE).toString());
  }

  @Test
  void renewIsUnknownWithoutEnrollment() throws Exception {
    assertFalse(TABLE.knows("RENEW"));
    Answer a = dispatch(TABLE, "RENEW TUlJQg==", DEVICE);
    assertEquals(Optional.of(ErrorCode.UNKNOWN_COMMAND), a.error());
    assertEquals("ERR UNKNOWN_COMMAND unknown command", a.reply().line());
  }

  @Test
  void answersCarryTheirCodeAsAnErrorCode() throws Exception {
    assertEquals(Optional.of(ErrorCode.FORBIDDEN), dispatch(TABLE, "NOBODY", DEVICE).error());
    assertEquals(Optional.of(ErrorCode.BAD_REQUEST), dispatch(TABLE, "PING x", DEVICE).error());
    assertEquals(Optional.empty(), dispatch(TABLE, "PING", DEVICE).error());
  }

  private static Answer dispatch(CommandTable table, String line, Identity who) throws Exception {
    Request r = Request.parse(line);
    return table.dispatch(r.verb(), Calls.by(who, r.arguments()));
  }

  @Test
  void knowsConfiguredVerbsExactly() {
    assertTrue(TABLE.knows("GET_SECRET"));
    assertFalse(TABLE.knows("get_secret"));
    assertFalse(TABLE.knows("GET_SECRET "));
  }
}
