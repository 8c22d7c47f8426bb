/**
 * {@code securecmdctl}: sends one request to the daemon's admin socket and prints the reply for people, or
 * as the daemon's JSON with {@code --json} ({@code enroll import} sends a CSV in as many requests as fit the
 * socket's line, and reports each line). Exit codes: 0 done, 1 the daemon refused or failed the request,
 * 2 usage, 3 the daemon is not running, 4 access denied, 5 revoked on this host only until the shared
 * state database is back ({@code revoke} with {@code [state] backend = "postgresql"}).
 */
package org.securecmd.daemon.ctl;
