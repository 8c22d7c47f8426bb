/**
 * Verbs to answers, one {@link org.securecmd.daemon.command.CommandHandler} per verb in one table: the
 * built-ins {@code PING} and {@code WHOAMI}, configured commands ({@code reply}, {@code reply_file} with
 * {@code {client}}, base64) and, with {@code [enrollment]}, {@code RENEW}; each behind its own allow list.
 * A handler gets one {@link org.securecmd.daemon.command.Call} and returns one
 * {@link org.securecmd.daemon.command.Answer}.
 */
package org.securecmd.daemon.command;
