/**
 * The state store: what every host of a fleet must agree on. The deny list sits behind
 * {@link org.securecmd.daemon.state.StateStore}: {@code file} (the state directory, the default) or
 * {@code postgresql} (shared, followed with LISTEN/NOTIFY plus a periodic resync, with a last-known copy and a
 * pending journal on disk for outages); {@link org.securecmd.daemon.state.StateStores} is the only class that
 * knows which. The certificate issuance records ({@link org.securecmd.daemon.state.IssuanceLog}) are in the
 * state directory only so far ({@link org.securecmd.daemon.state.IssuanceFile}).
 *
 * <p>How issuance records (or any second record kind) move into PostgreSQL: {@code IssuanceLog} stays the
 * interface, reached through {@code StateStores} for the configured backend; one class per backend (the
 * file one exists; a table class like {@code DenyListTable} for PostgreSQL), one appended entry in
 * {@code Schema.MIGRATIONS} (never an edited one), and its own notification payload on the same channel,
 * which {@code Follower} dispatches on. Its last-known copy, if
 * hosts must keep enforcing it during an outage, is one more file in the state directory.
 */
package org.securecmd.daemon.state;
