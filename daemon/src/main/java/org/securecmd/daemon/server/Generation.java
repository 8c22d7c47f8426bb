package org.securecmd.daemon.server;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
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
                         Instant loadedAt) {
  // What admin reports about a generation, in JDK types: admin may depend on server but not on config or
  // the TLS packages (STYLE.md section 7).

  /** The configuration file this generation was loaded from. */
  public Path configFile() {
    return config.file();
  }

  /** Whether {@code [attestation]} is configured (enrollment, quotes: the status and metrics parts). */
  public boolean attestationConfigured() {
    return config.attestation().isPresent();
  }

  /** The server's own certificate (the leaf of its chain). */
  public X509Certificate serverCertificate() {
    return tls.serverCertificate();
  }

  /** The CAs whose clients this generation accepts. */
  public List<X509Certificate> clientCas() {
    return tls.clientCas();
  }
}
