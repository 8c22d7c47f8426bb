package org.securecmd.daemon.state;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.securecmd.ca.OutputFiles;
import org.securecmd.daemon.auth.DenyList;
import org.securecmd.daemon.auth.DenyListEntry;

/**
 * A deny list on disk, one entry per line: {@code identity NAME} or {@code serial HEX}, then optionally
 * tab-separated {@code by=}, {@code at=} (ISO-8601) and {@code reason=} fields ({@code #} starts a comment
 * line). Entries cannot contain control characters, so the tab is unambiguous, and a file written before
 * the fields existed still reads. Saved atomically: a temp file in the same directory is written and
 * fsynced, renamed over the old file, and the directory fsynced, so a crash leaves the old list or the new
 * one, never a mix ({@code ca.OutputFiles}, the one copy of that procedure). The file backend's list, the
 * PostgreSQL backend's last-known copy and its pending journal are all files of this kind.
 */
final class DenyListFile {
  private final Path file;
  private final String header;

  DenyListFile(Path file, String header) {
    this.file = file;
    this.header = header;
  }

  Path file() {
    return file;
  }

  boolean exists() {
    return Files.exists(file);
  }

  /**
   * The saved list, or {@link DenyList#EMPTY} when none was saved yet.
   *
   * @throws IOException when the file cannot be read, or a line is not an entry: the message names the file
   *     and line, and the file is left as it is (never discarded)
   */
  DenyList load() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, UTF_8);
    } catch (NoSuchFileException e) {
      return DenyList.EMPTY;
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(file + ": not UTF-8 text; the deny list is corrupt (fix or remove it by hand)");
    }
    List<DenyListEntry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank() || line.startsWith("#")) continue;
      try {
        entries.add(parse(line));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ":" + (i + 1) + ": \"" + line.replace('\t', ' ') + "\": " + e.getMessage()
            + "; the deny list is corrupt (fix or remove it by hand)");
      }
    }
    return DenyList.of(entries);
  }

  private static DenyListEntry parse(String line) {
    String[] fields = line.split("\t", -1);
    String head = fields[0];
    int sp = head.indexOf(' ');
    String value = sp < 0 ? "" : head.substring(sp + 1);
    if (sp < 0 || value.isEmpty() || !DenyList.validEntry(value)) {
      throw new IllegalArgumentException("expected \"identity NAME\" or \"serial HEX\"");
    }
    DenyListEntry.Kind kind;
    try {
      kind = DenyListEntry.Kind.of(head.substring(0, sp));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("expected \"identity NAME\" or \"serial HEX\"");
    }
    String by = "";
    String reason = "";
    Instant at = Instant.EPOCH;
    for (int f = 1; f < fields.length; f++) {
      String field = fields[f];
      if (field.startsWith("by=")) by = field.substring(3);
      else if (field.startsWith("reason=")) reason = field.substring(7);
      else if (field.startsWith("at=")) {
        try {
          at = Instant.parse(field.substring(3));
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("at=: not an ISO-8601 instant");
        }
      } else throw new IllegalArgumentException("unknown field \"" + field + "\" (expected by=, at= or reason=)");
    }
    return new DenyListEntry(kind, value, by, at, reason);
  }

  /** Writes {@code list} atomically (see the class comment). */
  void save(DenyList list) throws IOException {
    StringBuilder b = new StringBuilder(header);
    for (DenyListEntry e : list.sorted()) {
      b.append(e.key());
      if (!e.by().isEmpty()) b.append("\tby=").append(e.by());
      if (!e.at().equals(Instant.EPOCH)) b.append("\tat=").append(e.at());
      if (!e.reason().isEmpty()) b.append("\treason=").append(e.reason());
      b.append('\n');
    }
    OutputFiles.writeAtomically(file, b.toString().getBytes(UTF_8), "rw-------");
  }

  /** Removes the file (durably); nothing happens when it is absent. */
  void delete() throws IOException {
    if (Files.deleteIfExists(file)) OutputFiles.syncDirectory(file.toAbsolutePath().getParent());
  }

  /** Renames the file to {@code target} atomically (durably). */
  void moveTo(Path target) throws IOException {
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    OutputFiles.syncDirectory(file.toAbsolutePath().getParent());
  }
}
