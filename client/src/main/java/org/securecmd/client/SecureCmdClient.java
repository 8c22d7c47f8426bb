package org.securecmd.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.securecmd.tls.HandshakeSetup;

/**
 * Connects to a securecmd server and verifies it: the chain against the trusted CA(s) and the name,
 * a host name against the certificate's DNS names, an IP address against its IP addresses.
 *
 * <pre>{@code
 * SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
 *     .addTrustedCertificates(Pem.readCertificates(Path.of("/etc/securecmd/server_ca.pem"))).build());
 * try (Connection c = client.connect("192.168.178.2", 5000)) { System.out.println(c.send("GET_SECRET").text()); }
 * }</pre>
 *
 * One client may open many connections; it keeps one {@link SSLContext}, so later connections resume
 * the TLS session where the server allows it.
 */
public final class SecureCmdClient {
  private final SSLContext context;
  private final SSLParameters parameters;
  private final Duration timeout;

  /** A client with a 10 second connect, handshake and read timeout. */
  public SecureCmdClient(HandshakeSetup setup) throws GeneralSecurityException {
    this(setup, Duration.ofSeconds(10));
  }

  /** @param timeout bound on connecting, on the handshake, and on waiting for each reply */
  public SecureCmdClient(HandshakeSetup setup, Duration timeout) throws GeneralSecurityException {
    this.context = setup.newSslContext();
    this.parameters = setup.sslParameters();
    this.parameters.setNeedClientAuth(false);
    // "HTTPS" is JSSE's RFC 2818/6125 check: DNS names for host names, IP SANs for addresses.
    this.parameters.setEndpointIdentificationAlgorithm("HTTPS");
    this.timeout = timeout;
  }

  /** Opens a connection and completes the handshake, or says which step failed. */
  public Connection connect(String host, int port) throws ClientException {
    Socket plain = new Socket();
    try {
      int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
      plain.connect(new InetSocketAddress(host, port), millis);
      plain.setSoTimeout(millis);
      plain.setTcpNoDelay(true);
    } catch (UnknownHostException e) {
      closeQuietly(plain);
      throw new ClientException(ClientException.Kind.NETWORK, "unknown host " + host, e);
    } catch (SocketTimeoutException e) {
      closeQuietly(plain);
      throw new ClientException(ClientException.Kind.NETWORK, "timed out connecting to " + host + ":" + port, e);
    } catch (IOException e) {
      closeQuietly(plain);
      throw new ClientException(ClientException.Kind.NETWORK,
          "cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
    }
    try {
      SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
      tls.setSSLParameters(parameters);
      tls.startHandshake();
      return new Connection(tls, host);
    } catch (SocketTimeoutException e) {
      closeQuietly(plain);
      throw new ClientException(ClientException.Kind.NETWORK, "timed out in the TLS handshake with " + host, e);
    } catch (IOException e) {
      closeQuietly(plain);
      if (TlsFailure.isTlsAlert(e)) {
        throw new ClientException(ClientException.Kind.TLS, TlsFailure.describe(e, host), e);
      }
      throw new ClientException(ClientException.Kind.NETWORK, "the server closed the connection during the TLS "
          + "handshake (" + e.getMessage() + "); it may be at its connection limit", e);
    }
  }

  /**
   * Renews this client's certificate: connects (presenting {@code current}), sends {@code RENEW} with a CSR
   * for {@code publicKey} signed by {@code privateKey} (the current key pair, or a new one to rekey), and
   * returns the issued chain, leaf first, after checking that it is for that key and has the current names.
   * Installing it is the caller's job.
   *
   * @throws RenewalException when the server refuses ({@link RenewalException#code()}) or the reply fails the checks
   */
  public java.util.List<java.security.cert.X509Certificate> renew(String host, int port,
      java.security.cert.X509Certificate current, java.security.PublicKey publicKey, java.security.PrivateKey privateKey)
      throws ClientException, RenewalException, GeneralSecurityException {
    try (Connection c = connect(host, port)) {
      return Renewal.request(c, current, publicKey, privateKey);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already failing; the original error is what matters
    }
  }
}
