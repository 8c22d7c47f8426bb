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

/** The two ways securecmd-pki and the daemon's issuance log write a file: a new secret (mode 0600 from birth), or a public file replaced atomically. */
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
  }

  /** Writes {@code bytes} to a temporary file next to {@code file}, syncs it, and renames it over {@code file}. */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        write(ch, bytes);
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
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
