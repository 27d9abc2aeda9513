package org.healthgateway.ledger.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.ledger.Fixtures;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerVerifierTest {

  @TempDir Path dir;
  private final LedgerVerifier verifier =
      LedgerVerifier.create(Fixtures.NODE_KEY.toPublicJWK(), Fixtures.NODE);

  /** Entry index owning each byte of segment 0. */
  private long[] owner;

  @BeforeEach
  void writeLedger() throws Exception {
    List<List<Transaction>> batches =
        List.of(
            List.of(Fixtures.identity("Practitioner/a", Fixtures.PRACTITIONER_KEY)),
            List.of(signed(1), signed(2), signed(3)),
            List.of(signed(4), signed(5)));
    List<Long> locations = new ArrayList<>();
    List<Integer> lengths = new ArrayList<>();
    List<Boolean> firstOfRecord = new ArrayList<>();
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      for (List<Transaction> batch : batches) {
        for (long index : ledger.append(batch)) {
          Transaction tx = ledger.read(index).transaction();
          firstOfRecord.add(tx.equals(batch.get(0)));
          lengths.add(TransactionCodec.encode(tx).length);
          locations.add(ledger.location(index));
        }
      }
    }
    owner = new long[(int) Files.size(segment())];
    for (int i = 0; i < locations.size(); i++) {
      int start = (int) RecordFormat.offsetOf(locations.get(i));
      int from = firstOfRecord.get(i) ? start - 12 : start;
      for (int b = from; b < start + 4 + lengths.get(i); b++) {
        owner[b] = i;
      }
    }
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
    byte[] original = Files.readAllBytes(segment());
    List<String> failures = new ArrayList<>();
    // Every third byte (a full sweep takes half a minute), which hits every header field.
    for (int offset = 0; offset < original.length; offset += 3) {
      byte[] damaged = original.clone();
      damaged[offset] ^= (byte) (1 << (offset % 8));
      Files.write(segment(), damaged);

      LedgerVerifier.Verdict verdict = verifier.verify(dir);

      if (verdict.ok() || verdict.firstBadIndex() != owner[offset]) {
        failures.add("offset " + offset + ": " + verdict);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void verify_unknownSigner_namesEntry() throws Exception {
    JWK stranger = Fixtures.ec();
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(List.of(Fixtures.signed(Fixtures.unsigned("Practitioner/a", 9), stranger)));
    }

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstBadIndex()).isEqualTo(6);
    assertThat(verdict.message()).startsWith("ledger corrupted at entry 6:");
  }

  @Test
  void verify_signatureOverOtherBytes_namesItsEntryAmongMany() throws Exception {
    // More entries than one batch of deferred signature checks, with the bad one in the middle
    // of a record and later entries good, so its index must survive the batching.
    List<Transaction> good = new ArrayList<>();
    for (int n = 10; n < 5010; n++) {
      good.add(signed(n));
    }
    Transaction other = signed(1);
    Transaction forged = signed(6000).withSignature(other.signature());
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(good.subList(0, 4500));
      ledger.append(List.of(signed(7000), forged, signed(7001)));
      ledger.append(good.subList(4500, good.size()));
    }

    LedgerVerifier.Verdict verdict = verifier.verify(dir);

    assertThat(verdict.ok()).isFalse();
    assertThat(verdict.firstBadIndex()).isEqualTo(6 + 4500 + 1);
    assertThat(verdict.message())
        .isEqualTo("ledger corrupted at entry 4507: bad signature by Practitioner/a");
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
}
