package org.healthgateway.ledger.ethereum;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.healthgateway.ledger.LedgerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.response.EthSendTransaction;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * Packs queued records into {@code append(bytes[])} transactions: at most {@code maxRecords}
 * records and {@code maxBytes} of record bytes per transaction, at most {@code maxInFlight}
 * transactions sent and not yet mined, so records queue up (and batch) while the chain is busy.
 * Nonces are counted locally from the account's pending count and taken again from the node after a
 * refused send or a resend. A transaction whose receipt is not seen for {@code resendAfter}
 * (dropped, or mined in a block a reorg removed) is sent again with the records not yet applied; a
 * duplicate that still lands is refused by every follower as a replay.
 */
final class BatchSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);
  private static final BigInteger GAS_MARGIN_PERCENT = BigInteger.valueOf(130);

  private final Web3j web3j;
  private final Credentials account;
  private final long chainId;
  private final String contract;
  private final EthereumLedger.Options options;
  private final EthereumMetrics metrics;
  private final BlockingQueue<PendingRecord> queue = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<InFlight> inFlight = new ConcurrentLinkedQueue<>();
  private final Semaphore permits;
  private final Thread sender;
  private final Object nonceLock = new Object();
  private long nextNonce = -1;
  private volatile boolean closed;

  /** A sent transaction and the records it carries. */
  private static final class InFlight {
    final List<PendingRecord> records;
    String hash;
    long lastSeenNanos = System.nanoTime();
    boolean mined;
    boolean holdsPermit = true;

    InFlight(List<PendingRecord> records) {
      this.records = records;
    }
  }

  BatchSender(
      Web3j web3j,
      Credentials account,
      long chainId,
      String contract,
      EthereumLedger.Options options,
      EthereumMetrics metrics) {
    this.web3j = web3j;
    this.account = account;
    this.chainId = chainId;
    this.contract = contract;
    this.options = options;
    this.metrics = metrics;
    this.permits = new Semaphore(options.maxInFlightTransactions());
    this.sender = new Thread(this::run, "ledger-ethereum-sender");
    sender.setDaemon(true);
    sender.start();
  }

  void submit(PendingRecord record) {
    queue.add(record);
  }

  private void run() {
    while (!closed) {
      try {
        permits.acquire();
        PendingRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          permits.release();
          continue;
        }
        List<PendingRecord> batch = new ArrayList<>();
        batch.add(first);
        long bytes = first.bytes.length;
        PendingRecord next;
        while (batch.size() < options.maxRecordsPerTransaction()
            && (next = queue.peek()) != null
            && bytes + next.bytes.length <= options.maxTransactionBytes()) {
          batch.add(queue.remove());
          bytes += next.bytes.length;
        }
        InFlight tx = new InFlight(batch);
        try {
          send(tx, false);
          inFlight.add(tx);
        } catch (IOException | LedgerException | RuntimeException e) {
          permits.release();
          LOG.error("cannot send {} ledger records", batch.size(), e);
          for (PendingRecord r : batch) {
            r.applied.completeExceptionally(
                new LedgerException("cannot send the record to the chain: " + e.getMessage(), e));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Signs and sends {@code tx}'s records not yet applied, taking the nonce from the node first if
   * {@code resync} (a resend: a reorg may have taken transactions away) and again once if refused.
   */
  private void send(InFlight tx, boolean resync) throws IOException, LedgerException {
    List<byte[]> records = new ArrayList<>();
    for (PendingRecord r : tx.records) {
      if (!r.applied.isDone()) {
        records.add(r.bytes);
      }
    }
    String data = RecordLogContract.encodeAppend(records);
    for (int attempt = 0; ; attempt++) {
      EthSendTransaction sent;
      synchronized (nonceLock) {
        if (nextNonce < 0 || resync || attempt > 0) {
          nextNonce = pendingNonce();
        }
        BigInteger nonce = BigInteger.valueOf(nextNonce);
        BigInteger gasPrice = web3j.ethGasPrice().send().getGasPrice();
        BigInteger gasLimit = estimateGas(nonce, data);
        RawTransaction raw =
            RawTransaction.createTransaction(
                nonce, gasPrice, gasLimit, contract, BigInteger.ZERO, data);
        byte[] signed = TransactionEncoder.signMessage(raw, chainId, account);
        sent = web3j.ethSendRawTransaction(Numeric.toHexString(signed)).send();
        if (!sent.hasError()) {
          nextNonce++;
        }
      }
      if (!sent.hasError()) {
        tx.hash = sent.getTransactionHash();
        tx.lastSeenNanos = System.nanoTime();
        tx.mined = false;
        metrics.transactionsSent.increment();
        metrics.recordsSent.increment(records.size());
        metrics.recordsPerTransaction.record(records.size());
        return;
      }
      if (attempt > 0) {
        throw new LedgerException("node refused the transaction: " + sent.getError().getMessage());
      }
      LOG.warn(
          "node refused transaction ({}), taking the nonce again", sent.getError().getMessage());
    }
  }

  private long pendingNonce() throws IOException {
    return web3j
        .ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.PENDING)
        .send()
        .getTransactionCount()
        .longValueExact();
  }

  private BigInteger estimateGas(BigInteger nonce, String data)
      throws IOException, LedgerException {
    var estimate =
        web3j
            .ethEstimateGas(
                org.web3j.protocol.core.methods.request.Transaction.createFunctionCallTransaction(
                    account.getAddress(), nonce, null, null, contract, BigInteger.ZERO, data))
            .send();
    if (estimate.hasError()) {
      throw new LedgerException("gas estimate failed: " + estimate.getError().getMessage());
    }
    return estimate.getAmountUsed().multiply(GAS_MARGIN_PERCENT).divide(BigInteger.valueOf(100));
  }

  /**
   * Looks at every transaction in flight: counts a mined one's gas and frees its slot, fails the
   * records of a reverted one, resends one whose receipt has not been seen for {@code resendAfter},
   * forgets one whose records are all applied. Called by the follower's thread.
   */
  void poll() {
    Duration resendAfter = options.resendAfter();
    for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); ) {
      InFlight tx = it.next();
      if (tx.records.stream().allMatch(r -> r.applied.isDone())) {
        releasePermit(tx);
        it.remove();
        continue;
      }
      try {
        Optional<TransactionReceipt> receipt =
            web3j.ethGetTransactionReceipt(tx.hash).send().getTransactionReceipt();
        if (receipt.isPresent()) {
          tx.lastSeenNanos = System.nanoTime();
          if (!tx.mined) {
            tx.mined = true;
            onMined(tx, receipt.get());
            if (!receipt.get().isStatusOK()) {
              it.remove();
            }
          }
        } else if (System.nanoTime() - tx.lastSeenNanos > resendAfter.toNanos()) {
          LOG.warn("transaction {} not on the chain after {}, sending again", tx.hash, resendAfter);
          send(tx, true);
        }
      } catch (IOException | LedgerException | RuntimeException e) {
        LOG.warn("cannot follow transaction {}", tx.hash, e);
      }
    }
  }

  private void onMined(InFlight tx, TransactionReceipt receipt) {
    releasePermit(tx);
    if (!receipt.isStatusOK()) {
      LedgerException failure =
          new LedgerException("append transaction " + tx.hash + " reverted on the chain");
      tx.records.forEach(r -> r.applied.completeExceptionally(failure));
      return;
    }
    metrics.gasPerRecord.record(receipt.getGasUsed().doubleValue() / tx.records.size());
  }

  private void releasePermit(InFlight tx) {
    if (tx.holdsPermit) {
      tx.holdsPermit = false;
      permits.release();
    }
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    LedgerException closing = new LedgerException("ledger closed");
    for (PendingRecord r : queue) {
      r.applied.completeExceptionally(closing);
    }
  }
}
