package org.healthgateway.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.healthgateway.keys.ContentCipher;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.internal.AesGcmContentCipher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** AES-256-GCM seal and open of one resource version, with the gateway's AAD. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ContentCipherBenchmark {

  /** Plaintext size in bytes: 1 KiB, 10 KiB, 1 MiB. */
  @Param({"1024", "10240", "1048576"})
  int size;

  private final ContentCipher cipher = AesGcmContentCipher.create();
  private SecretKey dek;
  private byte[] plaintext;
  private byte[] aad;
  private byte[] sealed;

  @Setup
  public void setUp() throws GeneralSecurityException {
    dek = DataKeys.newDataKey();
    plaintext = new byte[size];
    new Random(42).nextBytes(plaintext);
    aad =
        "Observation/8f0c1d7e-5a3b-4c2d-9e1f-0a1b2c3d4e5f/_history/1\0pseudonym-7d3c"
            .getBytes(StandardCharsets.UTF_8);
    sealed = cipher.seal(dek, plaintext, aad);
  }

  @Benchmark
  public byte[] seal() throws GeneralSecurityException {
    return cipher.seal(dek, plaintext, aad);
  }

  @Benchmark
  public byte[] open() throws GeneralSecurityException {
    return cipher.open(dek, sealed, aad);
  }
}
