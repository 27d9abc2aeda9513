package org.healthgateway.ledger.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.healthgateway.ledger.LedgerCorruptedException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.Rfc9162;

/**
 * Walks every record of every segment in order, checks each entry and hands it on. Shared by
 * recovery and the offline verifier, so that both apply the same torn-tail rule: a bad record is a
 * torn tail only if it is in the last segment and no valid record follows it.
 */
final class LogScanner {

  /** Receives every entry of every intact record, in log order, with its RFC 9162 leaf hash. */
  @FunctionalInterface
  interface EntryConsumer {
    void accept(long index, long location, byte[] entry, byte[] leafHash);

    /** Called before the entries of each record, with its first entry's index and location. */
    default void record(long firstIndex, long location) {}
  }

  /**
   * Where the torn tail begins, and why it is bad.
   *
   * @param firstLostIndex index of the first entry of the torn record
   * @param damagedIndex index of the entry of that record whose bytes are damaged or cut
   */
  record TornTail(
      int segment, long position, long firstLostIndex, long damagedIndex, String reason) {}

  private LogScanner() {}

  /** Returns the segment numbers in {@code dir}, ascending. */
  static List<Integer> segments(Path dir) throws IOException {
    List<Integer> numbers = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(
          f -> {
            int n = RecordFormat.segmentNumber(f.getFileName().toString());
            if (n >= 0) {
              numbers.add(n);
            }
          });
    }
    numbers.sort(null);
    return numbers;
  }

  /**
   * Scans the log.
   *
   * @return the torn tail to cut, or null
   * @throws LedgerCorruptedException naming the first bad entry for any other damage
   */
  static TornTail scan(
      Path dir, int maxRecordBytes, SegmentReader.EntryCheck check, EntryConsumer consumer)
      throws IOException, LedgerCorruptedException {
    List<Integer> segments = segments(dir);
    long index = 0;
    for (int i = 0; i < segments.size(); i++) {
      int segment = segments.get(i);
      if (segment != i) {
        throw corrupted(index, "missing " + RecordFormat.segmentName(i));
      }
      boolean last = i == segments.size() - 1;
      Path file = dir.resolve(RecordFormat.segmentName(segment));
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        SegmentReader reader = new SegmentReader(channel, channel.size(), maxRecordBytes);
        long position = 0;
        while (position < reader.size()) {
          SegmentReader.Result result = reader.read(position);
          if (result instanceof SegmentReader.Good good) {
            List<byte[]> leafHashes = check(good, index, check);
            consumer.record(index, RecordFormat.location(segment, good.start()));
            for (int j = 0; j < good.entries().size(); j++) {
              consumer.accept(
                  index++,
                  RecordFormat.location(segment, good.entryOffsets()[j]),
                  good.entries().get(j),
                  leafHashes.get(j));
            }
            position = good.end();
          } else {
            String reason = ((SegmentReader.Bad) result).reason();
            if (last && !reader.hasValidRecordAfter(position)) {
              long damaged = index + reader.locateDamage(position, check);
              return new TornTail(segment, position, index, damaged, reason);
            }
            long bad = index + reader.locateDamage(position, check);
            throw corrupted(
                bad, reason + " in record at " + file.getFileName() + " offset " + position);
          }
        }
      }
    }
    return null;
  }

  /**
   * Checks every entry of an intact record at {@code firstIndex}, and a signed record's leaf hashes
   * and signature; returns the entries' leaf hashes.
   */
  private static List<byte[]> check(
      SegmentReader.Good good, long firstIndex, SegmentReader.EntryCheck check)
      throws LedgerCorruptedException {
    RecordCodec.Header signed = good.signed();
    String author = signed == null ? null : signed.author();
    List<byte[]> leafHashes = new ArrayList<>(good.entries().size());
    for (int j = 0; j < good.entries().size(); j++) {
      byte[] entry = good.entries().get(j);
      String problem = check.check(entry, author);
      if (problem != null) {
        throw corrupted(firstIndex + j, problem);
      }
      byte[] leafHash = Rfc9162.leafHash(entry);
      if (signed != null && !MessageDigest.isEqual(leafHash, signed.leafHashes().get(j))) {
        throw corrupted(firstIndex + j, "entry does not match its leaf hash in the signed record");
      }
      leafHashes.add(leafHash);
    }
    if (signed != null) {
      String problem = check.checkRecord(firstIndex, signed);
      if (problem != null) {
        throw corrupted(firstIndex, problem);
      }
    }
    return leafHashes;
  }

  static LedgerCorruptedException corrupted(long index, String reason) {
    return new LedgerCorruptedException(
        index, "ledger corrupted at entry " + index + ": " + reason);
  }
}
