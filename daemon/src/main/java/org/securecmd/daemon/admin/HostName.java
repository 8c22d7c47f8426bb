package org.securecmd.daemon.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's name, recorded with each revocation; read from the kernel, so no DNS lookup can hang it. */
public final class HostName {
  private HostName() {}

  public static String get() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (name.matches("[A-Za-z0-9.-]{1,253}")) return name;
    } catch (IOException e) {
      // not Linux: fall through
    }
    return "localhost";
  }
}
