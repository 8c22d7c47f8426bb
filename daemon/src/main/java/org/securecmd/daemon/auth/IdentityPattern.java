package org.securecmd.daemon.auth;

/**
 * A name pattern from an allow list: {@code *} stands for any run of characters (also none), every other
 * character stands for itself, case-sensitively. {@code device-*} matches {@code device-0042};
 * {@code spiffe://fleet/*} matches a SAN URI. A pattern of stars only ({@code *}) matches every certified
 * client, even one whose certificate has no names. No pattern matches a client without a certificate:
 * those are admitted by {@code allow_anonymous} only (see {@link AllowList}).
 */
public record IdentityPattern(String text) {
  public IdentityPattern {
    if (text == null || text.isEmpty()) throw new IllegalArgumentException("empty pattern");
  }

  /** Only stars: matches any name, and so also certificates that carry none. */
  public boolean matchesEveryone() {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) != '*') return false;
    }
    return true;
  }

  public boolean matches(Identity identity) {
    if (identity.isAnonymous()) return false;
    if (matchesEveryone()) return true;
    for (String name : identity.names()) {
      if (matches(name)) return true;
    }
    return false;
  }

  /** Glob match with backtracking on the last star only: linear in practice, no regex. */
  public boolean matches(String name) {
    int p = 0;
    int n = 0;
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (p < text.length() && text.charAt(p) == '*') {
        star = p++;
        mark = n;
      } else if (p < text.length() && text.charAt(p) == name.charAt(n)) {
        p++;
        n++;
      } else if (star >= 0) {
        p = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (p < text.length() && text.charAt(p) == '*') p++;
    return p == text.length();
  }
}
