package org.securecmd.tpm;

/**
 * A successful TPM 2.0 response, split into its handles and its parameter area. The authorization area
 * that follows the parameters of a session response is skipped: password and unbound policy sessions
 * carry nothing the caller checks.
 */
final class Response {
  private final int[] handles;
  private final TpmReader params;

  private Response(int[] handles, TpmReader params) {
    this.handles = handles;
    this.params = params;
  }

  /**
   * Parses {@code bytes}, the answer to {@code command}.
   *
   * @throws TpmException with the TPM's response code if it is not success, or if the bytes are malformed
   */
  static Response parse(Command command, byte[] bytes) throws TpmException {
    try {
      TpmReader r = new TpmReader(bytes, command.name + " response");
      int tag = r.u16();
      int size = r.u32();
      int rc = r.u32();
      if (size != bytes.length) {
        throw new IllegalArgumentException("header says " + size + " bytes, received " + bytes.length);
      }
      if (rc != 0) throw new TpmException(command.name, rc);
      int[] handles = new int[command.responseHandles];
      for (int i = 0; i < handles.length; i++) handles[i] = r.u32();
      TpmReader params;
      if (tag == Command.ST_SESSIONS) {
        params = r.sub(r.u32(), command.name + " response parameters");
      } else if (tag == Command.ST_NO_SESSIONS) {
        params = r.sub(r.remaining(), command.name + " response parameters");
      } else {
        throw new IllegalArgumentException("unknown tag 0x" + Integer.toHexString(tag));
      }
      return new Response(handles, params);
    } catch (IllegalArgumentException e) {
      throw new TpmException(command.name, "malformed response: " + e.getMessage(), e);
    }
  }

  int handle(int i) {
    return handles[i];
  }

  TpmReader params() {
    return params;
  }
}
