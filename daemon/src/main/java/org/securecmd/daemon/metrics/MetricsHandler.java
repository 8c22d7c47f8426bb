package org.securecmd.daemon.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * Answers every request on the listener: {@code GET /metrics} (no query string either way) gets the text,
 * any other path 404, any other method on {@code /metrics} 405. Nothing the client sends is echoed back.
 */
final class MetricsHandler implements HttpHandler {
  static final String PATH = "/metrics";
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Supplier<String> text;

  MetricsHandler(Supplier<String> text) {
    this.text = text;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getRawPath().equals(PATH)) {
        reply(exchange, 404, "not found: only " + PATH + " is served here\n");
      } else if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "method not allowed: only GET\n");
      } else {
        exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        send(exchange, 200, text.get());
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(exchange, status, body);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
