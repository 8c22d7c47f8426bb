package org.securecmd.tpm;

import java.io.Closeable;
import java.io.IOException;

/**
 * Carries one marshalled TPM 2.0 command to a TPM and brings its response back. One command at a time:
 * callers do not share a transport between threads.
 */
public interface TpmTransport extends Closeable {
  /** Sends {@code command} (a whole TPM 2.0 command, header included) and returns the whole response. */
  byte[] transmit(byte[] command) throws IOException;

  /** Where this transport leads, for messages: {@code device:/dev/tpmrm0}, {@code swtpm:host=…,port=…}. */
  String describe();
}
