package org.securecmd.daemon.ctl;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.securecmd.daemon.admin.Json;
import org.securecmd.daemon.config.AdminSettings;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.ConfigLoader;

/**
 * {@code securecmdctl [--socket PATH | --config FILE] [--json] [--] SUBCOMMAND [OPTIONS] [--] [ARGUMENT]}: one
 * request to the admin socket, one reply. Global options come before the subcommand and only there; each
 * subcommand parses its own ({@link Requests}). The socket is {@code --socket}, else {@code [admin] socket}
 * of {@code --config} (default /etc/securecmd/config.toml when readable), else /run/securecmd/admin.sock.
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int NOT_RUNNING = 3;
  static final int DENIED = 4;
  static final Path DEFAULT_SOCKET = AdminSettings.DEFAULT_SOCKET;
  static final String USAGE_TEXT = usageText();

  private Main() {}

  private static String usageText() {
    StringBuilder b = new StringBuilder("""
        usage: securecmdctl [GLOBAL OPTIONS] SUBCOMMAND [OPTIONS] [--] [ARGUMENT]
        global options (before the subcommand only):
          --socket PATH           the admin socket (default: [admin] socket of --config)
          --config FILE           the daemon's config (default %s)
          --json                  print the daemon's JSON reply instead of text
          --help                  this text; "securecmdctl SUBCOMMAND --help" describes one
        subcommands:
        """.formatted(ConfigLoader.DEFAULT_FILE));
    for (Subcommand s : Requests.all()) {
      String head = s.name() + (s.synopsis().isEmpty() ? "" : " " + s.synopsis());
      String first = s.description().lines().findFirst().orElse("");
      b.append(String.format("  %-32s %s%n", head, first));
    }
    b.append("""
        "--" ends the options: "revoke -- -dev" revokes the identity "-dev".
        exit codes: 0 done, 1 the daemon refused or failed the request, 2 usage, 3 daemon not running,
                    4 access denied (root and the [admin] group only),
                    5 revoked on this host only until the shared state database is back""");
    return b.toString();
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one invocation and returns its exit code; {@link #main} exits with it. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path socket = null;
    Path config = null;
    boolean json = false;
    int i = 0;
    for (; i < args.length && args[i].startsWith("-"); i++) {
      String a = args[i];
      if (a.equals("--")) {
        i++;
        break;
      }
      switch (a) {
        case "--socket", "--config" -> {
          if (i + 1 >= args.length) return usage(err, a + " needs a path");
          if (a.equals("--socket")) socket = Path.of(args[++i]);
          else config = Path.of(args[++i]);
        }
        case "--json" -> json = true;
        case "--help", "-h" -> {
          out.println(USAGE_TEXT);
          return OK;
        }
        default -> {
          return usage(err, "unknown global option " + TerminalText.escape(a));
        }
      }
    }
    Requests.Action action;
    try {
      action = Requests.parse(Arrays.asList(args).subList(i, args.length));
    } catch (IllegalArgumentException e) {
      return usage(err, TerminalText.escape(e.getMessage()));
    }
    if (action instanceof Requests.Help(String text)) {
      out.println(text);
      return OK;
    }
    if (socket == null) {
      try {
        socket = socketFrom(config, err);
      } catch (IOException e) {
        err.println("securecmdctl: " + e.getMessage());
        return USAGE;
      }
    }
    if (action instanceof Requests.Import imported) {
      return EnrollImport.run(imported, socket, json, out, err);
    }
    Requests.Send send = (Requests.Send) action;
    String subcommand = send.subcommand();
    String request = send.line();
    String reply;
    try {
      reply = send(socket, RevokeRequest.signed(request));
    } catch (IOException e) {
      return failure(e, socket, err);
    }
    Map<?, ?> parsed;
    try {
      parsed = (Map<?, ?>) Json.parse(reply);
    } catch (IllegalArgumentException | ClassCastException e) {
      err.println("securecmdctl: unexpected reply from " + socket + ": " + e.getMessage());
      return FAILED;
    }
    if (json) out.println(reply);
    if (Boolean.TRUE.equals(parsed.get("ok"))) {
      if (!json) HumanOutput.print(subcommand, parsed, out);
      return OK;
    }
    String code = String.valueOf(parsed.get("error"));
    if (!json) {
      if ("NOT_SAVED".equals(code) || "LOCAL_ONLY".equals(code)) HumanOutput.print(subcommand, parsed, out);
      err.println("securecmdctl: " + subcommand + ": " + TerminalText.escape(parsed.get("message")));
    }
    if ("LOCAL_ONLY".equals(code)) return RevokeRequest.THIS_HOST_ONLY;
    return "ACCESS_DENIED".equals(code) ? DENIED : FAILED;
  }

  /** Says why the admin socket could not be used, and returns the exit code for it. */
  static int failure(IOException e, Path socket, PrintStream err) {
    if (e instanceof NoSuchFileException || e instanceof java.net.ConnectException) {
      err.println("securecmdctl: securecmdd is not running (no admin socket at " + socket + ": "
          + e.getMessage() + ")");
      return NOT_RUNNING;
    }
    if (e instanceof AccessDeniedException) {
      err.println("securecmdctl: access denied to " + socket + ": run as root or as a member of the admin group");
      return DENIED;
    }
    String m = String.valueOf(e.getMessage());
    if (m.contains("ermission denied")) {
      err.println("securecmdctl: access denied to " + socket + ": run as root or as a member of the admin group");
      return DENIED;
    }
    if (m.contains("onnection refused") || m.contains("No such file")) {
      err.println("securecmdctl: securecmdd is not running (" + socket + ": " + m + ")");
      return NOT_RUNNING;
    }
    err.println("securecmdctl: " + socket + ": " + m);
    return FAILED;
  }

  private static int usage(PrintStream err, String message) {
    err.println("securecmdctl: " + message);
    err.println(USAGE_TEXT);
    return USAGE;
  }

  /** {@code [admin] socket} of the config file (relative to its directory), or the default socket. */
  static Path socketFrom(Path config, PrintStream err) throws IOException {
    return socketFrom(config, ConfigLoader.DEFAULT_FILE, err);
  }

  /**
   * As {@link #socketFrom(Path, PrintStream)} with {@code defaultConfig} in place of the installed one. When
   * the default config does not parse (an operator is mid-edit, or a reload was just refused), the daemon
   * still serves the socket it read at start: warn and try the default socket rather than fail, so that
   * {@code status} can show what is wrong. A config named with {@code --config} must parse.
   */
  static Path socketFrom(Path config, Path defaultConfig, PrintStream err) throws IOException {
    Path file = config == null ? defaultConfig : config;
    if (config == null && !Files.isReadable(file)) return DEFAULT_SOCKET;
    try {
      return ConfigLoader.adminSocket(file);  // the daemon's own reading of [admin] socket, nothing else
    } catch (ConfigException e) {
      if (config != null) throw new IOException(e.getMessage() + " (or give --socket PATH)", e);
      err.println("securecmdctl: warning: " + e.getMessage() + "; trying " + DEFAULT_SOCKET
          + " (or give --socket PATH)");
      return DEFAULT_SOCKET;
    }
  }

  static String send(Path socket, String request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer data = ByteBuffer.wrap((request + "\n").getBytes(UTF_8));
      while (data.hasRemaining()) ch.write(data);
      byte[] all = Channels.newInputStream(ch).readAllBytes();
      String reply = new String(all, UTF_8).strip();
      if (reply.isEmpty()) throw new IOException("the daemon closed the admin connection without a reply");
      return reply;
    }
  }
}
