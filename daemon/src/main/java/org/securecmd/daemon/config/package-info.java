/**
 * TOML configuration to validated, immutable {@link org.securecmd.daemon.config.Config} records in one step:
 * each table's record reads itself (keys, defaults, ranges) from a {@code TableReader}, and an optional table
 * or key that is absent is an empty {@link java.util.Optional}, never null. Every error is a
 * {@link org.securecmd.daemon.config.ConfigException} naming file, line and key.
 */
package org.securecmd.daemon.config;
