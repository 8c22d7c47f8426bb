/**
 * Verbs to replies: configured commands ({@code reply}, {@code reply_file} with {@code {client}}, base64),
 * the built-ins {@code PING} and {@code WHOAMI}, each behind its own allow list, and, with
 * {@code [enrollment]}, {@code RENEW}, whose CSR checks, allow list and issuing are {@code enroll}'s.
 */
package org.securecmd.daemon.command;
