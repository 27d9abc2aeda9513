package org.healthgateway.bench;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignatureVerifier;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.healthgateway.ledger.TransactionSigner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Signing and verifying one transaction (detached JWS over {@link TransactionCodec#signingInput}),
 * including the canonical encoding, with a signer and a verifier prepared once per key, as the
 * write path ({@code IdentityRegistry}) and {@code LedgerVerifier} keep them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TransactionSignatureBenchmark {

  /** ES256 with P-256, PS256 with RSA-3072. */
  @Param({"P-256", "RSA-3072"})
  String signingKey;

  private TransactionSigner signer;
  private SignatureVerifier verifier;
  private Transaction unsigned;
  private Transaction signed;

  @Setup
  public void setUp() throws GeneralSecurityException, LedgerException {
    JWK privateKey = "P-256".equals(signingKey) ? KeyPairs.generateEc() : KeyPairs.generateRsa();
    signer = DetachedJws.signer(privateKey);
    verifier = DetachedJws.verifier(privateKey.toPublicJWK());
    unsigned = Fixtures.resourceVersion(1);
    signed = unsigned.withSignature(sign());
    if (!verify()) {
      throw new IllegalStateException("fixture signature does not verify");
    }
  }

  @Benchmark
  public String sign() throws LedgerException {
    return signer.sign(TransactionCodec.signingInput(unsigned));
  }

  @Benchmark
  public boolean verify() {
    return verifier.verify(TransactionCodec.signingInput(signed), signed.signature());
  }
}
