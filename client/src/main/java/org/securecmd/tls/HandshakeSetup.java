package org.securecmd.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * "What I present, whom I trust, which protocols, client auth": everything one side of a handshake needs.
 *
 * <pre>{@code
 * HandshakeSetup setup = new HandshakeSetup.Builder()
 *     .certifiedKey(CertifiedKey.load(cert, key)).addTrustedCertificates(clientCas)
 *     .clientAuth(ClientAuth.REQUIRED).build();
 * SSLContext context = setup.newSslContext();
 * }</pre>
 *
 * <h2>Server authentication</h2>
 * A server presents its {@link CertifiedKey}. A client trusts exactly the certificates added with
 * {@link Builder#addTrustedCertificate}: never the JDK's {@code cacerts}, never "trust all". A client with
 * no trusted certificate trusts nobody.
 *
 * <h2>Client authentication</h2>
 * A server asks for client certificates as {@link ClientAuth} says and checks them against its trusted
 * certificates. A client presents its {@link CertifiedKey}, if it has one, whatever CAs the server lists.
 * Revocation and allow lists are policy and live with the caller, checked after the handshake.
 */
public final class HandshakeSetup {
  private final CertifiedKey certifiedKey;
  private final List<X509Certificate> trusted;
  private final List<String> protocols;
  private final ClientAuth clientAuth;

  private HandshakeSetup(Builder b) {
    this.certifiedKey = b.certifiedKey;
    this.trusted = List.copyOf(b.trusted);
    this.protocols = List.copyOf(b.protocols);
    this.clientAuth = b.clientAuth;
    if (protocols.isEmpty()) throw new IllegalArgumentException("no TLS protocol enabled");
  }

  /** A new context: fresh key and trust managers, and a fresh session cache (old tickets do not resume). */
  public SSLContext newSslContext() throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    KeyManager[] keyManagers = certifiedKey == null ? new KeyManager[0]
        : new KeyManager[] {new SingleKeyManager(certifiedKey)};
    context.init(keyManagers, new TrustManager[] {trustManager()}, new SecureRandom());
    return context;
  }

  /** Parameters to apply to every socket made from the context. */
  public SSLParameters sslParameters() {
    SSLParameters p = new SSLParameters();
    p.setProtocols(protocols.toArray(new String[0]));
    p.setNeedClientAuth(clientAuth == ClientAuth.REQUIRED);
    if (clientAuth == ClientAuth.OPTIONAL) p.setWantClientAuth(true);
    return p;
  }

  public ClientAuth clientAuth() {
    return clientAuth;
  }

  private X509TrustManager trustManager() throws GeneralSecurityException {
    if (trusted.isEmpty()) return new TrustNobody();
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    try {
      anchors.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    for (int i = 0; i < trusted.size(); i++) anchors.setCertificateEntry("ca" + i, trusted.get(i));
    PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
    params.setRevocationEnabled(false); // revocation is the caller's policy (CRL file, deny list)
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(new CertPathTrustManagerParameters(params));
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) return x;
    }
    throw new GeneralSecurityException("no X509TrustManager from PKIX");
  }

  /** What an empty trust list means: nobody. Never a fallback to the system's roots. */
  private static final class TrustNobody implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("no trusted certificates configured");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("no trusted certificates configured");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** Builds a {@link HandshakeSetup}. */
  public static final class Builder {
    private CertifiedKey certifiedKey;
    private final List<X509Certificate> trusted = new ArrayList<>();
    private final List<String> protocols = new ArrayList<>(List.of("TLSv1.3"));
    private ClientAuth clientAuth = ClientAuth.NONE;

    /** What this side presents. If unset, nothing is presented (a client without a certificate). */
    public Builder certifiedKey(CertifiedKey key) {
      this.certifiedKey = key;
      return this;
    }

    /** Trusts {@code certificate} as an anchor. If none is added, no peer certificate is trusted. */
    public Builder addTrustedCertificate(X509Certificate certificate) {
      trusted.add(certificate);
      return this;
    }

    /** Trusts every certificate in {@code certificates}. */
    public Builder addTrustedCertificates(List<X509Certificate> certificates) {
      trusted.addAll(certificates);
      return this;
    }

    /** The enabled protocol versions, e.g. {@code TLSv1.3}. If unset, TLS 1.3 only. */
    public Builder protocols(List<String> versions) {
      protocols.clear();
      protocols.addAll(versions);
      return this;
    }

    /** How a server treats client certificates. If unset, {@link ClientAuth#NONE}. Ignored by clients. */
    public Builder clientAuth(ClientAuth auth) {
      this.clientAuth = auth;
      return this;
    }

    public HandshakeSetup build() {
      return new HandshakeSetup(this);
    }
  }
}
