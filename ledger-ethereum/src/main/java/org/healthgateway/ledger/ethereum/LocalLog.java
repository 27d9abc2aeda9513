package org.healthgateway.ledger.ethereum;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordSignature;
import org.healthgateway.ledger.Rfc9162MerkleTree;
import org.healthgateway.ledger.SignedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node rebuilt from the chain: the verified entries in chain order, their RFC 9162 Merkle
 * tree, each record's signature, the cursor and the record cache in the data directory. Only the
 * follower's thread writes; readers take the read lock.
 */
final class LocalLog implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalLog.class);

  private final Path dir;
  private final RecordVerifier verifier;
  private final EthereumMetrics metrics;
  private final Rfc9162MerkleTree tree = Rfc9162MerkleTree.create();
  private final List<LedgerEntry> entries = new ArrayList<>();
  private final TreeMap<Long, RecordSignature> signatures = new TreeMap<>();
  private final Map<RecordVerifier.Digest, PendingRecord> waiting = new ConcurrentHashMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final RecordCache cache;
  private volatile ChainCursor cursor;
  private volatile Consumer<List<Long>> foreignSink = indexes -> {};

  private LocalLog(
      Path dir,
      RecordVerifier verifier,
      EthereumMetrics metrics,
      ChainCursor cursor,
      RecordCache cache) {
    this.dir = dir;
    this.verifier = verifier;
    this.metrics = metrics;
    this.cursor = cursor;
    this.cache = cache;
  }

  /**
   * Opens the log in {@code dir}, verifying every cached record again (which also teaches the
   * verifier the authors' keys).
   *
   * @throws LedgerCorruptedException if a cached record does not verify, or the cursor is of
   *     another contract
   */
  static LocalLog open(
      Path dir,
      String contract,
      long startBlock,
      RecordVerifier verifier,
      EthereumMetrics metrics,
      int maxRecordBytes)
      throws LedgerException {
    try {
      ChainCursor cursor = ChainCursor.read(dir);
      if (cursor == null) {
        cursor = ChainCursor.start(contract, startBlock);
      } else if (!cursor.contract().equalsIgnoreCase(contract)) {
        throw new LedgerCorruptedException(
            -1, "the data directory follows contract " + cursor.contract() + ", not " + contract);
      }
      List<RecordCache.Cached> cached = new ArrayList<>();
      RecordCache cache = RecordCache.open(dir, cursor.nextSeq(), maxRecordBytes, cached);
      LocalLog log = new LocalLog(dir, verifier, metrics, cursor, cache);
      for (RecordCache.Cached c : cached) {
        RecordVerifier.Verdict verdict = verifier.verify(c.bytes(), log.size());
        if (!verdict.ok()) {
          cache.close();
          throw new LedgerCorruptedException(
              log.size(), "cached record " + c.seq() + " does not verify: " + verdict.message());
        }
        log.add(verdict.record());
      }
      return log;
    } catch (IOException e) {
      throw new LedgerException(
          "cannot open the ledger cache in " + dir + ": " + e.getMessage(), e);
    }
  }

  ChainCursor cursor() {
    return cursor;
  }

  /** Registers an append waiting for its record to be applied. */
  void await(PendingRecord pending) {
    waiting.put(pending.digest, pending);
  }

  void forget(PendingRecord pending) {
    waiting.remove(pending.digest, pending);
  }

  /**
   * Applies the record events of confirmed blocks up to {@code next}'s block, in order: verified
   * records join the log, refused ones are logged and counted; then the cache is synced and the
   * cursor written, the appends waiting for their records completed, and the other entries handed
   * to the foreign-entry sink.
   *
   * @throws LedgerCorruptedException on a gap in the sequence numbers (nothing of the batch from
   *     the gap on is applied)
   */
  void apply(List<RecordLogContract.RecordEvent> events, ChainCursor next) throws LedgerException {
    long seq = cursor.nextSeq();
    List<RecordCache.Cached> accepted = new ArrayList<>();
    List<Runnable> completions = new ArrayList<>();
    List<Long> foreign = new ArrayList<>();
    try {
      for (RecordLogContract.RecordEvent event : events) {
        if (event.seq() < seq) {
          LOG.warn(
              "record event {} seen again, in {}; ignored", event.seq(), event.transactionHash());
          continue;
        }
        if (event.seq() > seq) {
          metrics.gap();
          flush(accepted, null);
          throw new LedgerCorruptedException(
              size(),
              "record events " + seq + " to " + (event.seq() - 1) + " missing from the node");
        }
        seq++;
        RecordVerifier.Verdict verdict = verifier.verify(event.data(), size());
        PendingRecord pending = waiting.remove(event.dataDigest());
        if (!verdict.ok()) {
          metrics.rejected(verdict.reason());
          LOG.error(
              "refused ledger record {} in transaction {} (block {}): {}",
              event.seq(),
              event.transactionHash(),
              event.blockNumber(),
              verdict.message());
          if (pending != null && verdict.reason() != RecordVerifier.Reason.REPLAY) {
            completions.add(
                () ->
                    pending.applied.completeExceptionally(
                        new LedgerException(
                            "the chain's nodes refuse the record: " + verdict.message())));
          }
          continue;
        }
        List<Long> indexes = add(verdict.record());
        accepted.add(new RecordCache.Cached(event.seq(), event.data()));
        if (pending == null) {
          foreign.addAll(indexes);
        } else {
          completions.add(
              () -> {
                metrics.confirmationLag.record(
                    System.nanoTime() - pending.submittedNanos, TimeUnit.NANOSECONDS);
                pending.applied.complete(indexes);
              });
        }
      }
      flush(accepted, new ChainCursor(next.contract(), next.blockNumber(), next.blockHash(), seq));
    } finally {
      completions.forEach(Runnable::run);
    }
    if (!foreign.isEmpty()) {
      foreignSink.accept(foreign);
    }
  }

  /**
   * Tells {@code sink} the indexes of the entries of each applied step that no {@link #await}
   * waited for (other writers' records), once they are readable and the step is durable.
   */
  void onForeignEntries(Consumer<List<Long>> sink) {
    this.foreignSink = sink;
  }

  private void flush(List<RecordCache.Cached> accepted, ChainCursor next) throws LedgerException {
    try {
      cache.append(accepted);
      cache.sync();
      if (next != null) {
        next.write(dir);
        cursor = next;
      }
    } catch (IOException e) {
      throw new LedgerException("cannot write the ledger cache: " + e.getMessage(), e);
    }
  }

  private List<Long> add(SignedRecord record) {
    lock.writeLock().lock();
    try {
      long first = tree.size();
      List<byte[]> leafHashes = record.leafHashes();
      List<Long> indexes = new ArrayList<>(record.size());
      for (int j = 0; j < record.size(); j++) {
        long index = tree.append(leafHashes.get(j));
        entries.add(new LedgerEntry(index, record.transactions().get(j), leafHashes.get(j)));
        indexes.add(index);
      }
      signatures.put(first, record.at(first));
      return List.copyOf(indexes);
    } finally {
      lock.writeLock().unlock();
    }
  }

  long size() {
    return tree.size();
  }

  Rfc9162MerkleTree tree() {
    return tree;
  }

  LedgerEntry read(long index) throws LedgerException {
    lock.readLock().lock();
    try {
      if (index < 0 || index >= entries.size()) {
        throw new LedgerException("no entry " + index + " (size " + entries.size() + ")");
      }
      return entries.get((int) index);
    } finally {
      lock.readLock().unlock();
    }
  }

  Optional<RecordSignature> recordSignature(long index) throws LedgerException {
    lock.readLock().lock();
    try {
      if (index < 0 || index >= entries.size()) {
        throw new LedgerException("no entry " + index + " (size " + entries.size() + ")");
      }
      return Optional.of(signatures.floorEntry(index).getValue());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public void close() throws LedgerException {
    try {
      cache.close();
    } catch (IOException e) {
      throw new LedgerException("cannot close the ledger cache", e);
    }
    LedgerException closing = new LedgerException("ledger closed");
    waiting.values().forEach(p -> p.applied.completeExceptionally(closing));
  }
}
