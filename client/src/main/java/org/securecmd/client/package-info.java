/**
 * The device-side library: connect once (TLS 1.3, server checked against the CA and the host name or IP),
 * send several commands, close. {@link org.securecmd.client.ClientException} says which check failed.
 */
package org.securecmd.client;
