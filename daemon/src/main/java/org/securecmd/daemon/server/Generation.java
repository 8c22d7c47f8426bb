package org.securecmd.daemon.server;

import java.time.Instant;
import org.securecmd.daemon.auth.AccessPolicy;
import org.securecmd.daemon.command.CommandTable;
import org.securecmd.daemon.config.Config;
import org.securecmd.daemon.tls.TlsMaterial;

/**
 * One complete, immutable configuration as connections use it. Every request is authorised and answered by
 * the generation current when it arrives; a connection keeps only what it negotiated at accept (its TLS
 * session, from that generation's context) and that generation's limits. A reload installs a new one and
 * re-checks the open connections.
 */
public record Generation(long number, Config config, TlsMaterial tls, AccessPolicy policy, CommandTable commands,
                         Instant loadedAt) {}
