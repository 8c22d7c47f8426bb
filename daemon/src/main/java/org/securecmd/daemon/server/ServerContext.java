package org.securecmd.daemon.server;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import org.securecmd.daemon.audit.AuditLog;

/**
 * What every connection shares, whatever its generation: permits, registry, audit, the deadline timer, and
 * the listener told about accepted and closed connections.
 */
record ServerContext(Semaphore permits, ConnectionRegistry registry, AuditLog audit, ScheduledExecutorService timer,
                     ConnectionListener listener) {}
