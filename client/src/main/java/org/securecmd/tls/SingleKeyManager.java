package org.securecmd.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one {@link CertifiedKey}, whatever CA names the peer lists. The JDK's key managers stay silent
 * when the issuer is not in the peer's list, and the server then only sees "no certificate"; sending it
 * anyway lets the server log the real reason (unknown CA) against the device's name.
 */
final class SingleKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "securecmd";
  private final CertifiedKey key;

  SingleKeyManager(CertifiedKey key) {
    this.key = key;
  }

  private String aliasFor(String keyType) {
    String algorithm = key.privateKey().getAlgorithm();
    boolean rsaFamily = algorithm.equals("RSA") || algorithm.equals("RSASSA-PSS");
    boolean fits = keyType.equals(algorithm) || rsaFamily && (keyType.equals("RSA") || keyType.equals("RSASSA-PSS"))
        || keyType.startsWith("EC") && algorithm.equals("EC");
    return fits ? ALIAS : null;
  }

  private String aliasFor(String[] keyTypes) {
    if (keyTypes == null) return null;
    for (String t : keyTypes) {
      if (aliasFor(t) != null) return ALIAS;
    }
    return null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return aliasFor(keyType) == null ? null : new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? key.chain().toArray(new X509Certificate[0]) : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key.privateKey() : null;
  }
}
