package org.securecmd.ca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest {
  @TempDir Path dir;
  private static final Instant T = Instant.parse("2027-01-01T00:00:00Z");

  @Test
  void anAppendAfterACrashCutsTheTornLineAndTheIndexStaysReadable() throws Exception {
    Path file = dir.resolve("index.txt");
    Index index = new Index(file);
    index.issued(BigInteger.valueOf(0xa1), T, "device", "dev-1", "CN=dev-1");
    Files.writeString(file, "issued\tb2\t2027-01-", StandardOpenOption.APPEND); // crash mid-write
    assertEquals(1, index.entries().size(), "a torn last line is ignored");
    index.issued(BigInteger.valueOf(0xa3), T, "device", "dev-3", "CN=dev-3");
    List<Index.Entry> entries = index.entries();
    assertEquals(List.of(BigInteger.valueOf(0xa1), BigInteger.valueOf(0xa3)), entries.stream().map(Index.Entry::serial).toList());
  }

  @Test
  void aSerialAppendedTwiceKeepsItsFirstLineAndItsRevocation() throws Exception {
    Index index = new Index(dir.resolve("index.txt"));
    index.issued(BigInteger.valueOf(0xa1), T, "device", "dev-1", "CN=dev-1");
    index.revoked(BigInteger.valueOf(0xa1), T, "keyCompromise");
    index.issued(BigInteger.valueOf(0xa1), T, "device", "dev-1", "CN=dev-1"); // securecmdctl issued-index again
    assertEquals(1, index.entries().size());
    assertTrue(index.entries().get(0).revoked());
  }
}
