package org.securecmd.daemon.audit;

/**
 * One request as the audit log records it.
 *
 * @param client the identity's display name
 * @param verb the verb as sent (escaped when written)
 * @param result {@code OK} or the error code
 */
public record AuditEvent(long connection, String client, String remote, String verb, String result, long micros) {}
