package org.healthgateway.ledger.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.healthgateway.ledger.Checkpoint;
import org.healthgateway.ledger.CheckpointCodec;
import org.healthgateway.ledger.CheckpointSigner;
import org.healthgateway.ledger.DetachedJws;
import org.healthgateway.ledger.Fixtures;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.LedgerEntry;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordSignature;
import org.healthgateway.ledger.Rfc9162;
import org.healthgateway.ledger.SignedRecord;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedLedgerTest {

  static final EmbeddedLedger.Options OPTIONS =
      EmbeddedLedger.Options.defaults().withCheckpointInterval(Duration.ofHours(1));

  @TempDir Path dir;

  static EmbeddedLedger open(Path dir, EmbeddedLedger.Options options) throws LedgerException {
    return EmbeddedLedger.open(
        dir, CheckpointSigner.of(Fixtures.NODE_KEY), Fixtures.NODE_KEY.toPublicJWK(), options);
  }

  static SignedRecord batch(int from, int count) throws LedgerException {
    List<Transaction> txs = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      txs.add(Fixtures.unsigned("Practitioner/a", i));
    }
    return Fixtures.record(Fixtures.PRACTITIONER_KEY, txs);
  }

  @Test
  void append_thenReadAndScan_returnsSameTransactions() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      assertThat(ledger.append(batch(0, 3))).containsExactly(0L, 1L, 2L);
      assertThat(ledger.append(batch(3, 1))).containsExactly(3L);

      assertThat(ledger.size()).isEqualTo(4);
      for (int i = 0; i < 4; i++) {
        LedgerEntry entry = ledger.read(i);
        assertThat(entry.transaction()).isEqualTo(Fixtures.unsigned("Practitioner/a", i));
        assertThat(entry.leafHash()).isEqualTo(TransactionCodec.leafHash(entry.transaction()));
      }
      List<LedgerEntry> scanned = new ArrayList<>();
      ledger.scan(1, scanned::add);
      assertThat(scanned).extracting(LedgerEntry::index).containsExactly(1L, 2L, 3L);
      assertThat(scanned.get(2)).isEqualTo(ledger.read(3));
    }
  }

  @Test
  void recordSignature_ofEveryEntry_coversItsLeafAndVerifies() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      SignedRecord first = batch(0, 3);
      ledger.append(first);
      ledger.append(batch(3, 2));

      for (long i = 0; i < 5; i++) {
        RecordSignature signature = ledger.recordSignature(i).orElseThrow();
        assertThat(signature.firstIndex()).isEqualTo(i < 3 ? 0 : 3);
        assertThat(signature.author()).isEqualTo("Practitioner/a");
        assertThat(
                signature.covers(
                    i,
                    ledger.read(i).leafHash(),
                    DetachedJws.verifier(Fixtures.PRACTITIONER_KEY.toPublicJWK())))
            .isTrue();
      }
      assertThat(ledger.recordSignature(1).orElseThrow().signature()).isEqualTo(first.signature());
      assertThat(ledger.recordSignature(1).orElseThrow().signingInput())
          .isEqualTo(first.signingInput());
    }
  }

  @Test
  void open_ledgerOfFirstFormat_readsVerifiesAndAppendsSignedRecords() throws Exception {
    List<Transaction> old = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      old.add(Fixtures.signed(Fixtures.unsigned("Practitioner/a", n), Fixtures.PRACTITIONER_KEY));
    }
    FirstFormat.writeSegment(
        dir,
        List.of(
            FirstFormat.record(
                List.of(Fixtures.identity("Practitioner/a", Fixtures.PRACTITIONER_KEY))),
            FirstFormat.record(old.subList(0, 2)),
            FirstFormat.record(old.subList(2, 3))));

    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      assertThat(ledger.size()).isEqualTo(4);
      assertThat(ledger.read(2).transaction()).isEqualTo(old.get(1));
      assertThat(ledger.recordSignature(2)).isEmpty();
      assertThat(ledger.append(batch(10, 2))).containsExactly(4L, 5L);
      assertThat(ledger.recordSignature(5).orElseThrow().firstIndex()).isEqualTo(4);
    }
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      assertThat(ledger.size()).isEqualTo(6);
      assertThat(ledger.read(3).transaction()).isEqualTo(old.get(2));
      assertThat(ledger.read(5).transaction()).isEqualTo(Fixtures.unsigned("Practitioner/a", 11));
      assertThat(ledger.recordSignature(3)).isEmpty();
      assertThat(ledger.recordSignature(4)).isPresent();
    }

    LedgerVerifier.Verdict verdict =
        LedgerVerifier.create(Fixtures.NODE_KEY.toPublicJWK(), Fixtures.NODE).verify(dir);

    assertThat(verdict.ok()).as(verdict.message()).isTrue();
    assertThat(verdict.entries()).isEqualTo(6);
  }

  @Test
  void append_transactionsOfTwoAuthors_refused() {
    assertThatThrownBy(
            () ->
                Fixtures.record(
                    Fixtures.PRACTITIONER_KEY,
                    Fixtures.unsigned("Practitioner/a", 1),
                    Fixtures.unsigned("Practitioner/b", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("in a record by Practitioner/a");
  }

  @Test
  void proofs_afterAppends_verifyAgainstCheckpoint() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      ledger.append(batch(0, 5));
      Checkpoint first = ledger.checkpoint(5);
      ledger.append(batch(5, 6));
      Checkpoint second = ledger.checkpoint(11);

      assertThat(ledger.checkpoint(3)).isEqualTo(second);
      assertThat(CheckpointCodec.verify(second.signature(), Fixtures.NODE_KEY.toPublicJWK()))
          .isEqualTo(second);
      assertThat(
              Rfc9162.verifyInclusion(
                  7,
                  11,
                  ledger.read(7).leafHash(),
                  ledger.inclusionProof(7, 11),
                  second.rootHash()))
          .isTrue();
      assertThat(
              Rfc9162.verifyConsistency(
                  5, 11, ledger.consistencyProof(5, 11), first.rootHash(), second.rootHash()))
          .isTrue();
      assertThatThrownBy(() -> ledger.checkpoint(12)).isInstanceOf(LedgerException.class);
    }
  }

  @Test
  void append_concurrentAppenders_allEntriesReadable() throws Exception {
    ConcurrentLinkedQueue<Long> indexes = new ConcurrentLinkedQueue<>();
    try (EmbeddedLedger ledger = open(dir, OPTIONS.withSegmentBytes(4096))) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    indexes.addAll(ledger.append(batch(thread * 1000 + i * 2, 2)));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();

      assertThat(ledger.size()).isEqualTo(400);
      assertThat(indexes).hasSize(400).doesNotHaveDuplicates();
      List<LedgerEntry> all = new ArrayList<>();
      ledger.scan(0, all::add);
      assertThat(all).hasSize(400);
      for (LedgerEntry e : all) {
        assertThat(ledger.read(e.index())).isEqualTo(e);
      }
    }
    assertThat(LogScanner.segments(dir)).hasSizeGreaterThan(1);
  }

  @Test
  void open_afterClose_restoresEntriesAndCheckpoint() throws Exception {
    byte[] root;
    try (EmbeddedLedger ledger = open(dir, OPTIONS.withSegmentBytes(1024))) {
      ledger.append(batch(0, 10));
      ledger.append(batch(10, 10));
      root = ledger.rootHash(20);
    }
    try (EmbeddedLedger ledger = open(dir, OPTIONS.withSegmentBytes(1024))) {
      assertThat(ledger.size()).isEqualTo(20);
      assertThat(ledger.rootHash(20)).isEqualTo(root);
      assertThat(ledger.checkpoint(20).rootHash()).isEqualTo(root);
      assertThat(ledger.read(19).transaction()).isEqualTo(Fixtures.unsigned("Practitioner/a", 19));
      assertThat(ledger.append(batch(20, 1))).containsExactly(20L);
    }
  }

  @Test
  void checkpoint_background_signedAfterAppends() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS.withCheckpointInterval(Duration.ofMillis(20)))) {
      ledger.append(batch(0, 2));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (Files.size(dir.resolve("checkpoints.log")) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(Files.readAllLines(dir.resolve("checkpoints.log"))).isNotEmpty();
    }
  }

  @Test
  void append_afterTornTail_truncatesAndContinues() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      ledger.append(batch(0, 2));
      ledger.checkpoint(2);
      ledger.append(batch(2, 3));
    }
    // Simulate a crash: drop the final checkpoint, cut the last record short, add garbage.
    Path checkpoints = dir.resolve("checkpoints.log");
    Files.write(checkpoints, List.of(Files.readAllLines(checkpoints).get(0)));
    Path segment = dir.resolve("segment-00000000.log");
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 10);
    }
    Files.write(segment, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, StandardOpenOption.APPEND);

    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      assertThat(ledger.size()).isEqualTo(2);
      assertThat(ledger.append(batch(7, 1))).containsExactly(2L);
      assertThat(ledger.read(2).transaction()).isEqualTo(Fixtures.unsigned("Practitioner/a", 7));
    }
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      assertThat(ledger.size()).isEqualTo(3);
    }
  }

  @Test
  void open_tornTailUnderCheckpoint_throws() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      ledger.append(batch(0, 2));
      ledger.append(batch(2, 3));
    }
    Path segment = dir.resolve("segment-00000000.log");
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 10);
    }

    assertThatThrownBy(() -> open(dir, OPTIONS))
        .isInstanceOf(LedgerCorruptedException.class)
        .hasMessageStartingWith("ledger corrupted at entry 2:");
  }

  @Test
  void open_flippedByteMidLog_throwsNamingEntry() throws Exception {
    long location;
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      ledger.append(batch(0, 3));
      ledger.append(batch(3, 3));
      ledger.append(batch(6, 3));
      location = ledger.location(4);
    }
    flip(dir.resolve("segment-00000000.log"), RecordFormat.offsetOf(location) + 4);

    assertThatThrownBy(() -> open(dir, OPTIONS))
        .isInstanceOfSatisfying(
            LedgerCorruptedException.class, e -> assertThat(e.index()).isEqualTo(4))
        .hasMessageStartingWith("ledger corrupted at entry 4:");
  }

  @Test
  void open_forgedCheckpoint_throws() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      ledger.append(batch(0, 2));
    }
    Path checkpoints = dir.resolve("checkpoints.log");
    String forged =
        CheckpointSigner.of(Fixtures.PRACTITIONER_KEY)
            .sign(
                CheckpointCodec.encodePayload(2, new byte[32], java.time.Instant.ofEpochMilli(1)));
    Files.writeString(checkpoints, forged + "\n", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> open(dir, OPTIONS))
        .isInstanceOf(LedgerCorruptedException.class)
        .hasMessageContaining("checkpoint 2");
  }

  @Test
  void open_whileOpen_refuses() throws Exception {
    try (EmbeddedLedger ledger = open(dir, OPTIONS)) {
      assertThatThrownBy(() -> open(dir, OPTIONS)).hasMessageContaining("in use");
    }
  }

  @Test
  void append_afterClose_throws() throws Exception {
    EmbeddedLedger ledger = open(dir, OPTIONS);
    ledger.append(batch(0, 1));
    ledger.close();

    assertThatThrownBy(() -> ledger.append(batch(1, 1))).hasMessage("ledger closed");
    assertThatThrownBy(() -> ledger.read(0)).hasMessage("ledger closed");
  }

  static void flip(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) offset] ^= 0x01;
    Files.write(file, bytes);
  }
}
