package org.securecmd.tls;

/** Whether a server asks for, and insists on, a client certificate. */
public enum ClientAuth {
  /**
   * No certificate is requested. A client that has one does not send it; every client is anonymous.
   */
  NONE,
  /**
   * A certificate is requested. A trusted one is accepted and names the client; an untrusted one fails
   * the handshake; a client without one is let in as anonymous.
   */
  OPTIONAL,
  /**
   * A certificate is required. A trusted one is accepted; an untrusted one fails the handshake; a client
   * without one fails the handshake ({@code certificate_required} alert in TLS 1.3).
   */
  REQUIRED
}
