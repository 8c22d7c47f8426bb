package org.securecmd.daemon.state;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link IssuanceLog} in the state directory: {@code issued}, one tab-separated line per certificate, only
 * ever appended (one write, then fsync, under a lock), so concurrent renewals never interleave and a crash
 * loses at most a torn last line, which reading skips and the next append cuts off. A certificate's first
 * use is a line of its own, appended the same way (an earlier securecmdd does not read this file).
 *
 * <pre>
 * SERIAL  IDENTITY  SUBJECT-DN  NOT-AFTER  OLD-SERIAL  ISSUED-AT  KEY-SHA256  renew|rekey
 * used    SERIAL    FIRST-USED-AT
 * </pre>
 */
public final class IssuanceFile implements IssuanceLog {
  private static final int FIELDS = 8;
  private static final String USED = "used";
  private final Path file;
  private final Object lock = new Object();
  private List<Issuance> cache;

  public IssuanceFile(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  @Override
  public Optional<Conflict> append(Issuance i, Rules rules) throws IOException {
    for (String f : new String[] {i.identity(), i.subject()}) {
      if (f.indexOf('\t') >= 0) throw new IOException("issuance field with a tab: " + f);
    }
    String line = String.join("\t", i.serial(), i.identity(), i.subject(), i.notAfter().toString(), i.oldSerial(),
        i.issuedAt().toString(), i.keySha256(), i.rekey() ? "rekey" : "renew") + "\n";
    synchronized (lock) {
      List<Issuance> before = load();
      for (Issuance earlier : before) {
        if (earlier.serial().equals(i.serial())) throw new IOException("serial " + i.serial() + " was issued before");
      }
      Optional<Conflict> conflict = rules.check(before, i);
      if (conflict.isPresent()) return conflict;
      write(line);
      List<Issuance> after = new ArrayList<>(before);
      after.add(i);
      cache = List.copyOf(after);
      return Optional.empty();
    }
  }

  @Override
  public void markUsed(String serial, Instant at) throws IOException {
    synchronized (lock) {
      List<Issuance> before = load();
      List<Issuance> after = new ArrayList<>(before.size());
      boolean marked = false;
      for (Issuance i : before) {
        if (i.serial().equals(serial) && !i.used()) {
          i = i.withFirstUse(at);
          marked = true;
        }
        after.add(i);
      }
      if (!marked) return; // unknown, or used before
      write(String.join("\t", USED, serial, at.toString()) + "\n");
      cache = List.copyOf(after);
    }
  }

  /** Appends one line durably; under the lock. */
  private void write(String line) throws IOException {
    try (FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")))) {
      // A torn last line from a crash was never handed out (append had not returned): cut it off.
      if (ch.size() > 0 && !endsWithNewline(ch)) ch.truncate(endOfLastLine(ch));
      ByteBuffer b = ByteBuffer.wrap(line.getBytes(UTF_8));
      long at = ch.size(); // appended at the end under the lock (READ excludes APPEND mode)
      while (b.hasRemaining()) at += ch.write(b, at);
      ch.force(true);
    }
  }

  @Override
  public List<Issuance> all() throws IOException {
    synchronized (lock) {
      return load();
    }
  }

  private List<Issuance> load() throws IOException {
    if (cache != null) return cache;
    List<String> lines;
    try {
      lines = Files.readAllLines(file, UTF_8);
    } catch (NoSuchFileException e) {
      return cache = List.of();
    } catch (java.nio.charset.MalformedInputException e) {
      throw new IOException(file + ": not UTF-8 text; the issuance log is corrupt (it is never rewritten: fix by hand)");
    }
    List<Issuance> out = new ArrayList<>();
    java.util.Map<String, Instant> used = new java.util.HashMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      if (line.isBlank()) continue;
      String[] f = line.split("\t", -1);
      try {
        if (f.length == 3 && f[0].equals(USED)) {
          used.putIfAbsent(f[1], Instant.parse(f[2]));
          continue;
        }
        if (f.length != FIELDS || !(f[7].equals("renew") || f[7].equals("rekey"))) throw new IllegalArgumentException();
        out.add(new Issuance(f[0], f[1], f[2], Instant.parse(f[3]), f[4], Instant.parse(f[5]), f[6], f[7].equals("rekey")));
      } catch (RuntimeException e) {
        if (n < lines.size() - 1) throw new IOException(file + ":" + (n + 1) + ": not an issuance line; the log is corrupt");
        // a torn last line from a crash: never handed out (append had not returned), so skipped
      }
    }
    if (!used.isEmpty()) out.replaceAll(i -> used.containsKey(i.serial()) ? i.withFirstUse(used.get(i.serial())) : i);
    return cache = List.copyOf(out);
  }

  /** The length of the file up to and including its last newline (0 when it has none). */
  private static long endOfLastLine(FileChannel ch) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    for (long at = ch.size() - 1; at >= 0; at--) {
      one.clear();
      ch.read(one, at);
      if (one.get(0) == '\n') return at + 1;
    }
    return 0;
  }

  private static boolean endsWithNewline(FileChannel ch) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    ch.read(last, ch.size() - 1);
    return last.get(0) == '\n';
  }
}
