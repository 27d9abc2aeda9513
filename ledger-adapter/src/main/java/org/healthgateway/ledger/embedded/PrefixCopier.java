package org.healthgateway.ledger.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.healthgateway.ledger.LedgerException;

/**
 * Copies whole records of a ledger's segments, in log order, until the copy holds a given number of
 * entries; resumable, so that the copy can follow newer checkpoints. Each record is read and
 * checked (length, CRC, structure) before its bytes are copied.
 */
final class PrefixCopier implements AutoCloseable {
  private final Path source;
  private final Path target;
  private final int maxRecordBytes;
  private final long totalBytes;
  private final LedgerProgress progress;
  private int segment = -1;
  private long offset;
  private long bytesBefore;
  private long entries;
  private FileChannel in;
  private FileChannel out;

  PrefixCopier(
      Path source, Path target, int maxRecordBytes, long totalBytes, LedgerProgress progress) {
    this.source = source;
    this.target = target;
    this.maxRecordBytes = maxRecordBytes;
    this.totalBytes = totalBytes;
    this.progress = progress;
  }

  /** Segment bytes copied so far, over all segments. */
  long position() {
    return bytesBefore + offset;
  }

  /** Copies records until the copy holds {@code limit} entries. */
  void advanceTo(long limit) throws IOException, LedgerException {
    while (entries < limit) {
      if (in == null || (offset >= in.size() && nextSegmentExists())) {
        openNext();
        continue;
      }
      SegmentReader.Result result = new SegmentReader(in, in.size(), maxRecordBytes).read(offset);
      if (!(result instanceof SegmentReader.Good good)) {
        throw LogScanner.corrupted(
            entries,
            ((SegmentReader.Bad) result).reason()
                + " in record at "
                + RecordFormat.segmentName(segment)
                + " offset "
                + offset
                + ", before the checkpoint at "
                + limit);
      }
      if (entries + good.entries().size() > limit) {
        throw new LedgerException("checkpoint at " + limit + " entries ends inside a record");
      }
      transfer(good.end());
      entries += good.entries().size();
      progress.progress(entries, position(), totalBytes);
    }
  }

  private boolean nextSegmentExists() {
    return Files.exists(source.resolve(RecordFormat.segmentName(segment + 1)));
  }

  private void openNext() throws IOException, LedgerException {
    if (in != null) {
      closeSegment();
      bytesBefore += offset;
    }
    segment++;
    Path file = source.resolve(RecordFormat.segmentName(segment));
    if (!Files.exists(file)) {
      throw new LedgerException("missing " + file.getFileName() + " before the checkpoint");
    }
    in = FileChannel.open(file, StandardOpenOption.READ);
    out =
        FileChannel.open(
            target.resolve(RecordFormat.segmentName(segment)),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
    offset = 0;
  }

  private void transfer(long end) throws IOException {
    while (offset < end) {
      long moved = in.transferTo(offset, end - offset, out);
      if (moved <= 0) {
        throw new IOException(RecordFormat.segmentName(segment) + " ended while copying");
      }
      offset += moved;
    }
  }

  /** Makes the copied segments and their directory entries durable. */
  void finish() throws IOException {
    closeSegment();
    SegmentWriter.syncDirectory(target);
  }

  private void closeSegment() throws IOException {
    if (out != null) {
      out.force(true);
      out.close();
      out = null;
    }
    if (in != null) {
      in.close();
      in = null;
    }
  }

  @Override
  public void close() throws IOException {
    closeSegment();
  }
}
