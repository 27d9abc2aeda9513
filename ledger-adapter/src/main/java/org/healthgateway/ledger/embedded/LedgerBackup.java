package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.CheckpointCodec;
import org.healthgateway.ledger.LedgerException;

/**
 * Copies a ledger directory, also while a node appends to it, as a ledger that opens and verifies:
 * the segments' prefix up to a signed checkpoint and the checkpoint lines up to it.
 *
 * <p>Why a prefix copy is consistent: segments are append-only, a checkpoint is written only after
 * the entries it covers were fsync'd, and only bytes beyond the newest checkpoint are ever cut
 * (rollback of a failed group commit, torn tail). The copy reads whole records, checking each one's
 * length and CRC as recovery does, until it holds exactly the checkpoint's tree size.
 *
 * <p>What the copy covers: every entry that was on disk when the copy started, hence every append
 * acknowledged before it. While the node runs ({@code ledger.lock} is held), the copy waits for a
 * checkpoint that reaches the bytes the segments held at the start (the node writes one within
 * {@code checkpointInterval} after appends); with the node stopped it takes the newest checkpoint
 * (after a clean stop it covers every entry) and holds the lock meanwhile, so that no node starts.
 */
public final class LedgerBackup {

  /**
   * What was copied.
   *
   * @param checkpoint the checkpoint the copy ends at
   * @param bytes segment bytes copied
   * @param nodeRunning whether a node held the ledger during the copy
   * @param bytesAfter segment bytes on disk at the start beyond the checkpoint (0 while a node
   *     runs: the copy waited for a checkpoint over them); after a crash, entries a restart will
   *     checkpoint
   */
  public record Copied(Checkpoint checkpoint, long bytes, boolean nodeRunning, long bytesAfter) {}

  private static final long POLL_MILLIS = 100;

  private LedgerBackup() {}

  /**
   * Copies {@code ledgerDir} into {@code targetDir}, which must not hold a ledger.
   *
   * @param nodePublicKey verifies the checkpoint the copy ends at
   * @param wait how long to wait for a checkpoint over what is on disk at the start
   * @throws LedgerException if no checkpoint covering the start arrives in time (a stopped ledger:
   *     if it has none), or a record up to the checkpoint is damaged
   */
  public static Copied copy(
      Path ledgerDir, Path targetDir, JWK nodePublicKey, Duration wait, LedgerProgress progress)
      throws LedgerException {
    try (NodeLock lock = NodeLock.probe(ledgerDir)) {
      long startBytes = segmentBytes(ledgerDir);
      Files.createDirectories(targetDir);
      try (PrefixCopier copier =
          new PrefixCopier(
              ledgerDir,
              targetDir,
              EmbeddedLedger.Options.defaults().maxRecordBytes(),
              startBytes,
              progress)) {
        long deadline = System.nanoTime() + wait.toNanos();
        Newest newest = newest(ledgerDir, nodePublicKey);
        while (lock.running() && (newest == null || copier.position() < startBytes)) {
          if (newest != null) {
            copier.advanceTo(newest.checkpoint().treeSize());
            if (copier.position() >= startBytes) {
              break;
            }
          }
          if (System.nanoTime() > deadline) {
            throw new LedgerException(
                "no checkpoint covered the ledger's "
                    + startBytes
                    + " bytes within "
                    + wait
                    + " (the newest covers "
                    + copier.position()
                    + ")");
          }
          sleep();
          newest = newest(ledgerDir, nodePublicKey);
        }
        if (newest == null) {
          throw new LedgerException("the ledger in " + ledgerDir + " has no checkpoint");
        }
        copier.advanceTo(newest.checkpoint().treeSize());
        copier.finish();
        writeCheckpoints(targetDir, newest.lines());
        return new Copied(
            newest.checkpoint(),
            copier.position(),
            lock.running(),
            Math.max(0, startBytes - copier.position()));
      }
    } catch (IOException e) {
      throw new LedgerException("cannot copy the ledger in " + ledgerDir + ": " + e, e);
    }
  }

  /** The newest complete checkpoint line and the lines up to it; null if there is none. */
  private record Newest(Checkpoint checkpoint, List<String> lines) {}

  private static Newest newest(Path dir, JWK nodePublicKey) throws IOException, LedgerException {
    List<String> lines = CheckpointLog.read(dir.resolve(RecordFormat.CHECKPOINTS)).lines();
    if (lines.isEmpty()) {
      return null;
    }
    Checkpoint checkpoint = CheckpointCodec.verify(lines.get(lines.size() - 1), nodePublicKey);
    return new Newest(checkpoint, lines);
  }

  /** Total size of the segment files. */
  static long segmentBytes(Path dir) throws IOException {
    long total = 0;
    for (int segment : LogScanner.segments(dir)) {
      total += Files.size(dir.resolve(RecordFormat.segmentName(segment)));
    }
    return total;
  }

  private static void writeCheckpoints(Path targetDir, List<String> lines) throws IOException {
    StringBuilder text = new StringBuilder();
    lines.forEach(line -> text.append(line).append('\n'));
    Path file = targetDir.resolve(RecordFormat.CHECKPOINTS);
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      var bytes = java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
      out.force(true);
    }
    SegmentWriter.syncDirectory(targetDir);
  }

  private static void sleep() throws IOException {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for a checkpoint", e);
    }
  }

  /** Whether a node holds {@code ledger.lock}; if none does, holds it until closed. */
  private static final class NodeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private NodeLock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    static NodeLock probe(Path dir) throws IOException {
      Path file = dir.resolve(Recovery.LOCK_FILE);
      if (!Files.isDirectory(dir)) {
        throw new IOException("no ledger directory " + dir);
      }
      if (!Files.exists(file)) {
        return new NodeLock(null, null);
      }
      FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
      try {
        return new NodeLock(channel, channel.tryLock());
      } catch (OverlappingFileLockException e) {
        return new NodeLock(channel, null);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }

    boolean running() {
      return channel != null && lock == null;
    }

    @Override
    public void close() throws IOException {
      if (lock != null) {
        lock.release();
      }
      if (channel != null) {
        channel.close();
      }
    }
  }
}
