package org.securecmd.daemon.server;

import java.time.Instant;

/**
 * What the admin socket shows of one connection.
 *
 * @param identity the display name, or {@code -} while the handshake runs
 * @param serial the client certificate's serial (hex), empty when none
 */
public record ConnectionInfo(long id, String identity, java.util.List<String> names, String serial, String remote,
                             Instant since, long requests) {}
