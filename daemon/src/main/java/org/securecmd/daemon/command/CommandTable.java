package org.securecmd.daemon.command;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.Optional;
import org.securecmd.daemon.enroll.AttestedRenewal;
import org.securecmd.daemon.enroll.Enrollments;
import org.securecmd.daemon.auth.AllowList;
import org.securecmd.daemon.config.CommandSettings;
import org.securecmd.daemon.config.ReplySource;
import org.securecmd.daemon.enroll.Renewals;
import org.securecmd.protocol.ErrorCode;

/**
 * The verbs of one configuration generation, each a {@link CommandHandler} behind its allow list.
 * {@code PING} and {@code WHOAMI} are open to every client that may connect, anonymous ones included;
 * configured verbs to the certified identities their {@code allow} list matches (empty: nobody), and to
 * clients without a certificate only with {@code allow_anonymous = true}. {@code RENEW} exists only with
 * {@code [enrollment]}; it is open here because {@link Renewals} checks its own allow list.
 */
public final class CommandTable {
  /**
   * @param takesArguments false: the table refuses any argument before the handler runs
   * @param requireAttestedKey only certificates issued for a TPM-attested key
   */
  private record Entry(CommandHandler handler, AllowList allow, boolean takesArguments, boolean requireAttestedKey) {
    Entry(CommandHandler handler, AllowList allow, boolean takesArguments) {
      this(handler, allow, takesArguments, false);
    }
  }

  private static final AllowList EVERYONE = AllowList.of(List.of("*"), true);
  private static final Answer UNKNOWN = Answer.error(ErrorCode.UNKNOWN_COMMAND, "unknown command");
  private static final Answer NOT_ALLOWED = Answer.error(ErrorCode.FORBIDDEN, "not allowed for this client");
  private static final Answer NOT_ATTESTED = Answer.error(ErrorCode.FORBIDDEN,
      "this command is served only to certificates of TPM-attested keys (require_attested_key)");
  private final Map<String, Entry> entries;

  private CommandTable(Map<String, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  /** @param renewals the {@code RENEW} policy; empty when {@code [enrollment]} is absent (no {@code RENEW}) */
  public static CommandTable of(Map<String, CommandSettings> commands, Optional<Renewals> renewals) {
    return of(commands, renewals, Optional.empty());
  }

  /**
   * @param enrollments TPM-attested enrollment; empty when {@code [attestation]} is absent (no {@code ENROLL},
   *     {@code ENROLL-PROOF} or {@code NONCE})
   */
  public static CommandTable of(Map<String, CommandSettings> commands, Optional<Renewals> renewals,
                                Optional<Enrollments> enrollments) {
    Map<String, Entry> m = new HashMap<>();
    m.put(CommandSettings.PING, new Entry(new Ping(), EVERYONE, false));
    m.put(CommandSettings.WHOAMI, new Entry(new WhoAmI(), EVERYONE, false));
    renewals.ifPresent(r -> m.put(CommandSettings.RENEW, new Entry(new Renew(new AttestedRenewal(r, enrollments),
        enrollments.map(Enrollments::stepTimeout), () -> enrollments.map(Enrollments::now).orElseGet(Instant::now)),
        EVERYONE, true)));
    enrollments.ifPresent(e -> {
      m.put(CommandSettings.ENROLL, new Entry(new Enroll(e), EVERYONE, true));
      m.put(CommandSettings.ENROLL_PROOF, new Entry(new EnrollProof(e), EVERYONE, true));
      m.put(CommandSettings.NONCE, new Entry(new Nonce(e), EVERYONE, false));
    });
    for (CommandSettings c : commands.values()) {
      AllowList allow = AllowList.of(c.allow(), c.allowAnonymous());
      CommandHandler h = switch (c.reply()) {
        case ReplySource.Static s -> new StaticReply(Answer.ok(s.line()));
        case ReplySource.File f -> new FileReply(c.name(), f.path().toString(), c.encoding(), allow);
        case ReplySource.Template t -> new FileReply(c.name(), t.template(), c.encoding(), allow);
      };
      m.put(c.name(), new Entry(h, allow, false, c.requireAttestedKey()));
    }
    return new CommandTable(m);
  }

  /**
   * The answer to {@code verb} for {@code call}: UNKNOWN_COMMAND, else FORBIDDEN (allow list, then
   * {@code require_attested_key}), else BAD_REQUEST (arguments
   * to a verb that takes none), else the handler's.
   */
  public Answer dispatch(String verb, Call call) {
    Entry e = entries.get(verb);
    if (e == null) return UNKNOWN;
    if (!e.allow().allows(call.identity())) return NOT_ALLOWED;
    if (e.requireAttestedKey() && (call.chain().isEmpty() || !Enrollments.isTpmAttested(call.chain().get(0)))) {
      return NOT_ATTESTED;
    }
    if (!e.takesArguments() && !call.arguments().isEmpty()) {
      return Answer.error(ErrorCode.BAD_REQUEST, verb + " takes no arguments");
    }
    return e.handler().handle(call);
  }

  public boolean knows(String verb) {
    return entries.containsKey(verb);
  }
}
