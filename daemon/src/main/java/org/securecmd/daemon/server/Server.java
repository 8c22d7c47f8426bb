package org.securecmd.daemon.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.securecmd.daemon.audit.AuditLog;
import org.securecmd.daemon.audit.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accept loop of one listener. Each accepted socket takes a permit and a handshake slot of its source
 * address; when {@code max_connections} are open, or {@code max_handshakes_per_address} handshakes from that
 * address are in progress, a new one is reset at once (refused fast, nothing queues in the daemon). Each
 * admitted socket gets a new virtual thread; a failing connection never stops the loop.
 */
public final class Server implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Server.class);

  private final ServerSocketChannel channel;
  private final ListenerSource source;
  private final String description;
  private final Supplier<Generation> current;
  private final Metrics metrics;
  private final ServerContext context;
  /** How often the registry is swept for handshake, request, write and age deadlines: their precision. */
  private static final long SWEEP_MILLIS = 100;
  private final AtomicLong ids = new AtomicLong();
  private final Thread acceptThread;
  private final IdleConnections idle;
  private final Thread idleThread;
  private final int maxConnections;
  private volatile boolean closing;
  /** The limits of {@link #limitsOf}, shared by its connections; read and written by the accept thread only. */
  private Generation limitsOf;
  private Limits limits;

  /**
   * @param current read at accept (TLS context, limits) and again for every request (policy, replies)
   * @param maxConnections fixed for the life of the listener (a reload does not resize it)
   * @param threads where the accept loop, the connections and the deadlines run; {@link #close} shuts the
   *     timer down
   * @param listener told about every connection that passed policy, and when it closes
   */
  public Server(ListenerSource source, Supplier<Generation> current, int maxConnections, Metrics metrics,
                Threads threads, ConnectionListener listener) throws IOException {
    this.channel = source.open();
    this.source = source;
    this.description = source.describe();
    this.current = current;
    this.metrics = metrics;
    this.maxConnections = maxConnections;
    this.idle = new IdleConnections(threads.connections());
    this.context = new ServerContext(current, new Semaphore(maxConnections), new ConnectionRegistry(),
        new AuditLog(metrics), threads.timer(), threads.connections(), new KeyedCounter<>(), new KeyedCounter<>(),
        listener, new KeyedCounter<>(), idle, new WrapBuffers());
    this.idleThread = threads.acceptLoop("idle " + description, idle);
    this.acceptThread = threads.acceptLoop("accept " + description,
        new AcceptLoop(channel, description, () -> closing, this::admit));
  }

  public void start() {
    context.timer().scheduleAtFixedRate(context.registry()::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    idleThread.start();
    acceptThread.start();
  }

  /**
   * The one hook for policy changes (a reload, a revoke, a revoke from another host): re-checks every open
   * connection against the current generation and deny list and closes the refused ones with one
   * {@code ERR FORBIDDEN <reason>} line. Returns how many it refused.
   */
  public int recheckOpenConnections() {
    return context.registry().recheckOpenConnections();
  }

  public String description() {
    return description;
  }

  /** The port actually bound (useful when the config says port 0). */
  public int port() throws IOException {
    return ((java.net.InetSocketAddress) channel.getLocalAddress()).getPort();
  }

  public ConnectionRegistry registry() {
    return context.registry();
  }

  /** The limit given at construction: what {@code [server] max_connections} was at start. */
  public int maxConnections() {
    return maxConnections;
  }

  public int openConnections() {
    return context.registry().size();
  }

  /** Open connections that wait for a request without a thread (parked after a moment idle). */
  public int parkedConnections() {
    return idle.parked();
  }

  /** One accepted socket: admitted to a connection thread, or reset at once when a limit is reached. */
  private void admit(SocketChannel ch) {
    metrics.accepted();
    if (!context.permits().tryAcquire()) {
      metrics.refusedBusy();
      refuse(ch);
      return;
    }
    Generation g = current.get();
    InetAddress from = ch.socket().getInetAddress();
    // As cheap as the permit: one map update, then a reset; the handshake slot is given back by the
    // connection when its handshake ends, whatever the outcome.
    // A listed balancer (PROXY v2) is checked later, by the device's address from its header (Handshake).
    boolean balancer = ProxyPrelude.listed(ch.socket(), g.config().server().proxyProtocol());
    if (!balancer && !context.handshakes().tryAcquire(from, g.config().server().maxHandshakesPerAddress())) {
      context.permits().release();
      metrics.refused("address_limit");
      refuse(ch);
      return;
    }
    try {
      Socket s = ch.socket();
      s.setTcpNoDelay(true);
      long id = ids.incrementAndGet();
      if (g != limitsOf) {
        limits = Limits.of(g.config().server());
        limitsOf = g;
      }
      ServedConnection c = new ServedConnection(id, s, g, limits, context);
      context.registry().add(c); // before start, so a drain never misses it
      context.threads().newThread(c).start();
    } catch (IOException | RuntimeException e) {
      if (!balancer) context.handshakes().release(from);
      context.permits().release();
      log.error("cannot start a connection: {}", e.toString());
      refuse(ch);
    }
  }

  /** Closes with a reset, so the client learns at once instead of waiting for a handshake. */
  private static void refuse(SocketChannel ch) {
    try {
      ch.setOption(StandardSocketOptions.SO_LINGER, 0);
      ch.close();
    } catch (IOException ignored) {
      // nothing more to do for a refused socket
    }
  }

  /** Stops accepting; open connections go on (see {@link #drain}). */
  public synchronized void stopAccepting() {
    if (closing) return;
    closing = true;
    try {
      source.close(channel);
    } catch (IOException e) {
      log.debug("closing listener: {}", e.toString());
    }
  }

  /**
   * Lets in-flight requests finish within {@code bound}, closing idle connections at once; then closes
   * whatever is left. Returns whether every connection ended by itself.
   */
  public boolean drain(Duration bound) throws InterruptedException {
    context.registry().drain();
    boolean clean = context.registry().awaitEmpty(bound);
    if (!clean) context.registry().closeAll();
    return clean;
  }

  @Override
  public void close() {
    stopAccepting();
    context.registry().closeAll();
    idle.close(); // after the close: the connections parked there are handed back to end
    context.timer().shutdownNow();
  }
}
