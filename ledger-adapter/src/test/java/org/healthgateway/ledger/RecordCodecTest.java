package org.healthgateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  private static final String SEEDS =
      "RecordCodecFuzzTestInputs/decode_anyBytes_decodesOrThrowsLedgerException/";
  private static final String FIXED_JWS = "eyJhbGciOiJFUzI1NiJ9..c2lnbmF0dXJl";

  @Test
  void signingInput_knownAnswer() {
    byte[] leaf = new byte[32];
    leaf[31] = 1;

    byte[] input = RecordCodec.signingInput("A", List.of(leaf));

    assertThat(HexFormat.of().formatHex(input))
        .isEqualTo(
            "48475253" // "HGRS"
                + "01" // version
                + "00000001"
                + "41" // author "A"
                + "00000001" // one entry
                + "0000000000000000000000000000000000000000000000000000000000000001");
  }

  @Test
  void encode_fixedRecord_isTheDocumentedLayout() throws Exception {
    List<Transaction> txs =
        List.of(Fixtures.unsigned("Practitioner/a", 1), Fixtures.unsigned("Practitioner/a", 2));
    SignedRecord record = SignedRecord.sign(txs, input -> FIXED_JWS);

    byte[] encoded = RecordCodec.encode(record);

    // The layout of the RecordCodec javadoc and the module README, written out independently.
    byte[] author = "Practitioner/a".getBytes(StandardCharsets.UTF_8);
    byte[] jws = FIXED_JWS.getBytes(StandardCharsets.US_ASCII);
    byte[] e1 = TransactionCodec.encode(txs.get(0));
    byte[] e2 = TransactionCodec.encode(txs.get(1));
    ByteBuffer expected =
        ByteBuffer.allocate(
            4 + 1 + 4 + author.length + 4 + 64 + 4 + jws.length + 8 + e1.length + e2.length);
    expected.put(new byte[] {0x48, 0x47, 0x52, 0x53}).put((byte) 1);
    expected.putInt(author.length).put(author).putInt(2);
    expected.put(Rfc9162.leafHash(e1)).put(Rfc9162.leafHash(e2));
    int signedLength = expected.position();
    expected.putInt(jws.length).put(jws);
    expected.putInt(e1.length).put(e1).putInt(e2.length).put(e2);
    assertThat(encoded).isEqualTo(expected.array());
    assertThat(record.signingInput()).isEqualTo(Arrays.copyOf(encoded, signedLength));
    assertThat(RecordCodec.decode(encoded).transactions()).isEqualTo(txs);
  }

  @Test
  void decode_seedRecord_verifiesWithItsAuthorsKey() throws Exception {
    SignedRecord record = RecordCodec.decode(seed("two-versions"));

    assertThat(record.author()).isEqualTo(SeedKeys.AUTHOR);
    assertThat(record.size()).isEqualTo(2);
    assertThat(DetachedJws.verify(SeedKeys.AUTHOR_KEY, record.signingInput(), record.signature()))
        .isTrue();
  }

  @Test
  void decode_everyBitFlipOfSeed_failsToDecodeOrToVerify() throws Exception {
    byte[] seed = seed("two-versions");
    SignatureVerifier author = DetachedJws.verifier(SeedKeys.AUTHOR_KEY.toPublicJWK());
    List<String> accepted = new ArrayList<>();
    for (int bit = 0; bit < seed.length * 8; bit++) {
      byte[] flipped = seed.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        SignedRecord record = RecordCodec.decode(flipped);
        if (author.verify(record.signingInput(), record.signature())) {
          accepted.add("bit " + bit);
        }
      } catch (LedgerException e) {
        // refused, as it should be
      }
    }
    assertThat(accepted).isEmpty();
  }

  @Test
  void decode_malformed_refused() throws Exception {
    SignedRecord record =
        SignedRecord.sign(List.of(Fixtures.unsigned("Practitioner/a", 1)), input -> FIXED_JWS);
    byte[] good = RecordCodec.encode(record);

    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    byte[] version = good.clone();
    version[4] = 2;
    byte[] leaf = good.clone();
    leaf[4 + 1 + 4 + 14 + 4] ^= 1;

    for (byte[] bad : List.of(trailing, version, leaf, Arrays.copyOf(good, good.length - 1))) {
      assertThatThrownBy(() -> RecordCodec.decode(bad))
          .isInstanceOf(LedgerException.class)
          .hasMessage("invalid record encoding");
    }
  }

  @Test
  void sign_transactionWithOwnSignatureOrEmpty_refused() throws Exception {
    Transaction signed =
        Fixtures.signed(Fixtures.unsigned("Practitioner/a", 1), Fixtures.PRACTITIONER_KEY);

    assertThatThrownBy(() -> SignedRecord.sign(List.of(signed), input -> FIXED_JWS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("own signature");
    assertThatThrownBy(() -> SignedRecord.sign(List.of(), input -> FIXED_JWS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void recordSignature_coversOnlyItsEntriesAtTheirPositions() throws Exception {
    SignedRecord record =
        Fixtures.record(
            Fixtures.PRACTITIONER_KEY,
            Fixtures.unsigned("Practitioner/a", 1),
            Fixtures.unsigned("Practitioner/a", 2));
    RecordSignature at10 = record.at(10);
    SignatureVerifier key = DetachedJws.verifier(Fixtures.PRACTITIONER_KEY.toPublicJWK());
    byte[] second = record.leafHashes().get(1);

    assertThat(at10.covers(11, second, key)).isTrue();
    assertThat(at10.covers(10, second, key)).isFalse();
    assertThat(at10.covers(12, second, key)).isFalse();
    assertThat(at10.covers(11, second, DetachedJws.verifier(Fixtures.ec().toPublicJWK())))
        .isFalse();
  }

  private static byte[] seed(String name) throws IOException {
    try (InputStream in = RecordCodecTest.class.getResourceAsStream(SEEDS + name)) {
      return in.readAllBytes();
    }
  }
}
