package org.securecmd.daemon.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.securecmd.protocol.Reply;

/**
 * {@code [commands.NAME]}: a configured verb.
 *
 * @param reply where the reply comes from: {@code reply} or {@code reply_file}
 * @param encoding how a reply travels; a {@link ReplySource.Static} line is encoded already, a file's bytes
 *     are encoded when read
 * @param allow identity patterns allowed to run it; they match certified clients only; empty allows nobody
 * @param allowAnonymous whether clients without a certificate may run it
 * @param requireAttestedKey served only to certificates whose key a TPM attested (enrollment's extension)
 */
public record CommandSettings(String name, ReplySource reply, ReplyEncoding encoding, List<String> allow,
                              boolean allowAnonymous, boolean requireAttestedKey) {
  /** Answered by the daemon itself (the command package's {@code Ping}, {@code WhoAmI}, {@code Renew}). */
  public static final String PING = "PING";
  public static final String WHOAMI = "WHOAMI";
  /** Exists only with {@code [enrollment]}. */
  public static final String RENEW = "RENEW";
  /** Built in while {@code [attestation]} is configured (a {@code [commands.X]} of these names is then an error). */
  public static final String ENROLL = "ENROLL";
  public static final String ENROLL_PROOF = "ENROLL-PROOF";
  public static final String NONCE = "NONCE";
  public static final Set<String> ATTESTATION_VERBS = Set.of(ENROLL, ENROLL_PROOF, NONCE);
  /** The built-in verbs; a config cannot redefine them. */
  public static final Set<String> BUILT_IN_VERBS = Set.of(PING, WHOAMI, RENEW);

  public CommandSettings {
    allow = List.copyOf(allow);
  }

  /** A command for certified clients only ({@code allow_anonymous = false}, the default). */
  public CommandSettings(String name, ReplySource reply, ReplyEncoding encoding, List<String> allow) {
    this(name, reply, encoding, allow, false, false);
  }

  /** A command served to any certificate its lists allow, attested or not. */
  public CommandSettings(String name, ReplySource reply, ReplyEncoding encoding, List<String> allow,
                         boolean allowAnonymous) {
    this(name, reply, encoding, allow, allowAnonymous, false);
  }

  static CommandSettings read(TableReader r, String name, OwnFiles own) throws ConfigException {
    r.onlyKeys(List.of("reply", "reply_file", "encoding", "allow", "allow_anonymous", "require_attested_key"));
    ReplyEncoding encoding = r.choice("encoding", "plain", Map.entry("plain", ReplyEncoding.PLAIN),
        Map.entry("base64", ReplyEncoding.BASE64));
    Optional<String> reply = r.secretString("reply");
    Optional<String> replyFile = r.optionalString("reply_file");
    if (reply.isPresent() == replyFile.isPresent()) {
      throw r.missing("reply", "exactly one of reply and reply_file is required");
    }
    ReplySource source = reply.isPresent() ? staticReply(r, reply.get(), encoding) : fileReply(r, replyFile.get(), own);
    return new CommandSettings(name, source, encoding, r.patterns("allow"), r.bool("allow_anonymous", false),
        r.bool("require_attested_key", false));
  }

  /** A static reply, encoded now so that every request sends the same checked line. */
  private static ReplySource staticReply(TableReader r, String reply, ReplyEncoding encoding) throws ConfigException {
    if (encoding == ReplyEncoding.BASE64) {
      return new ReplySource.Static(Base64.getEncoder().encodeToString(reply.getBytes(StandardCharsets.UTF_8)));
    }
    if (!Reply.isSingleLine(reply)) {
      throw r.error("reply", "(hidden)", "contains a line break or NUL, which would break the protocol's "
          + "framing; use encoding = \"base64\"");
    }
    if (Reply.readsAsError(reply)) {
      throw r.error("reply", "(hidden)", "must not start with \"ERR \", which clients read as an error");
    }
    return new ReplySource.Static(reply);
  }

  private static ReplySource fileReply(TableReader r, String written, OwnFiles own) throws ConfigException {
    if (written.isEmpty()) throw r.error("reply_file", "\"\"", "is empty");
    String rest = written.replace(ReplySource.CLIENT, "");
    if (rest.contains("{") || rest.contains("}")) {
      throw r.error("reply_file", TableReader.quoted(written), "the only placeholder is " + ReplySource.CLIENT);
    }
    Path p = r.optionalPath("reply_file", "").orElseThrow();
    Optional<String> clash = own.reachableBy(p);
    if (clash.isPresent()) throw r.error("reply_file", TableReader.quoted(written), clash.get());
    // decided on the resolved path: "{client}/../x" normalises to a plain file
    return p.toString().contains(ReplySource.CLIENT) ? new ReplySource.Template(p.toString()) : new ReplySource.File(p);
  }
}
