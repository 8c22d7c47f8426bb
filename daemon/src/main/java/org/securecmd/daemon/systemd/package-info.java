/**
 * Talks to systemd: reads what it passed in the environment once ({@link
 * org.securecmd.daemon.systemd.SystemdEnvironment}), adopts the listening sockets it hands over by name
 * ({@code LISTEN_FDS}: "main", "admin", "metrics"), sends sd_notify status messages and watchdog pings, all
 * through the JDK's FFM API.
 *
 * <p>Every part is a no-op outside systemd, and the package knows nothing else about securecmd: it hands out
 * JDK channels and plain values, which the composition root fits to the server, admin and metrics parts.
 */
package org.securecmd.daemon.systemd;
