package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.CheckpointCodec;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Rfc9162MerkleTree;

/**
 * {@code checkpoints.log}: one checkpoint JWS compact serialization per line, each line ending with
 * {@code '\n'}, in signing order. A last line without its newline is a torn write.
 */
final class CheckpointLog implements Closeable {

  /** The complete lines, and the byte length they span (a torn last line lies beyond it). */
  record Contents(List<String> lines, long completeLength, long fileLength) {
    boolean tornTail() {
      return completeLength < fileLength;
    }
  }

  private final FileChannel channel;

  private CheckpointLog(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens the file for appending, cutting it to {@code length} (dropping a torn line). */
  static CheckpointLog openForAppend(Path file, long length) throws IOException {
    boolean existed = Files.exists(file);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    if (channel.size() > length) {
      channel.truncate(length);
      channel.force(true);
    }
    if (!existed) {
      SegmentWriter.syncDirectory(file.getParent());
    }
    return new CheckpointLog(channel);
  }

  /** Reads the lines of {@code file}; an absent file has none. */
  static Contents read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new Contents(List.of(), 0, 0);
    }
    byte[] bytes = Files.readAllBytes(file);
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        lines.add(new String(bytes, start, i - start, StandardCharsets.US_ASCII));
        start = i + 1;
      }
    }
    return new Contents(lines, start, bytes.length);
  }

  /**
   * Verifies every checkpoint's signature and that its root is the root of the log at its size.
   *
   * @return the checkpoints, oldest first
   * @throws LedgerCorruptedException naming the first entry the failing checkpoint puts in doubt
   *     (-1 for a bad signature, which says nothing about the entries)
   */
  static List<Checkpoint> verify(List<String> lines, JWK nodePublicKey, Rfc9162MerkleTree tree)
      throws LedgerCorruptedException {
    List<Checkpoint> checkpoints = new ArrayList<>(lines.size());
    long verifiedSize = 0;
    for (int i = 0; i < lines.size(); i++) {
      String name = "checkpoint " + (i + 1);
      Checkpoint checkpoint;
      try {
        checkpoint = CheckpointCodec.verify(lines.get(i), nodePublicKey);
      } catch (LedgerException e) {
        throw new LedgerCorruptedException(
            -1, "ledger corrupted at " + name + ": invalid signature or payload", e);
      }
      long treeSize = checkpoint.treeSize();
      if (treeSize < verifiedSize) {
        throw new LedgerCorruptedException(
            -1, "ledger corrupted at " + name + ": tree size goes back to " + treeSize);
      }
      if (treeSize > tree.size()) {
        throw LogScanner.corrupted(
            tree.size(), name + " covers " + treeSize + " entries, the log holds " + tree.size());
      }
      if (!MessageDigest.isEqual(tree.root(treeSize), checkpoint.rootHash())) {
        long first = Math.max(0, Math.min(verifiedSize, treeSize - 1));
        throw LogScanner.corrupted(
            first,
            "entries " + first + ".." + (treeSize - 1) + " do not match the root of " + name);
      }
      verifiedSize = treeSize;
      checkpoints.add(checkpoint);
    }
    return checkpoints;
  }

  /** Appends one checkpoint line and fsyncs it. */
  synchronized void append(String jws) throws IOException {
    ByteBuffer line = ByteBuffer.wrap((jws + "\n").getBytes(StandardCharsets.US_ASCII));
    long position = channel.size();
    while (line.hasRemaining()) {
      position += channel.write(line, position);
    }
    channel.force(false);
  }

  @Override
  public synchronized void close() throws IOException {
    channel.close();
  }
}
