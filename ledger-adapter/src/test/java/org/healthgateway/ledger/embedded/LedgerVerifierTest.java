package org.healthgateway.ledger.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.ledger.Fixtures;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerVerifierTest {

  @TempDir Path dir;
  private final LedgerVerifier verifier =
      LedgerVerifier.create(Fixtures.NODE_KEY.toPublicJWK(), Fixtures.NODE);

  @BeforeEach
  void writeLedger() throws Exception {
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(
          Fixtures.record(
              Fixtures.NODE_KEY,
              Fixtures.unsignedIdentity("Practitioner/a", Fixtures.PRACTITIONER_KEY)));
      ledger.append(record(1, 2, 3));
      ledger.append(record(4, 5));
    }
  }

  private static SignedRecord record(int... numbers) throws LedgerException {
    List<Transaction> txs = new ArrayList<>();
    for (int n : numbers) {
      txs.add(Fixtures.unsigned("Practitioner/a", n));
    }
    return Fixtures.record(Fixtures.PRACTITIONER_KEY, txs);
  }

  private static Transaction signed(int n) throws LedgerException {
    return Fixtures.signed(Fixtures.unsigned("Practitioner/a", n), Fixtures.PRACTITIONER_KEY);
  }

  private Path segment() {
    return dir.resolve("segment-00000000.log");
  }

  @Test
  void verify_intactLedger_isOk() {
    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).as(verdict.message()).isTrue();
    assertThat(verdict.entries()).isEqualTo(6);
    assertThat(verdict.checkpoints()).isEqualTo(1);
    assertThat(verdict.firstBadIndex()).isEqualTo(-1);
  }

  @Test
  void verify_flippedByteAnywhere_namesItsEntry() throws Exception {
    assertThat(flipEveryThirdByte()).isEmpty();
  }

  @Test
  void verify_flippedByteAnywhereInFirstFormat_namesItsEntry() throws Exception {
    Files.delete(dir.resolve("checkpoints.log"));
    FirstFormat.writeSegment(
        dir,
        List.of(
            FirstFormat.record(
                List.of(Fixtures.identity("Practitioner/a", Fixtures.PRACTITIONER_KEY))),
            FirstFormat.record(List.of(signed(1), signed(2), signed(3))),
            FirstFormat.record(List.of(signed(4), signed(5)))));

    assertThat(verifier.verify(dir).ok()).isTrue();
    assertThat(flipEveryThirdByte()).isEmpty();
  }

  /** Flips every third byte of segment 0 in turn (which hits every header field); the misses. */
  private List<String> flipEveryThirdByte() throws Exception {
    byte[] original = Files.readAllBytes(segment());
    long[] owner = owners(original);
    List<String> failures = new ArrayList<>();
    for (int offset = 0; offset < original.length; offset += 3) {
      byte[] damaged = original.clone();
      damaged[offset] ^= (byte) (1 << (offset % 8));
      Files.write(segment(), damaged);

      LedgerVerifier.Verdict verdict = verifier.verify(dir);

      if (verdict.ok() || verdict.firstBadIndex() != owner[offset]) {
        failures.add("offset " + offset + " (owner " + owner[offset] + "): " + verdict);
      }
    }
    Files.write(segment(), original);
    return failures;
  }

  /**
   * The entry each byte of a segment belongs to: an entry's length prefix and bytes, and in a
   * signed record its leaf hash, are its own; the rest of a record (framing, count, author,
   * signature) belongs to the record's first entry.
   */
  static long[] owners(byte[] segment) throws LedgerException {
    long[] owner = new long[segment.length];
    ByteBuffer in = ByteBuffer.wrap(segment);
    long first = 0;
    int position = 0;
    while (position < segment.length) {
      int length = in.getInt(position);
      int body = position + RecordFormat.HEADER_BYTES;
      java.util.Arrays.fill(owner, position, body + length, first);
      int count;
      if (RecordCodec.isRecord(segment, body, length)) {
        RecordCodec.Layout layout = RecordCodec.parse(segment, body, length);
        count = layout.entryOffsets().length;
        int hashes = body + 13 + layout.header().author().length();
        for (int j = 0; j < count; j++) {
          java.util.Arrays.fill(owner, hashes + 32 * j, hashes + 32 * (j + 1), first + j);
          int entry = body + layout.entryOffsets()[j];
          java.util.Arrays.fill(owner, entry, entry + 4 + layout.entryLengths()[j], first + j);
        }
      } else {
        count = in.getInt(body);
        int entry = body + 4;
        for (int j = 0; j < count; j++) {
          int entryLength = in.getInt(entry);
          java.util.Arrays.fill(owner, entry, entry + 4 + entryLength, first + j);
          entry += 4 + entryLength;
        }
      }
      first += count;
      position = body + length;
    }
    return owner;
  }

  @Test
  void verify_changedEntryWithCrcRecomputed_namesThatEntry() throws Exception {
    byte[] bytes = Files.readAllBytes(segment());
    bytes[payloadOf(bytes, 3)] ^= 1;
    Files.write(segment(), withCrcs(bytes));

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.firstBadIndex()).isEqualTo(3);
    assertThat(verdict.message())
        .isEqualTo(
            "ledger corrupted at entry 3: entry does not match its leaf hash in the signed record");
  }

  @Test
  void verify_changedEntryAndLeafHashWithCrcRecomputed_badSignatureOfItsRecord() throws Exception {
    byte[] bytes = Files.readAllBytes(segment());
    long[] owner = owners(bytes);
    bytes[payloadOf(bytes, 3)] ^= 1;
    // Entry 3's leaf hash: the first run of bytes owned by entry 3.
    int hash = indexOf(owner, 3);
    int entryStart = indexOfAfter(owner, 3, hash + 32);
    int entryLength = ByteBuffer.wrap(bytes).getInt(entryStart);
    byte[] changed =
        java.util.Arrays.copyOfRange(bytes, entryStart + 4, entryStart + 4 + entryLength);
    System.arraycopy(org.healthgateway.ledger.Rfc9162.leafHash(changed), 0, bytes, hash, 32);
    Files.write(segment(), withCrcs(bytes));

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.firstBadIndex()).isEqualTo(1);
    assertThat(verdict.message())
        .isEqualTo("ledger corrupted at entry 1: bad signature by Practitioner/a");
  }

  @Test
  void verify_unknownSigner_namesFirstEntryOfItsRecord() throws Exception {
    JWK stranger = Fixtures.ec();
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(Fixtures.record(stranger, Fixtures.unsigned("Practitioner/a", 9)));
    }

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstBadIndex()).isEqualTo(6);
    assertThat(verdict.message()).startsWith("ledger corrupted at entry 6:");
  }

  @Test
  void verify_recordSignatureOverOtherEntries_namesItsRecordAmongMany() throws Exception {
    // More records than one batch of deferred signature checks, with the bad one in the middle
    // and later records good, so its index must survive the batching.
    SignedRecord other = record(1);
    SignedRecord forged =
        SignedRecord.sign(
            List.of(
                Fixtures.unsigned("Practitioner/a", 7000),
                Fixtures.unsigned("Practitioner/a", 7001)),
            input -> other.signature());
    List<byte[]> records = new ArrayList<>();
    records.add(
        frame(
            Fixtures.record(
                Fixtures.NODE_KEY,
                Fixtures.unsignedIdentity("Practitioner/a", Fixtures.PRACTITIONER_KEY))));
    for (int n = 10; n < 5010; n++) {
      records.add(frame(record(n)));
      if (n == 4509) {
        records.add(frame(forged));
      }
    }
    Files.delete(dir.resolve("checkpoints.log"));
    FirstFormat.writeSegment(dir, records);

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstBadIndex()).isEqualTo(1 + 4500);
    assertThat(verdict.message())
        .isEqualTo("ledger corrupted at entry 4501: bad signature by Practitioner/a");
  }

  @Test
  void verify_firstFormatSignatureOverOtherBytes_namesItsEntryAmongMany() throws Exception {
    List<Transaction> good = new ArrayList<>();
    for (int n = 10; n < 5010; n++) {
      good.add(signed(n));
    }
    Transaction forged = signed(6000).withSignature(signed(1).signature());
    Files.delete(dir.resolve("checkpoints.log"));
    FirstFormat.writeSegment(
        dir,
        List.of(
            FirstFormat.record(
                List.of(Fixtures.identity("Practitioner/a", Fixtures.PRACTITIONER_KEY))),
            FirstFormat.record(good.subList(0, 4500)),
            FirstFormat.record(List.of(signed(7000), forged, signed(7001))),
            FirstFormat.record(good.subList(4500, good.size()))));

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstBadIndex()).isEqualTo(1 + 4500 + 1);
    assertThat(verdict.message())
        .isEqualTo("ledger corrupted at entry 4502: bad signature by Practitioner/a");
  }

  @Test
  void verify_forgedCheckpoint_isNotOk() throws Exception {
    Path checkpoints = dir.resolve("checkpoints.log");
    String line = Files.readAllLines(checkpoints).get(0);
    char last = line.charAt(line.length() - 2);
    Files.writeString(
        checkpoints,
        line.substring(0, line.length() - 2)
            + (last == 'A' ? 'B' : 'A')
            + line.charAt(line.length() - 1)
            + "\n");

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.message()).contains("checkpoint 1");
  }

  private static byte[] frame(SignedRecord record) {
    return RecordFormat.frame(RecordCodec.encode(record));
  }

  /** Recomputes the CRC of every record, as someone who edits a record would. */
  private static byte[] withCrcs(byte[] segment) {
    ByteBuffer in = ByteBuffer.wrap(segment);
    int position = 0;
    while (position < segment.length) {
      int length = in.getInt(position);
      int body = position + RecordFormat.HEADER_BYTES;
      in.putInt(position + 4, RecordFormat.crc(segment, body, length));
      position = body + length;
    }
    return segment;
  }

  private static int indexOf(long[] owner, long entry) {
    return indexOfAfter(owner, entry, 0);
  }

  private static int indexOfAfter(long[] owner, long entry, int from) {
    for (int i = from; i < owner.length; i++) {
      if (owner[i] == entry) {
        return i;
      }
    }
    return -1;
  }

  /** Offset of a payload byte of the fixture transaction {@code n} ("ciphertext n"). */
  private static int payloadOf(byte[] segment, int n) {
    byte[] payload = ("ciphertext " + n).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (int i = 0; i + payload.length <= segment.length; i++) {
      if (java.util.Arrays.equals(segment, i, i + payload.length, payload, 0, payload.length)) {
        return i + 2;
      }
    }
    throw new IllegalStateException("no payload of " + n);
  }
}
