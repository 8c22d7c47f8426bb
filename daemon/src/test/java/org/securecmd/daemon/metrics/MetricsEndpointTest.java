package org.securecmd.daemon.metrics;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The endpoint on its own, on loopback: what is served, what is refused and how. */
class MetricsEndpointTest {
  private static final String TEXT = "# TYPE securecmd_connections_open gauge\nsecurecmd_connections_open 3\n";
  private final AtomicInteger renders = new AtomicInteger();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private MetricsEndpoint endpoint;

  @BeforeEach
  void start() throws IOException {
    endpoint = MetricsEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> {
      renders.incrementAndGet();
      return TEXT;
    }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    endpoint.start();
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.address().getPort() + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void getMetricsServesTheTextInThePrometheusFormat() throws Exception {
    HttpResponse<String> r = send("GET", "/metrics");
    assertEquals(200, r.statusCode());
    assertEquals(TEXT, r.body());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(200, send("GET", "/metrics?x=1").statusCode(), "Prometheus may add params; the path is what counts");
    assertEquals(2, renders.get());
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "GET, /, 404", "GET, /metrics/, 404", "GET, /metricsx, 404", "GET, /metrics/../x, 404",
      "GET, /favicon.ico, 404", "GET, /METRICS, 404",
      "POST, /metrics, 405", "PUT, /metrics, 405", "DELETE, /metrics, 405", "HEAD, /metrics, 405",
      "OPTIONS, /metrics, 405", "POST, /other, 404"})
  void anythingElseIsRefusedWithoutRenderingTheText(String method, String path, int status) throws Exception {
    HttpResponse<String> r = send(method, path);
    assertEquals(status, r.statusCode());
    if (status == 405) assertEquals("GET", r.headers().firstValue("Allow").orElseThrow());
    assertFalse(r.body().contains("securecmd_"), r.body());
    assertEquals(0, renders.get());
  }

  /** A path that is not a URI is refused by the JDK's server (400), one that is by us (404); neither echoes it. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"/<script>alert(1)</script>, 400", "/%3Cscript%3Ealert(1)%3C/script%3E, 404"})
  void theRequestLineIsNeverEchoedBack(String path, int status) throws Exception {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), endpoint.address().getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
      out.flush();
      String reply = new String(s.getInputStream().readAllBytes(), US_ASCII);
      assertTrue(reply.startsWith("HTTP/1.1 " + status), reply);
      assertFalse(reply.toLowerCase(java.util.Locale.ROOT).contains("script"), reply);
    }
    assertEquals(0, renders.get());
  }

  @Test
  void closeStopsListening() throws Exception {
    int port = endpoint.address().getPort();
    endpoint.close();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(US_ASCII));
      assertEquals(-1, in.read(), "nothing answers after close");
    } catch (IOException refused) {
      // connection refused: equally closed
    }
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', textBlock = """
      # bound address | warned as
      0.0.0.0         | 0.0.0.0:5001
      ::              | [::]:5001
      192.0.2.10      | 192.0.2.10:5001
      2001:db8::7     | [2001:db8::7]:5001
      ::ffff:10.0.0.1 | 10.0.0.1:5001
      """)
  void aListenAddressBeyondLoopbackIsWarnedAboutAtStart(String address, String shown) {
    String w = MetricsEndpoint.exposureWarning(new InetSocketAddress(InetAddress.ofLiteral(address), 5001))
        .orElseThrow(() -> new AssertionError("no warning for " + address));
    assertEquals("[metrics] listen = \"" + shown + "\" is not a loopback address, and the metrics endpoint has no"
        + " authentication and no TLS: let only the Prometheus server reach it (host firewall), or listen on 127.0.0.1"
        + " behind a TLS-terminating proxy that authenticates the scraper (docs/metrics.md)", w);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource({"127.0.0.1", "127.0.0.2", "::1"})
  void aLoopbackListenAddressIsNotWarnedAbout(String address) {
    assertEquals(java.util.Optional.empty(),
        MetricsEndpoint.exposureWarning(new InetSocketAddress(InetAddress.ofLiteral(address), 5001)));
  }

  @Test
  void theLoopbackEndpointStartedHereLogsItsAddressAndNoWarning() throws IOException {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(MetricsEndpoint.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    MetricsEndpoint other = MetricsEndpoint.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> TEXT,
        java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    try {
      other.start();
    } finally {
      other.close();
      logger.detachAppender(lines);
    }
    assertEquals(1, lines.list.size(), lines.list.toString());
    assertEquals(ch.qos.logback.classic.Level.INFO, lines.list.get(0).getLevel(), lines.list.toString());
  }
}
