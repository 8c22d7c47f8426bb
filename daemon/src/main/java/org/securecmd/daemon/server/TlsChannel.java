package org.securecmd.daemon.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

/**
 * TLS on one accepted socket through an {@link SSLEngine}: blocking reads and writes for the thread that
 * handshakes and answers, and between requests nothing but the engine. An {@code SSLSocket} keeps its record
 * buffers, its decrypted-data buffer and a thread blocked in its read for as long as the connection is open
 * (about 24 KiB per idle connection); here the bytes read from the socket and the decrypted ones live only
 * until they are consumed ({@link #hasInput} false: nothing is held), and the buffer a record is encrypted
 * into is borrowed from {@link WrapBuffers} for one write. That lets an idle connection wait in
 * {@link IdleConnections} without a thread.
 *
 * <p>Reads go through the socket's own stream, which honours {@code SO_TIMEOUT} ({@link LingeringClose});
 * they are made by one thread at a time (the connection's). Writes, from the connection's thread or one
 * delivering a refusal, are whole records under one lock, so records leave in the order they were sealed.
 */
final class TlsChannel {
  /** Read from the socket at a time when no record asks for more: a request line and its record fit. */
  private static final int FIRST_READ = 1024;
  private static final int HEADER = 5;
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

  private final Socket raw;
  private final SSLEngine engine;
  private final WrapBuffers wrapBuffers;
  private final ReentrantLock writing = new ReentrantLock();
  /** Bytes read from the socket and not yet unwrapped, ready to read (position to limit); null when none. */
  private ByteBuffer netIn;
  /** Decrypted bytes not yet read, ready to read; null when none. */
  private ByteBuffer appIn;

  /** @param consumed bytes already read from {@code raw} that belong to TLS (the PROXY step's first read) */
  TlsChannel(Socket raw, SSLEngine engine, WrapBuffers wrapBuffers, byte[] consumed) {
    this.raw = raw;
    this.engine = engine;
    this.wrapBuffers = wrapBuffers;
    this.netIn = consumed.length == 0 ? null : ByteBuffer.wrap(consumed);
  }

  /** The lock every record is written under; a whole reply may hold it across its records (reentrant). */
  ReentrantLock writing() {
    return writing;
  }

  SSLSession session() {
    return engine.getSession();
  }

  SocketChannel channel() {
    return raw.getChannel();
  }

  /**
   * Runs the handshake to its end, the server's post-handshake messages (a TLS 1.3 session ticket) included.
   * On a failure the engine's alert is sent first, as an {@code SSLSocket} would send it.
   */
  void handshake() throws IOException {
    engine.beginHandshake();
    try {
      HandshakeStatus hs = engine.getHandshakeStatus();
      while (hs != HandshakeStatus.NOT_HANDSHAKING) {
        hs = switch (hs) {
          case NEED_TASK -> runTasks();
          case NEED_WRAP -> wrap(NOTHING);
          case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrapHandshake();
          case FINISHED, NOT_HANDSHAKING -> engine.getHandshakeStatus();
        };
      }
    } catch (SSLException e) {
      sendAlert();
      throw e;
    }
    if (netIn != null && !netIn.hasRemaining()) netIn = null;
  }

  private HandshakeStatus unwrapHandshake() throws IOException {
    while (true) {
      ByteBuffer in = netIn == null ? NOTHING : netIn;
      // handshake records decrypt to nothing the application reads; a record after the client's Finished is
      // application data, and stays in netIn because the loop stops once the handshake is done
      ByteBuffer scratch = ByteBuffer.allocate(in.remaining());
      SSLEngineResult r = engine.unwrap(in, scratch);
      switch (r.getStatus()) {
        case BUFFER_UNDERFLOW -> {
          if (!fill()) throw new SSLHandshakeException("Remote host terminated the handshake");
        }
        case CLOSED -> throw new SSLHandshakeException("Remote host terminated the handshake");
        default -> {
          if (scratch.position() > 0) keepDecrypted(scratch);
          return r.getHandshakeStatus();
        }
      }
    }
  }

  private HandshakeStatus runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) task.run();
    return engine.getHandshakeStatus();
  }

  /** The alert of a failed handshake (the engine has it queued), best effort. */
  private void sendAlert() {
    try {
      wrap(NOTHING);
    } catch (IOException | RuntimeException ignored) {
      // the peer is gone or the engine closed: the caller reports the original failure
    }
  }

  /** Whether a read would find bytes without waiting for the socket: decrypted ones, or a record's. */
  boolean hasInput() {
    return (appIn != null && appIn.hasRemaining()) || (netIn != null && netIn.hasRemaining());
  }

  /**
   * Waits for bytes from the socket, for at most the socket's {@code SO_TIMEOUT} ({@code
   * SocketTimeoutException}); the end of the stream counts (the next read returns -1).
   */
  void prefetch() throws IOException {
    fill();
  }

  /** Decrypted bytes ready to read now, without unwrapping anything more. */
  int available() {
    return appIn == null ? 0 : appIn.remaining();
  }

  /**
   * Reads decrypted bytes, waiting for a record when none are ready; -1 at the peer's close_notify or the end
   * of the stream. A peer's KeyUpdate (or, in TLS 1.2, a renegotiation the engine refuses) is answered here.
   */
  int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) return 0;
    while (appIn == null || !appIn.hasRemaining()) {
      appIn = null;
      if (!unwrapRecord()) return -1;
    }
    int n = Math.min(len, appIn.remaining());
    appIn.get(b, off, n);
    if (!appIn.hasRemaining()) appIn = null;
    return n;
  }

  /** One decrypted byte, as {@link #read(byte[], int, int)}: the line reader takes a line byte by byte. */
  int read() throws IOException {
    while (appIn == null || !appIn.hasRemaining()) {
      appIn = null;
      if (!unwrapRecord()) return -1;
    }
    int b = appIn.get() & 0xff;
    if (!appIn.hasRemaining()) appIn = null;
    return b;
  }

  private boolean unwrapRecord() throws IOException {
    while (true) {
      if (netIn == null || netIn.remaining() < HEADER) {
        if (!fill()) return false;
        continue;
      }
      ByteBuffer out = ByteBuffer.allocate(recordLength(netIn));
      SSLEngineResult r = engine.unwrap(netIn, out);
      if (!netIn.hasRemaining()) netIn = null;
      switch (r.getStatus()) {
        case BUFFER_UNDERFLOW -> {
          if (!fill()) return false;
          continue;
        }
        case BUFFER_OVERFLOW -> {
          // an estimate too small for what the record decrypts to (never seen): decrypt into a full-sized one
          out = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
          r = engine.unwrap(netIn, out);
          if (!netIn.hasRemaining()) netIn = null;
        }
        case CLOSED -> {
          return false;
        }
        case OK -> { }
      }
      answerHandshake(r.getHandshakeStatus());
      if (out.position() > 0) {
        keepDecrypted(out);
        return true;
      }
    }
  }

  /** A post-handshake message (KeyUpdate) asks for an answer, or a task, before more is read. */
  private void answerHandshake(HandshakeStatus hs) throws IOException {
    while (true) {
      switch (hs) {
        case NEED_TASK -> hs = runTasks();
        case NEED_WRAP -> hs = wrap(NOTHING);
        default -> {
          return;
        }
      }
    }
  }

  private void keepDecrypted(ByteBuffer out) {
    out.flip();
    appIn = out;
  }

  /** The whole length of the record starting at {@code in}'s position, header included. */
  private static int recordLength(ByteBuffer in) {
    int p = in.position();
    return HEADER + (((in.get(p + 3) & 0xff) << 8) | (in.get(p + 4) & 0xff));
  }

  /**
   * Reads what the socket has into {@link #netIn} (after what is there), room made for the whole record
   * whose header is there; false at the end of the stream.
   */
  private boolean fill() throws IOException {
    int have = netIn == null ? 0 : netIn.remaining();
    int want = have >= HEADER ? recordLength(netIn) : HEADER;
    int size = Math.max(Math.max(want, have + 1), FIRST_READ);
    if (netIn == null || netIn.capacity() < size) {
      ByteBuffer bigger = ByteBuffer.allocate(size);
      if (netIn != null) bigger.put(netIn);
      netIn = bigger;
    } else {
      netIn.compact();
    }
    int n;
    try {
      n = raw.getInputStream().read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
      if (n > 0) netIn.position(netIn.position() + n);
    } finally {
      netIn.flip();
    }
    if (n < 0 && !netIn.hasRemaining()) netIn = null;
    return n >= 0;
  }

  /**
   * Seals {@code src} into records (all of it) and writes them, under the write lock; returns the engine's
   * handshake status after the last record.
   */
  HandshakeStatus wrap(ByteBuffer src) throws IOException {
    writing.lock();
    ByteBuffer out = wrapBuffers.take(engine.getSession().getPacketBufferSize());
    try {
      HandshakeStatus hs;
      do {
        out.clear();
        SSLEngineResult r = engine.wrap(src, out);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          wrapBuffers.give(out);
          out = wrapBuffers.take(engine.getSession().getPacketBufferSize());
          continue;
        }
        out.flip();
        writeFully(out);
        hs = r.getHandshakeStatus();
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) return hs;
        if (r.bytesProduced() == 0 && r.bytesConsumed() == 0) return hs; // nothing (more) to send
        if (hs == HandshakeStatus.NEED_TASK) hs = runTasks();
        if (!src.hasRemaining() && hs != HandshakeStatus.NEED_WRAP) return hs;
      } while (true);
    } finally {
      wrapBuffers.give(out);
      writing.unlock();
    }
  }

  private void writeFully(ByteBuffer out) throws IOException {
    SocketChannel ch = raw.getChannel();
    while (out.hasRemaining()) {
      if (ch.write(out) == 0 && !ch.isBlocking()) throw new EOFException("the socket's buffer is full");
    }
  }

  /** The decrypted stream, for the line reader. */
  InputStream input() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        return TlsChannel.this.read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return TlsChannel.this.read(b, off, len);
      }

      @Override
      public int available() {
        return TlsChannel.this.available();
      }
    };
  }

  /** The application's stream: each write is sealed and sent at once (one reply, one write). */
  OutputStream output() {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        wrap(ByteBuffer.wrap(b, off, len));
      }
    };
  }

  /**
   * Drops the buffers of a connection that waits for its next request (nothing is in them: {@link #hasInput}
   * is false), so it holds only its engine while it waits.
   */
  void release() {
    if (netIn != null && !netIn.hasRemaining()) netIn = null;
    if (appIn != null && !appIn.hasRemaining()) appIn = null;
  }

  /**
   * Sends close_notify when {@code notify} and no write is under way (never waits for one: a peer that reads
   * nothing must not hold a close), then closes the socket. Safe from any thread.
   */
  void close(boolean notify) {
    if (notify && writing.tryLock()) {
      ByteBuffer out = wrapBuffers.take(engine.getSession().getPacketBufferSize());
      try {
        engine.closeOutbound();
        out.clear();
        engine.wrap(NOTHING, out);
        out.flip();
        SocketChannel ch = raw.getChannel();
        if (ch.isOpen()) ch.write(out); // one write of a few bytes into the socket's buffer
      } catch (IOException | RuntimeException ignored) {
        // best effort: the socket closes below either way
      } finally {
        wrapBuffers.give(out);
        writing.unlock();
      }
    }
    Handshake.closeQuietly(raw);
  }
}
