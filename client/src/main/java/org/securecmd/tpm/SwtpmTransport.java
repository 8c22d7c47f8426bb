package org.securecmd.tpm;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * swtpm's TCP command channel (the TPM simulator protocol tpm2-tss's swtpm TCTI speaks): a command is
 * {@code u32 TPM_SEND_COMMAND (8), u8 locality, u32 length, command}; the answer is {@code u32 length,
 * response, u32 status} with status 0. swtpm serves one connection at a time, so this holds its socket
 * until {@link #close} and ends the session politely ({@code TPM_SESSION_END}, 20) there.
 */
final class SwtpmTransport implements TpmTransport {
  private static final int TPM_SEND_COMMAND = 8;
  private static final int TPM_SESSION_END = 20;
  private static final int MAX_RESPONSE = 64 * 1024;
  private final String host;
  private final int port;
  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;

  SwtpmTransport(String host, int port, int timeoutMillis) throws IOException {
    this.host = host;
    this.port = port;
    this.socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), timeoutMillis);
      // A TPM may take many seconds to make an RSA key; this bounds a swtpm that stopped answering.
      socket.setSoTimeout(Math.max(timeoutMillis, 120_000));
      this.in = new DataInputStream(socket.getInputStream());
      // one buffer per command: unbuffered, each writeInt is its own TCP segment, and Nagle + delayed ACK
      // hold the command back ~40 ms on loopback (seen in bench/attest-latency.sh)
      this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    } catch (IOException e) {
      socket.close();
      throw new IOException(describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] transmit(byte[] command) throws IOException {
    try {
      out.writeInt(TPM_SEND_COMMAND);
      out.writeByte(0); // locality 0
      out.writeInt(command.length);
      out.write(command);
      out.flush();
      int length = in.readInt();
      if (length < 10 || length > MAX_RESPONSE) throw new IOException("response length " + length + " out of range");
      byte[] response = in.readNBytes(length);
      if (response.length != length) throw new IOException("connection closed inside a response");
      int status = in.readInt();
      if (status != 0) throw new IOException("swtpm status " + status + " after the response");
      return response;
    } catch (IOException e) {
      throw new IOException(describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "swtpm:host=" + host + ",port=" + port;
  }

  @Override
  public void close() throws IOException {
    try {
      out.writeInt(TPM_SESSION_END);
      out.flush();
    } catch (IOException ignored) {
      // closing anyway; swtpm notices the closed socket too
    } finally {
      socket.close();
    }
  }
}
