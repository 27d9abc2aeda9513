package org.healthgateway.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

/** File steps of backup and restore: durable copies with their SHA-256, directory checks. */
final class CopiedFiles {
  private static final int BUFFER = 1 << 16;

  /** Key vault framing (key-broker/README.md, "Key vault format"): 8-byte header, records. */
  private static final int VAULT_HEADER = 8;

  private static final int VAULT_MIN_RECORD = 28;
  private static final int VAULT_MAX_RECORD = 65_536;

  private CopiedFiles() {}

  /**
   * Copies the first {@code length} bytes of {@code source} to the new file {@code target},
   * fsync'd, telling {@code progress} the bytes copied.
   *
   * @return the SHA-256 of what was copied, in hex
   */
  static String copy(Path source, Path target, long length, LongConsumer progress)
      throws IOException {
    Files.createDirectories(target.getParent());
    MessageDigest sha = sha256();
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(source);
        FileChannel channel =
            FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
      long left = length;
      while (left > 0) {
        int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (read < 0) {
          throw new IOException(source + " ended after " + (length - left) + " bytes");
        }
        sha.update(buffer, 0, read);
        out.write(buffer, 0, read);
        left -= read;
        progress.accept(read);
      }
      out.flush();
      channel.force(true);
    }
    keepPermissions(source, target);
    return HexFormat.of().formatHex(sha.digest());
  }

  /** Gives the copy the owner-only permissions of the keystore and vault, where POSIX. */
  private static void keepPermissions(Path source, Path target) throws IOException {
    try {
      Files.setPosixFilePermissions(target, Files.getPosixFilePermissions(source));
    } catch (UnsupportedOperationException e) {
      // Not POSIX: the directory's protection applies.
    }
  }

  /** The SHA-256 of a file, in hex. */
  static String sha256(Path file) throws IOException {
    MessageDigest sha = sha256();
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        sha.update(buffer, 0, read);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * The length of the key vault's whole records: a record being appended while the copy runs is
   * left out (it was not yet acknowledged, and the ledger copy made before cannot name its key).
   */
  static long vaultPrefix(Path vault) throws IOException {
    try (FileChannel channel = FileChannel.open(vault, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < VAULT_HEADER) {
        return size;
      }
      long position = VAULT_HEADER;
      ByteBuffer length = ByteBuffer.allocate(4);
      while (size - position >= 4) {
        length.clear();
        if (channel.read(length, position) < 4) {
          break;
        }
        int n = length.flip().getInt();
        if (n < VAULT_MIN_RECORD || n > VAULT_MAX_RECORD || size - position - 4 < n) {
          break;
        }
        position += 4L + n;
      }
      return position;
    }
  }

  static boolean isAbsentOrEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Deletes everything under {@code dir}, keeping {@code dir}. */
  static void deleteContents(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.filter(p -> !p.equals(dir)).sorted(Comparator.reverseOrder()).toList();
    }
    for (Path path : paths) {
      Files.deleteIfExists(path);
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (UnsupportedOperationException e) {
      // Not every platform opens directories; the rename or close is all it offers.
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}
