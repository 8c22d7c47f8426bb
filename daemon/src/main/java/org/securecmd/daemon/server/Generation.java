package org.securecmd.daemon.server;

import java.time.Instant;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.command.CommandTable;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.tls.TlsMaterial;

/**
 * One complete, immutable configuration as connections use it. A connection reads the current generation
 * once, when it is accepted, and keeps it to the end; a reload installs a new one for new connections.
 */
public record Generation(long number, Config config, TlsMaterial tls, AccessPolicy policy, CommandTable commands,
                         Instant loadedAt) {}
