package org.securecmd.daemon.command;

import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.auth.Identity;
import org.securecmd.daemon.config.CommandSettings;
import org.securecmd.daemon.config.ReplySource;
import org.securecmd.daemon.enroll.Renewals;
import org.securecmd.protocol.ErrorCode;
import org.securecmd.protocol.Reply;
import org.securecmd.protocol.Request;

/**
 * The verbs of one configuration generation. {@code PING} and {@code WHOAMI} are open to every client that
 * may connect, anonymous ones included; configured verbs to the certified identities their {@code allow} list
 * matches (empty: nobody), and to clients without a certificate only with {@code allow_anonymous = true}.
 * {@code RENEW} exists only with {@code [enrollment]}; its own allow list is checked by {@link Renewals}.
 */
public final class CommandTable {
  private record Entry(CommandHandler handler, AllowList allow) {}

  private static final AllowList EVERYONE = AllowList.of(java.util.List.of("*"), true);
  private final Map<String, Entry> entries;
  private final Renew renew;

  private CommandTable(Map<String, Entry> entries, Renew renew) {
    this.entries = Map.copyOf(entries);
    this.renew = renew;
  }

  public static CommandTable of(Map<String, CommandSettings> commands) {
    return of(commands, null);
  }

  /** @param renewals the {@code RENEW} policy, or null when {@code [enrollment]} is absent */
  public static CommandTable of(Map<String, CommandSettings> commands, Renewals renewals) {
    Map<String, Entry> m = new HashMap<>();
    m.put(CommandSettings.PING, new Entry(new Ping(), EVERYONE));
    m.put(CommandSettings.WHOAMI, new Entry(new WhoAmI(), EVERYONE));
    for (CommandSettings c : commands.values()) {
      AllowList allow = AllowList.of(c.allow(), c.allowAnonymous());
      CommandHandler h = switch (c.reply()) {
        case ReplySource.Static s -> new StaticReply(Reply.ok(s.line()));
        case ReplySource.File f -> new FileReply(c.name(), f.path().toString(), c.encoding(), allow);
        case ReplySource.Template t -> new FileReply(c.name(), t.template(), c.encoding(), allow);
      };
      m.put(c.name(), new Entry(h, allow));
    }
    return new CommandTable(m, renewals == null ? null : new Renew(renewals));
  }

  /** The reply to {@code request} from {@code identity}: the handler's, or UNKNOWN_COMMAND, FORBIDDEN, BAD_REQUEST. */
  public Reply dispatch(Request request, Identity identity) {
    return dispatch(request, identity, List.of());
  }

  /** As {@link #dispatch(Request, Identity)}; {@code chain} is the peer's certificate chain, which RENEW renews. */
  public Reply dispatch(Request request, Identity identity, List<X509Certificate> chain) {
    if (renew != null && request.verb().equals(CommandSettings.RENEW)) return renew.handle(identity, chain, request.arguments());
    Entry e = entries.get(request.verb());
    if (e == null) return Reply.error(ErrorCode.UNKNOWN_COMMAND, "unknown command");
    if (!e.allow().allows(identity)) return Reply.error(ErrorCode.FORBIDDEN, "not allowed for this client");
    if (!request.arguments().isEmpty()) {
      return Reply.error(ErrorCode.BAD_REQUEST, request.verb() + " takes no arguments");
    }
    return e.handler().handle(identity);
  }

  public boolean knows(String verb) {
    return entries.containsKey(verb) || (renew != null && verb.equals(CommandSettings.RENEW));
  }
}
