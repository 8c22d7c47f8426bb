package org.securecmd.daemon.server;

import java.security.cert.X509Certificate;
import org.securecmd.daemon.auth.Identity;

/**
 * Told when a connection passed policy and when it ended, for whoever tracks the certificates in use
 * (renewal: revoking a rekeyed device's old serial, counting devices due for renewal).
 */
public interface ConnectionListener {
  ConnectionListener NONE = new ConnectionListener() {
    @Override
    public void accepted(long connection, Identity identity, X509Certificate leaf) {}

    @Override
    public void closed(long connection) {}
  };

  /** @param leaf the peer's certificate, or null for an anonymous client */
  void accepted(long connection, Identity identity, X509Certificate leaf);

  void closed(long connection);
}
