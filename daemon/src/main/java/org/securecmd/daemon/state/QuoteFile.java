package org.securecmd.daemon.state;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@link QuoteLog} in the state directory's {@code quotes} file: one line per kept value set, {@code kind}
 * ({@code verified} or {@code mismatch}), identity, time, values. Rewritten whole on each change, which the
 * bound (one verified and {@value QuoteLog#KEPT_MISMATCHES} mismatching sets per device) keeps small.
 */
final class QuoteFile implements QuoteLog {
  static final String FILE = "quotes";
  private static final String VERIFIED = "verified";
  private static final String MISMATCH = "mismatch";

  private record Row(String kind, Values values) {}

  private final TabFile file;

  QuoteFile(Path directory) {
    this.file = new TabFile(directory.resolve(FILE), "# securecmd quote values: kind, identity, time, PCR=value,...\n",
        4);
  }

  private List<Row> rows() throws IOException {
    return file.load(f -> {
      if (!f[0].equals(VERIFIED) && !f[0].equals(MISMATCH)) throw new IllegalArgumentException("kind " + f[0]);
      return new Row(f[0], new Values(f[1], Values.parsePcrs(f[3]), Instant.parse(f[2])));
    });
  }

  private void save(List<Row> rows) throws IOException {
    file.save(rows.stream().map(r -> List.of(r.kind(), r.values().identity(), r.values().at().toString(),
        r.values().pcrsText())).toList());
  }

  @Override
  public synchronized void verified(Values v) throws IOException {
    List<Row> rows = new ArrayList<>(rows());
    rows.removeIf(r -> r.kind().equals(VERIFIED) && r.values().identity().equals(v.identity()));
    rows.add(new Row(VERIFIED, v));
    save(rows);
  }

  @Override
  public synchronized void mismatched(Values v) throws IOException {
    List<Row> rows = new ArrayList<>(rows());
    rows.add(new Row(MISMATCH, v));
    List<Row> mine = rows.stream().filter(r -> r.kind().equals(MISMATCH) && r.values().identity().equals(v.identity()))
        .sorted(Comparator.comparing((Row r) -> r.values().at()).reversed()).toList();
    if (mine.size() > KEPT_MISMATCHES) rows.removeAll(mine.subList(KEPT_MISMATCHES, mine.size()));
    save(rows);
  }

  @Override
  public synchronized Optional<Values> lastVerified(String identity) throws IOException {
    return rows().stream().filter(r -> r.kind().equals(VERIFIED) && r.values().identity().equals(identity))
        .map(Row::values).findFirst();
  }

  @Override
  public synchronized List<Values> mismatches(String identity) throws IOException {
    return rows().stream().filter(r -> r.kind().equals(MISMATCH) && r.values().identity().equals(identity))
        .map(Row::values).sorted(Comparator.comparing(Values::at).reversed()).toList();
  }
}
