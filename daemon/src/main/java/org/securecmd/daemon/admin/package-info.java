/**
 * The local admin socket: a UNIX-domain stream socket that only root and the admin group may use (checked
 * with {@code SO_PEERCRED} on every connection), and the requests behind {@code securecmdctl}: status,
 * connections, disconnect, reload, revoke, unrevoke, revoked, issued (every {@code RENEW} issuance), metrics,
 * and the TPM enrollment registry ({@code enroll ...}). One request line in, one JSON line out.
 */
package org.securecmd.daemon.admin;
