package org.securecmd.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority run by the real {@code openssl ca} (its own index, serial and CRL number), as an
 * operator runs one: issue, revoke, publish a CRL. Keys are P-256, written as PKCS#8 with mode 0600.
 *
 * <pre>{@code
 * OpensslCa root = OpensslCa.root(dir, "Fleet Root CA");
 * OpensslCa fleet = root.intermediate("Fleet Intermediate CA");
 * Path device = fleet.issueDevice("device-1");      // device-1.crt (leaf + intermediate), device-1.key
 * fleet.revoke("device-1");
 * Path crl = fleet.crl("fleet-1.crl");               // PEM "X509 CRL"
 * }</pre>
 */
final class OpensslCa {
  private static final String CONFIG = """
      [ca]
      default_ca = this_ca
      [this_ca]
      dir = %s
      database = $dir/index.txt
      new_certs_dir = $dir/newcerts
      serial = $dir/serial
      crlnumber = $dir/crlnumber
      certificate = $dir/ca.crt
      private_key = $dir/ca.key
      default_md = sha256
      default_days = 30
      default_crl_days = 7
      policy = any_name
      unique_subject = no
      [any_name]
      commonName = supplied
      [req]
      distinguished_name = dn
      [dn]
      [ca_ext]
      basicConstraints = critical,CA:TRUE
      keyUsage = critical,keyCertSign,cRLSign
      [device_ext]
      basicConstraints = CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = clientAuth
      [server_ext]
      basicConstraints = CA:FALSE
      keyUsage = critical,digitalSignature
      extendedKeyUsage = serverAuth
      subjectAltName = IP:127.0.0.1
      """;

  private final Path dir;
  private final Path out;
  private final OpensslCa parent;

  private OpensslCa(Path dir, Path out, OpensslCa parent) {
    this.dir = dir;
    this.out = out;
    this.parent = parent;
  }

  /** A self-signed root in {@code out}/{@code name-with-dashes}/, issuing into {@code out}. */
  static OpensslCa root(Path out, String name) throws IOException, InterruptedException {
    OpensslCa ca = prepare(out, name, null);
    ca.sh("openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt"
        + " -days 3650 -subj '/CN=" + name + "' -config openssl.cnf -extensions ca_ext");
    return ca;
  }

  /** An intermediate CA signed by this one with {@code openssl ca} (so this CA can revoke it). */
  OpensslCa intermediate(String name) throws IOException, InterruptedException {
    OpensslCa ca = prepare(out, name, this);
    ca.sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.csr"
        + " -subj '/CN=" + name + "' -config openssl.cnf");
    sh("openssl ca -batch -notext -config openssl.cnf -extensions ca_ext -in " + ca.dir.resolve("ca.csr")
        + " -out " + ca.dir.resolve("ca.crt"));
    return ca;
  }

  /** Issues {@code cn}: {@code out/cn.crt} holds the leaf then the CA chain up to (not including) the root. */
  Path issueDevice(String cn) throws IOException, InterruptedException {
    return issue(cn, cn, "device_ext");
  }

  /** Issues a server certificate for 127.0.0.1 as {@code out/file.crt} and {@code out/file.key}. */
  Path issueServer(String file) throws IOException, InterruptedException {
    return issue(file, "127.0.0.1", "server_ext");
  }

  private Path issue(String file, String cn, String ext) throws IOException, InterruptedException {
    Path key = out.resolve(file + ".key");
    Path csr = dir.resolve(file + ".csr");
    sh("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key + " -out " + csr
        + " -subj '/CN=" + cn + "' -config openssl.cnf && chmod 0600 " + key);
    Path leaf = dir.resolve(file + ".leaf.crt");
    sh("openssl ca -batch -notext -config openssl.cnf -extensions " + ext + " -in " + csr + " -out " + leaf);
    StringBuilder chain = new StringBuilder(Files.readString(leaf));
    for (OpensslCa ca = this; ca.parent != null; ca = ca.parent) chain.append(Files.readString(ca.certificate()));
    Path crt = out.resolve(file + ".crt");
    Files.writeString(crt, chain);
    return crt;
  }

  /** Revokes what this CA issued as {@code file} (a device, or an intermediate by its directory name). */
  void revoke(String file) throws IOException, InterruptedException {
    Path leaf = dir.resolve(file + ".leaf.crt");
    if (!Files.exists(leaf)) leaf = out.resolve(dirName(file)).resolve("ca.crt");
    sh("openssl ca -batch -config openssl.cnf -revoke " + leaf + " -crl_reason keyCompromise");
  }

  /** Publishes a CRL now (PEM) as {@code out/file}. */
  Path crl(String file) throws IOException, InterruptedException {
    Path crl = out.resolve(file);
    sh("openssl ca -batch -config openssl.cnf -gencrl -out " + crl);
    return crl;
  }

  Path certificate() {
    return dir.resolve("ca.crt");
  }

  private static OpensslCa prepare(Path out, String name, OpensslCa parent) throws IOException {
    Path dir = Files.createDirectories(out.resolve(dirName(name)));
    Files.createDirectories(dir.resolve("newcerts"));
    Files.writeString(dir.resolve("index.txt"), "");
    Files.writeString(dir.resolve("serial"), "1000\n");
    Files.writeString(dir.resolve("crlnumber"), "01\n");
    Files.writeString(dir.resolve("openssl.cnf"), CONFIG.formatted(dir));
    return new OpensslCa(dir, out, parent);
  }

  private static String dirName(String name) {
    return name.replace(' ', '-');
  }

  private void sh(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of("bash", "-c", "set -euo pipefail; " + command))
        .directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(command + " failed:\n" + output);
    }
  }
}
