/**
 * Verbs to answers, one {@link org.securecmd.daemon.command.CommandHandler} per verb in one table: the
 * built-ins {@code PING} and {@code WHOAMI}, configured commands ({@code reply}, {@code reply_file} with
 * {@code {client}}, base64, optionally {@code require_attested_key} or {@code require_state}), with
 * {@code [enrollment]} {@code RENEW} (its CSR checks, allow list and issuing are {@code enroll}'s), and with
 * {@code [attestation]} {@code ENROLL}, {@code ENROLL-PROOF}, {@code NONCE} and {@code QUOTE}; each behind its
 * own allow list. A handler gets one {@link org.securecmd.daemon.command.Call} and returns one
 * {@link org.securecmd.daemon.command.Answer}. What a connection was given or proved (an enrollment
 * challenge, a nonce, a verified quote) is its {@link org.securecmd.daemon.command.ConnectionFacts};
 * {@code StateGate} holds {@code require_state} commands to a current quote.
 */
package org.securecmd.daemon.command;
