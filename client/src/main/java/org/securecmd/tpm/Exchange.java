package org.securecmd.tpm;

import java.io.IOException;

/**
 * Sends one command and parses its response, resending while the TPM says it did not start the command
 * (TPM_RC_RETRY, YIELDED, TESTING, as a TSS does). Transport failures and malformed responses become a
 * {@link TpmException} naming the command.
 */
final class Exchange {
  private static final int MAX_ATTEMPTS = 20;
  private final TpmTransport transport;

  Exchange(TpmTransport transport) {
    this.transport = transport;
  }

  <T> T call(Command c, Parser<T> parser) throws TpmException {
    byte[] command = c.marshal();
    Response response = null;
    for (int attempt = 1; response == null; attempt++) {
      byte[] bytes;
      try {
        bytes = transport.transmit(command);
      } catch (IOException e) {
        throw new TpmException(c.name, e.getMessage(), e);
      }
      try {
        response = Response.parse(c, bytes);
      } catch (TpmException e) {
        int rc = e.responseCode();
        boolean again = rc == ResponseCodes.RETRY || rc == ResponseCodes.YIELDED || rc == ResponseCodes.TESTING;
        if (!again || attempt == MAX_ATTEMPTS) throw e;
        if (rc == ResponseCodes.TESTING) pause();
      }
    }
    try {
      return parser.parse(response);
    } catch (IllegalArgumentException e) {
      throw new TpmException(c.name, "malformed response: " + e.getMessage(), e);
    }
  }

  void close() throws TpmException {
    try {
      transport.close();
    } catch (IOException e) {
      throw new TpmException("close " + transport.describe(), e.getMessage(), e);
    }
  }

  /** A self-test runs for milliseconds: wait a little before asking again. */
  private static void pause() throws TpmException {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TpmException("wait for TPM self-test", "interrupted", e);
    }
  }

  /** Reads what a command returns from its response. */
  interface Parser<T> {
    T parse(Response r);
  }
}
