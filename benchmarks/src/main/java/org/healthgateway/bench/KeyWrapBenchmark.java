package org.healthgateway.bench;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.RecipientKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JWE (RFC 7516) wrap and unwrap of a 256-bit grant key for one recipient: RSA-OAEP-256 with
 * RSA-3072, ECDH-ES+A256KW with P-256. Unwrap is the one private-key operation a reader pays per
 * (patient, recipient) grant, not per record.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class KeyWrapBenchmark {

  @Param({"RSA-3072", "P-256"})
  String recipientKey;

  private final RecipientKeyWrapper wrapper = JweKeyWrapper.create();
  private JWK privateKey;
  private JWK publicKey;
  private SecretKey grantKey;
  private String wrapped;

  @Setup
  public void setUp() throws GeneralSecurityException {
    privateKey = "P-256".equals(recipientKey) ? KeyPairs.generateEc() : KeyPairs.generateRsa();
    publicKey = privateKey.toPublicJWK();
    grantKey = DataKeys.newDataKey();
    wrapped = wrapper.wrap(publicKey, grantKey);
  }

  @Benchmark
  public String wrap() throws GeneralSecurityException {
    return wrapper.wrap(publicKey, grantKey);
  }

  @Benchmark
  public SecretKey unwrap() throws GeneralSecurityException {
    return wrapper.unwrap(privateKey, wrapped);
  }
}
