/**
 * The Prometheus endpoint: plain HTTP {@code GET /metrics} on {@code [metrics] listen} (or the systemd
 * socket named "metrics"), serving the same text as {@code securecmdctl metrics}, bounded in connections,
 * request size and time. It knows nothing about what the text says; the root hands it a supplier.
 */
package org.securecmd.daemon.metrics;
