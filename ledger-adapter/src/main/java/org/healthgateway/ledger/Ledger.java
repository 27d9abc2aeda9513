package org.healthgateway.ledger;

import java.util.List;
import java.util.Optional;

/**
 * An append-only, tamper-evident log of transactions (RFC 9162 Merkle tree over the canonical
 * transaction bytes), written in signed records: one author's signature over the leaf hashes of the
 * transactions of one {@link #append}. Implementations: the embedded segment-file log and the EVM
 * adapter. All methods are thread-safe.
 */
public interface Ledger extends AutoCloseable {

  /**
   * Appends the record's transactions as one atomic unit and returns their indexes, consecutive and
   * in the record's order. When this returns the entries are durable (fsync'd, or confirmed at the
   * configured depth); after a crash either all of them are in the log or none. The record is
   * signed before the call ({@link SignedRecord#sign}), in the caller's thread.
   *
   * @throws LedgerException if the entries could not be made durable; none of them is then in the
   *     log
   */
  List<Long> append(SignedRecord record) throws LedgerException;

  /**
   * The signature of the record holding entry {@code index}, for a reader who checks that one
   * entry's author; empty if the entry is of the first format, whose transactions carry their own
   * signature.
   */
  Optional<RecordSignature> recordSignature(long index) throws LedgerException;

  /** Number of entries. */
  long size();

  /** Returns entry {@code index}, decoded. */
  LedgerEntry read(long index) throws LedgerException;

  /**
   * Calls the visitor for every entry from {@code fromIndex} in order; used to rebuild indexes at
   * start-up.
   */
  void scan(long fromIndex, EntryVisitor visitor) throws LedgerException;

  /**
   * The newest signed checkpoint covering at least {@code minTreeSize} entries, signing one if
   * needed.
   */
  Checkpoint checkpoint(long minTreeSize) throws LedgerException;

  /** RFC 9162 inclusion proof of entry {@code index} in the tree of {@code treeSize} entries. */
  List<byte[]> inclusionProof(long index, long treeSize) throws LedgerException;

  /** RFC 9162 consistency proof between two tree sizes. */
  List<byte[]> consistencyProof(long fromSize, long toSize) throws LedgerException;

  /** Root hash of the tree of the first {@code treeSize} entries. */
  byte[] rootHash(long treeSize) throws LedgerException;

  /**
   * Registers a listener told of the entries this ledger applies that were not appended through
   * this instance (other nodes' records on a shared ledger), in ledger order, once they are
   * readable; called from the ledger's own thread. The embedded ledger has no other writer and
   * never calls it.
   */
  default void addForeignEntryListener(EntryVisitor listener) {}

  @Override
  void close() throws LedgerException;

  /** Receives entries during {@link #scan}. */
  @FunctionalInterface
  interface EntryVisitor {
    void visit(LedgerEntry entry) throws LedgerException;
  }
}
