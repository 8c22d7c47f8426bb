/**
 * Where the flow socket → TLS → identity → policy → handler → reply → audit runs: the immutable
 * {@link org.securecmd.daemon.server.Generation}, the accept loop with its permits, TLS through an
 * {@code SSLEngine} ({@link org.securecmd.daemon.server.TlsChannel}), a virtual thread per connection while
 * it handshakes, reads or answers, under timeouts, and none while it waits idle (parked on {@link
 * org.securecmd.daemon.server.IdleConnections}' selector), and the registry of open connections. {@link
 * org.securecmd.daemon.server.DaemonThreads} makes every thread and timer of the daemon, in one place.
 */
package org.securecmd.daemon.server;
