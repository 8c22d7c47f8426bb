/**
 * The state store: what every host of a fleet must agree on, behind {@link org.securecmd.daemon.state.StateStore}.
 * Today that is the deny list; {@code file} (the state directory, the default) or {@code postgresql} (shared,
 * followed with LISTEN/NOTIFY plus a periodic resync, with a last-known copy and a pending journal on disk
 * for outages). {@link org.securecmd.daemon.state.StateStores} is the only class that knows which.
 *
 * <p>How a second record kind (certificate issuance records) plugs in: it gets its own small interface here
 * beside the deny list's methods (e.g. {@code IssuanceRecords}, reached from {@code StateStore}), one class
 * per backend (the file one next to {@code FileStateStore}; a table class like {@code DenyListTable} for
 * PostgreSQL), one appended entry in {@code Schema.MIGRATIONS} (never an edited one), and its own
 * notification payload on the same channel, which {@code Follower} dispatches on. Its last-known copy, if
 * hosts must keep enforcing it during an outage, is one more file in the state directory.
 */
package org.securecmd.daemon.state;
