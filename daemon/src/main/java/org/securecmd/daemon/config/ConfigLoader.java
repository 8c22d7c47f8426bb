package org.securecmd.daemon.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.securecmd.protocol.Reply;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads a config file into a {@link Config}: parse, check every key and value, freeze; one step. The
 * first problem found is thrown, naming file, line and key. Files the config points to (certificates,
 * keys) are checked by whoever loads them, with {@link Config#origins()} for the line.
 */
public final class ConfigLoader {
  /** The installed configuration, read by securecmdd and securecmdctl when no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("/etc/securecmd/config.toml");

  private static final Pattern VERB = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final Set<String> TABLES = Set.of("server", "tls", "clients", "admin", "state", "metrics",
      "enrollment", "commands");
  private static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

  private ConfigLoader() {}

  public static Config load(Path file) throws ConfigException {
    return parse(file, read(file));
  }

  /**
   * {@code [admin] socket} only, read and checked as {@link #load} does (the same default, relative to the
   * file's directory), whatever the other tables hold: securecmdctl must still find a daemon that serves a
   * config which has since gone wrong elsewhere (a refused reload leaves exactly that behind).
   */
  public static Path adminSocket(Path file) throws ConfigException {
    TomlParseResult toml = toml(file, read(file));
    if (toml.contains("admin") && !toml.isTable(List.of("admin"))) {
      TomlPosition p = toml.inputPositionOf(List.of("admin"));
      throw new ConfigException(file, p == null ? 0 : p.line(), "admin", "must be a table ([admin])");
    }
    return admin(reader(file, toml, "admin", new Origins(file))).socket();
  }

  private static String read(Path file) throws ConfigException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file, 0, null, "cannot read the configuration: no such file");
    } catch (AccessDeniedException e) {
      throw new ConfigException(file, 0, null, "cannot read the configuration: permission denied");
    } catch (IOException e) {
      throw new ConfigException(file, 0, null, "cannot read the configuration: " + e.getMessage());
    }
  }

  /** Parses {@code text} as if read from {@code file} (relative paths resolve against its directory). */
  public static Config parse(Path file, String text) throws ConfigException {
    TomlParseResult toml = toml(file, text);
    Origins origins = new Origins(file);
    for (String key : toml.keySet()) {
      if (!TABLES.contains(key)) {
        TomlPosition p = toml.inputPositionOf(List.of(key));
        throw new ConfigException(file, p == null ? 0 : p.line(), key,
            "is not a known table; expected [server], [tls], [clients], [admin], [state], [metrics], [enrollment] or [commands.NAME]");
      }
      if (!toml.isTable(List.of(key))) {
        TomlPosition p = toml.inputPositionOf(List.of(key));
        throw new ConfigException(file, p == null ? 0 : p.line(), key, "must be a table ([" + key + "])");
      }
      TomlPosition p = toml.inputPositionOf(List.of(key));
      origins.recordTable(key, p == null ? 0 : p.line());
    }
    ServerSettings server = server(reader(file, toml, "server", origins));
    TlsSettings tls = tls(reader(file, toml, "tls", origins));
    ClientSettings clients = clients(reader(file, toml, "clients", origins));
    AdminSettings admin = admin(reader(file, toml, "admin", origins));
    StateSettings state = state(reader(file, toml, "state", origins));
    MetricsSettings metrics = metrics(reader(file, toml, "metrics", origins));
    EnrollmentSettings enrollment = toml.isTable(List.of("enrollment"))
        ? enrollment(reader(file, toml, "enrollment", origins)) : null;
    OwnFiles own = new OwnFiles(file, tls, clients, state, enrollment);
    Map<String, CommandSettings> commands = commands(file, toml.getTable(List.of("commands")), origins, own);
    return new Config(file, origins.freeze(), server, tls, clients, admin, state, metrics, commands, enrollment);
  }

  private static TomlParseResult toml(Path file, String text) throws ConfigException {
    TomlParseResult toml = Toml.parse(text);
    if (toml.hasErrors()) {
      TomlParseError e = toml.errors().get(0);
      TomlPosition p = e.position();
      // tomlj quotes the offending token, which may be part of an unquoted secret (reply = 12 34): never echo it
      String detail = e.getMessage().replaceFirst("^Unexpected '.*?', ",
          "Unexpected text" + (p == null ? "" : " at column " + p.column()) + ", ");
      throw new ConfigException(file, p == null ? 0 : p.line(), null, "TOML syntax error: " + detail);
    }
    return toml;
  }

  private static TableReader reader(Path file, TomlTable root, String name, Origins origins) {
    return new TableReader(file, name, root.getTable(List.of(name)), origins);
  }

  private static ServerSettings server(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("listen", "handshake_timeout", "idle_timeout", "max_connections", "max_line_bytes",
        "max_requests_per_connection", "shutdown_timeout", "request_timeout", "write_timeout",
        "max_connection_age", "max_connections_per_identity", "max_handshakes_per_address", "proxy_protocol"));
    String listenText = r.string("listen", "0.0.0.0:5000");
    ListenAddress listen;
    try {
      listen = ListenAddress.parse(listenText);
    } catch (IllegalArgumentException e) {
      throw r.error("listen", TableReader.quoted(listenText), e.getMessage());
    }
    return new ServerSettings(listen,
        r.duration("handshake_timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)),
        r.duration("idle_timeout", Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofDays(1)),
        (int) r.integer("max_connections", 10_000, 1, 1_000_000),
        (int) r.size("max_line_bytes", 1024, 16, 1 << 20),
        (int) r.integer("max_requests_per_connection", 1000, 1, 1_000_000_000),
        r.duration("shutdown_timeout", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(10)),
        r.duration("request_timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
        r.duration("write_timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(10)),
        r.duration("max_connection_age", Duration.ofHours(24), Duration.ofSeconds(1), Duration.ofDays(365)),
        (int) r.integer("max_connections_per_identity", 16, 1, 1_000_000),
        (int) r.integer("max_handshakes_per_address", 64, 1, 1_000_000),
        proxyProtocol(r));
  }

  /** {@code proxy_protocol}: the balancers' address blocks (PROXY v2 senders); empty by default. */
  private static List<Cidr> proxyProtocol(TableReader r) throws ConfigException {
    List<Cidr> out = new java.util.ArrayList<>();
    for (String text : r.strings("proxy_protocol", List.of())) {
      try {
        out.add(Cidr.parse(text));
      } catch (IllegalArgumentException e) {
        throw r.error("proxy_protocol", TableReader.quoted(text), e.getMessage());
      }
    }
    return out;
  }

  private static TlsSettings tls(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("certificate", "private_key", "protocols", "session_timeout"));
    Path certificate = r.path("certificate", "/etc/securecmd/server.crt");
    Path key = r.path("private_key", "/etc/securecmd/server.key");
    if (certificate == null) throw r.error("certificate", "\"\"", "a certificate file is required");
    if (key == null) throw r.error("private_key", "\"\"", "a private key file is required");
    List<String> protocols = r.strings("protocols", List.of("TLSv1.3"));
    if (protocols.isEmpty()) throw r.error("protocols", "[]", "at least one protocol is required: \"TLSv1.3\"");
    for (String p : protocols) {
      if (!PROTOCOLS.contains(p)) {
        throw r.error("protocols", TableReader.quoted(p), "expected \"TLSv1.3\" or \"TLSv1.2\"");
      }
    }
    // JSSE's default is 24 h; a shorter life bounds how long a resumed session skips the trust manager.
    // 7 days is TLS 1.3's ceiling for a ticket's lifetime (RFC 8446, 4.6.1).
    Duration sessionTimeout = r.duration("session_timeout", Duration.ofHours(1), Duration.ofSeconds(1),
        Duration.ofDays(7));
    return new TlsSettings(certificate, key, protocols, sessionTimeout);
  }

  private static ClientSettings clients(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("auth", "ca", "crl", "allow", "allow_anonymous"));
    String authText = r.string("auth", "required");
    ClientAuthMode auth = switch (authText) {
      case "required" -> ClientAuthMode.REQUIRED;
      case "optional" -> ClientAuthMode.OPTIONAL;
      case "none" -> ClientAuthMode.NONE;
      default -> throw r.error("auth", TableReader.quoted(authText), "expected \"required\", \"optional\" or \"none\"");
    };
    Path ca = r.path("ca", auth == ClientAuthMode.NONE ? "" : "/etc/securecmd/client_ca.pem");
    if (ca == null && auth != ClientAuthMode.NONE) {
      throw r.error("ca", "\"\"", "a client CA file is required when auth = \"" + authText
          + "\" (there is no fallback to system CAs)");
    }
    Path crl = r.path("crl", "");
    List<String> allow = patterns(r, "allow");
    return new ClientSettings(auth, ca, crl, allow, r.bool("allow_anonymous", false));
  }

  private static AdminSettings admin(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("socket", "group"));
    Path socket = r.path("socket", AdminSettings.DEFAULT_SOCKET.toString());
    if (socket == null) throw r.error("socket", "\"\"", "an admin socket path is required");
    String group = r.string("group", "securecmd-admin");
    if (!group.matches("[a-z_][a-z0-9_-]{0,31}\\$?")) {
      throw r.error("group", TableReader.quoted(group), "is not a valid group name");
    }
    return new AdminSettings(socket, group);
  }

  private static StateSettings state(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("directory", "backend", "url", "user", "password_file"));
    Path dir = r.path("directory", "/var/lib/securecmd");
    if (dir == null) throw r.error("directory", "\"\"", "a state directory is required");
    String backendText = r.string("backend", "file");
    StateSettings.Backend backend = switch (backendText) {
      case "file" -> StateSettings.Backend.FILE;
      case "postgresql" -> StateSettings.Backend.POSTGRESQL;
      default -> throw r.error("backend", TableReader.quoted(backendText), "expected \"file\" or \"postgresql\"");
    };
    String url = r.string("url", null);
    String user = r.string("user", null);
    Path passwordFile = r.path("password_file", null);
    if (backend == StateSettings.Backend.FILE) {
      for (String key : List.of("url", "user", "password_file")) {
        if (r.has(key)) throw r.error(key, "...", "is only used with backend = \"postgresql\"");
      }
      return new StateSettings(dir);
    }
    if (url == null) throw r.missing("url", "is required with backend = \"postgresql\" (jdbc:postgresql://HOST:PORT/DB)");
    if (url.chars().anyMatch(Character::isISOControl)) throw r.error("url", "(hidden)", "contains control characters");
    // never shown: the value is a secret
    java.util.Optional<String> secret = StateUrl.secretProblem(url);
    if (secret.isPresent()) throw r.error("url", "(hidden)", secret.get());
    if (!url.startsWith("jdbc:postgresql:")) {
      throw r.error("url", TableReader.quoted(StateUrl.withoutQuery(url)), "expected a JDBC URL: jdbc:postgresql://HOST:PORT/DB");
    }
    if (user != null && (user.isEmpty() || user.chars().anyMatch(Character::isISOControl))) {
      throw r.error("user", TableReader.quoted(user), "is empty or contains control characters");
    }
    return new StateSettings(dir, backend, url, user, passwordFile);
  }

  private static EnrollmentSettings enrollment(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("ca_certificate", "ca_key", "ca_key_pkcs11_module", "ca_key_pkcs11_token", "ca_key_label",
        "ca_key_pin_file", "validity", "renew_before", "allow"));
    Path certificate = r.path("ca_certificate", "");
    Path key = r.path("ca_key", "");
    if (certificate == null) throw r.missing("ca_certificate", "the issuing CA's certificate file is required");
    Path module = r.path("ca_key_pkcs11_module", "");
    EnrollmentSettings.TokenKey token = null;
    if (module != null) {
      if (key != null) throw r.error("ca_key", TableReader.quoted(key.toString()), "give ca_key or ca_key_pkcs11_module, not both");
      String label = r.string("ca_key_pkcs11_token", null);
      Path pin = r.path("ca_key_pin_file", "");
      if (label == null) throw r.missing("ca_key_pkcs11_token", "the token's label is required with ca_key_pkcs11_module");
      if (pin == null) throw r.missing("ca_key_pin_file", "a file holding the token's user PIN is required");
      token = new EnrollmentSettings.TokenKey(module, label, r.string("ca_key_label", "issuing"), pin);
    } else {
      for (String k : List.of("ca_key_pkcs11_token", "ca_key_label", "ca_key_pin_file")) {
        if (r.has(k)) throw r.missing(k, "needs ca_key_pkcs11_module");
      }
      if (key == null) throw r.missing("ca_key", "the issuing CA's private key file (or ca_key_pkcs11_module) is required");
    }
    Duration validity = r.duration("validity", Duration.ofDays(365), Duration.ofHours(1), Duration.ofDays(3650));
    Duration renewBefore = r.duration("renew_before", Duration.ofDays(60), Duration.ofMinutes(1),
        Duration.ofDays(3650));
    return new EnrollmentSettings(certificate, key, token, validity, renewBefore, patterns(r, "allow"));
  }

  private static MetricsSettings metrics(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("listen"));
    String text = r.string("listen", "");
    if (text.isEmpty()) return MetricsSettings.OFF;
    try {
      return new MetricsSettings(Optional.of(ListenAddress.parse(text)));
    } catch (IllegalArgumentException e) {
      throw r.error("listen", TableReader.quoted(text), e.getMessage() + " (or remove the key: no endpoint)");
    }
  }

  private static Map<String, CommandSettings> commands(Path file, TomlTable table, Origins origins, OwnFiles own)
      throws ConfigException {
    Map<String, CommandSettings> out = new LinkedHashMap<>();
    if (table == null) return out;
    for (String name : table.keySet()) {
      TomlPosition p = table.inputPositionOf(List.of(name));
      int line = p == null ? 0 : p.line();
      String label = "[commands." + name + "]";
      if (!VERB.matcher(name).matches()) {
        throw new ConfigException(file, line, label, "is not a valid verb: use A-Z, 0-9 and _, starting with a letter");
      }
      if (CommandSettings.BUILT_IN_VERBS.contains(name)) {
        throw new ConfigException(file, line, label, "is built in and cannot be configured");
      }
      if (!table.isTable(List.of(name))) throw new ConfigException(file, line, label, "must be a table");
      origins.recordTable("commands." + name, line); // so "exactly one of reply and reply_file" has a line
      out.put(name, command(new TableReader(file, "commands." + name, table.getTable(List.of(name)), origins), name,
          own));
    }
    return out;
  }

  private static CommandSettings command(TableReader r, String name, OwnFiles own) throws ConfigException {
    r.onlyKeys(List.of("reply", "reply_file", "encoding", "allow", "allow_anonymous"));
    String encodingText = r.string("encoding", "plain");
    ReplyEncoding encoding = switch (encodingText) {
      case "plain" -> ReplyEncoding.PLAIN;
      case "base64" -> ReplyEncoding.BASE64;
      default -> throw r.error("encoding", TableReader.quoted(encodingText), "expected \"plain\" or \"base64\"");
    };
    String reply = r.secretString("reply");
    String replyFile = r.string("reply_file", null);
    if ((reply == null) == (replyFile == null)) throw r.missing("reply", "exactly one of reply and reply_file is required");
    if (reply != null) reply = checkedReply(r, reply, encoding);
    if (replyFile != null) replyFile = checkedReplyFile(r, replyFile, own);
    return new CommandSettings(name, reply, replyFile, encoding, patterns(r, "allow"), r.bool("allow_anonymous", false));
  }

  /** A static reply, encoded now so that every request sends the same checked line. */
  private static String checkedReply(TableReader r, String reply, ReplyEncoding encoding) throws ConfigException {
    if (encoding == ReplyEncoding.BASE64) {
      return Base64.getEncoder().encodeToString(reply.getBytes(StandardCharsets.UTF_8));
    }
    if (!Reply.isSingleLine(reply)) {
      throw r.error("reply", "(hidden)", "contains a line break or NUL, which would break the protocol's "
          + "framing; use encoding = \"base64\"");
    }
    if (Reply.readsAsError(reply)) {
      throw r.error("reply", "(hidden)", "must not start with \"ERR \", which clients read as an error");
    }
    return reply;
  }

  private static String checkedReplyFile(TableReader r, String template, OwnFiles own) throws ConfigException {
    if (template.isEmpty()) throw r.error("reply_file", "\"\"", "is empty");
    String rest = template.replace("{client}", "");
    if (rest.contains("{") || rest.contains("}")) {
      throw r.error("reply_file", TableReader.quoted(template), "the only placeholder is {client}");
    }
    Path p = r.path("reply_file", null);
    String clash = own.reachableBy(p);
    if (clash != null) throw r.error("reply_file", TableReader.quoted(template), clash);
    return p.toString();
  }

  private static List<String> patterns(TableReader r, String key) throws ConfigException {
    List<String> patterns = r.strings(key, List.of());
    for (String p : patterns) {
      if (p.isEmpty() || !p.equals(p.strip()) || p.chars().anyMatch(Character::isISOControl)) {
        throw r.error(key, TableReader.quoted(p), "patterns are non-empty, without spaces around or control characters");
      }
    }
    return patterns;
  }
}
