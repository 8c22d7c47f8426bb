package org.securecmd.daemon.admin;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.securecmd.daemon.auth.LogText;
import org.securecmd.daemon.server.AcceptLoop;
import org.securecmd.daemon.server.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin socket: a UNIX-domain stream socket, mode 0660 with the admin group as its group, bound by the
 * daemon itself ({@link #bind}) or handed over by systemd ({@link #adopt}). Each connection carries one request line and gets one JSON line back, on its own virtual
 * thread, after the {@link PeerCheck}. At most {@link #MAX_CLIENTS} are served at once; more get
 * {@code BUSY}. A client has {@link #DEADLINE_SECONDS} to send its line.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  static final int MAX_LINE_BYTES = 4096;
  static final int MAX_CLIENTS = 16;
  static final long DEADLINE_SECONDS = 10;
  private static final long MAX_DRAIN_BYTES = 64 * 1024;
  /** Logged at debug only, as scrapers poll them; every change is logged at info with the user. */
  private static final Set<String> READ_ONLY = Set.of("status", "connections", "revoked", "metrics");

  private final Path path;
  private final String description;
  private final ServerSocketChannel channel;
  private final PeerCheck peers;
  private final Function<String, Map<String, Object>> requests;
  private final Semaphore clients = new Semaphore(MAX_CLIENTS);
  private final ScheduledExecutorService timer;
  private final ThreadFactory clientThreads;
  private final Thread acceptThread;
  private volatile boolean closing;

  /** @param path the socket file this server created and removes on close, or null when it owns none */
  private AdminServer(Path path, String description, ServerSocketChannel channel, PeerCheck peers,
                      Function<String, Map<String, Object>> requests, Threads threads) {
    this.path = path;
    this.description = description;
    this.channel = channel;
    this.peers = peers;
    this.requests = requests;
    this.timer = threads.timer();
    this.clientThreads = threads.connections();
    this.acceptThread = threads.acceptLoop("admin accept " + description, new AcceptLoop(channel,
        "admin socket " + description, () -> closing, ch -> clientThreads.newThread(() -> serve(ch)).start()));
  }

  /**
   * Serves a listening UNIX socket handed over by systemd. Its path, mode and group are the socket unit's
   * ({@code SocketMode=0660}, {@code SocketGroup=}); the peer check is the same, and closing leaves the
   * path to systemd.
   */
  public static AdminServer adopt(ServerSocketChannel channel, String description, String group,
                                  AdminRequests requests, Threads threads) {
    return new AdminServer(null, description, channel, PeerCheck.forGroup(group), requests::answer, threads);
  }

  /**
   * Binds {@code path} (creating its parent directory; replacing a stale socket file that nobody listens
   * on), sets mode 0660 and, when {@code group} exists, that group.
   *
   * @throws IOException naming the path when it cannot be bound, or another process already serves it
   */
  public static AdminServer bind(Path path, String group, AdminRequests requests, Threads threads)
      throws IOException {
    return bind(path, group, PeerCheck.forGroup(group), requests::answer, threads);
  }

  static AdminServer bind(Path path, String group, PeerCheck peers, Function<String, Map<String, Object>> requests,
                          Threads threads) throws IOException {
    return new AdminServer(path, path.toString(), AdminSocketFile.bind(path, group, MAX_CLIENTS), peers, requests,
        threads);
  }

  public void start() {
    acceptThread.start();
    log.info("admin socket {} ready", description);
  }

  /** The socket file this server bound, or empty for a socket systemd handed over. */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }

  /** The path, or e.g. {@code systemd socket "admin"}. */
  public String description() {
    return description;
  }

  /**
   * One client: permit, peer check, one line, one reply. The permit is released after the reply is written
   * but before the client can see the end of it (the output shutdown), so a client that has read its
   * reply never finds its own slot still taken.
   */
  private void serve(SocketChannel ch) {
    boolean admitted = clients.tryAcquire();
    ScheduledFuture<?> deadline = timer.schedule(() -> closeQuietly(ch), DEADLINE_SECONDS, TimeUnit.SECONDS);
    try (ch) {
      Map<String, Object> reply;
      try {
        reply = admitted ? handle(ch) : AdminError.BUSY.reply("too many admin requests at once; try again");
        if (reply != null) write(ch, reply);
      } finally {
        if (admitted) clients.release();
      }
      if (reply != null) finish(ch);
    } catch (IOException e) {
      log.debug("admin client: {}", e.toString());
    } finally {
      deadline.cancel(false);
    }
  }

  /** The reply for this client, or null when it sent nothing. */
  private Map<String, Object> handle(SocketChannel ch) throws IOException {
    UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
    Optional<String> refusal = peers.refusal(peer);
    if (refusal.isPresent()) {
      log.warn("admin socket: refused {}", refusal.get());
      return AdminError.ACCESS_DENIED.reply("access denied: " + refusal.get());
    }
    String line;
    try {
      line = readLine(ch);
    } catch (LineTooLong e) {
      return AdminError.BAD_REQUEST.reply("request longer than " + MAX_LINE_BYTES + " bytes");
    }
    if (line == null) return null;
    String user = peer.user().getName();
    // an admin-group member's line, which may quote a device's name: through the log sanitiser like peer text
    if (READ_ONLY.contains(line.split(" ", 2)[0])) log.debug("admin request from {}: {}", user, LogText.quoted(line));
    else log.info("admin request from {}: {}", user, LogText.quoted(line));
    try {
      return requests.apply(line);
    } catch (RuntimeException e) {
      log.error("admin request \"{}\" failed", LogText.quoted(line), e);
      return AdminError.INTERNAL.reply("internal error: " + e);
    }
  }

  private static final class LineTooLong extends IOException {}

  /** One line without its line end; null when the client closed without sending anything. */
  private static String readLine(SocketChannel ch) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    ByteBuffer buf = ByteBuffer.allocate(512);
    while (true) {
      int n = ch.read(buf.clear());
      if (n < 0) break;
      for (int i = 0; i < n; i++) {
        byte b = buf.get(i);
        if (b == '\n') return line.toString(UTF_8).replaceFirst("\r$", "");
        line.write(b);
      }
      if (line.size() > MAX_LINE_BYTES) throw new LineTooLong();
    }
    return line.size() == 0 ? null : line.toString(UTF_8);
  }

  private static void write(SocketChannel ch, Map<String, Object> reply) throws IOException {
    ByteBuffer out = ByteBuffer.wrap((Json.write(reply) + "\n").getBytes(UTF_8));
    while (out.hasRemaining()) ch.write(out);
  }

  /**
   * Ends the connection the polite way: output shut down, and whatever the client still sends read and
   * dropped until it closes (bounded by {@link #MAX_DRAIN_BYTES} and the deadline). Closing a UNIX socket
   * with unread data would make the client's read fail with ECONNRESET before it sees the reply, which
   * happens whenever the reply comes before the request was read (BUSY, access denied, too long).
   */
  private static void finish(SocketChannel ch) throws IOException {
    ch.shutdownOutput();
    ByteBuffer sink = ByteBuffer.allocate(4096);
    for (long drained = 0; drained < MAX_DRAIN_BYTES; ) {
      int n = ch.read(sink.clear());
      if (n < 0) return;
      drained += n;
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // the client is gone either way
    }
  }

  /** Stops accepting and removes the socket file; requests in progress finish on their own threads. */
  @Override
  public void close() {
    closing = true;
    try {
      channel.close();
      if (path != null) Files.deleteIfExists(path);
    } catch (IOException e) {
      log.debug("closing admin socket: {}", e.toString());
    }
    timer.shutdownNow();
  }
}
