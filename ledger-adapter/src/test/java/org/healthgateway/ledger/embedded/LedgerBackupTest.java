package org.healthgateway.ledger.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.healthgateway.ledger.Fixtures;
import org.healthgateway.ledger.LedgerException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerBackupTest {

  @TempDir Path dir;
  @TempDir Path target;

  private final LedgerVerifier verifier =
      LedgerVerifier.create(Fixtures.NODE_KEY.toPublicJWK(), Fixtures.NODE);

  private static EmbeddedLedger.Options busy() {
    return EmbeddedLedger.Options.defaults()
        .withCheckpointInterval(Duration.ofMillis(50))
        .withSegmentBytes(16 << 10);
  }

  /** Opens the ledger and introduces the author of {@code EmbeddedLedgerTest.batch}. */
  private EmbeddedLedger openWithAuthor(EmbeddedLedger.Options options) throws LedgerException {
    EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, options);
    ledger.append(
        Fixtures.record(
            Fixtures.NODE_KEY,
            Fixtures.unsignedIdentity("Practitioner/a", Fixtures.PRACTITIONER_KEY)));
    return ledger;
  }

  @Test
  void copy_whileAppending_opensVerifiesAndHoldsEveryEntryAcknowledgedBefore() throws Exception {
    Path copy = target.resolve("ledger");
    try (EmbeddedLedger ledger = openWithAuthor(busy())) {
      ledger.append(EmbeddedLedgerTest.batch(0, 5));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong failures = new AtomicLong();
      Thread writer =
          new Thread(
              () -> {
                for (int n = 5; running.get(); n += 3) {
                  try {
                    ledger.append(EmbeddedLedgerTest.batch(n, 3));
                  } catch (LedgerException e) {
                    failures.incrementAndGet();
                  }
                }
              });
      writer.start();
      Thread.sleep(300);
      long acknowledged = ledger.size();

      LedgerBackup.Copied copied =
          LedgerBackup.copy(
              dir, copy, Fixtures.NODE_KEY.toPublicJWK(), Duration.ofSeconds(10), (e, b, t) -> {});

      running.set(false);
      writer.join();
      assertThat(failures.get()).isZero();
      assertThat(copied.nodeRunning()).isTrue();
      assertThat(copied.checkpoint().treeSize()).isGreaterThanOrEqualTo(acknowledged);
      assertThat(LogScanner.segments(copy)).hasSizeGreaterThan(1);
      LedgerVerifier.Verdict verdict = verifier.verify(copy);
      assertThat(verdict.ok()).as(verdict.message()).isTrue();
      assertThat(verdict.entries()).isEqualTo(copied.checkpoint().treeSize());
      try (EmbeddedLedger restored = EmbeddedLedgerTest.open(copy, EmbeddedLedgerTest.OPTIONS)) {
        assertThat(restored.size()).isEqualTo(copied.checkpoint().treeSize());
        for (long i = 0; i < restored.size(); i += 7) {
          assertThat(restored.read(i).leafHash()).isEqualTo(ledger.read(i).leafHash());
        }
      }
    }
  }

  @Test
  void copy_stoppedLedger_copiesEveryEntryAndKeepsNodesOutMeanwhile() throws Exception {
    try (EmbeddedLedger ledger = openWithAuthor(busy())) {
      ledger.append(EmbeddedLedgerTest.batch(0, 40));
    }
    List<Long> progress = new ArrayList<>();

    LedgerBackup.Copied copied =
        LedgerBackup.copy(
            dir,
            target,
            Fixtures.NODE_KEY.toPublicJWK(),
            Duration.ofSeconds(10),
            (entries, bytes, total) -> progress.add(entries));

    assertThat(copied.nodeRunning()).isFalse();
    assertThat(copied.checkpoint().treeSize()).isEqualTo(41);
    assertThat(copied.bytesAfter()).isZero();
    assertThat(progress).last().isEqualTo(41L);
    assertThat(Files.readAllBytes(target.resolve("segment-00000000.log")))
        .isEqualTo(Files.readAllBytes(dir.resolve("segment-00000000.log")));
    assertThat(verifier.verify(target).ok()).isTrue();
  }

  @Test
  void copy_runningNodeWithoutCheckpointOverTheTail_refusesAfterWaiting() throws Exception {
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(EmbeddedLedgerTest.batch(0, 2));
      ledger.checkpoint(2);
      ledger.append(EmbeddedLedgerTest.batch(2, 2));

      assertThatThrownBy(
              () ->
                  LedgerBackup.copy(
                      dir,
                      target,
                      Fixtures.NODE_KEY.toPublicJWK(),
                      Duration.ofMillis(300),
                      LedgerProgress.NONE))
          .isInstanceOf(LedgerException.class)
          .hasMessageContaining("no checkpoint covered");
    }
  }

  @Test
  void copy_runningNodeBeforeItsFirstCheckpoint_waitsForOneOverTheStart() throws Exception {
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(
          Fixtures.record(
              Fixtures.NODE_KEY,
              Fixtures.unsignedIdentity("Practitioner/a", Fixtures.PRACTITIONER_KEY)));
      ledger.append(EmbeddedLedgerTest.batch(0, 3));
      java.util.concurrent.CompletableFuture<LedgerBackup.Copied> copy =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return LedgerBackup.copy(
                      dir,
                      target,
                      Fixtures.NODE_KEY.toPublicJWK(),
                      Duration.ofSeconds(10),
                      LedgerProgress.NONE);
                } catch (LedgerException e) {
                  throw new java.util.concurrent.CompletionException(e);
                }
              });
      Thread.sleep(500);
      assertThat(copy).isNotDone();
      ledger.append(EmbeddedLedgerTest.batch(3, 2));

      ledger.checkpoint(ledger.size());

      assertThat(copy.get(10, java.util.concurrent.TimeUnit.SECONDS).checkpoint().treeSize())
          .isEqualTo(6);
    }
    assertThat(verifier.verify(target).entries()).isEqualTo(6);
  }

  @Test
  void copy_ledgerWithoutCheckpoint_refuses() throws Exception {
    try (EmbeddedLedger ledger = EmbeddedLedgerTest.open(dir, EmbeddedLedgerTest.OPTIONS)) {
      ledger.append(EmbeddedLedgerTest.batch(0, 2));
    }
    Files.delete(dir.resolve("checkpoints.log"));

    assertThatThrownBy(
            () ->
                LedgerBackup.copy(
                    dir,
                    target,
                    Fixtures.NODE_KEY.toPublicJWK(),
                    Duration.ofMillis(100),
                    LedgerProgress.NONE))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("no checkpoint");
  }

  @Test
  void verify_withProgress_reportsEveryEntryAndByte() throws Exception {
    try (EmbeddedLedger ledger = openWithAuthor(busy())) {
      ledger.append(EmbeddedLedgerTest.batch(0, 40));
    }
    long total = LedgerBackup.segmentBytes(dir);
    List<long[]> calls = new ArrayList<>();

    LedgerVerifier.Verdict verdict =
        verifier.verify(dir, (entries, bytes, all) -> calls.add(new long[] {entries, bytes, all}));

    assertThat(verdict.ok()).as(verdict.message()).isTrue();
    assertThat(calls).hasSizeGreaterThan(1);
    assertThat(calls.get(calls.size() - 1)).containsExactly(41, total, total);
    for (int i = 1; i < calls.size(); i++) {
      assertThat(calls.get(i)[1]).isGreaterThanOrEqualTo(calls.get(i - 1)[1]);
    }
  }
}
