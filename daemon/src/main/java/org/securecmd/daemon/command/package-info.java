/**
 * Verbs to answers, one {@link org.securecmd.daemon.command.CommandHandler} per verb in one table: the
 * built-ins {@code PING} and {@code WHOAMI}, configured commands ({@code reply}, {@code reply_file} with
 * {@code {client}}, base64, optionally {@code require_attested_key}) and, with {@code [enrollment]},
 * {@code RENEW}, with {@code [attestation]} {@code ENROLL}, {@code ENROLL-PROOF} and {@code NONCE}; each behind
 * its own allow list. What a connection was given or proved (an enrollment challenge, a nonce) is its
 * {@link org.securecmd.daemon.command.ConnectionFacts}.
 * A handler gets one {@link org.securecmd.daemon.command.Call} and returns one
 * {@link org.securecmd.daemon.command.Answer}.
 */
package org.securecmd.daemon.command;
