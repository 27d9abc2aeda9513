package org.healthgateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransactionCodecTest {

  @Test
  void decode_ofEncoding_roundTrips() throws Exception {
    Transaction tx =
        Fixtures.signed(Fixtures.unsigned("Practitioner/a", 7), Fixtures.PRACTITIONER_KEY);

    Transaction decoded = TransactionCodec.decode(TransactionCodec.encode(tx));

    assertThat(decoded).isEqualTo(tx);
    assertThat(TransactionCodec.encode(decoded)).isEqualTo(TransactionCodec.encode(tx));
  }

  @Test
  void decode_emptyFields_roundTrips() throws Exception {
    Transaction tombstone =
        new Transaction(
            TransactionType.RESOURCE_VERSION,
            "Patient/1/_history/2",
            "",
            List.of(),
            "Device/node",
            Instant.ofEpochMilli(-5),
            new byte[0],
            new byte[0],
            List.of(),
            "");

    assertThat(TransactionCodec.decode(TransactionCodec.encode(tombstone))).isEqualTo(tombstone);
    assertThat(tombstone.isTombstone()).isTrue();
  }

  @Test
  void decode_nonAsciiText_roundTripsAndBrokenUtf8IsRefused() throws Exception {
    Transaction tx = Fixtures.unsigned("Practitioner/Müller-Çelik", 3);
    byte[] bytes = TransactionCodec.encode(tx);

    assertThat(TransactionCodec.decode(bytes).author()).isEqualTo("Practitioner/Müller-Çelik");

    byte[] broken = bytes.clone();
    int at = indexOf(broken, "ü".getBytes(StandardCharsets.UTF_8));
    broken[at + 1] = '(';
    assertThatThrownBy(() -> TransactionCodec.decode(broken)).isInstanceOf(LedgerException.class);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(Arrays.copyOfRange(haystack, i, i + needle.length), needle)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void signingInput_ignoresSignature_equalsUnsignedEncoding() throws Exception {
    Transaction unsigned = Fixtures.unsigned("Practitioner/a", 1);
    Transaction signed = Fixtures.signed(unsigned, Fixtures.PRACTITIONER_KEY);

    assertThat(TransactionCodec.signingInput(signed)).isEqualTo(TransactionCodec.encode(unsigned));
  }

  @Test
  void encode_startsWithMagicVersionAndType() {
    byte[] bytes = TransactionCodec.encode(Fixtures.unsigned("Practitioner/a", 1));

    assertThat(Arrays.copyOf(bytes, 6)).containsExactly('H', 'G', 'T', 'X', 1, 1);
  }

  @Test
  void decode_everyBitFlip_failsOrBreaksSignature() throws Exception {
    Transaction tx =
        Fixtures.signed(Fixtures.unsigned("Practitioner/a", 3), Fixtures.PRACTITIONER_KEY);
    byte[] encoded = TransactionCodec.encode(tx);
    byte[] leaf = Rfc9162.leafHash(encoded);
    List<String> failures = new ArrayList<>();

    for (int bit = 0; bit < encoded.length * 8; bit++) {
      byte[] flipped = encoded.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(Rfc9162.leafHash(flipped)).isNotEqualTo(leaf);
      try {
        Transaction decoded = TransactionCodec.decode(flipped);
        if (decoded.equals(tx)
            || DetachedJws.verify(
                Fixtures.PRACTITIONER_KEY.toPublicJWK(),
                TransactionCodec.signingInput(decoded),
                decoded.signature())) {
          failures.add("bit " + bit);
        }
      } catch (LedgerException e) {
        assertThat(e).hasMessage("invalid transaction encoding");
      }
    }

    assertThat(failures).isEmpty();
  }

  @Test
  void decode_unknownVersion_throws() {
    byte[] bytes = TransactionCodec.encode(Fixtures.unsigned("Practitioner/a", 1));
    bytes[4] = 2;

    assertThatThrownBy(() -> TransactionCodec.decode(bytes))
        .isInstanceOf(LedgerException.class)
        .hasMessage("invalid transaction encoding")
        .hasRootCauseMessage("unknown format version 2");
  }

  @Test
  void decode_unknownType_throws() {
    byte[] bytes = TransactionCodec.encode(Fixtures.unsigned("Practitioner/a", 1));
    bytes[5] = 99;

    assertThatThrownBy(() -> TransactionCodec.decode(bytes)).isInstanceOf(LedgerException.class);
  }

  @Test
  void decode_trailingBytes_throws() {
    byte[] bytes = TransactionCodec.encode(Fixtures.unsigned("Practitioner/a", 1));

    assertThatThrownBy(() -> TransactionCodec.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(LedgerException.class)
        .hasRootCauseMessage("1 trailing bytes");
  }

  @Test
  void decode_hugeLength_throwsWithoutAllocating() {
    byte[] bytes = TransactionCodec.encode(Fixtures.unsigned("Practitioner/a", 1));
    ByteBuffer.wrap(bytes).putInt(6, Integer.MAX_VALUE);

    assertThatThrownBy(() -> TransactionCodec.decode(bytes)).isInstanceOf(LedgerException.class);
  }

  @Test
  void decode_everyTruncation_throws() {
    byte[] bytes = TransactionCodec.encode(Fixtures.unsigned("Practitioner/a", 1));

    for (int length = 0; length < bytes.length; length++) {
      byte[] truncated = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> TransactionCodec.decode(truncated))
          .as("length %d", length)
          .isInstanceOf(LedgerException.class);
    }
  }

  @Test
  void encode_tooManyCategories_throws() {
    Transaction tx = Fixtures.unsigned("Practitioner/a", 1);
    Transaction many =
        new Transaction(
            tx.type(),
            tx.subject(),
            tx.patient(),
            Collections.nCopies(65, "c"),
            tx.author(),
            tx.timestamp(),
            tx.contentHash(),
            tx.payload(),
            tx.wrappedKeys(),
            "");

    assertThatThrownBy(() -> TransactionCodec.encode(many))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encode_unpairedSurrogate_throws() {
    Transaction tx = Fixtures.unsigned("Practitioner/\ud800", 1);

    assertThatThrownBy(() -> TransactionCodec.encode(tx))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_subMillisecondTimestamp_truncatesToEncodedPrecision() throws Exception {
    Transaction tx = Fixtures.unsigned("Practitioner/a", 1);
    Transaction precise =
        new Transaction(
            tx.type(),
            tx.subject(),
            tx.patient(),
            tx.categories(),
            tx.author(),
            Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
            tx.contentHash(),
            tx.payload(),
            tx.wrappedKeys(),
            "");

    assertThat(TransactionCodec.decode(TransactionCodec.encode(precise))).isEqualTo(precise);
  }
}
