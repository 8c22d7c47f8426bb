package org.securecmd.daemon.attest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.securecmd.tls.TestPki;

/**
 * A stand-in for the daemon's {@code QUOTE} verb while it has none: a JDK TLS 1.3 server on loopback that
 * demands a client certificate of {@code pki}, serves one connection, answers {@code NONCE} with 32 random
 * bytes, checks {@code QUOTE} with {@link QuoteVerifier} and the given AK ({@code ATTESTED pcrs=...} or
 * {@code ERR BAD_ATTESTATION <reason>}) and any other line with {@code SECRET for <subject>}.
 */
final class QuoteServer implements AutoCloseable {
  private final SSLServerSocket socket;
  private final ExecutorService thread = Executors.newSingleThreadExecutor();
  private final AttestationKey ak;
  private final List<String> verbs = new ArrayList<>();
  private VerifiedQuote quoted;

  private QuoteServer(SSLServerSocket socket, AttestationKey ak) {
    this.socket = socket;
    this.ak = ak;
  }

  static QuoteServer start(TestPki pki, AttestationKey ak) throws Exception {
    TestPki.Issued server = pki.issue(TestPki.spec("127.0.0.1").ip("127.0.0.1").serverAuth());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", server.keyPair().getPrivate(), new char[0], server.chain().toArray(new Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", pki.rootCertificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
    SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1,
        InetAddress.getLoopbackAddress());
    s.setNeedClientAuth(true);
    QuoteServer q = new QuoteServer(s, ak);
    q.thread.submit(() -> {
      q.serveOne();
      return null;
    });
    return q;
  }

  int port() {
    return socket.getLocalPort();
  }

  synchronized List<String> verbs() {
    return List.copyOf(verbs);
  }

  synchronized VerifiedQuote quoted() {
    return quoted;
  }

  private void serveOne() throws Exception {
    try (SSLSocket s = (SSLSocket) socket.accept()) {
      s.setSoTimeout(60_000);
      String subject = ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
          .getSubjectX500Principal().getName();
      var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      byte[] nonce = null;
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.split(" ", -1);
        synchronized (this) {
          verbs.add(w[0]);
        }
        String reply;
        if (w[0].equals("NONCE")) {
          nonce = new byte[32];
          new SecureRandom().nextBytes(nonce);
          reply = Base64.getEncoder().encodeToString(nonce);
        } else if (w[0].equals("QUOTE") && w.length == 4 && nonce != null) {
          try {
            Base64.Decoder d = Base64.getDecoder();
            VerifiedQuote q =
                QuoteVerifier.verify(ak, nonce, d.decode(w[1]), d.decode(w[2]), d.decode(w[3]), List.of());
            synchronized (this) {
              quoted = q;
            }
            reply = "ATTESTED pcrs=" + String.join(",", q.pcrs().keySet().stream().map(String::valueOf).toList());
          } catch (AttestationException e) {
            reply = "ERR BAD_ATTESTATION " + e.reason();
          }
          nonce = null;
        } else {
          reply = "SECRET for " + subject;
        }
        out.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    }
  }

  @Override
  public void close() throws Exception {
    socket.close();
    thread.shutdownNow();
    if (!thread.awaitTermination(10, TimeUnit.SECONDS)) throw new AssertionError("the quote server did not stop");
  }
}
