/**
 * Talks to systemd: adopts the listening sockets it hands over ({@code LISTEN_FDS}), sends
 * sd_notify status messages and watchdog pings, all through the JDK's FFM API.
 *
 * <p>Every part is a no-op outside systemd, and the package knows nothing else about securecmd.
 */
package org.securecmd.daemon.systemd;
