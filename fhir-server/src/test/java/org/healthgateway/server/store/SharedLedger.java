package org.healthgateway.server.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordSignature;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.embedded.EmbeddedLedger;

/**
 * Test double of a shared ledger for unit tests (the flow tests use a real chain): one embedded
 * ledger seen by several nodes through {@link #view}s; what one view appends is delivered to the
 * other views' foreign-entry listeners, as the Ethereum ledger delivers other nodes' records.
 */
final class SharedLedger implements AutoCloseable {
  private final EmbeddedLedger base;
  private final List<View> views = new CopyOnWriteArrayList<>();

  SharedLedger(EmbeddedLedger base) {
    this.base = base;
  }

  Ledger view() {
    View view = new View();
    views.add(view);
    return view;
  }

  @Override
  public void close() throws LedgerException {
    base.close();
  }

  private final class View implements Ledger {
    private final List<EntryVisitor> listeners = new CopyOnWriteArrayList<>();

    @Override
    public synchronized List<Long> append(SignedRecord record) throws LedgerException {
      List<Long> indexes;
      synchronized (base) {
        indexes = base.append(record);
      }
      for (View other : views) {
        if (other != this) {
          for (long index : indexes) {
            for (EntryVisitor listener : other.listeners) {
              listener.visit(base.read(index));
            }
          }
        }
      }
      return indexes;
    }

    @Override
    public void addForeignEntryListener(EntryVisitor listener) {
      listeners.add(listener);
    }

    @Override
    public Optional<RecordSignature> recordSignature(long index) throws LedgerException {
      return base.recordSignature(index);
    }

    @Override
    public long size() {
      return base.size();
    }

    @Override
    public org.healthgateway.ledger.LedgerEntry read(long index) throws LedgerException {
      return base.read(index);
    }

    @Override
    public void scan(long fromIndex, EntryVisitor visitor) throws LedgerException {
      base.scan(fromIndex, visitor);
    }

    @Override
    public Checkpoint checkpoint(long minTreeSize) throws LedgerException {
      return base.checkpoint(minTreeSize);
    }

    @Override
    public List<byte[]> inclusionProof(long index, long treeSize) throws LedgerException {
      return base.inclusionProof(index, treeSize);
    }

    @Override
    public List<byte[]> consistencyProof(long fromSize, long toSize) throws LedgerException {
      return base.consistencyProof(fromSize, toSize);
    }

    @Override
    public byte[] rootHash(long treeSize) throws LedgerException {
      return base.rootHash(treeSize);
    }

    @Override
    public void close() {}
  }
}
