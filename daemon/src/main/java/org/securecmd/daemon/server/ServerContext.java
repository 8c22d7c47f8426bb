package org.securecmd.daemon.server;

import java.net.InetAddress;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import org.securecmd.daemon.audit.AuditLog;

/**
 * What every connection shares: the current generation (read for every request), permits, registry, audit,
 * the deadline timer, the factory of connection threads, the per-address and per-identity counts, and the
 * listener told about accepted and closed connections (renewal), and the enrollment connections (without a
 * certificate) in progress, per address and in total ({@link #ALL_ENROLLING}); where connections wait for
 * their next request without a thread, and the buffers their records are sealed into.
 */
record ServerContext(Supplier<Generation> current, Semaphore permits, ConnectionRegistry registry, AuditLog audit,
                     ScheduledExecutorService timer, ThreadFactory threads, KeyedCounter<InetAddress> handshakes,
                     KeyedCounter<String> identities, ConnectionListener listener, KeyedCounter<String> enrolling,
                     IdleConnections idle, WrapBuffers wrapBuffers) {
  /** The key of {@link #enrolling} that counts every enrollment connection (addresses are never empty). */
  static final String ALL_ENROLLING = "";
}
