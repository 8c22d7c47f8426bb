package org.securecmd.daemon.server;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Notes when the first bytes of a request line arrive, so {@code request_timeout} counts from there and not
 * from the start of the (possibly long) idle wait. Sits under the connection's buffer: it sees each read from
 * TLS, not each byte. The connection clears the mark once a whole line is read.
 */
final class LineStartInput extends FilterInputStream {
  /** What to call when bytes arrive and no line is in progress. */
  interface Mark {
    void bytesArrived();
  }

  private final Mark mark;

  LineStartInput(InputStream in, Mark mark) {
    super(in);
    this.mark = mark;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) mark.bytesArrived();
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) mark.bytesArrived();
    return n;
  }
}
