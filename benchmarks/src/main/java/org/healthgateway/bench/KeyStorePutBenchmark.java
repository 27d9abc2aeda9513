package org.healthgateway.bench;

import com.nimbusds.jose.jwk.JWK;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.healthgateway.keys.EncryptedKeyStore;
import org.healthgateway.keys.KeyPairs;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What registering a custodial patient costs the keystore: {@code putAll} of a fresh identity's two
 * EC P-256 private keys (encryption and signing), fsync included, into a store that already holds
 * {@code held} identities, as the import path does for every new patient. Key generation is in the
 * set-up, not measured. The store lives in a fresh directory under {@code java.io.tmpdir} per
 * trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KeyStorePutBenchmark {

  private static final char[] PASSWORD = "benchmark-fixture-password".toCharArray();
  private static final int PREPARED = 4096;

  @Param({"100", "2000"})
  public int held;

  private Path dir;
  private EncryptedKeyStore store;
  private JWK[] keys;
  private final AtomicLong next = new AtomicLong();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("keystore-bench");
    store = EncryptedKeyStore.openOrCreate(dir.resolve("keystore.bcfks"), PASSWORD);
    JWK filler = KeyPairs.generateEc();
    Map<String, JWK> existing = new LinkedHashMap<>();
    for (int i = 0; i < held; i++) {
      existing.put("Patient/held-" + i, filler);
    }
    store.putAll(existing);
    keys = new JWK[PREPARED];
    for (int i = 0; i < PREPARED; i++) {
      keys[i] = KeyPairs.generateEc();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    store.close();
    Fixtures.deleteTree(dir);
  }

  @Benchmark
  public void registerPatient() throws Exception {
    long n = next.getAndIncrement();
    Map<String, JWK> pair = new LinkedHashMap<>();
    pair.put("Patient/new-" + n, keys[(int) (n % PREPARED)]);
    pair.put("Patient/new-" + n + "#sig", keys[(int) ((n + 1) % PREPARED)]);
    store.putAll(pair);
  }
}
