package org.securecmd.daemon.config;

import java.nio.file.Path;
import java.util.List;

/** {@code [admin]}: the local admin socket and the group whose members may use it besides root. */
public record AdminSettings(Path socket, String group) {
  /** {@code [admin] socket} when unset; also where securecmdctl looks when it finds no config. */
  public static final Path DEFAULT_SOCKET = Path.of("/run/securecmd/admin.sock");

  static AdminSettings read(TableReader r) throws ConfigException {
    r.onlyKeys(List.of("socket", "group"));
    Path socket = r.requiredPath("socket", DEFAULT_SOCKET.toString(), "an admin socket path is required");
    String group = r.string("group", "securecmd-admin");
    if (!group.matches("[a-z_][a-z0-9_-]{0,31}\\$?")) {
      throw r.error("group", TableReader.quoted(group), "is not a valid group name");
    }
    return new AdminSettings(socket, group);
  }
}
