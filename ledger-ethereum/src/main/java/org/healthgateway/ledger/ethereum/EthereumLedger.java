package org.healthgateway.ledger.ethereum;

import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.CheckpointCodec;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Ledger;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.RecordSignature;
import org.healthgateway.ledger.SignedRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;

/**
 * The ledger on an EVM chain: {@link #append} sends the record's {@link RecordCodec} bytes, batched
 * with other appends, to the {@code RecordLog} contract and returns once this node's follower has
 * read them back from a block {@code confirmationDepth} deep and verified them; every read, proof
 * and checkpoint is answered from what the follower rebuilt locally. Records that do not verify
 * (forged, replayed) are refused, logged and counted, never applied; the entries of the log are the
 * verified records' transactions in chain order, so every node following the same contract from the
 * same start block has the same log and root hash.
 *
 * <p>Files in the data directory: {@code cursor.properties} ({@link ChainCursor}), {@code
 * records.bin} ({@link RecordCache}). See the module README.
 */
public final class EthereumLedger implements Ledger {

  private static final Logger LOG = LoggerFactory.getLogger(EthereumLedger.class);

  /**
   * Settings.
   *
   * @param contractAddress the {@code RecordLog} contract
   * @param confirmationDepth blocks on top of a record's block before it is applied (0: applied
   *     when mined)
   * @param startBlock first block to read events from (the contract's creation block or earlier)
   * @param pollInterval how often the follower asks the node for new blocks
   * @param maxRecordsPerTransaction most records batched into one EVM transaction
   * @param maxTransactionBytes most record bytes in one EVM transaction (nodes refuse large ones)
   * @param maxInFlightTransactions most transactions sent and not yet mined
   * @param appendTimeout how long {@link #append} waits for its record to be applied
   * @param resendAfter a transaction not seen on the chain for this long is sent again
   * @param maxRecordBytes a larger record read from the chain is refused
   */
  public record Options(
      String contractAddress,
      int confirmationDepth,
      long startBlock,
      Duration pollInterval,
      int maxRecordsPerTransaction,
      int maxTransactionBytes,
      int maxInFlightTransactions,
      Duration appendTimeout,
      Duration resendAfter,
      int maxRecordBytes) {
    public Options {
      Objects.requireNonNull(contractAddress, "contractAddress");
      if (confirmationDepth < 0 || startBlock < 0) {
        throw new IllegalArgumentException("confirmationDepth and startBlock must be >= 0");
      }
      if (maxRecordsPerTransaction < 1 || maxInFlightTransactions < 1 || maxTransactionBytes < 1) {
        throw new IllegalArgumentException("batch limits must be positive");
      }
    }

    /** Depth 2, from block 0, 250 ms polls, 256 records or 96 KiB per transaction, 4 in flight. */
    public static Options of(String contractAddress) {
      return new Options(
          contractAddress,
          2,
          0,
          Duration.ofMillis(250),
          256,
          96 << 10,
          4,
          Duration.ofMinutes(2),
          Duration.ofSeconds(15),
          16 << 20);
    }

    public Options withConfirmationDepth(int depth) {
      return new Options(
          contractAddress,
          depth,
          startBlock,
          pollInterval,
          maxRecordsPerTransaction,
          maxTransactionBytes,
          maxInFlightTransactions,
          appendTimeout,
          resendAfter,
          maxRecordBytes);
    }

    public Options withStartBlock(long block) {
      return new Options(
          contractAddress,
          confirmationDepth,
          block,
          pollInterval,
          maxRecordsPerTransaction,
          maxTransactionBytes,
          maxInFlightTransactions,
          appendTimeout,
          resendAfter,
          maxRecordBytes);
    }

    public Options withPollInterval(Duration interval) {
      return new Options(
          contractAddress,
          confirmationDepth,
          startBlock,
          interval,
          maxRecordsPerTransaction,
          maxTransactionBytes,
          maxInFlightTransactions,
          appendTimeout,
          resendAfter,
          maxRecordBytes);
    }

    public Options withMaxInFlightTransactions(int n) {
      return new Options(
          contractAddress,
          confirmationDepth,
          startBlock,
          pollInterval,
          maxRecordsPerTransaction,
          maxTransactionBytes,
          n,
          appendTimeout,
          resendAfter,
          maxRecordBytes);
    }

    public Options withResendAfter(Duration after) {
      return new Options(
          contractAddress,
          confirmationDepth,
          startBlock,
          pollInterval,
          maxRecordsPerTransaction,
          maxTransactionBytes,
          maxInFlightTransactions,
          appendTimeout,
          after,
          maxRecordBytes);
    }

    public Options withAppendTimeout(Duration timeout) {
      return new Options(
          contractAddress,
          confirmationDepth,
          startBlock,
          pollInterval,
          maxRecordsPerTransaction,
          maxTransactionBytes,
          maxInFlightTransactions,
          timeout,
          resendAfter,
          maxRecordBytes);
    }
  }

  private final Options options;
  private final CheckpointSigner checkpointSigner;
  private final JWK nodePublicKey;
  private final Clock clock;
  private final LocalLog log;
  private final ChainFollower follower;
  private final BatchSender sender;
  private final EthereumMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private ScheduledFuture<?> polling;
  private final Object checkpointMonitor = new Object();
  private volatile Checkpoint latest;
  private volatile LedgerException failure;
  private volatile boolean closed;
  private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();
  private final List<EntryVisitor> foreignListeners = new CopyOnWriteArrayList<>();
  private final Membership membership;

  private EthereumLedger(
      Options options,
      CheckpointSigner checkpointSigner,
      JWK nodePublicKey,
      LocalLog log,
      ChainFollower follower,
      BatchSender sender,
      EthereumMetrics metrics,
      Membership membership) {
    this.options = options;
    this.membership = membership;
    this.checkpointSigner = checkpointSigner;
    this.nodePublicKey = nodePublicKey.toPublicJWK();
    this.clock = Clock.systemUTC();
    this.log = log;
    this.follower = follower;
    this.sender = sender;
    this.metrics = metrics;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ledger-ethereum-follower");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens the ledger in {@code dir}: verifies the cached records again (which rebuilds the
   * membership), catches up with the chain (so that reads answer at least what was confirmed before
   * the call), then follows it.
   *
   * @param web3j the node's JSON-RPC client ({@code Web3j.build(new HttpService(url))})
   * @param account the Ethereum account that pays for the append transactions
   * @param nodeIdentity this node's identity ({@code Device/<node-id>}), the author of its own
   *     records; only named in the log here (membership is judged from the records)
   * @param registryKeys public keys of the founding members: a record signed by one makes its
   *     author a member bound to it (module README, "Membership"); the same list on every node of
   *     the chain, and never changed for a chain already written
   * @param checkpointSigner signs checkpoints of the local tree with this node's key
   * @param nodePublicKey this node's public key, to check what the signer returns
   * @throws LedgerException if the node cannot be reached, or the cache or chain do not verify
   */
  public static EthereumLedger open(
      Path dir,
      Web3j web3j,
      Credentials account,
      String nodeIdentity,
      List<JWK> registryKeys,
      CheckpointSigner checkpointSigner,
      JWK nodePublicKey,
      Options options,
      MeterRegistry registry)
      throws LedgerException {
    try {
      Files.createDirectories(dir);
      EthereumMetrics metrics = new EthereumMetrics(registry);
      Membership membership = new Membership(registryKeys);
      RecordVerifier verifier = new RecordVerifier(membership, options.maxRecordBytes());
      LocalLog log =
          LocalLog.open(
              dir,
              options.contractAddress(),
              options.startBlock(),
              verifier,
              metrics,
              options.maxRecordBytes());
      long chainId = web3j.ethChainId().send().getChainId().longValueExact();
      ChainFollower follower =
          new ChainFollower(
              web3j, options.contractAddress(), options.confirmationDepth(), log, metrics);
      while (!follower.step()) {
        // catching up, MAX_BLOCK_RANGE blocks a step
      }
      BatchSender sender =
          new BatchSender(web3j, account, chainId, options.contractAddress(), options, metrics);
      EthereumLedger ledger =
          new EthereumLedger(
              options, checkpointSigner, nodePublicKey, log, follower, sender, metrics, membership);
      if (!ledger.isMember(nodePublicKey)) {
        LOG.warn(
            "{} is not a member of the chain yet: its records are refused until a member admits"
                + " its key {}",
            nodeIdentity,
            DetachedJws.thumbprint(nodePublicKey));
      }
      ledger.start();
      return ledger;
    } catch (IOException e) {
      throw new LedgerException("cannot reach the Ethereum node: " + e.getMessage(), e);
    }
  }

  private void start() {
    log.onForeignEntries(this::deliverForeign);
    long interval = options.pollInterval().toMillis();
    polling =
        scheduler.scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.MILLISECONDS);
  }

  /** One follower step; never throws (a scheduled task that throws stops running). */
  private void poll() {
    if (failure != null) {
      return;
    }
    try {
      sender.poll();
      follower.step();
    } catch (LedgerException e) {
      failure = e;
      LOG.error("ledger-ethereum stops following the chain: {}", e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot follow the chain now: {}", e.toString());
    }
  }

  /**
   * Runs {@code action} after {@link #close}, e.g. to shut down the Web3j client the caller built.
   *
   * @return this ledger
   */
  public EthereumLedger onClose(Runnable action) {
    closeActions.add(action);
    return this;
  }

  /**
   * Registers a listener told of every entry of a verified record this instance did not append
   * (another node's, one sent straight to the contract, or one of this node's whose {@code append}
   * timed out), in ledger order, once the entries are readable ({@link #read} works inside the
   * listener) and durable. Called from the follower's thread, so a slow listener delays the
   * follower; one that throws is logged and the next entries and listeners are still told. Entries
   * applied after this method returns are all delivered; a caller that indexes the log at start
   * adds its listener before its {@link #scan}, so no entry is missed (one applied meanwhile may
   * reach both). Records of this node's own {@link #append} calls are never delivered.
   */
  @Override
  public void addForeignEntryListener(EntryVisitor listener) {
    foreignListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  private void deliverForeign(List<Long> indexes) {
    for (EntryVisitor listener : foreignListeners) {
      for (long index : indexes) {
        try {
          listener.visit(log.read(index));
        } catch (LedgerException | RuntimeException e) {
          LOG.warn("foreign-entry listener failed on entry {}: {}", index, e.toString(), e);
        }
      }
    }
  }

  /**
   * True if {@code key} (by RFC 7638 thumbprint) is a registry key or was admitted by a MEMBER
   * transaction of an applied record.
   */
  public boolean isMember(JWK key) {
    try {
      return membership.isMemberKey(DetachedJws.thumbprint(key.toPublicJWK()));
    } catch (LedgerException e) {
      return false;
    }
  }

  /**
   * Blocks until {@link #isMember}{@code (key)}, e.g. a node started before a member admitted it.
   *
   * @throws LedgerException if {@code timeout} passes first, the ledger is closed or stopped
   *     following the chain
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public void awaitMembership(JWK key, Duration timeout)
      throws LedgerException, InterruptedException {
    String thumbprint = DetachedJws.thumbprint(key.toPublicJWK());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!membership.awaitMemberKey(thumbprint, 250)) {
      checkUsable();
      if (System.nanoTime() - deadline >= 0) {
        throw new LedgerException(
            "key " + thumbprint + " not admitted to the chain within " + timeout);
      }
    }
  }

  /**
   * The members as rebuilt from the chain, in the order they were admitted (a member with several
   * keys once per key; the registry keys that signed no record yet are not listed).
   */
  public List<Member> members() {
    return membership.members();
  }

  /** Why the follower stopped (a deep reorg, a gap), or empty while it follows the chain. */
  public Optional<LedgerException> failure() {
    return Optional.ofNullable(failure);
  }

  /** Records read from the chain and refused since start, all reasons. */
  public long rejectedRecords() {
    return (long) metrics.rejectedTotal();
  }

  /** The follower's position: the last applied block. */
  public long appliedBlock() {
    return log.cursor().blockNumber();
  }

  @Override
  public List<Long> append(SignedRecord record) throws LedgerException {
    checkUsable();
    byte[] bytes = RecordCodec.encode(record);
    if (bytes.length > options.maxRecordBytes()) {
      throw new LedgerException("record of " + bytes.length + " bytes over the ledger's cap");
    }
    PendingRecord pending = new PendingRecord(bytes);
    log.await(pending);
    sender.submit(pending);
    try {
      return pending.applied.get(options.appendTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof LedgerException le
          ? new LedgerException(le.getMessage(), le)
          : new LedgerException("append failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      log.forget(pending);
      LedgerException why = failure;
      throw new LedgerException(
          "record not confirmed within "
              + options.appendTimeout()
              + (why == null ? "" : ": " + why.getMessage()),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LedgerException("interrupted while waiting for the chain", e);
    }
  }

  private void checkUsable() throws LedgerException {
    if (closed) {
      throw new LedgerException("ledger closed");
    }
    LedgerException why = failure;
    if (why != null) {
      throw new LedgerException("the ledger stopped following the chain: " + why.getMessage(), why);
    }
  }

  @Override
  public Optional<RecordSignature> recordSignature(long index) throws LedgerException {
    return log.recordSignature(index);
  }

  @Override
  public long size() {
    return log.size();
  }

  @Override
  public LedgerEntry read(long index) throws LedgerException {
    return log.read(index);
  }

  @Override
  public void scan(long fromIndex, EntryVisitor visitor) throws LedgerException {
    long end = log.size();
    for (long i = Math.max(0, fromIndex); i < end; i++) {
      visitor.visit(log.read(i));
    }
  }

  @Override
  public Checkpoint checkpoint(long minTreeSize) throws LedgerException {
    synchronized (checkpointMonitor) {
      long size = log.size();
      if (minTreeSize > size) {
        throw new LedgerException("tree size " + minTreeSize + " beyond the log's " + size);
      }
      Checkpoint newest = latest;
      if (newest != null && newest.treeSize() >= minTreeSize) {
        return newest;
      }
      byte[] root = log.tree().root(size);
      String jws =
          checkpointSigner.sign(CheckpointCodec.encodePayload(size, root, clock.instant()));
      Checkpoint checkpoint = CheckpointCodec.verify(jws, nodePublicKey);
      if (checkpoint.treeSize() != size || !MessageDigest.isEqual(root, checkpoint.rootHash())) {
        throw new LedgerException("checkpoint signer changed the payload");
      }
      latest = checkpoint;
      return checkpoint;
    }
  }

  @Override
  public List<byte[]> inclusionProof(long index, long treeSize) throws LedgerException {
    try {
      return log.tree().inclusionProof(index, treeSize);
    } catch (IllegalArgumentException e) {
      throw new LedgerException(e.getMessage(), e);
    }
  }

  @Override
  public List<byte[]> consistencyProof(long fromSize, long toSize) throws LedgerException {
    try {
      return log.tree().consistencyProof(fromSize, toSize);
    } catch (IllegalArgumentException e) {
      throw new LedgerException(e.getMessage(), e);
    }
  }

  @Override
  public byte[] rootHash(long treeSize) throws LedgerException {
    try {
      return log.tree().root(treeSize);
    } catch (IllegalArgumentException e) {
      throw new LedgerException(e.getMessage(), e);
    }
  }

  @Override
  public void close() throws LedgerException {
    if (closed) {
      return;
    }
    closed = true;
    sender.close();
    polling.cancel(false);
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      log.close();
    } finally {
      closeActions.forEach(Runnable::run);
    }
  }
}
