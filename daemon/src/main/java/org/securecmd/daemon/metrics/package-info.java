/**
 * The Prometheus endpoint: plain HTTP {@code GET /metrics} on {@code [metrics] listen} (or the socket systemd
 * passed under the name "metrics", see {@link org.securecmd.daemon.metrics.MetricsSockets}), serving the same
 * text as {@code securecmdctl metrics}, bounded in connections, request size and time. It knows nothing about
 * what the text says; the root hands it a supplier.
 */
package org.securecmd.daemon.metrics;
