package org.securecmd.pki.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of one subcommand; names in {@code repeatable} may be given several times. */
final class Options {
  private final Map<String, List<String>> values;

  private Options(Map<String, List<String>> values) {
    this.values = values;
  }

  static Options parse(String[] args, int from, Set<String> allowed, Set<String> repeatable) throws UsageException {
    Map<String, List<String>> v = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || !allowed.contains(a.substring(2))) {
        throw new UsageException("unknown option " + a + " for " + args[0] + " (allowed: --" + String.join(", --", new java.util.TreeSet<>(allowed)) + ")");
      }
      if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
      String name = a.substring(2);
      List<String> list = v.computeIfAbsent(name, k -> new ArrayList<>());
      if (!list.isEmpty() && !repeatable.contains(name)) throw new UsageException(a + " given twice");
      list.add(args[++i]);
    }
    return new Options(v);
  }

  /** Checks that every option in {@code names} is present, before any work starts. */
  Options require(String... names) throws UsageException {
    for (String n : names) required(n);
    return this;
  }

  String required(String name) throws UsageException {
    String s = optional(name, null);
    if (s == null) throw new UsageException("missing --" + name);
    return s;
  }

  String optional(String name, String fallback) {
    List<String> l = values.get(name);
    return l == null ? fallback : l.get(0);
  }

  List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /** The options among {@code names} that were given, each with its (first) value. */
  Map<String, String> given(Set<String> names) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String n : names) if (values.containsKey(n)) m.put(n, values.get(n).get(0));
    return m;
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  int days(String name, int fallback) throws UsageException {
    String s = optional(name, null);
    if (s == null) return fallback;
    try {
      int n = Integer.parseInt(s);
      if (n < 1) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " needs a positive number of days: " + s);
    }
  }

  /** A command line that cannot be used; the message says why. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }
}
