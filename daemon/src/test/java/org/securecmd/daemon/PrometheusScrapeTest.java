package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) scrapes the daemon's [metrics] endpoint
 * with the scrape config docs/metrics.md shows (read from it) and the shipped alert rules loaded; what it stored, asked
 * through its HTTP API, matches what the test did. Both listen on 127.0.0.1 only; every wait is bounded.
 */
class PrometheusScrapeTest {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final Path RULES = Path.of("../etc/prometheus/securecmd-alerts.yml");
  private static final Path DOC = Path.of("../docs/metrics.md");
  private static final String DOCUMENTED_RULES = "/etc/prometheus/rules/securecmd-alerts.yml";
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final int CONNECTIONS = 3;

  @TempDir Path dir;
  private Process prometheus;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stopPrometheus() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(30, TimeUnit.SECONDS)) prometheus.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void prometheusScrapesTheEndpointAndCountsTheConnectionsTheTestMade() throws Exception {
    assertTrue(Files.isExecutable(PROMETHEUS),
        PROMETHEUS + " is missing: install Debian's prometheus package (scripts/packages.sh install)");
    Path daemonDir = Files.createDirectories(dir.resolve("daemon"));
    try (TestDaemon d = TestDaemon.start(daemonDir, TestDaemon.config("", "[metrics]\nlisten = \"127.0.0.1:0\"\n"))) {
      for (int i = 0; i < CONNECTIONS; i++) {
        assertEquals("THIS_IS_THE_SECRET", d.send(d.device, "GET_SECRET").text());
      }
      int target = d.daemon.metricsAddress().orElseThrow().getPort();
      int api = freePort();
      startPrometheus(target, api);

      String accepted = awaitValue(api, "securecmd_connections_accepted_total{job=\"securecmd\"}",
          v -> v.equals(Integer.toString(CONNECTIONS)));
      assertEquals(Integer.toString(CONNECTIONS), accepted);
      assertEquals("1", awaitValue(api, "up{job=\"securecmd\",instance=\"127.0.0.1:" + target + "\"}", v -> true));
      assertEquals("10000", awaitValue(api, "securecmd_max_connections", v -> true));
      assertEquals(Integer.toString(CONNECTIONS), awaitValue(api,
          "sum(securecmd_requests_total{command=\"GET_SECRET\",result=\"OK\"})", v -> true));
      long certLeft = Long.parseLong(awaitValue(api, "securecmd_server_certificate_expiry_seconds", v -> true));
      assertTrue(certLeft > 0, "the test server certificate is valid: " + certLeft);
      // The shipped rules loaded into a real server, all healthy (nothing fires for a healthy daemon).
      String rules = get(api, "/api/v1/rules");
      assertTrue(rules.contains("\"name\":\"securecmd\""), rules);
      assertTrue(rules.contains("SecurecmdHandshakeFailureBurst"), rules);
      assertTrue(!rules.contains("\"health\":\"err\""), rules);
      assertPromtoolFindsNoProblemIn(MetricsHostileInputTest.scrape(d, "/metrics"));
    }
  }

  /** promtool's linter (names, units, HELP and TYPE) on the text as served, body only. */
  private void assertPromtoolFindsNoProblemIn(String response) throws Exception {
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var in = p.getOutputStream()) {
      in.write(body.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool check metrics did not finish");
    assertEquals(0, p.exitValue(), out);
    assertEquals("", out.strip(), "promtool check metrics");
  }

  private void startPrometheus(int target, int api) throws IOException {
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, documentedOneHostConfig(target));
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("tsdb")),
        "--web.listen-address=127.0.0.1:" + api, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
  }

  /**
   * docs/metrics.md's scrape config for one host, pointed at this daemon and the shipped rules, scraping
   * every second instead of every 30 (so the test waits seconds, not minutes).
   */
  private String documentedOneHostConfig(int target) throws IOException {
    String yaml = yamlBlocks().get(0);
    assertTrue(yaml.contains("targets: [\"backend.example:5001\"]") && yaml.contains(DOCUMENTED_RULES)
        && yaml.contains("scrape_interval: 30s"), "docs/metrics.md's first scrape config changed:\n" + yaml);
    Files.copy(RULES, dir.resolve("securecmd-alerts.yml"));
    return yaml.replace("backend.example:5001", "127.0.0.1:" + target)
        .replace(DOCUMENTED_RULES, dir.resolve("securecmd-alerts.yml").toString())
        .replace("scrape_interval: 30s", "scrape_interval: 1s");
  }

  /** The yaml blocks of the "Scraping" section of docs/metrics.md, in order. */
  private static List<String> yamlBlocks() throws IOException {
    String doc = Files.readString(DOC);
    String section = doc.substring(doc.indexOf("## Scraping"), doc.indexOf("## Alert rules"));
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
    while (m.find()) blocks.add(m.group(1));
    assertEquals(2, blocks.size(), "one host and several hosts");
    return blocks;
  }

  @Test
  void theDocumentedScrapeConfigsPassPromtool() throws Exception {
    List<String> blocks = yamlBlocks();
    Files.copy(RULES, dir.resolve("securecmd-alerts.yml"));
    for (String yaml : List.of(blocks.get(0).replace(DOCUMENTED_RULES, dir.resolve("securecmd-alerts.yml").toString()),
        blocks.get(1))) {
      Path file = Files.writeString(dir.resolve("check.yml"), yaml);
      Process p = new ProcessBuilder(PROMTOOL.toString(), "check", "config", file.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool check config did not finish");
      assertEquals(0, p.exitValue(), yaml + "\n" + out);
    }
  }

  /** Polls an instant query until it has a value that {@code accept} takes; fails after {@link #WAIT}. */
  private String awaitValue(int api, String query, java.util.function.Predicate<String> accept) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = "(no answer)";
    while (System.nanoTime() < deadline) {
      if (!prometheus.isAlive()) fail("prometheus exited " + prometheus.exitValue() + ": " + log());
      Optional<String> body = tryGet(api, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
      if (body.isPresent()) {
        last = body.get();
        Matcher m = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]").matcher(last);
        if (m.find() && accept.test(m.group(1))) return m.group(1);
      }
      TimeUnit.MILLISECONDS.sleep(200);  // polling interval of a bounded wait, not synchronisation
    }
    fail("no accepted value for " + query + " within " + WAIT + "; last answer " + last + "; log: " + log());
    return null;
  }

  private Optional<String> tryGet(int api, String path) throws InterruptedException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api + path))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException notUpYet) {
      return Optional.empty();
    }
  }

  private String get(int api, String path) throws InterruptedException {
    return tryGet(api, path).orElseThrow(() -> new AssertionError("GET " + path + " failed; log: " + log()));
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
