/**
 * Who the peer is and whether it may do what it asks: {@link org.securecmd.daemon.auth.Identity} from the
 * certificate chain, {@code *} patterns, allow lists that fail closed (and admit clients without a
 * certificate only when told so), revocation (CRLs and deny list) and certificate validity. Checked after every
 * handshake, resumed ones included, because JSSE skips the trust manager on resumption; and whether a chain
 * still leads to the current {@code [clients] ca} ({@link org.securecmd.daemon.auth.ChainTrust}), which a
 * connection held over a reload and every {@code RENEW} need.
 */
package org.securecmd.daemon.auth;
