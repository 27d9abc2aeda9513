package org.healthgateway.ledger.embedded;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.healthgateway.ledger.LedgerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: appenders queue their records; one writer thread takes everything queued, writes
 * it, calls {@code fsync} once, publishes the entries and only then completes the appenders'
 * futures. Under load one fsync serves many appenders.
 */
final class GroupCommit {

  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

  /**
   * One {@code append} call: its framed record, its entries' leaf hashes and where each entry's
   * length prefix is from the start of the record, its result.
   */
  @SuppressWarnings("ArrayRecordComponent") // handed to the writer thread, never compared
  record Pending(
      byte[] record, List<byte[]> leafHashes, int[] entryOffsets, CompletableFuture<Long> done) {}

  /** Makes durable entries visible; called by the writer thread after fsync, in log order. */
  @FunctionalInterface
  interface Publisher {
    /** Returns the index of the first published entry. */
    long publish(List<byte[]> leafHashes, long[] locations, long recordLocation);
  }

  private static final Pending STOP = new Pending(new byte[0], List.of(), new int[0], null);

  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final SegmentWriter writer;
  private final Publisher publisher;
  private final Thread thread;
  private volatile IOException failure;

  GroupCommit(SegmentWriter writer, Publisher publisher, String name) {
    this.writer = writer;
    this.publisher = publisher;
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a record; the caller must not call this after {@link #stop}. */
  void submit(Pending pending) throws LedgerException {
    IOException failed = failure;
    if (failed != null) {
      throw new LedgerException("ledger unavailable after an I/O error; reopen it", failed);
    }
    queue.add(pending);
  }

  /** Lets the queued records commit, then ends the writer thread. */
  void stop() {
    queue.add(STOP);
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes the segment file; only after {@link #stop}. */
  void closeWriter() throws IOException {
    writer.close();
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      batch.clear();
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue;
      }
      queue.drainTo(batch);
      stop = batch.remove(STOP);
      commit(batch);
    }
  }

  private void commit(List<Pending> batch) {
    if (batch.isEmpty()) {
      return;
    }
    if (failure != null) {
      fail(batch, new LedgerException("ledger unavailable after an I/O error", failure));
      return;
    }
    SegmentWriter.Mark mark = writer.mark();
    long[] recordLocations = new long[batch.size()];
    try {
      for (int k = 0; k < batch.size(); k++) {
        recordLocations[k] = writer.write(batch.get(k).record());
      }
      writer.force();
    } catch (IOException | RuntimeException e) {
      LOG.error("ledger write failed; rolling back {} record(s)", batch.size(), e);
      rollback(mark, e);
      fail(batch, new LedgerException("append failed; the entries are not in the log", e));
      return;
    }
    for (int k = 0; k < batch.size(); k++) {
      Pending pending = batch.get(k);
      long[] locations = entryLocations(recordLocations[k], pending.entryOffsets());
      pending
          .done()
          .complete(publisher.publish(pending.leafHashes(), locations, recordLocations[k]));
    }
  }

  private void rollback(SegmentWriter.Mark mark, Exception cause) {
    try {
      writer.rollback(mark);
    } catch (IOException | RuntimeException e) {
      e.addSuppressed(cause);
      failure = e instanceof IOException io ? io : new IOException(e);
      LOG.error("ledger rollback failed; refusing further appends until reopened", e);
    }
  }

  private static long[] entryLocations(long recordLocation, int[] entryOffsets) {
    int segment = RecordFormat.segmentOf(recordLocation);
    long offset = RecordFormat.offsetOf(recordLocation);
    long[] locations = new long[entryOffsets.length];
    for (int j = 0; j < entryOffsets.length; j++) {
      locations[j] = RecordFormat.location(segment, offset + entryOffsets[j]);
    }
    return locations;
  }

  private static void fail(List<Pending> batch, LedgerException e) {
    for (Pending pending : batch) {
      pending.done().completeExceptionally(e);
    }
  }
}
