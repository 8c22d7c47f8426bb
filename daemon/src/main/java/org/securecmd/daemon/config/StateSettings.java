package org.securecmd.daemon.config;

import java.nio.file.Path;

/** {@code [state]}: where the daemon keeps what must survive restarts (the deny list). */
public record StateSettings(Path directory) {}
