package org.securecmd.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The bare JSSE reference server of bench/run.sh: what the JDK's TLS engine alone costs for the
 * daemon's work. An {@link SSLServerSocket} requiring a client certificate from the CA (TLS 1.3 only),
 * one virtual thread per connection, every line answered with the same reply, until the peer closes.
 * No configuration, policy, audit, limits or timers: the ceiling the daemon is built on.
 *
 * <pre>java -cp bench.jar org.securecmd.bench.JsseServer PORT server.crt server.key ca.crt REPLY [--layered]</pre>
 *
 * <p>{@code --layered} accepts on a {@link ServerSocketChannel} and puts TLS over each accepted socket
 * ({@code SSLSocketFactory.createSocket(Socket, ...)}), as the daemon must (systemd hands it a channel, and
 * the PROXY v2 step reads the raw socket first): the same engine on the daemon's I/O path.
 *
 * <p>{@code PORT} {@code inherited} (with {@code --layered}) accepts on the listening socket the process was
 * given as its standard input ({@link System#inheritedChannel()}): bench/cold-start.sh starts it
 * socket-activated, as systemd starts the daemon, for the engine's own cold start beside the daemon's.
 *
 * JDK only (no securecmd classes), so the row measures the engine and nothing of ours.
 */
public final class JsseServer {
  private JsseServer() {}

  public static void main(String[] args) throws Exception {
    boolean layered = args.length == 6 && args[5].equals("--layered");
    if (args.length != 5 && !layered) {
      System.err.println("usage: JsseServer PORT server.crt server.key ca.crt REPLY [--layered]");
      System.exit(2);
    }
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    Certificate[] chain = x509.generateCertificates(Files.newInputStream(Path.of(args[1]))).toArray(Certificate[]::new);
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pemBody(Path.of(args[2]))));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", key, new char[0], chain);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", x509.generateCertificate(Files.newInputStream(Path.of(args[3]))));
    // SunX509 copies the key out of the key store once; PKIX ("NewSunX509") looks the PKCS#12 entry up per
    // handshake, which showed as a quarter of this server's CPU in a JFR profile (bench/profile.sh). The
    // daemon keeps its key in memory too (SingleKeyManager).
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(keys, new char[0]);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    byte[] reply = (args[4] + "\n").getBytes(StandardCharsets.UTF_8);

    if (layered) {
      serveLayered(tls, args[0], reply);
      return;
    }
    SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory()
        .createServerSocket(Integer.parseInt(args[0]), 4096, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(true);
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    while (true) {
      Socket s = server.accept();
      s.setTcpNoDelay(true);
      Thread.ofVirtual().start(() -> serve(s, reply));
    }
  }

  private static void serveLayered(SSLContext tls, String port, byte[] reply) throws IOException {
    ServerSocketChannel server;
    if (port.equals("inherited")) {
      if (!(System.inheritedChannel() instanceof ServerSocketChannel inherited)) {
        throw new IllegalStateException("PORT inherited: standard input is not a listening socket");
      }
      server = inherited;
    } else {
      server = ServerSocketChannel.open();
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(port)), 4096);
    }
    SSLSocketFactory factory = tls.getSocketFactory();
    while (true) {
      Socket raw = server.accept().socket();
      raw.setTcpNoDelay(true);
      Thread.ofVirtual().start(() -> {
        try (raw) {
          SSLSocket s = (SSLSocket) factory.createSocket(raw, raw.getInetAddress().getHostAddress(), raw.getPort(), false);
          s.setUseClientMode(false);
          s.setNeedClientAuth(true);
          s.setEnabledProtocols(new String[] {"TLSv1.3"});
          serve(s, reply);
        } catch (IOException e) {
          // as in serve: nothing to report in a reference server
        }
      });
    }
  }

  private static void serve(Socket s, byte[] reply) {
    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            out.write(reply);
            out.flush();
          }
        }
      }
    } catch (IOException e) {
      // the peer went away or failed its handshake: nothing to report in a reference server
    }
  }

  private static byte[] pemBody(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}
