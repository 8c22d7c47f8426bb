/**
 * Verbs to replies: configured commands ({@code reply}, {@code reply_file} with {@code {client}}, base64)
 * and the built-ins {@code PING} and {@code WHOAMI}, each behind its own allow list.
 */
package org.securecmd.daemon.command;
