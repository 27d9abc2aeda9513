package org.healthgateway.ledger.ethereum;

import static org.healthgateway.ledger.TransactionType.IDENTITY;
import static org.healthgateway.ledger.TransactionType.MEMBER;

import com.nimbusds.jose.jwk.JWK;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;
import org.junit.jupiter.api.Test;

/**
 * The figures of the module README, against a real anvil: ledger records per second through the
 * adapter with batching (many concurrent appends at node A), gas per record, and the latency from
 * an append at A to the entry readable at a second node B (its foreign-entry listener). Not a test;
 * run with a main (module README, "Figures"). Arguments: records (2000), concurrent appends (512),
 * ciphertext bytes per record (1024), block time in seconds (1), confirmation depth (2), latency
 * samples (20).
 */
public final class ChainThroughput {

  private static final String A = "Device/hospital-a";
  private static final String B = "Device/hospital-b";

  @Test
  void run() throws Exception {
    String args = System.getProperty("chain.throughput", "").trim();
    main(args.isEmpty() ? new String[0] : java.util.regex.Pattern.compile("\\s+").split(args));
  }

  public static void main(String[] args) throws Exception {
    int records = arg(args, 0, 2000);
    int concurrency = arg(args, 1, 512);
    int payload = arg(args, 2, 1024);
    int blockSeconds = arg(args, 3, 1);
    int depth = arg(args, 4, 2);
    int samples = arg(args, 5, 20);
    Path dir = Files.createTempDirectory("chain-throughput");
    JWK keyA = ChainFixtures.ec();
    JWK keyB = ChainFixtures.ec();
    try (Anvil anvil = Anvil.start(Duration.ofSeconds(blockSeconds))) {
      var contract =
          RecordLogDeployer.deploy(anvil.web3j(), Anvil.account(), Duration.ofSeconds(60));
      EthereumLedger.Options options =
          EthereumLedger.Options.of(contract.address())
              .withConfirmationDepth(depth)
              .withStartBlock(contract.block())
              .withAppendTimeout(Duration.ofMinutes(10));
      SimpleMeterRegistry metersA = new SimpleMeterRegistry();
      try (EthereumLedger a = open(dir.resolve("a"), anvil, 0, A, keyA, keyA, options, metersA);
          EthereumLedger b =
              open(dir.resolve("b"), anvil, 1, B, keyB, keyA, options, new SimpleMeterRegistry())) {
        a.append(ChainFixtures.registration(IDENTITY, keyA, A, A, keyA));
        a.append(ChainFixtures.registration(MEMBER, keyA, A, B, keyB));
        b.awaitMembership(keyB, Duration.ofMinutes(1));
        throughput(a, keyA, records, concurrency, payload, metersA);
        latency(a, b, keyA, samples, payload, depth, blockSeconds);
      }
    }
  }

  private static EthereumLedger open(
      Path dir,
      Anvil anvil,
      int account,
      String identity,
      JWK nodeKey,
      JWK registry,
      EthereumLedger.Options options,
      SimpleMeterRegistry meters)
      throws LedgerException {
    return EthereumLedger.open(
        dir,
        anvil.web3j(),
        Anvil.account(account),
        identity,
        List.of(registry.toPublicJWK()),
        CheckpointSigner.of(nodeKey),
        nodeKey.toPublicJWK(),
        options,
        meters);
  }

  private static void throughput(
      EthereumLedger a,
      JWK key,
      int records,
      int concurrency,
      int payload,
      SimpleMeterRegistry meters)
      throws Exception {
    List<SignedRecord> batch = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      batch.add(record(key, i, payload));
    }
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    List<Future<List<Long>>> appends = new ArrayList<>(records);
    for (SignedRecord record : batch) {
      appends.add(pool.submit(() -> a.append(record)));
    }
    for (Future<List<Long>> append : appends) {
      append.get();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    var gas = meters.get("gateway.ledger.ethereum.gas.per.record").summary();
    var perTx = meters.get("gateway.ledger.ethereum.records.per.transaction").summary();
    System.out.printf(
        "throughput: %d records of %d ciphertext bytes, %d concurrent appends: %.1f s,"
            + " %.0f records/s; gas per record mean %.0f; records per transaction mean %.1f"
            + " max %.0f%n",
        records,
        payload,
        concurrency,
        seconds,
        records / seconds,
        gas.mean(),
        perTx.mean(),
        perTx.max());
  }

  private static void latency(
      EthereumLedger a, EthereumLedger b, JWK key, int samples, int payload, int depth, int block)
      throws Exception {
    Map<Long, CompletableFuture<Long>> readable = new ConcurrentHashMap<>();
    b.addForeignEntryListener(
        entry ->
            readable
                .computeIfAbsent(entry.index(), i -> new CompletableFuture<>())
                .complete(System.nanoTime()));
    double[] millis = new double[samples];
    for (int i = 0; i < samples; i++) {
      SignedRecord record = record(key, 1_000_000 + i, payload);
      long start = System.nanoTime();
      long index = a.append(record).get(0);
      long atB =
          readable.computeIfAbsent(index, x -> new CompletableFuture<>()).get(2, TimeUnit.MINUTES);
      millis[i] = (atB - start) / 1e6;
    }
    Arrays.sort(millis);
    System.out.printf(
        "latency append at A to readable at B, %d sequential appends: median %.0f ms, min %.0f,"
            + " max %.0f (target depth %d x block %d s + 1 s = %d ms)%n",
        samples,
        millis[samples / 2],
        millis[0],
        millis[samples - 1],
        depth,
        block,
        (depth * block + 1) * 1000);
  }

  /** One resource version with {@code payload} bytes of (stand-in) ciphertext. */
  private static SignedRecord record(JWK key, int n, int payload) throws LedgerException {
    byte[] ciphertext = new byte[payload];
    new java.util.Random(n).nextBytes(ciphertext);
    Transaction tx =
        new Transaction(
            TransactionType.RESOURCE_VERSION,
            "Observation/" + n + "/_history/1",
            "p-" + (n % 97),
            List.of("vital-signs"),
            A,
            Instant.ofEpochMilli(1_700_000_000_000L + n),
            ("sha256-" + n).getBytes(StandardCharsets.UTF_8),
            ciphertext,
            List.of(new WrappedKey("grant-" + n, "A256KW", new byte[40])),
            "");
    return SignedRecord.sign(List.of(tx), DetachedJws.signer(key));
  }

  private static int arg(String[] args, int i, int otherwise) {
    return args.length > i ? Integer.parseInt(args[i]) : otherwise;
  }
}
