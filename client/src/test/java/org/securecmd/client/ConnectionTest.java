package org.securecmd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.securecmd.protocol.Reply;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.TestPki;

/**
 * What a client makes of reply lines a server should never send: a real TLS 1.3 handshake on loopback
 * with a server that answers one request with raw bytes.
 */
class ConnectionTest {
  private static final TestPki PKI = new TestPki("ConnectionTest");
  private static final TestPki.Issued SERVER = PKI.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth());

  private SSLServerSocket server;

  @BeforeEach
  void listen() throws Exception {
    HandshakeSetup setup = new HandshakeSetup.Builder().certifiedKey(SERVER.certifiedKey()).build();
    server = (SSLServerSocket) setup.newSslContext().getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    server.setSSLParameters(setup.sslParameters());
  }

  @AfterEach
  void close() throws Exception {
    server.close();
  }

  /** Accepts one connection, reads one request line, answers with {@code reply} bytes. */
  private CompletableFuture<Void> answerOnce(byte[] reply) {
    return CompletableFuture.runAsync(() -> {
      try (SSLSocket s = (SSLSocket) server.accept()) {
        InputStream in = s.getInputStream();
        while (in.read() != '\n') {
          // skip the request
        }
        OutputStream out = s.getOutputStream();
        out.write(reply);
        out.flush();
        in.read(); // wait for the client to close
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private Reply exchange(String replyHex) throws Exception {
    CompletableFuture<Void> served = answerOnce(HexFormat.of().parseHex(replyHex));
    SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
        .addTrustedCertificate(PKI.rootCertificate()).build());
    try (Connection c = client.connect("127.0.0.1", server.getLocalPort())) {
      return c.send("GET_SECRET");
    } finally {
      served.join();
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      5345435245540a,       SECRET
      5345435245540d0a,     SECRET
      455252204259205a0a,   ERR BY Z
      4552522020780a,       ERR INTERNAL x
      """)
  void wellFormedRepliesAreParsed(String hex, String line) throws Exception {
    assertEquals(line, exchange(hex).line());
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(textBlock = """
      6100620a,         NUL inside a success line
      610d620a,         CR inside a success line
      4552522041207800620a, NUL inside an error text
      ff0a,             not UTF-8
      """)
  void aMalformedReplyIsANetworkFailureNotAnUncheckedException(String hex, String what) {
    ClientException e = assertThrows(ClientException.class, () -> exchange(hex), what);
    assertEquals(ClientException.Kind.NETWORK, e.kind());
    assertEquals(true, e.getMessage().startsWith("malformed reply: "), e.getMessage());
  }
}
