package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a plain JSSE client negotiates with the daemon: the server's cipher-suite order wins over the
 * client's, and a TLS 1.2 client cannot renegotiate.
 */
class TlsParametersTest {
  private static final String BOTH_PROTOCOLS = "[tls]\nprotocols = [\"TLSv1.3\", \"TLSv1.2\"]\n";

  @TempDir Path dir;

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void theServersCipherSuiteOrderWinsOverTheClients(String protocol) throws Exception {
    String[] clientOrder = protocol.equals("TLSv1.3")
        ? new String[] {"TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"}
        : new String[] {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"};
    String expected = protocol.equals("TLSv1.3") ? "TLS_AES_256_GCM_SHA384" : "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", "").replace("[tls]\n", BOTH_PROTOCOLS))) {
      try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
        s.setEnabledProtocols(new String[] {protocol});
        s.setEnabledCipherSuites(clientOrder);
        s.startHandshake();
        assertEquals(protocol, s.getSession().getProtocol());
        assertEquals(expected, s.getSession().getCipherSuite(), "the JDK's server order (strongest first) was used");
      }
    }
  }

  @Test
  void aTls12ClientCannotRenegotiate() throws Exception {
    try (TestDaemon d = TestDaemon.start(dir, TestDaemon.config("", "").replace("[tls]\n", BOTH_PROTOCOLS))) {
      try (SSLSocket s = MutualTlsTest.rawClient(d, d.device)) {
        s.setEnabledProtocols(new String[] {"TLSv1.2"});
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        out.write("PING\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertEquals("PONG", in.readLine());
        s.startHandshake(); // a client-initiated renegotiation: a new ClientHello on the open connection
        assertThrows(IOException.class, () -> {
          out.write("PING\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          String line = in.readLine();
          if (line == null) throw new IOException("closed");
          throw new AssertionError("served after a renegotiation: " + line);
        });
      }
      assertEquals("PONG", d.send(d.device, "PING").text(), "the daemon serves others");
    }
  }
}
