package org.securecmd.daemon.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code "500ms"}, {@code "10s"}, {@code "5m"}, {@code "2h"}, {@code "1d"}. */
final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  static final String ALLOWED = "a whole number with a unit: ms, s, m, h or d (e.g. \"10s\", \"5m\")";

  private Durations() {}

  /** @throws IllegalArgumentException saying what is allowed */
  public static Duration parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) throw new IllegalArgumentException("expected " + ALLOWED);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The shortest exact form, for messages and {@code status}: {@code 90s} stays {@code 90s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
    if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
    if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }
}
