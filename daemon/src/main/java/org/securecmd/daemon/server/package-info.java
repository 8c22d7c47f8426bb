/**
 * Where the flow socket → TLS → identity → policy → handler → reply → audit runs: the immutable
 * {@link org.securecmd.daemon.server.Generation}, the accept loop with its permits, one virtual thread per
 * connection under timeouts, and the registry of open connections. {@link
 * org.securecmd.daemon.server.DaemonThreads} makes every thread and timer of the daemon, in one place.
 */
package org.securecmd.daemon.server;
