package org.securecmd.daemon.command;

import java.util.HashMap;
import java.util.Map;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.CommandSettings;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.protocol.Request;

/**
 * The verbs of one configuration generation. {@code PING} and {@code WHOAMI} are open to every client that
 * may connect; configured verbs to the identities their {@code allow} list matches (empty: nobody).
 */
public final class CommandTable {
  private record Entry(CommandHandler handler, AllowList allow) {}

  private static final AllowList EVERYONE = AllowList.of(java.util.List.of("*"));
  private final Map<String, Entry> entries;

  private CommandTable(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  public static CommandTable of(Map<String, CommandSettings> commands) {
    Map<String, Entry> m = new HashMap<>();
    m.put(CommandSettings.PING, new Entry(new Ping(), EVERYONE));
    m.put(CommandSettings.WHOAMI, new Entry(new WhoAmI(), EVERYONE));
    for (CommandSettings c : commands.values()) {
      CommandHandler h = c.reply() != null ? new StaticReply(Reply.ok(c.reply()))
          : new FileReply(c.name(), c.replyFile(), c.encoding());
      m.put(c.name(), new Entry(h, AllowList.of(c.allow())));
    }
    return new CommandTable(m);
  }

  /** The reply to {@code request} from {@code identity}: the handler's, or UNKNOWN_COMMAND, FORBIDDEN, BAD_REQUEST. */
  public Reply dispatch(Request request, Identity identity) {
    Entry e = entries.get(request.verb());
    if (e == null) return Reply.error(ErrorCode.UNKNOWN_COMMAND, "unknown command");
    if (!e.allow().allows(identity)) return Reply.error(ErrorCode.FORBIDDEN, "not allowed for this client");
    if (!request.arguments().isEmpty()) {
      return Reply.error(ErrorCode.BAD_REQUEST, request.verb() + " takes no arguments");
    }
    return e.handler().handle(identity);
  }

  public boolean knows(String verb) {
    return entries.containsKey(verb);
  }
}
