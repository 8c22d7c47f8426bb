package org.securecmd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutations of a valid config (lines dropped, duplicated, swapped; values replaced with hostile ones;
 * random characters) through {@link ConfigLoader#parse}: each gives a {@link Config} or a
 * {@link ConfigException} with a message, never another exception, and a TOML syntax error never echoes
 * the secret. Fixed seed and count; a failure prints the mutated text.
 */
class ConfigFuzzTest {
  private static final long SEED = 0xC0FF1EL;
  private static final int MUTATIONS = 3_000;
  private static final String SECRET = "S3CRET_VALUE_42";
  private static final String VALID = """
      [server]
      listen = "127.0.0.1:5000"
      handshake_timeout = "10s"
      idle_timeout = "5m"
      max_connections = 10000
      max_line_bytes = 1024
      max_requests_per_connection = 1000
      [tls]
      certificate = "server.crt"
      private_key = "server.key"
      protocols = ["TLSv1.3"]
      [clients]
      auth = "required"
      ca = "ca.crt"
      crl = ""
      allow = ["*"]
      [admin]
      socket = "admin.sock"
      group = "securecmd-admin"
      [state]
      directory = "state"
      [commands.GET_SECRET]
      reply = "%s"
      allow = ["device-*"]
      """.formatted(SECRET);
  private static final String[] VALUES = {
      "\"\"", "0", "-1", "2147483648", "99999999999999999999", "1.5", "true", "[]", "[\"\"]", "{}", "\"0s\"",
      "\"-5s\"", "\"10x\"", "\"1e9h\"", "\"4KiB\"", "\"4 KiB\"", "\"999999PiB\"", "\"[]:5000\"", "\":0\"",
      "\"host:99999\"", "\"*\"", "[\"**\"]", "\"\\u0000\"", "\"a\\nb\"", "\"TLSv1.1\"", "[\"TLSv1\"]",
      "\"requried\"", "'''x'''", "\"\"\"\n\"\"\"", "inf", "nan", "0x10", "1979-05-27"};

  @Test
  void mutatedConfigsGiveAConfigOrAConfigException() {
    Random random = new Random(SEED);
    Path file = Path.of("/nonexistent/config.toml");
    for (int i = 0; i < MUTATIONS; i++) {
      String text = mutate(random);
      try {
        ConfigLoader.parse(file, text);
      } catch (ConfigException e) {
        assertNotNull(e.getMessage());
        assertTrue(e.line() >= 0);
        if (e.getMessage().contains("TOML syntax error")) {
          assertFalse(e.getMessage().contains(SECRET), "a syntax error echoes the secret: " + e.getMessage());
        }
      } catch (RuntimeException | StackOverflowError e) {
        fail("mutation " + i + " (seed " + SEED + ") threw " + e + " for:\n" + text, e);
      }
    }
  }

  private static String mutate(Random random) {
    List<String> lines = new ArrayList<>(VALID.lines().toList());
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int i = random.nextInt(lines.size());
      String line = lines.get(i);
      switch (random.nextInt(6)) {
        case 0 -> lines.remove(i);
        case 1 -> lines.add(random.nextInt(lines.size()), line);
        case 2 -> {
          int eq = line.indexOf(" = ");
          if (eq > 0) lines.set(i, line.substring(0, eq + 3) + VALUES[random.nextInt(VALUES.length)]);
        }
        case 3 -> {
          StringBuilder b = new StringBuilder(line);
          int at = b.isEmpty() ? 0 : random.nextInt(b.length());
          b.insert(at, (char) random.nextInt(128));
          lines.set(i, b.toString());
        }
        case 4 -> {
          int j = random.nextInt(lines.size());
          lines.set(i, lines.get(j));
          lines.set(j, line);
        }
        default -> lines.add(i, "[" + (random.nextBoolean() ? "commands." : "") + "X" + random.nextInt(3) + "]");
      }
      if (lines.isEmpty()) lines.add("");
    }
    return String.join("\n", lines) + "\n";
  }
}
