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
 * @param crls every CRL of {@code [clients] crl}, in file order, each verified against its issuing CA; empty
 *     when none is configured
 */
public record TlsMaterial(SSLContext context, SSLParameters parameters, CertifiedKey serverKey,
                          List<X509Certificate> clientCas, List<X509CRL> crls) {
  public TlsMaterial {
    clientCas = List.copyOf(clientCas);
    crls = List.copyOf(crls);
  }

  /** The server's own certificate, the leaf of {@link #serverKey}'s chain. */
  public X509Certificate serverCertificate() {
    return serverKey.leaf();
  }

  /**
   * A copy of the parameters for one socket: JSSE sockets must not share one mutable instance. Everything
   * set in {@link ServerTls} is copied, the server's cipher-suite order included: a copy that dropped it
   * would let each client pick the suite from its own preference list.
   */
  public SSLParameters newParameters() {
    SSLParameters p = new SSLParameters(parameters.getCipherSuites(), parameters.getProtocols());
    p.setNeedClientAuth(parameters.getNeedClientAuth());
    if (!parameters.getNeedClientAuth()) p.setWantClientAuth(parameters.getWantClientAuth());
    p.setUseCipherSuitesOrder(parameters.getUseCipherSuitesOrder());
    if (parameters.getNamedGroups() != null) p.setNamedGroups(parameters.getNamedGroups());
    if (parameters.getSignatureSchemes() != null) p.setSignatureSchemes(parameters.getSignatureSchemes());
    return p;
  }
}
