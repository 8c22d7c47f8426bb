package org.securecmd.daemon.state;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link QuoteFile}: every "host" is the same state directory (the file backend serves one host). */
class QuoteFileTest extends QuoteLogContract {
  @TempDir Path root;
  private Path dir;
  private int n;

  @Override
  void newLog() throws Exception {
    dir = Files.createDirectories(root.resolve("state-" + n++));
  }

  @Override
  QuoteLog host(String name) {
    return new QuoteFile(dir);
  }
}
