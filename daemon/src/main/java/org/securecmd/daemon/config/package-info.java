/**
 * TOML configuration to validated, immutable {@link org.securecmd.daemon.config.Config} records in one step.
 * Every error is a {@link org.securecmd.daemon.config.ConfigException} naming file, line and key.
 */
package org.securecmd.daemon.config;
