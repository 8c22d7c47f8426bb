package org.securecmd.daemon.ctl;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One subcommand of securecmdctl: the options it takes, how many arguments, its help, and the admin request
 * line its parsed command line becomes. The global options are not among its options.
 *
 * @param synopsis  what follows the name in the usage line, e.g. {@code [--serial] [--] IDENTITY|HEX}
 * @param flags     options without a value, e.g. {@code --serial}
 * @param valued    options that take the next word as their value
 * @param arguments how many arguments it needs (exactly)
 * @param request   the request line for a parsed command line
 */
record Subcommand(String name, String synopsis, String description, Set<String> flags, Set<String> valued,
                  int arguments, Function<Parsed, String> request) {
  Subcommand {
    flags = Set.copyOf(flags);
    valued = Set.copyOf(valued);
  }

  /** A subcommand without options or arguments whose request is its name. */
  static Subcommand plain(String name, String description) {
    return new Subcommand(name, "", description, Set.of(), Set.of(), 0, p -> name);
  }

  /** What the command line said, options apart from arguments. */
  record Parsed(Set<String> flags, Map<String, String> values, List<String> arguments) {
    Parsed {
      flags = Set.copyOf(flags);
      values = Map.copyOf(values);
      arguments = List.copyOf(arguments);
    }

    String argument() {
      return arguments.getFirst();
    }
  }

  String usage() {
    return "securecmdctl [GLOBAL OPTIONS] " + name + (synopsis.isEmpty() ? "" : " " + synopsis);
  }

  String help() {
    return "usage: " + usage() + "\n" + description.indent(2).stripTrailing()
        + "\n  --help    this text (a name that starts with \"-\" goes after \"--\")";
  }
}
