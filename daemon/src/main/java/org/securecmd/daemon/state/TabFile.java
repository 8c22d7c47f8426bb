package org.securecmd.daemon.state;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.securecmd.ca.OutputFiles;

/**
 * A small record file in the state directory: a {@code #} header, then one record per line as a fixed number
 * of tab-separated fields (fields never hold tabs or line breaks: their records refuse them). Rewritten whole
 * and atomically on every change, as the deny list is ({@code ca.OutputFiles}), so a crash leaves the old
 * file or the new one.
 */
final class TabFile {
  /** One record's fields to its value; throws {@link IllegalArgumentException} when they are not one. */
  interface Reader<T> {
    T read(String[] fields);
  }

  private final Path file;
  private final String header;
  private final int fields;

  TabFile(Path file, String header, int fields) {
    this.file = file;
    this.header = header;
    this.fields = fields;
  }

  Path file() {
    return file;
  }

  /** Every record; none when the file does not exist. A line that is not a record names the file and line. */
  <T> List<T> load(Reader<T> reader) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (MalformedInputException e) {
      throw new IOException(file + ": not UTF-8 text; the file is corrupt (fix or remove it by hand)");
    }
    List<T> out = new ArrayList<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.isBlank() || line.startsWith("#")) continue;
      String[] f = line.split("\t", -1);
      try {
        if (f.length != fields) throw new IllegalArgumentException(fields + " tab-separated fields expected");
        out.add(reader.read(f));
      } catch (RuntimeException e) {
        throw new IOException(file + ":" + (n + 1) + ": not a record (" + e.getMessage()
            + "); the file is corrupt (fix or remove it by hand)");
      }
    }
    return out;
  }

  /** Writes {@code rows} (each {@code fields} fields) atomically, readable by the daemon's user only. */
  void save(List<List<String>> rows) throws IOException {
    StringBuilder b = new StringBuilder(header);
    for (List<String> row : rows) {
      if (row.size() != fields || row.stream().anyMatch(f -> f.indexOf('\t') >= 0 || f.indexOf('\n') >= 0)) {
        throw new IOException("cannot write " + file + ": a field holds a tab or line break: " + row);
      }
      b.append(String.join("\t", row)).append('\n');
    }
    OutputFiles.writeAtomically(file, b.toString().getBytes(UTF_8), "rw-------");
  }
}
