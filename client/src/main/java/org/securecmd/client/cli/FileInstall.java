package org.securecmd.client.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import org.securecmd.tls.CertifiedKey;

/**
 * Installs a renewed certificate (and, after a rekey, its new key) over the PEM files in use, so that a
 * crash at any point leaves a matching key and certificate:
 * <ol>
 *   <li>{@code client.crt.new} (and {@code client.key.new}, mode 0600) are written and fsynced;
 *   <li>the current files are copied to {@code client.crt.old} / {@code client.key.old};
 *   <li>the new key is renamed over the key, then the new certificate over the certificate.
 * </ol>
 * Between the two renames of a rekey the key is new and the certificate old: {@link #recover} (run before
 * every use of the files) finishes that by renaming {@code client.crt.new}, which matches the new key.
 * {@link Step} lets tests stop the install between steps as a crash would.
 */
final class FileInstall {
  /** Called before each step; a test throws to simulate a crash there. */
  @FunctionalInterface
  interface Step {
    Step NONE = name -> {};

    void reached(String name) throws IOException;
  }

  private final Path cert;
  private final Path key;
  private final Step step;

  FileInstall(Path cert, Path key, Step step) {
    this.cert = cert;
    this.key = key;
    this.step = step;
  }

  static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  /** Installs {@code chain} for the current key, or with {@code newKey} (null: the key stays). */
  void install(List<X509Certificate> chain, PrivateKey newKey) throws IOException, GeneralSecurityException {
    Path certNew = sibling(cert, ".new");
    Path keyNew = sibling(key, ".new");
    step.reached("write-new");
    if (newKey != null) writeFile(keyNew, pem("PRIVATE KEY", newKey.getEncoded()), true);
    writeFile(certNew, chainPem(chain), false);
    syncDirectory(cert);
    step.reached("backup");
    copy(cert, sibling(cert, ".old"), false);
    if (newKey != null) copy(key, sibling(key, ".old"), true);
    if (newKey != null) {
      step.reached("rename-key");
      Files.move(keyNew, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(key);
    }
    step.reached("rename-certificate");
    Files.move(certNew, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(cert);
  }

  /**
   * Finishes or discards an interrupted install: when {@code client.crt.new} matches the key in use it
   * becomes the certificate; otherwise leftover {@code .new} files are removed. Returns whether it changed anything.
   */
  boolean recover() throws IOException {
    Path certNew = sibling(cert, ".new");
    Path keyNew = sibling(key, ".new");
    if (!Files.exists(certNew) && !Files.exists(keyNew)) return false;
    if (Files.exists(certNew) && matches(certNew, key) && !matches(cert, key)) {
      Files.move(certNew, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory(cert);
    }
    Files.deleteIfExists(certNew);
    Files.deleteIfExists(keyNew);
    return true;
  }

  private static boolean matches(Path certFile, Path keyFile) {
    try {
      CertifiedKey.load(certFile, keyFile);
      return true;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static void copy(Path from, Path to, boolean secret) throws IOException {
    Path tmp = sibling(to, ".tmp");
    Files.deleteIfExists(tmp);
    writeFile(tmp, Files.readAllBytes(from), secret);
    Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void writeFile(Path file, byte[] bytes, boolean secret) throws IOException {
    Files.deleteIfExists(file);
    try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")))) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) ch.write(b);
      ch.force(true);
    }
  }

  private static void syncDirectory(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  static byte[] chainPem(List<X509Certificate> chain) throws GeneralSecurityException {
    StringBuilder b = new StringBuilder();
    for (X509Certificate c : chain) b.append(new String(pem("CERTIFICATE", c.getEncoded()), StandardCharsets.US_ASCII));
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return ("-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n").getBytes(StandardCharsets.US_ASCII);
  }
}
