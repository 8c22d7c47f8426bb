/**
 * The state store: what every host of a fleet must agree on. The deny list sits behind
 * {@link org.securecmd.daemon.state.StateStore}: {@code file} (the state directory, the default) or
 * {@code postgresql} (shared, followed with LISTEN/NOTIFY plus a periodic resync, with a last-known copy and a
 * pending journal on disk for outages); {@link org.securecmd.daemon.state.StateStores} is the only class that
 * knows which. The certificate issuance records ({@link org.securecmd.daemon.state.IssuanceLog}) follow the
 * same switch ({@code StateStores.issuanceLog}): {@link org.securecmd.daemon.state.IssuanceFile} in the state
 * directory, or {@code IssuanceTable} in the same database (schema version 2, 3 for first use), where serial
 * uniqueness and the renewal rules (same key, {@code max_renewals}) are checked by the database for every host
 * at once. {@link org.securecmd.daemon.state.Successors} reads them for what a serial's revocation takes along.
 * A renewal waits for those calls, so each is bounded as a whole ({@code BoundedConnection}): a database that
 * hangs refuses a renewal within seconds and never queues the other devices' renewals behind it. TPM-attested enrollment's
 * records ({@link org.securecmd.daemon.state.EnrollmentRegistry}: registrations of device name to EK identity,
 * requests waiting for approval, and what each enrollment proved) follow the same switch
 * ({@code StateStores.enrollmentRegistry}): {@code RegistryFile} in the state directory, or {@code RegistryTable}
 * (schema version 4), read through on every lookup so a registration on one host counts on all of them.
 *
 * <p>A further record kind moves into PostgreSQL the same way: an interface, one class per backend, one
 * appended entry in {@code Schema.MIGRATIONS} (never an edited one), and, if hosts must learn of changes at
 * once, its own notification payload on the same channel, which {@code Follower} dispatches on. Its
 * last-known copy, if hosts must keep enforcing it during an outage, is one more file in the state directory
 * (issuance records need none: a renewal fails closed while the database is away).
 */
package org.securecmd.daemon.state;
