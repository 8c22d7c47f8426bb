package org.securecmd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.securecmd.client.Connection;
import org.securecmd.client.SecureCmdClient;
import org.securecmd.tls.CertifiedKey;
import org.securecmd.tls.HandshakeSetup;
import org.securecmd.tls.Pem;

/**
 * Keys and certificates made by the openssl CLI with the tutorial's exact commands (RSA-4096 CA, P-256
 * server key, SAN IP), plus the other forms openssl writes (SEC1, PKCS#1, a chain with an intermediate),
 * accepted by the daemon and the client; and the tutorial's own Python client gets the secret.
 */
class OpensslTutorialTest {
  @TempDir static Path pki;

  @BeforeAll
  static void tutorialPki() throws Exception {
    sh("openssl genrsa -out ca.key 4096");
    sh("openssl req -x509 -new -nodes -key ca.key -sha256 -days 3650 -out ca.crt -subj \"/CN=My Test CA\""
        + " -addext \"basicConstraints=critical,CA:TRUE\" -addext \"keyUsage=critical,keyCertSign,cRLSign\"");
    sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key");
    sh("openssl req -new -key server.key -out server.csr -subj \"/CN=127.0.0.1\"");
    sh("openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 365 -sha256"
        + " -extfile /dev/stdin <<'EOF'\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
        + "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\nEOF");
    // A device certificate the same way.
    sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out client.key");
    sh("openssl req -new -key client.key -out client.csr -subj \"/CN=trusted-client\"");
    sh("openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 365 -sha256"
        + " -extfile /dev/stdin <<'EOF'\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\nEOF");
    // Other key forms openssl writes: SEC1 "EC PRIVATE KEY" and PKCS#1 "RSA PRIVATE KEY".
    sh("openssl ec -in server.key -out server-sec1.key 2>/dev/null");
    sh("openssl genrsa -traditional -out server-rsa.key 2048");
    sh("openssl req -new -key server-rsa.key -out server-rsa.csr -subj \"/CN=127.0.0.1\"");
    sh("openssl x509 -req -in server-rsa.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server-rsa.crt -days 365"
        + " -extfile /dev/stdin <<'EOF'\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\nEOF");
    // An intermediate CA: the server's chain file holds leaf then intermediate.
    sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out int.key");
    sh("openssl req -new -key int.key -out int.csr -subj \"/CN=My Intermediate CA\"");
    sh("openssl x509 -req -in int.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out int.crt -days 365"
        + " -extfile /dev/stdin <<'EOF'\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nEOF");
    sh("openssl x509 -req -in server.csr -CA int.crt -CAkey int.key -CAcreateserial -out server-leaf.crt -days 365"
        + " -extfile /dev/stdin <<'EOF'\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\nEOF");
    sh("cat server-leaf.crt int.crt > server-chain.crt");
    sh("chmod 0600 *.key");
    assertTrue(Files.readString(pki.resolve("server-sec1.key")).contains("BEGIN EC PRIVATE KEY"));
    assertTrue(Files.readString(pki.resolve("server-rsa.key")).contains("BEGIN RSA PRIVATE KEY"));
  }

  @Test
  void tutorialCertificatesServeTheSecretOverMutualTls() throws Exception {
    assertEquals("THIS_IS_THE_SECRET", secretWith("server.crt", "server.key"));
  }

  @Test
  void sec1EcKeyIsAccepted() throws Exception {
    assertEquals("THIS_IS_THE_SECRET", secretWith("server.crt", "server-sec1.key"));
  }

  @Test
  void pkcs1RsaKeyIsAccepted() throws Exception {
    assertEquals("THIS_IS_THE_SECRET", secretWith("server-rsa.crt", "server-rsa.key"));
  }

  @Test
  void chainFileWithIntermediateIsServedWhole() throws Exception {
    assertEquals("THIS_IS_THE_SECRET", secretWith("server-chain.crt", "server.key"));
  }

  @Test
  void tutorialPythonClientGetsTheSecret(@TempDir Path dir) throws Exception {
    // The tutorial's first TLS step: server authentication only, so the client is anonymous and admitted by
    // allow_anonymous (a pattern, even "*", never admits a client without a certificate).
    Path config = writeConfig(dir, "server.crt", "server.key", "auth = \"none\"\nallow_anonymous = true",
        "[]\nallow_anonymous = true");
    Daemon.Started d = start(config);
    try {
      // The tutorial's client, verbatim but for the port and the CA path.
      String client = """
          import socket, ssl, sys
          SERVER_PORT = %d
          SERVER_CA = "%s"
          server_host = sys.argv[1]
          context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
          context.load_verify_locations(cafile=SERVER_CA)
          with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
              with context.wrap_socket(sock, server_hostname=server_host) as tls_sock:
                  tls_sock.connect((server_host, SERVER_PORT))
                  command = "GET_SECRET\\n"
                  print(f"Sending: {command.strip()}")
                  tls_sock.sendall(command.encode("utf-8"))
                  response = tls_sock.recv(1024)
                  print(f"Received: {response.decode().strip()}")
          """.formatted(d.port(), pki.resolve("ca.crt"));
      Files.writeString(dir.resolve("client.py"), client);
      Process p = new ProcessBuilder("python3", dir.resolve("client.py").toString(), "127.0.0.1")
          .redirectErrorStream(true).start();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python client finished");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("Received: THIS_IS_THE_SECRET"), out);
    } finally {
      d.stop();
    }
  }

  private static String secretWith(String cert, String key) throws Exception {
    Path dir = Files.createTempDirectory(pki, "case");
    Path config = writeConfig(dir, cert, key, "auth = \"required\"\nallow = [\"trusted-client\"]", "[\"trusted-client\"]");
    Daemon.Started d = start(config);
    try {
      SecureCmdClient client = new SecureCmdClient(new HandshakeSetup.Builder()
          .addTrustedCertificates(Pem.readCertificates(pki.resolve("ca.crt")))
          .certifiedKey(CertifiedKey.load(pki.resolve("client.crt"), pki.resolve("client.key"))).build());
      try (Connection c = client.connect("127.0.0.1", d.port())) {
        return c.send("GET_SECRET").text();
      }
    } finally {
      d.stop();
    }
  }

  private static Path writeConfig(Path dir, String cert, String key, String clients, String allow) throws IOException {
    Path config = dir.resolve("config.toml");
    Files.writeString(config, """
        [server]
        listen = "127.0.0.1:0"
        [tls]
        certificate = "%s"
        private_key = "%s"
        [clients]
        ca = "%s"
        %s
        [admin]
        socket = "%s"
        [state]
        directory = "%s"
        [commands.GET_SECRET]
        reply = "THIS_IS_THE_SECRET"
        allow = %s
        """.formatted(pki.resolve(cert), pki.resolve(key), pki.resolve("ca.crt"), clients, dir.resolve("admin.sock"),
        dir.resolve("state"), allow));
    return config;
  }

  private static Daemon.Started start(Path config) throws Exception {
    return TestDaemon.startOnLoopback(config);
  }

  static void sh(String command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", "set -euo pipefail; " + command));
    Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(command + " failed:\n" + out);
  }

}
