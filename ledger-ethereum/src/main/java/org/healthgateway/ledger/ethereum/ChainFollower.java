package org.healthgateway.ledger.ethereum;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.healthgateway.ledger.LedgerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Reads {@code Record} events of confirmed blocks (at least {@code confirmationDepth} below the
 * head) from the cursor on and hands them to the {@link LocalLog}. Before each step it checks that
 * the block at the cursor still has the hash it had when applied: if not, a reorg replaced a block
 * the node already applied (deeper than the confirmation depth), and the follower stops and reports
 * it instead of accepting another history. A reorg shallower than the depth replaces only blocks
 * the follower has not read yet, so it needs no handling.
 */
final class ChainFollower {

  private static final Logger LOG = LoggerFactory.getLogger(ChainFollower.class);
  private static final long MAX_BLOCK_RANGE = 2_000;

  private final Web3j web3j;
  private final String contract;
  private final int confirmationDepth;
  private final LocalLog log;
  private final EthereumMetrics metrics;

  ChainFollower(
      Web3j web3j, String contract, int confirmationDepth, LocalLog log, EthereumMetrics metrics) {
    this.web3j = web3j;
    this.contract = contract;
    this.confirmationDepth = confirmationDepth;
    this.log = log;
    this.metrics = metrics;
  }

  /**
   * Applies what became confirmed since the last call.
   *
   * @return true if the follower is caught up with the confirmed head
   * @throws ChainReorgException if an applied block was replaced
   * @throws LedgerException on a gap in the records or a failure to persist
   * @throws IOException if the node cannot be reached
   */
  boolean step() throws LedgerException, IOException {
    long head = web3j.ethBlockNumber().send().getBlockNumber().longValueExact();
    ChainCursor cursor = log.cursor();
    checkCursorBlock(cursor);
    long confirmed = head - confirmationDepth;
    metrics.followerLagBlocks.set(Math.max(0, head - Math.max(cursor.blockNumber(), 0)));
    if (confirmed <= cursor.blockNumber()) {
      return true;
    }
    long from = cursor.blockNumber() + 1;
    long to = Math.min(confirmed, cursor.blockNumber() + MAX_BLOCK_RANGE);
    String toHash = blockHash(to);
    if (toHash == null) {
      return false;
    }
    List<RecordLogContract.RecordEvent> events = events(from, to);
    for (RecordLogContract.RecordEvent event : events) {
      if (event.blockNumber() == to && !toHash.equalsIgnoreCase(event.blockHash())) {
        LOG.warn("block {} changed while it was read; reading it again", to);
        return false;
      }
    }
    log.apply(events, new ChainCursor(contract, to, toHash, cursor.nextSeq()));
    metrics.followerLagBlocks.set(head - to);
    return to == confirmed;
  }

  private void checkCursorBlock(ChainCursor cursor) throws IOException, ChainReorgException {
    if (!cursor.started()) {
      return;
    }
    String now = blockHash(cursor.blockNumber());
    if (now == null || !now.equalsIgnoreCase(cursor.blockHash())) {
      metrics.deepReorgs.increment();
      throw new ChainReorgException(
          "reorg deeper than the confirmation depth ("
              + confirmationDepth
              + "): applied block "
              + cursor.blockNumber()
              + " was "
              + cursor.blockHash()
              + ", the node now has "
              + (now == null ? "no such block" : now));
    }
  }

  private String blockHash(long number) throws IOException {
    EthBlock.Block block =
        web3j
            .ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(number)), false)
            .send()
            .getBlock();
    return block == null ? null : block.getHash();
  }

  private List<RecordLogContract.RecordEvent> events(long from, long to)
      throws IOException, LedgerException {
    EthFilter filter =
        new EthFilter(
            DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
            DefaultBlockParameter.valueOf(BigInteger.valueOf(to)),
            contract);
    filter.addSingleTopic(RecordLogContract.RECORD_TOPIC);
    EthLog answer = web3j.ethGetLogs(filter).send();
    if (answer.hasError()) {
      throw new IOException("eth_getLogs failed: " + answer.getError().getMessage());
    }
    List<Log> logs = new ArrayList<>();
    for (EthLog.LogResult<?> result : answer.getLogs()) {
      if (result.get() instanceof Log l && !l.isRemoved()) {
        logs.add(l);
      }
    }
    logs.sort(Comparator.comparing(Log::getBlockNumber).thenComparing(Log::getLogIndex));
    List<RecordLogContract.RecordEvent> events = new ArrayList<>(logs.size());
    for (Log l : logs) {
      try {
        events.add(RecordLogContract.decode(l));
      } catch (IllegalArgumentException e) {
        throw new LedgerException(
            "malformed Record event in " + l.getTransactionHash() + ": " + e.getMessage(), e);
      }
    }
    return events;
  }
}
