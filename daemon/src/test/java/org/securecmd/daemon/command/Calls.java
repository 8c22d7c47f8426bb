package org.securecmd.daemon.command;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.securecmd.daemon.auth.Identity;

/** Calls as a connection makes them, for handler tests: no certificate chain, facts of a fresh connection. */
final class Calls {
  private Calls() {}

  static Call by(Identity identity) {
    return by(identity, "");
  }

  static Call by(Identity identity, String arguments) {
    return new Call(identity, List.of(), arguments, new AtomicReference<>(ConnectionFacts.NONE));
  }
}
