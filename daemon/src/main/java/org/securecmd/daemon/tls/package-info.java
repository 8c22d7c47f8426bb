/**
 * The server's TLS material for one configuration generation: loads and checks the PEM files (key
 * permissions, key matches certificate, expiry), the client CAs and the CRL, and builds the SSLContext.
 */
package org.securecmd.daemon.tls;
