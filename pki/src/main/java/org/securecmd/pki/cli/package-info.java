/**
 * The {@code securecmd-pki} command: one subcommand per provisioning step, exit codes 0 ok, 1 refused or
 * failed, 2 usage, 3 PKCS#11 token failure.
 */
package org.securecmd.pki.cli;
