package org.securecmd.daemon.admin;

import org.securecmd.daemon.server.Generation;

/** What the admin {@code reload} request (and SIGHUP) asks of the daemon; implemented by the composition root. */
@FunctionalInterface
public interface Reloader {
  /**
   * Builds a complete new generation. If any step fails, the old generation keeps serving and the error is
   * returned.
   *
   * @return the generation now serving new connections
   * @throws Failed with the exact configuration error, e.g. {@code config.toml:14: [clients] auth = ...}
   */
  Generation reload() throws Failed;

  /** A reload that changed nothing; the message is the configuration error as the operator should see it. */
  final class Failed extends Exception {
    public Failed(String message) {
      super(message);
    }
  }
}
