package org.healthgateway.bench;

import com.nimbusds.jose.jwk.ECKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.embedded.EmbeddedLedger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Appends of a signed record of one transaction (about 2.3 KiB, signed once in set-up) to the
 * embedded ledger with fsync on, by 1, 8 and 64 concurrent writers. Each append returns only after
 * its group commit's fsync, so the throughput shows how well group commit amortizes fsync over
 * concurrent writers. The ledger lives in a fresh temporary directory per trial ({@code
 * java.io.tmpdir}: put it on the disk you mean to measure).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LedgerAppendBenchmark {

  private Path dir;
  private EmbeddedLedger ledger;
  private SignedRecord batch;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("ledger-bench");
    ECKey nodeKey = KeyPairs.generateEc();
    ledger =
        EmbeddedLedger.open(
            dir,
            CheckpointSigner.of(nodeKey),
            nodeKey.toPublicJWK(),
            EmbeddedLedger.Options.defaults());
    ECKey authorKey = KeyPairs.generateEc();
    batch = SignedRecord.sign(List.of(Fixtures.resourceVersion(7)), DetachedJws.signer(authorKey));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    ledger.close();
    Fixtures.deleteTree(dir);
  }

  @Benchmark
  @Threads(1)
  public List<Long> append1Writer() throws Exception {
    return ledger.append(batch);
  }

  @Benchmark
  @Threads(8)
  public List<Long> append8Writers() throws Exception {
    return ledger.append(batch);
  }

  @Benchmark
  @Threads(64)
  public List<Long> append64Writers() throws Exception {
    return ledger.append(batch);
  }
}
