package org.securecmd.daemon.auth;

import java.util.List;

/**
 * Plain data that fails closed: a certified client is allowed when a pattern matches one of its names; a
 * client without a certificate only when {@code anonymous} says so, never by a pattern (a certificate may
 * well carry the CN "anonymous"). An empty list allows nobody.
 */
public record AllowList(List<IdentityPattern> patterns, boolean anonymous) {
  public AllowList {
    patterns = List.copyOf(patterns);
  }

  /** Patterns for certified clients only. */
  public static AllowList of(List<String> patterns) {
    return of(patterns, false);
  }

  public static AllowList of(List<String> patterns, boolean allowAnonymous) {
    return new AllowList(patterns.stream().map(IdentityPattern::new).toList(), allowAnonymous);
  }

  public boolean allows(Identity identity) {
    if (identity.isAnonymous()) return anonymous;
    for (IdentityPattern p : patterns) {
      if (p.matches(identity)) return true;
    }
    return false;
  }

  /** Whether a pattern matches {@code name} itself (not some other name of the same client). */
  public boolean allowsName(String name) {
    if (name.isEmpty()) return false;
    for (IdentityPattern p : patterns) {
      if (p.matches(name)) return true;
    }
    return false;
  }
}
