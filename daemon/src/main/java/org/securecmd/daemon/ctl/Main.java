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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.securecmd.daemon.admin.Json;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * {@code securecmdctl [--socket PATH | --config FILE] [--json] SUBCOMMAND [ARGUMENT]}: one request to the
 * admin socket, one reply. The socket is {@code --socket}, else {@code [admin] socket} of {@code --config}
 * (default /etc/securecmd/config.toml when readable), else /run/securecmd/admin.sock.
 */
public final class Main {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int NOT_RUNNING = 3;
  static final int DENIED = 4;
  static final Path DEFAULT_CONFIG = Path.of("/etc/securecmd/config.toml");
  static final Path DEFAULT_SOCKET = Path.of("/run/securecmd/admin.sock");
  static final String USAGE_TEXT = """
      usage: securecmdctl [--socket PATH | --config FILE] [--json] SUBCOMMAND
        status                  version, uptime, config and generation, listener, counters, certificate expiry
        connections             open connections: id, identity, remote address, since, requests
        disconnect ID           close connection ID
        reload                  reload config and certificates (as SIGHUP); on error the old config keeps serving
        revoke IDENTITY         deny a device by name (CN or SAN) now and after restarts; closes its connections
        revoke --serial HEX     the same, by certificate serial number
          [--reason TEXT]       why (kept with the entry, shown by "revoked")
        unrevoke IDENTITY|HEX   remove an entry from the deny list
        revoked                 list the deny list
        metrics                 counters in Prometheus text format
      exit codes: 0 done, 1 the daemon refused or failed the request, 2 usage, 3 daemon not running,
                  4 access denied (root and the [admin] group only),
                  5 revoked on this host only until the shared state database is back""";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one invocation and returns its exit code; {@link #main} exits with it. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Path socket = null;
    Path config = null;
    boolean json = false;
    List<String> words = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--socket", "--config" -> {
          if (i + 1 >= args.length) return usage(err, args[i] + " needs a path");
          if (args[i].equals("--socket")) socket = Path.of(args[++i]);
          else config = Path.of(args[++i]);
        }
        case "--json" -> json = true;
        case "--help", "-h" -> {
          out.println(USAGE_TEXT);
          return OK;
        }
        default -> words.add(args[i]);
      }
    }
    String request;
    try {
      request = Requests.line(words);
    } catch (IllegalArgumentException e) {
      return usage(err, e.getMessage());
    }
    if (socket == null) {
      try {
        socket = socketFrom(config);
      } catch (IOException e) {
        err.println("securecmdctl: " + e.getMessage());
        return USAGE;
      }
    }
    String reply;
    try {
      reply = send(socket, RevokeRequest.signed(request));
    } catch (NoSuchFileException | java.net.ConnectException e) {
      err.println("securecmdctl: securecmdd is not running (no admin socket at " + socket + ": "
          + e.getMessage() + ")");
      return NOT_RUNNING;
    } catch (AccessDeniedException e) {
      err.println("securecmdctl: access denied to " + socket + ": run as root or as a member of the admin group");
      return DENIED;
    } catch (IOException e) {
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
    Map<?, ?> parsed;
    try {
      parsed = (Map<?, ?>) Json.parse(reply);
    } catch (IllegalArgumentException | ClassCastException e) {
      err.println("securecmdctl: unexpected reply from " + socket + ": " + e.getMessage());
      return FAILED;
    }
    if (json) out.println(reply);
    if (Boolean.TRUE.equals(parsed.get("ok"))) {
      if (!json) HumanOutput.print(words.getFirst(), parsed, out);
      return OK;
    }
    String code = String.valueOf(parsed.get("error"));
    if (!json) {
      if ("NOT_SAVED".equals(code) || "LOCAL_ONLY".equals(code)) HumanOutput.print(words.getFirst(), parsed, out);
      err.println("securecmdctl: " + words.getFirst() + ": " + parsed.get("message"));
    }
    if ("LOCAL_ONLY".equals(code)) return RevokeRequest.THIS_HOST_ONLY;
    return "ACCESS_DENIED".equals(code) ? DENIED : FAILED;
  }

  private static int usage(PrintStream err, String message) {
    err.println("securecmdctl: " + message);
    err.println(USAGE_TEXT);
    return USAGE;
  }

  /** {@code [admin] socket} of the config file (relative to its directory), or the default socket. */
  static Path socketFrom(Path config) throws IOException {
    Path file = config == null ? DEFAULT_CONFIG : config;
    if (config == null && !Files.isReadable(file)) return DEFAULT_SOCKET;
    TomlParseResult toml;
    try {
      toml = Toml.parse(file);
    } catch (IOException e) {
      throw new IOException("cannot read " + file + ": " + e.getMessage() + " (or give --socket PATH)", e);
    }
    if (toml.hasErrors()) {
      throw new IOException(file + ": " + toml.errors().getFirst().toString() + " (or give --socket PATH)");
    }
    String value = toml.getString("admin.socket");
    if (value == null || value.isEmpty()) return DEFAULT_SOCKET;
    Path dir = file.toAbsolutePath().getParent();
    return dir == null ? Path.of(value) : dir.resolve(value);
  }

  private static String send(Path socket, String request) throws IOException {
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
