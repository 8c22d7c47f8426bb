package org.securecmd.daemon.auth;

import java.util.List;

/** Plain data that fails closed: an identity is allowed when a pattern matches it; an empty list allows nobody. */
public record AllowList(List<IdentityPattern> patterns) {
  public AllowList {
    patterns = List.copyOf(patterns);
  }

  public static AllowList of(List<String> patterns) {
    return new AllowList(patterns.stream().map(IdentityPattern::new).toList());
  }

  public boolean allows(Identity identity) {
    for (IdentityPattern p : patterns) {
      if (p.matches(identity)) return true;
    }
    return false;
  }
}
