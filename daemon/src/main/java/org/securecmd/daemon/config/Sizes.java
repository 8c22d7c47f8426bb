package org.securecmd.daemon.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses sizes written as a number of bytes or a string such as {@code "512B"}, {@code "4KiB"}, {@code "1MiB"}. */
final class Sizes {
  private static final Pattern FORM = Pattern.compile("(\\d{1,12})\\s*(B|KiB|MiB|GiB)?");
  static final String ALLOWED = "a number of bytes, or a string with B, KiB, MiB or GiB (e.g. \"4KiB\")";

  private Sizes() {}

  /** @throws IllegalArgumentException saying what is allowed */
  public static long parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) throw new IllegalArgumentException("expected " + ALLOWED);
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    int shift = switch (unit) {
      case "KiB" -> 10;
      case "MiB" -> 20;
      case "GiB" -> 30;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) throw new IllegalArgumentException("size too large");
    return n << shift;
  }
}
