/**
 * Who the peer is and whether it may do what it asks: {@link org.securecmd.daemon.auth.Identity} from the
 * certificate chain, {@code *} patterns, allow lists that fail closed (and admit clients without a
 * certificate only when told so), revocation (CRLs and deny list) and certificate validity. Checked after every
 * handshake, resumed ones included, because JSSE skips the trust manager on resumption.
 */
package org.securecmd.daemon.auth;
