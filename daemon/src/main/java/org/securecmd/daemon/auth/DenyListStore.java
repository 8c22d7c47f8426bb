package org.securecmd.daemon.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.TreeSet;

/**
 * The deny list on disk, one entry per line ({@code identity NAME} or {@code serial HEX}, {@code #} comments).
 * Saved atomically: a temp file in the same directory is written and fsynced, renamed over the old file,
 * and the directory fsynced, so a crash leaves the old list or the new one, never a mix.
 *
 * <pre>{@code
 * DenyListStore store = new DenyListStore(Path.of("/var/lib/securecmd/revoked"));
 * DenyList list = store.load();        // empty when the file does not exist yet
 * store.save(list.withIdentity("device-17"));
 * }</pre>
 */
public final class DenyListStore {
  private static final String HEADER = "# securecmd deny list, written by securecmdd (securecmdctl revoke/unrevoke).\n"
      + "# One entry per line: \"identity NAME\" or \"serial HEX\". Edit only while the daemon is stopped.\n";

  private final Path file;

  public DenyListStore(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * The saved list, or {@link DenyList#EMPTY} when none was saved yet.
   *
   * @throws IOException when the file cannot be read, or a line is not an entry: the message names the file
   *     and line, and the file is left as it is (never discarded)
   */
  public DenyList load() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, UTF_8);
    } catch (NoSuchFileException e) {
      return DenyList.EMPTY;
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(file + ": not UTF-8 text; the deny list is corrupt (fix or remove it by hand)");
    }
    TreeSet<String> identities = new TreeSet<>();
    TreeSet<String> serials = new TreeSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) continue;
      int sp = line.indexOf(' ');
      String kind = sp < 0 ? line : line.substring(0, sp);
      String value = sp < 0 ? "" : line.substring(sp + 1);
      String where = file + ":" + (i + 1) + ": ";
      if (value.isEmpty() || !validEntry(value)) {
        throw new IOException(where + "\"" + line + "\": expected \"identity NAME\" or \"serial HEX\";"
            + " the deny list is corrupt (fix or remove it by hand)");
      }
      switch (kind) {
        case "identity" -> identities.add(value);
        case "serial" -> {
          try {
            serials.add(DenyList.normalizeSerial(value));
          } catch (IllegalArgumentException e) {
            throw new IOException(where + "\"" + line + "\": " + e.getMessage() + "; the deny list is corrupt");
          }
        }
        default -> throw new IOException(where + "\"" + line + "\": expected \"identity NAME\" or \"serial HEX\";"
            + " the deny list is corrupt (fix or remove it by hand)");
      }
    }
    return new DenyList(identities, serials);
  }

  /** Whether {@code value} can be stored as one entry: non-empty, no control characters, no edge spaces. */
  public static boolean validEntry(String value) {
    if (value.isEmpty() || !value.strip().equals(value)) return false;
    return value.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  /** Writes {@code list} atomically (see the class comment). */
  public void save(DenyList list) throws IOException {
    StringBuilder b = new StringBuilder(HEADER);
    new TreeSet<>(list.identities()).forEach(n -> b.append("identity ").append(n).append('\n'));
    new TreeSet<>(list.serials()).forEach(s -> b.append("serial ").append(s).append('\n'));
    Path dir = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer data = ByteBuffer.wrap(b.toString().getBytes(UTF_8));
        while (data.hasRemaining()) ch.write(data);
        ch.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
