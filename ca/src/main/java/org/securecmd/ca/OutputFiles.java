package org.securecmd.ca;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;

/**
 * How securecmd-pki, the CA index and the daemon's state write files: a new secret (mode 0600 from birth), a
 * file replaced atomically and durably, or a synced append.
 */
public final class OutputFiles {
  private OutputFiles() {}

  /**
   * Creates {@code file} with mode 0600 (never wider, whatever the umask), then writes {@code bytes} and
   * syncs. Refuses to overwrite: a key that exists is somebody's identity.
   */
  public static void writeSecret(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      write(ch, bytes);
    } catch (FileAlreadyExistsException e) {
      throw new IOException(file + " already exists; not overwriting a private key", e);
    }
    syncDirectory(file.toAbsolutePath().getParent());
  }

  /** As {@link #writeAtomically(Path, byte[], String)} with mode 0644: for certificates, CRLs and CSRs. */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    writeAtomically(file, bytes, "rw-r--r--");
  }

  /**
   * Replaces {@code file} so that a crash leaves either the old or the new content, never a mix or nothing:
   * a temporary file in the same directory (a rename is atomic only within one file system) is written
   * with {@code mode} (e.g. {@code "rw-------"}, never wider than that, whatever the umask) and synced,
   * renamed over {@code file}, and then the directory is synced, so that the rename itself survives a power
   * loss. The one copy of this procedure: securecmd-pki's outputs and the daemon's state files use it.
   */
  public static void writeAtomically(Path file, byte[] bytes, String mode) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode)));
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        write(ch, bytes);
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode)); // the umask narrowed it
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory(dir);
  }

  /** fsync(2) of a directory: makes the entries created or renamed in it durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** Appends {@code bytes} in one write and syncs before returning. */
  public static void append(Path file, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE)) {
      write(ch, bytes);
    }
  }

  private static void write(FileChannel ch, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) ch.write(b);
    ch.force(true);
  }
}
