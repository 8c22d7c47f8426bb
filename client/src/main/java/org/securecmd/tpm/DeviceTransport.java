package org.securecmd.tpm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The kernel's TPM character device ({@code /dev/tpmrm0}, the in-kernel resource manager, or {@code
 * /dev/tpm0}): a command is one write, its response one read of the same open file.
 */
final class DeviceTransport implements TpmTransport {
  /** TPM 2.0 responses are at most 4096 bytes (the kernel's TPM_BUFSIZE). */
  private static final int MAX_RESPONSE = 4096;
  private final Path path;
  private final FileChannel channel;

  DeviceTransport(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  @Override
  public byte[] transmit(byte[] command) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(command);
    // The driver takes the whole command in one write() and answers with EINVAL otherwise.
    int written = channel.write(out);
    if (written != command.length) {
      throw new IOException(describe() + ": wrote " + written + " of " + command.length + " command bytes");
    }
    ByteBuffer in = ByteBuffer.allocate(MAX_RESPONSE);
    int n = channel.read(in);
    if (n < 10) throw new IOException(describe() + ": response of " + n + " bytes is shorter than a TPM header");
    return Arrays.copyOf(in.array(), n);
  }

  @Override
  public String describe() {
    return "device:" + path;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
