package org.securecmd.daemon;

import java.net.Socket;
import java.security.Security;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code LegacyTlsClient HOST PORT}: offers only TLS 1.0 and 1.1 and prints {@code HANDSHAKE OK <protocol>}
 * or {@code HANDSHAKE FAILED <reason>}. Runs in its own JVM (see {@link HostilePeers#legacyTlsClient}),
 * because it has to re-enable the old protocols in the JDK's security properties.
 */
public final class LegacyTlsClient {
  private LegacyTlsClient() {}

  public static void main(String[] args) throws Exception {
    Security.setProperty("jdk.tls.disabledAlgorithms", "");
    SSLContext ctx = SSLContext.getInstance("TLS");
    // The handshake must fail on the version, long before a certificate would be checked.
    ctx.init(null, new TrustManager[] {new RefuseAll()}, null);
    try (Socket plain = new Socket(args[0], Integer.parseInt(args[1]))) {
      plain.setSoTimeout(10_000);
      SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, args[0], plain.getPort(), true);
      s.setEnabledProtocols(new String[] {"TLSv1", "TLSv1.1"});
      s.startHandshake();
      System.out.println("HANDSHAKE OK " + s.getSession().getProtocol());
    } catch (java.io.IOException e) {
      System.out.println("HANDSHAKE FAILED " + e);
    }
  }

  /** Never reached when the server refuses the version; refuses if it is. */
  private static final class RefuseAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("test client trusts nobody");
    }

    @Override
    public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("test client trusts nobody");
    }

    @Override
    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
      return new java.security.cert.X509Certificate[0];
    }
  }
}
