package org.securecmd.daemon.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounds of the metrics listener. The JDK's HTTP server reads its limits from system properties, once,
 * when its first server is created in the process; so they are set here, before that, and only where the
 * operator has not set one on the command line ({@code -Djdk.httpserver.maxConnections=...} wins). Nothing
 * else in the daemon uses {@code jdk.httpserver}, so these are the metrics listener's alone.
 *
 * <ul>
 *   <li>{@value #MAX_CONNECTIONS} connections at once: one or two Prometheus servers keep one each; a
 *       connection beyond the limit is closed as soon as it is accepted.
 *   <li>{@value #MAX_HEADER_BYTES} bytes of request line plus headers, {@value #MAX_HEADERS} header lines:
 *       a scrape sends a few hundred bytes; beyond, the connection is closed unanswered.
 *   <li>{@value #MAX_REQUEST_SECONDS} s to send a request and {@value #MAX_RESPONSE_SECONDS} s to read the
 *       reply, checked every second; a connection that sends nothing is closed after the same time (checked
 *       every {@value #CLOCK_TICK_MILLIS} ms), an idle kept-alive one after {@value #IDLE_SECONDS} s.
 * </ul>
 */
final class HttpLimits {
  static final int MAX_CONNECTIONS = 16;
  static final int MAX_HEADER_BYTES = 8192;
  static final int MAX_HEADERS = 64;
  static final int MAX_REQUEST_SECONDS = 10;
  static final int MAX_RESPONSE_SECONDS = 10;
  static final int IDLE_SECONDS = 60;
  static final int CLOCK_TICK_MILLIS = 1000;

  private HttpLimits() {}

  static Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    p.put("sun.net.httpserver.maxReqHeaderSize", Integer.toString(MAX_HEADER_BYTES));
    p.put("sun.net.httpserver.maxReqHeaders", Integer.toString(MAX_HEADERS));
    p.put("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    p.put("sun.net.httpserver.maxRspTime", Integer.toString(MAX_RESPONSE_SECONDS));
    p.put("sun.net.httpserver.idleInterval", Integer.toString(IDLE_SECONDS));
    p.put("sun.net.httpserver.clockTick", Integer.toString(CLOCK_TICK_MILLIS));
    p.put("sun.net.httpserver.maxIdleConnections", Integer.toString(MAX_CONNECTIONS));
    return p;
  }

  /** Sets every limit the operator has not set; call before the first {@code HttpServer.create}. */
  static void apply() {
    properties().forEach((k, v) -> {
      if (System.getProperty(k) == null) System.setProperty(k, v);
    });
  }
}
