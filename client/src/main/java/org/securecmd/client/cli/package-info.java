/**
 * The {@code securecmd-client} command: arguments (over the {@code client.properties} file) to the client
 * library, the reply to stdout, and one exit code per kind of failure (0 ok, 1 ERR reply, 2 usage,
 * 3 TLS/certificate/token, 4 network).
 */
package org.securecmd.client.cli;
