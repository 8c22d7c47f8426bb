package org.securecmd.daemon.state;

import java.time.Instant;
import java.util.Optional;

/**
 * How the state store is doing, for {@code securecmdctl status}, {@code STATUS=} and the metrics.
 *
 * @param backend {@code "file"} or {@code "postgresql"}
 * @param degraded the shared store cannot be reached: this host serves its last-known list
 * @param lastSync when the list was last read from (or written to) the store; empty when never
 * @param pending revocations made here that the shared store does not have yet
 * @param detail why it is degraded, or the last save error; empty when all is well
 */
public record StateHealth(String backend, boolean degraded, Optional<Instant> lastSync, int pending, String detail) {}
