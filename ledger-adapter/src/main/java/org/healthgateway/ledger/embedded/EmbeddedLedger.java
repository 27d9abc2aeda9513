package org.healthgateway.ledger.embedded;

import com.nimbusds.jose.jwk.JWK;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.CheckpointCodec;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.RecordSignature;
import org.healthgateway.ledger.Rfc9162;
import org.healthgateway.ledger.Rfc9162MerkleTree;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.TransactionCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ledger: append-only segment files ({@link RecordFormat}) with group commit, an
 * in-memory RFC 9162 Merkle tree and offset index rebuilt on open, and node-signed checkpoints in
 * {@code checkpoints.log}. See the module README for the formats and the recovery rule.
 */
public final class EmbeddedLedger implements Ledger {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedLedger.class);

  /**
   * Tuning of an embedded ledger.
   *
   * @param segmentBytes a segment is rolled before a record would make it longer (default 64 MiB)
   * @param checkpointInterval at most one background checkpoint per interval (default 1 s)
   * @param maxRecordBytes largest body of one {@code append} call, checked on write and on read
   * @param clock time of checkpoints
   */
  public record Options(
      long segmentBytes, Duration checkpointInterval, int maxRecordBytes, Clock clock) {
    public Options {
      if (segmentBytes <= 0 || segmentBytes > RecordFormat.OFFSET_MASK) {
        throw new IllegalArgumentException("segmentBytes out of range");
      }
      if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
        throw new IllegalArgumentException("checkpointInterval must be positive");
      }
      if (maxRecordBytes < RecordFormat.MIN_BODY_BYTES) {
        throw new IllegalArgumentException("maxRecordBytes too small");
      }
      Objects.requireNonNull(clock, "clock");
    }

    /** 64 MiB segments, a checkpoint per second at most, 64 MiB records, the system clock. */
    public static Options defaults() {
      return new Options(64L << 20, Duration.ofSeconds(1), 64 << 20, Clock.systemUTC());
    }

    public Options withSegmentBytes(long bytes) {
      return new Options(bytes, checkpointInterval, maxRecordBytes, clock);
    }

    public Options withCheckpointInterval(Duration interval) {
      return new Options(segmentBytes, interval, maxRecordBytes, clock);
    }

    public Options withMaxRecordBytes(int bytes) {
      return new Options(segmentBytes, checkpointInterval, bytes, clock);
    }

    public Options withClock(Clock newClock) {
      return new Options(segmentBytes, checkpointInterval, maxRecordBytes, newClock);
    }
  }

  private final Path dir;
  private final CheckpointSigner signer;
  private final JWK nodePublicKey;
  private final Options options;
  private final Rfc9162MerkleTree tree;
  private final OffsetIndex offsets;
  private final RecordIndex records;
  private final Map<Integer, FileChannel> readChannels = new ConcurrentHashMap<>();
  private final CheckpointLog checkpointLog;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ReadWriteLock state = new ReentrantReadWriteLock();
  private final Object checkpointMonitor = new Object();
  private final ScheduledExecutorService scheduler;
  private final GroupCommit commit;
  private volatile long size;
  private volatile Checkpoint latest;
  private volatile boolean closed;

  private EmbeddedLedger(Recovery recovery, CheckpointSigner signer, JWK key, Options options)
      throws IOException {
    this.dir = recovery.dir;
    this.signer = signer;
    this.nodePublicKey = key;
    this.options = options;
    this.tree = recovery.tree;
    this.offsets = recovery.offsets;
    this.records = recovery.records;
    this.size = tree.size();
    this.checkpointLog = recovery.checkpointLog;
    this.latest = recovery.latest;
    this.lockChannel = recovery.lockChannel;
    this.lock = recovery.lock;
    SegmentWriter writer =
        SegmentWriter.open(
            dir,
            options.segmentBytes(),
            recovery.lastSegment,
            recovery.writePosition,
            s -> closeQuietly(readChannels.remove(s)));
    this.commit = new GroupCommit(writer, this::publish, "ledger-writer " + dir.getFileName());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ledger-checkpoints " + dir.getFileName());
              t.setDaemon(true);
              return t;
            });
    long interval = options.checkpointInterval().toMillis();
    // checkpointIfBehind logs its own failures, so the periodic task never ends by an exception.
    var unused =
        scheduler.scheduleWithFixedDelay(
            this::checkpointIfBehind, interval, Math.max(1, interval), TimeUnit.MILLISECONDS);
  }

  /**
   * Opens (or creates) the ledger in {@code dir}, recovering it: rebuilds the tree from all
   * segments, cuts a torn tail, verifies every checkpoint.
   *
   * @param signer signs checkpoints with the node key
   * @param nodePublicKey the node's public JWK (EC P-256 or RSA), to verify checkpoints
   * @throws LedgerCorruptedException if the log is damaged anywhere but in a torn tail
   * @throws LedgerException if the directory cannot be used or is locked by another process
   */
  public static EmbeddedLedger open(
      Path dir, CheckpointSigner signer, JWK nodePublicKey, Options options)
      throws LedgerException {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(nodePublicKey, "nodePublicKey");
    Recovery recovery = Recovery.run(dir, nodePublicKey.toPublicJWK(), options);
    try {
      return new EmbeddedLedger(recovery, signer, nodePublicKey.toPublicJWK(), options);
    } catch (IOException | RuntimeException e) {
      recovery.closeQuietly();
      throw new LedgerException("cannot open ledger in " + dir, e);
    }
  }

  @Override
  public List<Long> append(SignedRecord record) throws LedgerException {
    byte[] framed;
    int[] entryOffsets;
    try {
      byte[] body = RecordCodec.encode(record);
      if (body.length > options.maxRecordBytes()) {
        throw new LedgerException("batch exceeds " + options.maxRecordBytes() + " bytes");
      }
      int[] bodyOffsets = RecordCodec.parse(body, 0, body.length).entryOffsets();
      entryOffsets = new int[bodyOffsets.length];
      for (int j = 0; j < bodyOffsets.length; j++) {
        entryOffsets[j] = RecordFormat.HEADER_BYTES + bodyOffsets[j];
      }
      framed = RecordFormat.frame(body);
    } catch (IllegalArgumentException e) {
      throw new LedgerException("invalid record: " + e.getMessage(), e);
    }
    CompletableFuture<Long> done = new CompletableFuture<>();
    state.readLock().lock();
    try {
      ensureOpen();
      commit.submit(new GroupCommit.Pending(framed, record.leafHashes(), entryOffsets, done));
    } finally {
      state.readLock().unlock();
    }
    long first = await(done);
    List<Long> indexes = new ArrayList<>(record.size());
    for (int j = 0; j < record.size(); j++) {
      indexes.add(first + j);
    }
    return indexes;
  }

  /** Called by the writer thread once a record is durable. */
  private long publish(List<byte[]> leafHashes, long[] locations, long recordLocation) {
    long first = tree.size();
    records.add(first, recordLocation);
    for (int j = 0; j < locations.length; j++) {
      offsets.add(locations[j]);
      tree.append(leafHashes.get(j));
    }
    size = tree.size();
    return first;
  }

  /**
   * Reads the header of the record holding entry {@code index} from disk; its leaf hashes must be
   * the tree's, else the record changed on disk since the ledger was opened.
   */
  @Override
  public Optional<RecordSignature> recordSignature(long index) throws LedgerException {
    ensureOpen();
    checkIndex(index, size);
    long[] record = records.find(index);
    long firstIndex = record[0];
    try {
      FileChannel channel = readChannel(RecordFormat.segmentOf(record[1]));
      long body = RecordFormat.offsetOf(record[1]) + RecordFormat.HEADER_BYTES;
      int length = readAt(channel, body - RecordFormat.HEADER_BYTES, 4).getInt();
      byte[] start = readAt(channel, body, 9).array();
      if (!RecordCodec.isRecord(start, 0, start.length)) {
        return Optional.empty();
      }
      int authorLength = ByteBuffer.wrap(start, 5, 4).getInt();
      int entries = readAt(channel, body + 9 + authorLength, 4).getInt();
      long hashesEnd = body + 13L + authorLength + 32L * entries;
      int signatureLength = readAt(channel, hashesEnd, 4).getInt();
      long headerLength = hashesEnd + 4L + signatureLength - body;
      if (authorLength < 0
          || entries < 1
          || signatureLength < 0
          || headerLength > Math.min(length, options.maxRecordBytes())) {
        throw LogScanner.corrupted(firstIndex, "record header changed on disk");
      }
      byte[] header = readAt(channel, body, (int) headerLength).array();
      RecordCodec.Header parsed;
      try {
        parsed = RecordCodec.parseHeader(header, 0, header.length);
      } catch (LedgerException e) {
        throw new LedgerCorruptedException(
            firstIndex, "ledger corrupted at entry " + firstIndex + ": record header changed", e);
      }
      List<byte[]> leafHashes = parsed.leafHashes();
      for (int j = 0; j < leafHashes.size(); j++) {
        if (firstIndex + j >= size
            || !MessageDigest.isEqual(leafHashes.get(j), tree.leafHash(firstIndex + j))) {
          throw LogScanner.corrupted(firstIndex + j, "record header changed on disk");
        }
      }
      return Optional.of(
          new RecordSignature(firstIndex, parsed.author(), leafHashes, parsed.signature()));
    } catch (ClosedChannelException e) {
      throw new LedgerException("ledger closed", e);
    } catch (IOException e) {
      throw new LedgerException("cannot read the record of entry " + index, e);
    }
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public LedgerEntry read(long index) throws LedgerException {
    ensureOpen();
    checkIndex(index, size);
    long location = offsets.get(index);
    try {
      FileChannel channel = readChannel(RecordFormat.segmentOf(location));
      long offset = RecordFormat.offsetOf(location);
      int length = readAt(channel, offset, 4).getInt();
      if (length < 0 || length > TransactionCodec.MAX_ENCODED_BYTES) {
        throw LogScanner.corrupted(index, "invalid entry length on disk");
      }
      return entry(index, readAt(channel, offset + 4, length).array());
    } catch (ClosedChannelException e) {
      throw new LedgerException("ledger closed", e);
    } catch (IOException e) {
      throw new LedgerException("cannot read entry " + index, e);
    }
  }

  @Override
  public void scan(long fromIndex, EntryVisitor visitor) throws LedgerException {
    ensureOpen();
    long end = size;
    if (fromIndex < 0 || fromIndex > end) {
      throw new LedgerException("scan start " + fromIndex + " not in [0, " + end + "]");
    }
    int segment = -1;
    long position = -1;
    DataInputStream in = null;
    try {
      for (long index = fromIndex; index < end; index++) {
        long location = offsets.get(index);
        long target = RecordFormat.offsetOf(location);
        if (RecordFormat.segmentOf(location) == segment && target >= position) {
          // The next record of the same segment: skip its header rather than reopen the file.
          in.skipNBytes(target - position);
          position = target;
        } else {
          closeQuietly(in);
          segment = RecordFormat.segmentOf(location);
          position = target;
          in = openStream(segment, position);
        }
        int length = in.readInt();
        if (length < 0 || length > TransactionCodec.MAX_ENCODED_BYTES) {
          throw LogScanner.corrupted(index, "invalid entry length on disk");
        }
        byte[] bytes = in.readNBytes(length);
        position += 4L + length;
        visitor.visit(entry(index, bytes));
      }
    } catch (IOException e) {
      throw new LedgerException("cannot scan the ledger", e);
    } finally {
      closeQuietly(in);
    }
  }

  /** Decodes an entry read from disk, refusing bytes whose hash is not the tree's leaf. */
  private LedgerEntry entry(long index, byte[] bytes) throws LedgerException {
    byte[] leafHash = Rfc9162.leafHash(bytes);
    if (!MessageDigest.isEqual(leafHash, tree.leafHash(index))) {
      throw LogScanner.corrupted(index, "entry changed on disk since the ledger was opened");
    }
    return new LedgerEntry(index, TransactionCodec.decode(bytes), leafHash);
  }

  @Override
  public Checkpoint checkpoint(long minTreeSize) throws LedgerException {
    synchronized (checkpointMonitor) {
      long current = size;
      if (minTreeSize < 0 || minTreeSize > current) {
        throw new LedgerException("tree size " + minTreeSize + " not in [0, " + current + "]");
      }
      Checkpoint newest = latest;
      if (newest != null && newest.treeSize() >= minTreeSize) {
        return newest;
      }
      return signCheckpoint(current);
    }
  }

  private Checkpoint signCheckpoint(long treeSize) throws LedgerException {
    byte[] root = tree.root(treeSize);
    byte[] payload = CheckpointCodec.encodePayload(treeSize, root, options.clock().instant());
    String jws = signer.sign(payload);
    Checkpoint checkpoint;
    try {
      checkpoint = CheckpointCodec.verify(jws, nodePublicKey);
    } catch (LedgerException e) {
      throw new LedgerException("checkpoint signer does not sign with the node key", e);
    }
    if (checkpoint.treeSize() != treeSize || !MessageDigest.isEqual(root, checkpoint.rootHash())) {
      throw new LedgerException("checkpoint signer changed the payload");
    }
    try {
      checkpointLog.append(jws);
    } catch (IOException e) {
      throw new LedgerException("cannot write checkpoint", e);
    }
    latest = checkpoint;
    return checkpoint;
  }

  private void checkpointIfBehind() {
    try {
      synchronized (checkpointMonitor) {
        Checkpoint newest = latest;
        long current = size;
        if (current > 0 && (newest == null || newest.treeSize() < current)) {
          signCheckpoint(current);
        }
      }
    } catch (LedgerException | RuntimeException e) {
      LOG.warn("background checkpoint failed", e);
    }
  }

  @Override
  public List<byte[]> inclusionProof(long index, long treeSize) throws LedgerException {
    checkTreeSize(treeSize);
    checkIndex(index, treeSize);
    return tree.inclusionProof(index, treeSize);
  }

  @Override
  public List<byte[]> consistencyProof(long fromSize, long toSize) throws LedgerException {
    checkTreeSize(toSize);
    if (fromSize <= 0 || fromSize > toSize) {
      throw new LedgerException("need 0 < fromSize <= toSize, got " + fromSize + ", " + toSize);
    }
    return tree.consistencyProof(fromSize, toSize);
  }

  @Override
  public byte[] rootHash(long treeSize) throws LedgerException {
    checkTreeSize(treeSize);
    return tree.root(treeSize);
  }

  /** Location of entry {@code index} on disk, for tests: {@code segment << 40 | offset}. */
  long location(long index) {
    return offsets.get(index);
  }

  /**
   * Lets queued appends commit, stops the background checkpoints, signs a final checkpoint if
   * entries are not yet covered, and closes the files. Idempotent.
   */
  @Override
  public void close() throws LedgerException {
    state.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      state.writeLock().unlock();
    }
    commit.stop();
    // Not shutdownNow: interrupting a thread inside FileChannel I/O closes the channel.
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      synchronized (checkpointMonitor) {
        Checkpoint newest = latest;
        if (size > 0 && (newest == null || newest.treeSize() < size)) {
          signCheckpoint(size);
        }
      }
    } finally {
      readChannels.values().forEach(EmbeddedLedger::closeQuietly);
      closeQuietly(checkpointLog);
      closeQuietly(commit::closeWriter);
      closeQuietly(lock::release);
      closeQuietly(lockChannel);
    }
  }

  private void ensureOpen() throws LedgerException {
    if (closed) {
      throw new LedgerException("ledger closed");
    }
  }

  private void checkTreeSize(long treeSize) throws LedgerException {
    long current = size;
    if (treeSize < 0 || treeSize > current) {
      throw new LedgerException("tree size " + treeSize + " not in [0, " + current + "]");
    }
  }

  private static void checkIndex(long index, long treeSize) throws LedgerException {
    if (index < 0 || index >= treeSize) {
      throw new LedgerException("index " + index + " not in [0, " + treeSize + ")");
    }
  }

  private FileChannel readChannel(int segment) throws IOException {
    FileChannel channel = readChannels.get(segment);
    if (channel == null) {
      FileChannel opened =
          FileChannel.open(dir.resolve(RecordFormat.segmentName(segment)), StandardOpenOption.READ);
      channel = readChannels.putIfAbsent(segment, opened);
      if (channel == null) {
        channel = opened;
      } else {
        opened.close();
      }
    }
    return channel;
  }

  private DataInputStream openStream(int segment, long position) throws IOException {
    InputStream in = Files.newInputStream(dir.resolve(RecordFormat.segmentName(segment)));
    in.skipNBytes(position);
    return new DataInputStream(new BufferedInputStream(in, 1 << 16));
  }

  private static ByteBuffer readAt(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("segment ended early");
      }
    }
    return buffer.flip();
  }

  private static long await(CompletableFuture<Long> done) throws LedgerException {
    try {
      return done.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof LedgerException le) {
        throw new LedgerException(le.getMessage(), le);
      }
      throw new LedgerException("append failed", e.getCause());
    }
  }

  static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.debug("close failed", e);
    }
  }
}
