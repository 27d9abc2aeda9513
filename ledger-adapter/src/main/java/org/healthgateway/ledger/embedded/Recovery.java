package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.Rfc9162MerkleTree;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a ledger directory to a consistent state on open: locks it, rebuilds the Merkle tree and
 * offset index from every segment, verifies every checkpoint against the tree, and only then cuts a
 * torn tail (so that a checkpoint over the cut entries refuses the open instead).
 */
final class Recovery {

  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
  static final String LOCK_FILE = "ledger.lock";

  final Path dir;
  final Rfc9162MerkleTree tree = Rfc9162MerkleTree.create();
  final OffsetIndex offsets = new OffsetIndex();
  final RecordIndex records = new RecordIndex();
  FileChannel lockChannel;
  FileLock lock;
  CheckpointLog checkpointLog;
  Checkpoint latest;
  int lastSegment = -1;
  long writePosition;

  private Recovery(Path dir) {
    this.dir = dir;
  }

  static Recovery run(Path dir, JWK nodePublicKey, EmbeddedLedger.Options options)
      throws LedgerException {
    Recovery recovery = new Recovery(dir);
    try {
      recovery.lock();
      recovery.recover(nodePublicKey, options);
      return recovery;
    } catch (IOException e) {
      recovery.closeQuietly();
      throw new LedgerException("cannot open ledger in " + dir, e);
    } catch (LedgerException | RuntimeException e) {
      recovery.closeQuietly();
      throw e;
    }
  }

  private void lock() throws IOException, LedgerException {
    Files.createDirectories(dir);
    lockChannel =
        FileChannel.open(
            dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      throw new LedgerException("ledger directory " + dir + " is in use");
    }
  }

  private void recover(JWK nodePublicKey, EmbeddedLedger.Options options)
      throws IOException, LedgerException {
    LogScanner.TornTail torn =
        LogScanner.scan(
            dir,
            options.maxRecordBytes(),
            Recovery::decodeProblem,
            new LogScanner.EntryConsumer() {
              @Override
              public void record(long firstIndex, long location) {
                records.add(firstIndex, location);
              }

              @Override
              public void accept(long index, long location, byte[] entry, byte[] leafHash) {
                offsets.add(location);
                tree.append(leafHash);
              }
            });
    Path checkpointFile = dir.resolve(RecordFormat.CHECKPOINTS);
    CheckpointLog.Contents contents = CheckpointLog.read(checkpointFile);
    List<Checkpoint> checkpoints = CheckpointLog.verify(contents.lines(), nodePublicKey, tree);
    latest = checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
    if (contents.tornTail()) {
      LOG.warn(
          "ledger {}: cutting a torn checkpoint line ({} bytes)",
          dir,
          contents.fileLength() - contents.completeLength());
    }
    if (torn != null) {
      cut(torn);
    }
    checkpointLog = CheckpointLog.openForAppend(checkpointFile, contents.completeLength());
    List<Integer> segments = LogScanner.segments(dir);
    if (!segments.isEmpty()) {
      lastSegment = segments.get(segments.size() - 1);
      writePosition = Files.size(dir.resolve(RecordFormat.segmentName(lastSegment)));
    }
  }

  private void cut(LogScanner.TornTail torn) throws IOException {
    Path file = dir.resolve(RecordFormat.segmentName(torn.segment()));
    LOG.warn(
        "ledger {}: torn tail after entry {} ({} in {} at offset {}, {} bytes); truncating",
        dir,
        torn.firstLostIndex() - 1,
        torn.reason(),
        file.getFileName(),
        torn.position(),
        Files.size(file) - torn.position());
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(torn.position());
      channel.force(true);
    }
  }

  /**
   * The entry check of recovery (package-private for LogScannerFuzzTest): the entry decodes and, in
   * a signed record, is by the record's author without a signature of its own.
   */
  static String decodeProblem(byte[] entry, String recordAuthor) {
    try {
      Transaction tx = TransactionCodec.decode(entry);
      return recordAuthor == null ? null : RecordCodec.entryProblem(tx, recordAuthor);
    } catch (LedgerException e) {
      return "undecodable transaction (" + e.getCause() + ")";
    }
  }

  void closeQuietly() {
    EmbeddedLedger.closeQuietly(checkpointLog);
    if (lock != null) {
      EmbeddedLedger.closeQuietly(lock::release);
    }
    EmbeddedLedger.closeQuietly(lockChannel);
  }
}
