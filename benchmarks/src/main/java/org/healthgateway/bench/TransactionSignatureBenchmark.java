package org.healthgateway.bench;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.SignatureVerifier;
import org.healthgateway.ledger.SignedRecord;
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
 * Signing and verifying ledger records, with a signer and a verifier prepared once per key, as the
 * write path ({@code TransactionSigning}) and {@code LedgerVerifier} keep them: {@code sign} is
 * {@link SignedRecord#sign} of a record of {@code entries} resource versions (2 KiB payload each;
 * their canonical encoding and leaf hashes included), {@code verify} the one signature check of
 * such a record over its leaf hashes. Per version, divide by {@code entries}. {@code
 * verifyFirstFormat} is the per-transaction check that records of the first format still need.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TransactionSignatureBenchmark {

  /** ES256 with P-256, PS256 with RSA-3072. */
  @Param({"P-256", "RSA-3072"})
  String signingKey;

  /** Versions per record: a single write, and a 500-entry Bundle as in the scale run. */
  @Param({"1", "500"})
  int entries;

  private TransactionSigner signer;
  private SignatureVerifier verifier;
  private List<Transaction> unsigned;
  private SignedRecord record;
  private Transaction firstFormat;

  @Setup
  public void setUp() throws GeneralSecurityException, LedgerException {
    JWK privateKey = "P-256".equals(signingKey) ? KeyPairs.generateEc() : KeyPairs.generateRsa();
    signer = DetachedJws.signer(privateKey);
    verifier = DetachedJws.verifier(privateKey.toPublicJWK());
    unsigned = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      unsigned.add(Fixtures.resourceVersion(i));
    }
    record = sign();
    Transaction one = unsigned.get(0);
    firstFormat = one.withSignature(signer.sign(TransactionCodec.signingInput(one)));
    if (!verify() || !verifyFirstFormat()) {
      throw new IllegalStateException("fixture signature does not verify");
    }
  }

  @Benchmark
  public SignedRecord sign() throws LedgerException {
    return SignedRecord.sign(unsigned, signer);
  }

  @Benchmark
  public boolean verify() {
    return verifier.verify(record.signingInput(), record.signature());
  }

  @Benchmark
  public boolean verifyFirstFormat() {
    return verifier.verify(TransactionCodec.signingInput(firstFormat), firstFormat.signature());
  }
}
