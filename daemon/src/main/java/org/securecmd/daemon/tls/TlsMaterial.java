package org.securecmd.daemon.tls;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.securecmd.tls.CertifiedKey;

/**
 * Everything TLS for one generation, loaded once: a new generation gets a new context, so session
 * tickets issued under old trust settings are not honoured after a reload.
 *
 * @param crl the configured CRL, or {@code null}
 */
public record TlsMaterial(SSLContext context, SSLParameters parameters, CertifiedKey serverKey,
                          List<X509Certificate> clientCas, X509CRL crl) {
  public TlsMaterial {
    clientCas = List.copyOf(clientCas);
  }

  /** A copy of the parameters: JSSE sockets must not share one mutable instance. */
  public SSLParameters newParameters() {
    SSLParameters p = new SSLParameters(parameters.getCipherSuites(), parameters.getProtocols());
    p.setNeedClientAuth(parameters.getNeedClientAuth());
    if (!parameters.getNeedClientAuth()) p.setWantClientAuth(parameters.getWantClientAuth());
    return p;
  }
}
