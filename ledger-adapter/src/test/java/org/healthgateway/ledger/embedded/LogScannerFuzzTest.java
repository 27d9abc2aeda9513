package org.healthgateway.ledger.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fuzzes the bytes->records path of the embedded ledger as {@code EmbeddedLedger.open} runs it: a
 * segment file of any content goes through the segment reader, the torn-tail rule and transaction
 * decoding, and the scan either finds the log good, finds a torn tail, or throws {@link
 * LedgerCorruptedException}. Seeds in both record formats: {@code valid-ledger} (the first format)
 * and {@code signed-records}. A record whose CRC field is zero gets its real CRC before the scan,
 * so that the fuzzer gets past the checksum into the record body. Seeds and regression inputs:
 * {@code LogScannerFuzzTestInputs/} beside this class.
 */
class LogScannerFuzzTest {

  private static final int MAX_RECORD_BYTES = EmbeddedLedger.Options.defaults().maxRecordBytes();

  @TempDir static Path dir;

  @FuzzTest(maxDuration = "5s")
  void scan_anySegmentFile_acceptsCutsOrRefuses(byte[] segment) throws IOException {
    Files.write(dir.resolve(RecordFormat.segmentName(0)), withZeroCrcsFilled(segment));
    long[] entries = {0};
    try {
      LogScanner.TornTail torn =
          LogScanner.scan(
              dir,
              MAX_RECORD_BYTES,
              Recovery::decodeProblem,
              (index, location, entry, leafHash) -> entries[0]++);
      if (torn != null) {
        assertThat(torn.firstLostIndex()).isEqualTo(entries[0]);
        assertThat(torn.damagedIndex()).isGreaterThanOrEqualTo(torn.firstLostIndex());
      }
    } catch (LedgerCorruptedException e) {
      assertThat(e.getMessage()).startsWith("ledger corrupted at entry " + e.index() + ": ");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"valid-ledger", "signed-records"})
  void scan_seedLedger_isGood(String seedName) throws Exception {
    try (InputStream seed =
        getClass()
            .getResourceAsStream(
                "LogScannerFuzzTestInputs/scan_anySegmentFile_acceptsCutsOrRefuses/" + seedName)) {
      Files.write(dir.resolve(RecordFormat.segmentName(0)), seed.readAllBytes());
    }
    long[] entries = {0};

    LogScanner.TornTail torn =
        LogScanner.scan(
            dir, MAX_RECORD_BYTES, Recovery::decodeProblem, (i, location, e, h) -> entries[0]++);

    assertThat(torn).isNull();
    assertThat(entries[0]).isEqualTo(3);
  }

  /** Follows the record lengths and fills in the CRC of each complete record whose CRC is 0. */
  private static byte[] withZeroCrcsFilled(byte[] segment) {
    byte[] copy = segment.clone();
    ByteBuffer in = ByteBuffer.wrap(copy);
    int position = 0;
    while (copy.length - position >= RecordFormat.HEADER_BYTES) {
      long length = Integer.toUnsignedLong(in.getInt(position));
      if (length > copy.length - position - RecordFormat.HEADER_BYTES) {
        break;
      }
      int body = position + RecordFormat.HEADER_BYTES;
      if (in.getInt(position + 4) == 0) {
        in.putInt(position + 4, RecordFormat.crc(copy, body, (int) length));
      }
      position = body + (int) length;
    }
    return copy;
  }
}
