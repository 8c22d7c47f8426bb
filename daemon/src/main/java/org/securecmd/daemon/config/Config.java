package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One validated configuration file, frozen. A reload builds a new one; nothing here ever changes.
 *
 * @param origins where each key was set, for errors found after loading (files, keys, certificates)
 * @param enrollment {@code [enrollment]}; empty when the table is absent (renewal off)
 * @param attestation {@code [attestation]}; empty when the table is absent (TPM-attested enrollment off)
 */
public record Config(Path file, Origins origins, ServerSettings server, TlsSettings tls, ClientSettings clients,
                     AdminSettings admin, StateSettings state, MetricsSettings metrics,
                     Map<String, CommandSettings> commands, Optional<EnrollmentSettings> enrollment,
                     Optional<AttestationSettings> attestation) {
  public Config {
    commands = Map.copyOf(commands);
  }
}
