package org.securecmd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Enumeration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import org.securecmd.tls.HandshakeSetup;

/**
 * Opens mutual-TLS connections the way a device does (verifying the server's IP SAN, presenting its
 * certificate). For resumed handshakes each simulated device has its own context ({@link #newDevice}), whose
 * cache holds the ticket of that device's previous connection, as a real device would. Full
 * handshakes borrow a context from a pool and empty its session cache first, so it has nothing to offer
 * (JSSE has no switch to stop a client from resuming); a ticket arriving in between shows in the resumed count.
 */
final class Dialer {
  private final HandshakeSetup setup;
  private final java.util.Queue<SSLContext> fullPool = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final SSLParameters parameters;
  private final int timeoutMillis;
  private final java.util.List<java.net.InetAddress> sources;
  private final java.util.concurrent.atomic.AtomicInteger nextSource = new java.util.concurrent.atomic.AtomicInteger();
  /** Each worker thread (a simulated device) keeps one source address, so balance source keeps it on one daemon. */
  private final ThreadLocal<java.net.InetAddress> source = ThreadLocal.withInitial(this::nextSource);

  Dialer(HandshakeSetup setup, int timeoutMillis) throws GeneralSecurityException {
    this(setup, timeoutMillis, java.util.List.of());
  }

  /** @param sources local addresses to connect from, one per worker thread in turn; empty: the kernel's choice */
  Dialer(HandshakeSetup setup, int timeoutMillis, java.util.List<java.net.InetAddress> sources)
      throws GeneralSecurityException {
    this.sources = java.util.List.copyOf(sources);
    this.setup = setup;
    this.parameters = setup.sslParameters();
    this.parameters.setNeedClientAuth(false);
    this.parameters.setEndpointIdentificationAlgorithm("HTTPS");
    this.timeoutMillis = timeoutMillis;
  }

  /** One open, handshaken connection; {@link #resumed} says whether the server resumed a session. */
  static final class Conn implements AutoCloseable {
    final SSLSocket socket;
    final boolean resumed;
    private final OutputStream out;
    private final BufferedReader in;

    Conn(SSLSocket socket, boolean resumed) throws IOException {
      this.socket = socket;
      this.resumed = resumed;
      this.out = socket.getOutputStream();
      this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 256);
    }

    String send(String line) throws IOException {
      out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      String reply = in.readLine();
      if (reply == null) throw new IOException("closed without a reply");
      return reply;
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /** A context of its own for one simulated device, which keeps its session tickets. */
  SSLContext newDevice() throws GeneralSecurityException {
    return setup.newSslContext();
  }

  /** A full handshake: nothing to resume. */
  Conn open(Target t) throws IOException {
    return open(t, null);
  }

  /** @param device the device's own context (it may resume), or null for a full handshake */
  Conn open(Target t, SSLContext device) throws IOException {
    boolean resume = device != null;
    Socket plain = new Socket();
    try {
      if (!sources.isEmpty()) plain.bind(new InetSocketAddress(source.get(), 0));
      plain.connect(new InetSocketAddress(t.host(), t.port()), timeoutMillis);
      plain.setSoTimeout(timeoutMillis);
      plain.setTcpNoDelay(true);
      SSLContext context = resume ? device : borrow();
      SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, t.host(), t.port(), true);
      s.setSSLParameters(parameters);
      long start = System.currentTimeMillis();
      try {
        s.startHandshake();
      } finally {
        if (!resume) fullPool.add(context);
      }
      // JSSE has no "resumed" flag; a resumed session keeps the creation time of the one it resumes.
      return new Conn(s, s.getSession().getCreationTime() < start);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
  }

  private java.net.InetAddress nextSource() {
    return sources.get(Math.floorMod(nextSource.getAndIncrement(), sources.size()));
  }

  private SSLContext borrow() throws IOException {
    SSLContext c = fullPool.poll();
    if (c == null) {
      try {
        c = setup.newSslContext();
      } catch (GeneralSecurityException e) {
        throw new IOException(e);
      }
    }
    SSLSessionContext cache = c.getClientSessionContext();
    for (Enumeration<byte[]> ids = cache.getIds(); ids.hasMoreElements(); ) {
      SSLSession old = cache.getSession(ids.nextElement());
      if (old != null) old.invalidate();
    }
    return c;
  }
}
