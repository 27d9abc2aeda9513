package org.healthgateway.ledger.ethereum;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The local copy of the verified records, so that a restart does not read the chain again: {@code
 * records.bin}, a sequence of {@code u64 seq | u32 length | record bytes | u32 CRC32C of the
 * preceding fields}, big-endian, one per applied record in order. Records at or beyond the cursor's
 * {@code nextSeq} (written before a crash let the cursor move) and a torn tail are cut on open;
 * they are read again from the chain.
 */
final class RecordCache implements AutoCloseable {

  static final String FILE = "records.bin";

  /** A cached record. */
  @SuppressWarnings("ArrayRecordComponent") // file contents, never compared
  record Cached(long seq, byte[] bytes) {}

  private final FileChannel channel;

  private RecordCache(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens the cache in {@code dir}, returning it and the records before {@code nextSeq}. */
  static RecordCache open(Path dir, long nextSeq, int maxRecordBytes, List<Cached> out)
      throws IOException {
    FileChannel channel =
        FileChannel.open(
            dir.resolve(FILE),
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    long position = 0;
    long size = channel.size();
    ByteBuffer head = ByteBuffer.allocate(12);
    while (position + 12 <= size) {
      head.clear();
      channel.read(head, position);
      head.flip();
      long seq = head.getLong();
      int length = head.getInt();
      if (seq >= nextSeq
          || length < 0
          || length > maxRecordBytes
          || position + 16 + length > size) {
        break;
      }
      ByteBuffer body = ByteBuffer.allocate(length + 4);
      channel.read(body, position + 12);
      body.flip();
      byte[] bytes = new byte[length];
      body.get(bytes);
      if (body.getInt() != (int) crc(seq, bytes)) {
        break;
      }
      out.add(new Cached(seq, bytes));
      position += 16 + length;
    }
    channel.truncate(position);
    channel.position(position);
    return new RecordCache(channel);
  }

  /** Appends records; durable after {@link #sync}. */
  void append(List<Cached> records) throws IOException {
    List<ByteBuffer> buffers = new ArrayList<>(records.size());
    for (Cached record : records) {
      ByteBuffer b = ByteBuffer.allocate(16 + record.bytes().length);
      b.putLong(record.seq()).putInt(record.bytes().length).put(record.bytes());
      b.putInt((int) crc(record.seq(), record.bytes()));
      b.flip();
      buffers.add(b);
    }
    for (ByteBuffer b : buffers) {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    }
  }

  void sync() throws IOException {
    channel.force(false);
  }

  private static long crc(long seq, byte[] bytes) {
    CRC32C crc = new CRC32C();
    ByteBuffer head = ByteBuffer.allocate(12).putLong(seq).putInt(bytes.length);
    crc.update(head.array());
    crc.update(bytes);
    return crc.getValue();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
