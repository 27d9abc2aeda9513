package org.healthgateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the decoding of signed records, the bytes one append writes and the EVM adapter carries
 * from other nodes: any input decodes or throws {@link LedgerException}; what decodes re-encodes to
 * the same bytes (the encoding is a bijection), its leaf hashes are its entries', and its signature
 * is checked without throwing. Seeds and regression inputs: {@code RecordCodecFuzzTestInputs/}
 * beside this class.
 */
class RecordCodecFuzzTest {

  private static final SignatureVerifier AUTHOR = verifier();

  @FuzzTest(maxDuration = "5s")
  void decode_anyBytes_decodesOrThrowsLedgerException(byte[] input) {
    SignedRecord record;
    try {
      record = RecordCodec.decode(input);
    } catch (LedgerException e) {
      return;
    }
    assertThat(RecordCodec.encode(record)).isEqualTo(input);
    for (int j = 0; j < record.size(); j++) {
      assertThat(record.leafHashes().get(j))
          .isEqualTo(TransactionCodec.leafHash(record.transactions().get(j)));
    }
    AUTHOR.verify(record.signingInput(), record.signature());
    DetachedJws.keyId(record.signature());
  }

  private static SignatureVerifier verifier() {
    try {
      return DetachedJws.verifier(SeedKeys.AUTHOR_KEY.toPublicJWK());
    } catch (LedgerException e) {
      throw new IllegalStateException(e);
    }
  }
}
