package org.securecmd.daemon.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Reads a config file into a {@link Config}: parse, check every key and value, freeze; one step. The
 * first problem found is thrown, naming file, line and key. Each table's record reads itself (its keys,
 * defaults and ranges) from a {@link TableReader}; this class finds the tables and puts the records
 * together. Files the config points to (certificates, keys) are checked by whoever loads them, with
 * {@link Config#origins()} for the line.
 */
public final class ConfigLoader {
  /** The installed configuration, read by securecmdd and securecmdctl when no {@code --config} is given. */
  public static final Path DEFAULT_FILE = Path.of("/etc/securecmd/config.toml");

  private static final Pattern VERB = Pattern.compile("[A-Z][A-Z0-9_]{0,63}");
  private static final Set<String> TABLES = Set.of("server", "tls", "clients", "admin", "state", "metrics",
      "enrollment", "attestation", "commands");

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
    return AdminSettings.read(reader(file, toml, "admin", new Origins(file))).socket();
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
      TomlPosition p = toml.inputPositionOf(List.of(key));
      int line = p == null ? 0 : p.line();
      if (!TABLES.contains(key)) {
        throw new ConfigException(file, line, key,
            "is not a known table; expected [server], [tls], [clients], [admin], [state], [metrics], [enrollment], [attestation] or [commands.NAME]");
      }
      if (!toml.isTable(List.of(key))) throw new ConfigException(file, line, key, "must be a table ([" + key + "])");
      origins.recordTable(key, line); // the line a missing key's error names
    }
    ServerSettings server = ServerSettings.read(reader(file, toml, "server", origins));
    TlsSettings tls = TlsSettings.read(reader(file, toml, "tls", origins));
    ClientSettings clients = ClientSettings.read(reader(file, toml, "clients", origins));
    AdminSettings admin = AdminSettings.read(reader(file, toml, "admin", origins));
    StateSettings state = StateSettings.read(reader(file, toml, "state", origins));
    MetricsSettings metrics = MetricsSettings.read(reader(file, toml, "metrics", origins));
    Optional<EnrollmentSettings> enrollment = toml.isTable(List.of("enrollment"))
        ? Optional.of(EnrollmentSettings.read(reader(file, toml, "enrollment", origins))) : Optional.empty();
    Optional<AttestationSettings> attestation = attestation(file, toml, clients, enrollment.isPresent(), origins);
    OwnFiles own = new OwnFiles(file, tls, clients, state, enrollment);
    Map<String, CommandSettings> commands = commands(file, toml.getTable(List.of("commands")), origins, own);
    if (attestation.isPresent()) refuseAttestationVerbs(file, commands, origins);
    return new Config(file, origins.freeze(), server, tls, clients, admin, state, metrics, commands, enrollment,
        attestation);
  }

  /**
   * {@code [attestation]}, refused beside {@code [clients] auth = "none"} (enrollment needs client certificates)
   * and without {@code [enrollment]} (whose CA issues the enrolled devices' certificates).
   */
  private static Optional<AttestationSettings> attestation(Path file, TomlTable toml, ClientSettings clients,
                                                           boolean enrollment, Origins origins) throws ConfigException {
    if (!toml.isTable(List.of("attestation"))) return Optional.empty();
    if (!enrollment) {
      throw new ConfigException(file, origins.tableLine("attestation"), "[attestation]", "needs [enrollment]: its CA"
          + " issues the enrolled devices' certificates (with its validity, allow list and issuance records)");
    }
    if (clients.auth() == ClientAuthMode.NONE) {
      throw new ConfigException(file, origins.tableLine("attestation"), "[attestation]",
          "needs client certificates: an enrolled device authenticates with the certificate it gets, which"
          + " [clients] auth = \"none\" never asks for; use \"required\" or \"optional\"");
    }
    return Optional.of(AttestationSettings.read(reader(file, toml, "attestation", origins)));
  }

  /**
   * While {@code [attestation]} is configured, ENROLL, ENROLL-PROOF and NONCE are built in; a configured
   * command of one of these names is an error naming both tables (without [attestation] it keeps working).
   */
  private static void refuseAttestationVerbs(Path file, Map<String, CommandSettings> commands, Origins origins)
      throws ConfigException {
    for (String verb : CommandSettings.ATTESTATION_VERBS) {
      if (!commands.containsKey(verb)) continue;
      throw new ConfigException(file, origins.tableLine("commands." + verb), "[commands." + verb + "]",
          "is built in while [attestation] is configured (line " + origins.tableLine("attestation")
          + "): TPM-attested enrollment answers " + verb + " itself; rename the command or remove [attestation]");
    }
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
      out.put(name, CommandSettings.read(new TableReader(file, "commands." + name, table.getTable(List.of(name)), origins),
          name, own));
    }
    return out;
  }
}
