package org.securecmd.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.securecmd.protocol.LineReader;
import org.securecmd.protocol.ProtocolException;
import org.securecmd.protocol.Reply;
import org.securecmd.protocol.Request;

/**
 * One open, verified connection: send requests one at a time and read their replies. Not thread-safe.
 *
 * <pre>{@code
 * try (Connection c = client.connect("192.168.178.2", 5000)) {
 *   Reply r = c.send("GET_SECRET");
 * }
 * }</pre>
 */
public final class Connection implements AutoCloseable {
  /** Replies are bounded like requests; this is generous for base64-encoded values. */
  static final int MAX_REPLY_BYTES = 1 << 20;

  private final SSLSocket socket;
  private final String host;
  private final OutputStream out;
  private final LineReader in;

  Connection(SSLSocket socket, String host) throws IOException {
    this.socket = socket;
    this.host = host;
    this.out = new BufferedOutputStream(socket.getOutputStream());
    this.in = new LineReader(new BufferedInputStream(socket.getInputStream()), MAX_REPLY_BYTES);
  }

  /**
   * Sends one request line and returns its reply ({@link Reply#isError()} for {@code ERR} replies).
   *
   * @throws IllegalArgumentException when {@code requestLine} is not a valid request (empty, multi-line)
   * @throws ClientException when the connection fails or the server closes it without a reply; a
   *     certificate the server rejects after the handshake (TLS 1.3) shows up here as {@code TLS}
   */
  public Reply send(String requestLine) throws ClientException {
    try {
      Request.parse(requestLine);
    } catch (ProtocolException e) {
      throw new IllegalArgumentException("not a valid request: " + e.getMessage(), e);
    }
    try {
      out.write((requestLine + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.flush();
      String line = in.readLine();
      if (line == null) {
        throw new ClientException(ClientException.Kind.NETWORK, "server closed the connection without a reply", null);
      }
      try {
        return Reply.parse(line);
      } catch (IllegalArgumentException e) {
        // a NUL or a lone CR inside the line: not a reply any server of ours sends
        throw new ClientException(ClientException.Kind.NETWORK, "malformed reply: " + e.getMessage(), e);
      }
    } catch (ProtocolException e) {
      throw new ClientException(ClientException.Kind.NETWORK, "malformed reply: " + e.getMessage(), e);
    } catch (IOException e) {
      if (TlsFailure.isTlsAlert(e)) {
        throw new ClientException(ClientException.Kind.TLS, TlsFailure.describe(e, host), e);
      }
      throw new ClientException(ClientException.Kind.NETWORK, "connection failed: " + e.getMessage(), e);
    }
  }

  /** The negotiated session: protocol, cipher suite, the server's certificates. */
  public SSLSession session() {
    return socket.getSession();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is best effort; nothing is pending on a closed request loop
    }
  }
}
