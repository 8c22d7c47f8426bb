package org.securecmd.daemon.admin;

import java.util.Optional;
import org.securecmd.daemon.server.Generation;

/** What the admin {@code reload} request (and SIGHUP) asks of the daemon; implemented by the composition root. */
public interface Reloader {
  /**
   * Builds a complete new generation. If any step fails, the old generation keeps serving and the error is
   * returned.
   *
   * @return the generation now serving new connections
   * @throws Failed with the exact configuration error, e.g. {@code config.toml:14: [clients] auth = ...}
   */
  Generation reload() throws Failed;

  /** How the latest reload ended, whoever asked for it; empty before the first one. */
  Optional<LastReload> lastReload();

  /** A reload that changed nothing; the message is the configuration error as the operator should see it. */
  final class Failed extends Exception {
    public Failed(String message) {
      super(message);
    }
  }
}
