/**
 * The server's TLS material for one configuration generation: loads and checks the PEM files (key
 * permissions, key matches certificate, expiry), the client CAs and every CRL of the CRL file, and builds the
 * SSLContext (session lifetime, no client-initiated renegotiation) and the per-socket SSLParameters. The
 * {@link org.securecmd.daemon.tls.CrlWatcher} loads the CRL file again whenever it changes.
 */
package org.securecmd.daemon.tls;
