package org.securecmd.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CA's record of what it issued and revoked: {@code index.txt}, one tab-separated line per event,
 * only ever appended (one write, then fsync), so a crash loses at most the line being written (ignored
 * when read, cut off by the next append). A serial
 * issued twice (the daemon's exported renewals appended again) keeps its first line and its revocation.
 *
 * <pre>
 * issued   SERIAL-HEX  NOT-AFTER  KIND(device|server)  NAME  SUBJECT-DN
 * revoked  SERIAL-HEX  TIME       REASON
 * </pre>
 */
public final class Index {
  private final Path file;

  /** One issued certificate and, if revoked, when and why. */
  public record Entry(BigInteger serial, Instant notAfter, String kind, String name, String subject,
                      Instant revokedAt, String reason) {
    public boolean revoked() {
      return revokedAt != null;
    }

    Entry revoke(Instant at, String why) {
      return new Entry(serial, notAfter, kind, name, subject, at, why);
    }
  }

  public Index(Path file) throws IOException {
    this.file = file;
    if (!Files.exists(file)) OutputFiles.append(file, new byte[0]);
  }

  public void issued(BigInteger serial, Instant notAfter, String kind, String name, String subject) throws IOException {
    append("issued", serial.toString(16), notAfter.toString(), kind, name, subject);
  }

  public void revoked(BigInteger serial, Instant at, String reason) throws IOException {
    append("revoked", serial.toString(16), at.toString(), reason);
  }

  private void append(String... fields) throws IOException {
    for (String f : fields) {
      if (f.contains("\t") || f.contains("\n")) throw new IOException("index field with a tab or newline: " + f);
    }
    String line = String.join("\t", fields) + "\n";
    cutTornLine();
    OutputFiles.append(file, line.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A torn last line from a crash (no newline) is cut off before the next append: left in place it would
   * become a line in the middle, which {@link #entries} rightly refuses as corrupt.
   */
  private void cutTornLine() throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
        java.nio.file.StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
      long end = ch.size();
      while (end > 0) {
        one.clear();
        ch.read(one, end - 1);
        if (one.get(0) == '\n') break;
        end--;
      }
      if (end < ch.size()) {
        ch.truncate(end);
        ch.force(true);
      }
    }
  }

  /** Every issued certificate in issue order, with its revocation if any. */
  public List<Entry> entries() throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    Map<BigInteger, Entry> bySerial = new LinkedHashMap<>();
    int n = 0;
    for (String line : lines) {
      n++;
      if (line.isBlank()) continue;
      String[] f = line.split("\t", -1);
      try {
        BigInteger serial = new BigInteger(f[1], 16);
        if (f[0].equals("issued") && f.length == 6) {
          bySerial.putIfAbsent(serial, new Entry(serial, Instant.parse(f[2]), f[3], f[4], f[5], null, null));
        } else if (f[0].equals("revoked") && f.length == 4 && bySerial.containsKey(serial)) {
          bySerial.computeIfPresent(serial, (s, e) -> e.revoked() ? e : e.revoke(Instant.parse(f[2]), f[3]));
        } else if (n < lines.size()) {
          throw new IOException(file + ":" + n + ": not an index line: " + line);
        }
        // else: a torn last line from a crash; ignored
      } catch (RuntimeException e) {
        if (n < lines.size()) throw new IOException(file + ":" + n + ": not an index line: " + line, e);
      }
    }
    return new ArrayList<>(bySerial.values());
  }
}
