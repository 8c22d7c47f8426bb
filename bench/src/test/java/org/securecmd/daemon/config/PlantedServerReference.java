package org.securecmd.daemon.config;

import org.securecmd.daemon.server.*;

/**
 * Not daemon code: a class that breaks STYLE.md's map the way a source scan missed (a wildcard import of
 * server plus a parameter of a server type, a config → server edge and so a cycle), for
 * {@link org.securecmd.bench.PlantedViolationTest}. It is test code of bench, so the real rules never see it.
 */
final class PlantedServerReference {
  private PlantedServerReference() {}

  static String describe(Generation generation) {
    return String.valueOf(generation);
  }
}
