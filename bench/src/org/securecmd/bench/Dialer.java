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
 * certificate). Resumed handshakes share one context, whose cache holds the server's latest ticket. Full
 * handshakes borrow a context from a pool and empty its session cache first, so it has nothing to offer
 * (JSSE has no switch to stop a client from resuming); a ticket arriving in between shows in the resumed count.
 */
final class Dialer {
  private final HandshakeSetup setup;
  private final java.util.Queue<SSLContext> fullPool = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final SSLContext resuming;
  private final SSLParameters parameters;
  private final int timeoutMillis;

  Dialer(HandshakeSetup setup, int timeoutMillis) throws GeneralSecurityException {
    this.setup = setup;
    this.resuming = setup.newSslContext();
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

  Conn open(Target t, boolean resume) throws IOException {
    Socket plain = new Socket();
    try {
      plain.connect(new InetSocketAddress(t.host(), t.port()), timeoutMillis);
      plain.setSoTimeout(timeoutMillis);
      plain.setTcpNoDelay(true);
      SSLContext context = resume ? resuming : borrow();
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
