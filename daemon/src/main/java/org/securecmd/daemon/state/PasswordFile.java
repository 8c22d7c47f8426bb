package org.securecmd.daemon.state;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.securecmd.daemon.config.ConfigException;
import org.securecmd.daemon.config.Origins;

/**
 * {@code [state] password_file}: its first line is the database password (a trailing newline is not part
 * of it). Refused, like the server's private key, when every user may read or write it.
 */
final class PasswordFile {
  private PasswordFile() {}

  /** The password, or null when {@code file} is null (the database needs none, e.g. peer or cert auth). */
  static char[] read(Origins origins, Path file) throws ConfigException {
    if (file == null) return null;
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw origins.error("state", "password_file", file, "is accessible by all users (mode "
            + PosixFilePermissions.toString(perms) + "); run: chmod 0640 " + file + " (or 0600)");
      }
      String text = Files.readString(file, UTF_8);
      int end = text.indexOf('\n');
      String first = end < 0 ? text : text.substring(0, end);
      if (first.endsWith("\r")) first = first.substring(0, first.length() - 1);
      if (first.isEmpty()) throw origins.error("state", "password_file", file, "its first line is empty");
      return first.toCharArray();
    } catch (NoSuchFileException e) {
      throw origins.error("state", "password_file", file, "cannot read: no such file");
    } catch (java.nio.file.AccessDeniedException e) {
      throw origins.error("state", "password_file", file, "cannot read: permission denied");
    } catch (IOException e) {
      throw origins.error("state", "password_file", file, "cannot read: " + e.getMessage());
    }
  }
}
