package org.securecmd.daemon.config;

import java.nio.file.Path;

/** {@code [admin]}: the local admin socket and the group whose members may use it besides root. */
public record AdminSettings(Path socket, String group) {
  /** {@code [admin] socket} when unset; also where securecmdctl looks when it finds no config. */
  public static final Path DEFAULT_SOCKET = Path.of("/run/securecmd/admin.sock");
}
