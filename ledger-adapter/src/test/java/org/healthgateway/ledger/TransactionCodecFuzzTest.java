package org.healthgateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the decoding of canonical transaction bytes, as recovery and the verifier run it on every
 * ledger entry: any input decodes or throws {@link LedgerException}; what decodes re-encodes to the
 * same bytes (the encoding is a bijection), and its detached signature is checked without throwing.
 * Seeds and regression inputs: {@code TransactionCodecFuzzTestInputs/} beside this class.
 */
class TransactionCodecFuzzTest {

  private static final SignatureVerifier AUTHOR = verifier();

  @FuzzTest(maxDuration = "5s")
  void decode_anyBytes_decodesOrThrowsLedgerException(byte[] input) {
    Transaction tx;
    try {
      tx = TransactionCodec.decode(input);
    } catch (LedgerException e) {
      return;
    }
    assertThat(TransactionCodec.encode(tx)).isEqualTo(input);
    AUTHOR.verify(TransactionCodec.signingInput(tx), tx.signature());
    DetachedJws.keyId(tx.signature());
  }

  private static SignatureVerifier verifier() {
    try {
      return DetachedJws.verifier(SeedKeys.AUTHOR_KEY.toPublicJWK());
    } catch (LedgerException e) {
      throw new IllegalStateException(e);
    }
  }
}
