package org.securecmd.tpm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device transport on a FIFO opened for reading and writing: like a TPM character device it takes
 * one write and answers one read on the same file, here with the very bytes written (the machine that
 * runs the tests has no TPM; swtpm's kernel device needs root and the vtpm proxy module).
 */
class DeviceTransportTest {
  @TempDir Path dir;

  @Test
  void commandIsOneWriteAndResponseOneReadOfTheSameFile() throws Exception {
    Path fifo = fifo("tpm");
    byte[] command = HexFormat.of().parseHex("80010000000c0000017b0008");
    try (TpmTransport t = TpmSpec.parse("device:" + fifo).open()) {
      assertEquals("device:" + fifo, t.describe());
      assertArrayEquals(command, t.transmit(command));
    }
  }

  @Test
  void answerShorterThanAHeaderIsRefused() throws Exception {
    Path fifo = fifo("short");
    try (TpmTransport t = TpmSpec.parse("device:" + fifo).open()) {
      IOException e = assertThrows(IOException.class, () -> t.transmit(new byte[] {1, 2, 3}));
      assertEquals("device:" + fifo + ": response of 3 bytes is shorter than a TPM header", e.getMessage());
    }
  }

  private Path fifo(String name) throws Exception {
    Path p = dir.resolve(name);
    Swtpm.run(dir, List.of("mkfifo", p.toString()), java.util.Map.of(), 10);
    return p;
  }
}
