package org.healthgateway.ledger.embedded;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.IntConsumer;

/**
 * Appends records to the current segment and rolls to a new one when it would exceed the segment
 * size. Used by the single writer thread only.
 *
 * <p>Before a new segment receives its first record the previous one is fsync'd and the new file's
 * directory entry is fsync'd, so that after a power loss only the last segment can end in a torn
 * record.
 */
final class SegmentWriter implements Closeable {

  /** A point to roll back to. */
  record Mark(int segment, long position) {}

  private final Path dir;
  private final long segmentSize;
  private final IntConsumer onSegmentRemoved;
  private int segment;
  private FileChannel channel;
  private long position;

  private SegmentWriter(Path dir, long segmentSize, IntConsumer onSegmentRemoved) {
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.onSegmentRemoved = onSegmentRemoved;
  }

  /** Continues the last segment at {@code position}, or creates segment 0. */
  static SegmentWriter open(
      Path dir, long segmentSize, int lastSegment, long position, IntConsumer onSegmentRemoved)
      throws IOException {
    SegmentWriter writer = new SegmentWriter(dir, segmentSize, onSegmentRemoved);
    if (lastSegment < 0) {
      writer.create(0);
    } else {
      writer.segment = lastSegment;
      writer.channel = FileChannel.open(writer.path(lastSegment), StandardOpenOption.WRITE);
      writer.position = position;
    }
    return writer;
  }

  Mark mark() {
    return new Mark(segment, position);
  }

  /** Writes a whole record, rolling first if needed; returns the record's location. */
  long write(byte[] record) throws IOException {
    if (position > 0 && position + record.length > segmentSize) {
      channel.force(false);
      channel.close();
      create(segment + 1);
    }
    long start = position;
    ByteBuffer buffer = ByteBuffer.wrap(record);
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
    return RecordFormat.location(segment, start);
  }

  void force() throws IOException {
    channel.force(false);
  }

  /** Undoes the writes since {@code mark}: deletes newer segments and cuts the marked one. */
  void rollback(Mark mark) throws IOException {
    if (segment != mark.segment()) {
      channel.close();
      for (int s = segment; s > mark.segment(); s--) {
        onSegmentRemoved.accept(s);
        Files.deleteIfExists(path(s));
      }
      syncDirectory(dir);
      segment = mark.segment();
      channel = FileChannel.open(path(segment), StandardOpenOption.WRITE);
    }
    channel.truncate(mark.position());
    channel.force(true);
    position = mark.position();
  }

  private void create(int number) throws IOException {
    channel =
        FileChannel.open(path(number), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    segment = number;
    position = 0;
    syncDirectory(dir);
  }

  private Path path(int number) {
    return dir.resolve(RecordFormat.segmentName(number));
  }

  /** Makes a created or deleted directory entry durable (a no-op where the OS cannot do it). */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").startsWith("Windows")) {
        throw e;
      }
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
