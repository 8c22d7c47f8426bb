package org.securecmd.daemon.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps secrets out of {@code [state] url}. The URL is printed in messages and written into the state
 * directory's files, so it must not carry one: a URL parameter that pgjdbc reads as a secret, or
 * user-info ({@code //NAME:PASSWORD@host}), is refused when the config is loaded. (The daemon also never
 * prints the URL's query string: {@code state.DatabaseUrl#shown}.)
 */
final class StateUrl {
  /**
   * pgjdbc's connection properties ({@code org.postgresql.PGProperty}, 42.7) whose value is a secret: the
   * login password and the password of an encrypted client key. Paths ({@code sslkey}, {@code sslcert},
   * {@code sslrootcert}) and class names ({@code sslpasswordcallback}) are not secrets.
   */
  static final Set<String> SECRET_PARAMETERS = Set.of("password", "sslpassword");

  private StateUrl() {}

  /** Why {@code url} may not be used because it carries a secret; empty when it carries none. */
  static Optional<String> secretProblem(String url) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    int authority = base.indexOf("//");
    if (authority >= 0) {
      String rest = base.substring(authority + 2);
      int slash = rest.indexOf('/');
      if ((slash < 0 ? rest : rest.substring(0, slash)).contains("@")) {
        return Optional.of("must not carry user-info (NAME:PASSWORD@HOST); put the user in [state] user and the"
            + " password in a file named by password_file");
      }
    }
    if (q < 0) return Optional.empty();
    for (String parameter : url.substring(q + 1).split("&")) {
      int eq = parameter.indexOf('=');
      String name = decode(eq < 0 ? parameter : parameter.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      if (name.equals("password")) {
        return Optional.of("must not carry the password; put it in a file named by password_file");
      }
      if (SECRET_PARAMETERS.contains(name)) {
        return Optional.of("must not carry " + name + " (a secret): give sslkey an unencrypted PKCS#8 key file"
            + " readable only by the daemon's user, and put the login password, if any, in a file named by"
            + " password_file");
      }
    }
    return Optional.empty();
  }

  /** {@code url} without its query string, for messages (a refused URL may still carry a secret there). */
  static String withoutQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q) + "?...";
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // not valid percent-encoding: compared as written
    }
  }
}
