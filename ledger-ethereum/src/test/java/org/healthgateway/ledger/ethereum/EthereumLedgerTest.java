package org.healthgateway.ledger.ethereum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.healthgateway.ledger.CheckpointCodec;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.Rfc9162;
import org.healthgateway.ledger.SignedRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.RawTransaction;
import org.web3j.crypto.TransactionEncoder;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.utils.Numeric;

/** Against a real anvil mining a block every 200 ms. */
class EthereumLedgerTest {

  private static final Duration BLOCK_TIME = Duration.ofMillis(200);

  @TempDir Path tmp;

  private Anvil anvil;
  private RecordLogDeployer.Deployed contract;
  private final JWK nodeKey = ChainFixtures.ec();
  private final JWK authorKey = ChainFixtures.ec();
  private final List<EthereumLedger> opened = new ArrayList<>();

  @BeforeEach
  void startChain() throws Exception {
    anvil = Anvil.start(BLOCK_TIME);
    contract = RecordLogDeployer.deploy(anvil.web3j(), Anvil.account(), Duration.ofSeconds(30));
  }

  @AfterEach
  void stopChain() throws Exception {
    for (EthereumLedger ledger : opened) {
      ledger.close();
    }
    anvil.close();
  }

  private EthereumLedger.Options options(int depth) {
    return EthereumLedger.Options.of(contract.address())
        .withConfirmationDepth(depth)
        .withStartBlock(contract.block())
        .withPollInterval(Duration.ofMillis(50))
        .withResendAfter(Duration.ofSeconds(2))
        .withAppendTimeout(Duration.ofSeconds(60));
  }

  private EthereumLedger open(String dir, EthereumLedger.Options options) throws LedgerException {
    return open(dir, options, new SimpleMeterRegistry());
  }

  private EthereumLedger open(
      String dir, EthereumLedger.Options options, SimpleMeterRegistry meters)
      throws LedgerException {
    EthereumLedger ledger =
        EthereumLedger.open(
            tmp.resolve(dir),
            anvil.web3j(),
            Anvil.account(),
            ChainFixtures.NODE,
            List.of(nodeKey.toPublicJWK()),
            CheckpointSigner.of(nodeKey),
            nodeKey.toPublicJWK(),
            options,
            meters);
    opened.add(ledger);
    return ledger;
  }

  private void introduceAuthor(EthereumLedger ledger) throws LedgerException {
    ledger.append(ChainFixtures.identity(nodeKey, ChainFixtures.AUTHOR, authorKey));
  }

  @Test
  void append_thenRead_returnsTheSameTransactionsAndProofsVerify() throws Exception {
    EthereumLedger ledger = open("a", options(2));
    introduceAuthor(ledger);
    SignedRecord record = ChainFixtures.record(authorKey, 1, 3);

    List<Long> indexes = ledger.append(record);

    assertThat(indexes).containsExactly(1L, 2L, 3L);
    assertThat(ledger.size()).isEqualTo(4);
    for (int j = 0; j < 3; j++) {
      LedgerEntry entry = ledger.read(indexes.get(j));
      assertThat(entry.transaction()).isEqualTo(record.transactions().get(j));
      assertThat(entry.leafHash()).isEqualTo(record.leafHashes().get(j));
      assertThat(
              ledger
                  .recordSignature(indexes.get(j))
                  .orElseThrow()
                  .covers(indexes.get(j), entry.leafHash(), DetachedJws.verifier(authorKey)))
          .isTrue();
      assertThat(
              Rfc9162.verifyInclusion(
                  indexes.get(j),
                  4,
                  entry.leafHash(),
                  ledger.inclusionProof(indexes.get(j), 4),
                  ledger.rootHash(4)))
          .isTrue();
    }
    var checkpoint = ledger.checkpoint(4);
    assertThat(CheckpointCodec.verify(checkpoint.signature(), nodeKey.toPublicJWK()).rootHash())
        .isEqualTo(ledger.rootHash(4));
    assertThat(ledger.rejectedRecords()).isZero();
  }

  @Test
  void append_concurrently_packsManyRecordsPerTransaction() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    EthereumLedger ledger = open("a", options(1).withMaxInFlightTransactions(1), meters);
    introduceAuthor(ledger);
    int appends = 40;
    ExecutorService pool = Executors.newFixedThreadPool(appends);
    List<Future<List<Long>>> results = new ArrayList<>();
    for (int i = 0; i < appends; i++) {
      SignedRecord record = ChainFixtures.record(authorKey, 100 + i, 1);
      results.add(pool.submit(() -> ledger.append(record)));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> result : results) {
      all.addAll(result.get());
    }
    pool.shutdown();

    assertThat(all).doesNotHaveDuplicates().hasSize(appends);
    assertThat(ledger.size()).isEqualTo(1 + appends);
    double transactions = meters.get("gateway.ledger.ethereum.transactions.sent").counter().count();
    double records = meters.get("gateway.ledger.ethereum.records.sent").counter().count();
    // the identity record went alone; the 40 appends shared far fewer transactions
    assertThat(records / transactions).isGreaterThan(1.0);
    assertThat(transactions).isLessThan(1 + appends);
    assertThat(meters.get("gateway.ledger.ethereum.gas.per.record").summary().count())
        .isGreaterThan(0);
  }

  @Test
  void open_afterClose_resumesFromTheCursor() throws Exception {
    EthereumLedger first = open("a", options(1));
    introduceAuthor(first);
    first.append(ChainFixtures.record(authorKey, 1, 2));
    byte[] root = first.rootHash(3);
    long applied = first.appliedBlock();
    first.close();

    EthereumLedger again = open("a", options(1));

    assertThat(again.size()).isEqualTo(3);
    assertThat(again.rootHash(3)).isEqualTo(root);
    assertThat(again.appliedBlock()).isGreaterThanOrEqualTo(applied);
    assertThat(again.append(ChainFixtures.record(authorKey, 10, 1))).containsExactly(3L);
  }

  @Test
  void open_ofASecondNodeLater_rebuildsTheSameRootFromTheChain() throws Exception {
    EthereumLedger a = open("a", options(1));
    introduceAuthor(a);
    for (int i = 0; i < 5; i++) {
      a.append(ChainFixtures.record(authorKey, i * 10, 2));
    }

    EthereumLedger b = open("b", options(1));

    assertThat(b.size()).isEqualTo(a.size()).isEqualTo(11);
    assertThat(b.rootHash(11)).isEqualTo(a.rootHash(11));
    for (long i = 0; i < 11; i++) {
      assertThat(b.read(i)).isEqualTo(a.read(i));
    }
  }

  @Test
  void follow_forgedRecordsSentToTheContract_refusesAndCountsThem() throws Exception {
    EthereumLedger ledger = open("a", options(1));
    introduceAuthor(ledger);
    SignedRecord good = ChainFixtures.record(authorKey, 1, 1);
    ledger.append(good);
    byte[] replayed = RecordCodec.encode(good);
    byte[] unknownKey = RecordCodec.encode(ChainFixtures.record(ChainFixtures.ec(), 2, 1));
    byte[] badSignature = RecordCodec.encode(ChainFixtures.record(authorKey, 3, 1));
    // the last transaction byte is inside the ciphertext: the leaf hash no longer matches
    byte[] changedEntry = badSignature.clone();
    changedEntry[changedEntry.length - 40] ^= 1;
    byte[] wrongSigner = withSignatureOf(badSignature, RecordCodec.encode(good));

    sendStraightToContract(List.of(replayed, unknownKey, changedEntry, wrongSigner));
    SignedRecord after = ChainFixtures.record(authorKey, 4, 1);
    List<Long> indexes = ledger.append(after);

    assertThat(indexes).containsExactly(2L);
    assertThat(ledger.size()).isEqualTo(3);
    assertThat(ledger.rejectedRecords()).isEqualTo(4);
    EthereumLedger later = open("b", options(1));
    assertThat(later.rootHash(3)).isEqualTo(ledger.rootHash(3));
    assertThat(later.rejectedRecords()).isEqualTo(4);
  }

  /** {@code record} with the signature of {@code other} (same author, other leaf hashes). */
  private static byte[] withSignatureOf(byte[] record, byte[] other) throws LedgerException {
    SignedRecord r = RecordCodec.decode(record);
    SignedRecord o = RecordCodec.decode(other);
    String good = r.signature();
    String swapped = o.signature();
    String text = new String(record, java.nio.charset.StandardCharsets.ISO_8859_1);
    int at = text.indexOf(good);
    assertThat(swapped.length()).isEqualTo(good.length());
    byte[] out = record.clone();
    System.arraycopy(
        swapped.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, out, at, swapped.length());
    return out;
  }

  private void sendStraightToContract(List<byte[]> records) throws Exception {
    var web3j = anvil.web3j();
    var account = Anvil.account();
    BigInteger nonce =
        web3j
            .ethGetTransactionCount(account.getAddress(), DefaultBlockParameterName.PENDING)
            .send()
            .getTransactionCount();
    RawTransaction raw =
        RawTransaction.createTransaction(
            nonce,
            web3j.ethGasPrice().send().getGasPrice(),
            BigInteger.valueOf(3_000_000),
            contract.address(),
            BigInteger.ZERO,
            RecordLogContract.encodeAppend(records));
    long chainId = web3j.ethChainId().send().getChainId().longValueExact();
    var sent =
        web3j
            .ethSendRawTransaction(
                Numeric.toHexString(TransactionEncoder.signMessage(raw, chainId, account)))
            .send();
    assertThat(sent.hasError()).as("%s", sent.getError()).isFalse();
  }

  @Test
  void follow_reorgWithinTheDepth_appliesOnlyTheSurvivingChain() throws Exception {
    int depth = 8;
    EthereumLedger ledger = open("a", options(depth));
    introduceAuthor(ledger);
    long before = ledger.size();
    String snapshot = anvil.snapshot();
    SignedRecord record = ChainFixtures.record(authorKey, 1, 2);
    var account = Anvil.account().getAddress();
    BigInteger sentBefore =
        anvil
            .web3j()
            .ethGetTransactionCount(account, DefaultBlockParameterName.LATEST)
            .send()
            .getTransactionCount();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<List<Long>> append = pool.submit(() -> ledger.append(record));
    // wait until the append transaction is mined, then take its block away
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (anvil
            .web3j()
            .ethGetTransactionCount(account, DefaultBlockParameterName.LATEST)
            .send()
            .getTransactionCount()
            .equals(sentBefore)
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    anvil.revert(snapshot);
    assertThat(ledger.size()).as("nothing applied before the depth").isEqualTo(before);

    List<Long> indexes = append.get();
    pool.shutdown();

    assertThat(indexes).containsExactly(before, before + 1);
    assertThat(ledger.failure()).isEmpty();
    EthereumLedger later = open("b", options(depth));
    assertThat(later.size()).isEqualTo(ledger.size());
    assertThat(later.rootHash(later.size())).isEqualTo(ledger.rootHash(ledger.size()));
  }

  @Test
  void follow_reorgDeeperThanTheDepth_isDetectedAndStopsAppends() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    EthereumLedger ledger = open("a", options(1), meters);
    String snapshot = anvil.snapshot();
    introduceAuthor(ledger);
    ledger.append(ChainFixtures.record(authorKey, 1, 1));

    anvil.revert(snapshot);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (ledger.failure().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertThat(ledger.failure()).get().isInstanceOf(ChainReorgException.class);
    assertThat(meters.get("gateway.ledger.ethereum.reorgs.deep").counter().count()).isEqualTo(1);
    assertThatThrownBy(() -> ledger.append(ChainFixtures.record(authorKey, 2, 1)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("reorg deeper than the confirmation depth");
    assertThat(ledger.size()).as("what was applied stays readable").isEqualTo(2);
  }
}
