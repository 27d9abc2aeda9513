package org.healthgateway.ledger.ethereum;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Where the follower stands: every block up to {@code blockNumber} (whose hash was {@code
 * blockHash}) is applied, and {@code nextSeq} is the sequence number of the next record event.
 * Stored in {@code cursor.properties} of the data directory, replaced atomically.
 *
 * @param blockNumber last applied block, or {@code startBlock - 1} before the first
 * @param blockHash its hash, or empty before the first
 */
record ChainCursor(String contract, long blockNumber, String blockHash, long nextSeq) {

  static final String FILE = "cursor.properties";

  static ChainCursor start(String contract, long startBlock) {
    return new ChainCursor(contract, startBlock - 1, "", 0);
  }

  /** Reads the cursor in {@code dir}, or null if there is none. */
  static ChainCursor read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    try {
      return new ChainCursor(
          p.getProperty("contract"),
          Long.parseLong(p.getProperty("block")),
          p.getProperty("blockHash", ""),
          Long.parseLong(p.getProperty("nextSeq")));
    } catch (NumberFormatException | NullPointerException e) {
      throw new IOException("unreadable " + file, e);
    }
  }

  /** Writes this cursor to {@code dir} (temporary file, fsync, atomic rename). */
  void write(Path dir) throws IOException {
    Properties p = new Properties();
    p.setProperty("contract", contract);
    p.setProperty("block", Long.toString(blockNumber));
    p.setProperty("blockHash", blockHash);
    p.setProperty("nextSeq", Long.toString(nextSeq));
    StringWriter text = new StringWriter();
    p.store(text, "ledger-ethereum follower cursor");
    Path tmp = dir.resolve(FILE + ".tmp");
    Files.writeString(
        tmp,
        text.toString(),
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE,
        StandardOpenOption.SYNC);
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  boolean started() {
    return !blockHash.isEmpty();
  }
}
