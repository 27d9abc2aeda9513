package org.healthgateway.server.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The format version of a data directory, in {@code <data-dir>/FORMAT} (one line, the number). A
 * new directory gets the current version when the server first opens it; a directory with data but
 * no such file is of format 1, the releases before the file existed. The server opens only its own
 * version: an older one needs {@code migrate}, a newer one a newer release.
 *
 * <p>Versions: 1, the releases up to 2026-12-04 (no file); 2, the same files plus {@code FORMAT}.
 */
public final class DataFormat {
  /** The version this release writes and opens. */
  public static final int CURRENT = 2;

  /** What a directory without {@code FORMAT} but with data is. */
  public static final int FIRST = 1;

  /** What {@link #read} returns for a directory without data. */
  public static final int NONE = 0;

  static final String FILE = "FORMAT";

  private DataFormat() {}

  /**
   * At start: writes the current version into a directory without data, else requires it.
   *
   * @throws IllegalStateException naming {@code migrate} for an older directory, and for a newer or
   *     unreadable one what to do
   */
  public static void requireCurrent(Path dataDir) {
    int version;
    try {
      version = read(dataDir);
      if (version == NONE) {
        write(dataDir, CURRENT);
        return;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + dataDir.resolve(FILE), e);
    }
    if (version < CURRENT) {
      throw new IllegalStateException(
          "Refusing to start: "
              + dataDir
              + " holds data of format "
              + version
              + " (an earlier release) and this release opens format "
              + CURRENT
              + "; back it up, then convert it with: java -jar fhir-server.jar migrate "
              + dataDir);
    }
    if (version > CURRENT) {
      throw new IllegalStateException(newer(dataDir, version));
    }
  }

  public static String newer(Path dataDir, int version) {
    return "Refusing to open "
        + dataDir
        + ": it holds data of format "
        + version
        + ", written by a newer release; this release knows formats up to "
        + CURRENT
        + ". Run the newer release, or restore a backup of this release.";
  }

  /**
   * The directory's version: the number in {@code FORMAT}, {@link #FIRST} if the file is absent but
   * a keystore or ledger is there, {@link #NONE} for a directory without data.
   *
   * @throws IOException if {@code FORMAT} is unreadable or not a positive number
   */
  public static int read(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (!text.matches("[1-9][0-9]{0,8}")) {
        throw new IOException(file + " does not hold a format version: " + text);
      }
      return Integer.parseInt(text);
    }
    boolean data =
        Files.exists(dataDir.resolve("keystore.bcfks"))
            || Files.exists(dataDir.resolve("ledger"))
            || Files.exists(dataDir.resolve("ledger-ethereum"));
    return data ? FIRST : NONE;
  }

  /** Writes {@code FORMAT} atomically and durably (temporary file, fsync, rename, fsync). */
  public static void write(Path dataDir, int version) throws IOException {
    Files.createDirectories(dataDir);
    Path temp = dataDir.resolve(FILE + ".tmp");
    Files.writeString(temp, version + "\n", StandardCharsets.US_ASCII);
    try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(temp, dataDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel directory = FileChannel.open(dataDir, StandardOpenOption.READ)) {
      directory.force(true);
    }
  }
}
