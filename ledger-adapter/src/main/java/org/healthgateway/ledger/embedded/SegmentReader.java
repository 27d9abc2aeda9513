package org.healthgateway.ledger.embedded;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.RecordCodec;
import org.healthgateway.ledger.Rfc9162;
import org.healthgateway.ledger.TransactionCodec;

/** Reads and checks the records of one segment file by positional reads. */
final class SegmentReader {

  /**
   * Checks entries and records; each method returns null if what it checks is good, else the
   * reason. May keep state: it sees every entry and record in log order.
   */
  @FunctionalInterface
  interface EntryCheck {
    /**
     * Checks one entry of an intact record.
     *
     * @param recordAuthor the author of the signed record holding it, or null for a record of the
     *     first format
     */
    String check(byte[] entry, String recordAuthor);

    /**
     * Checks an entry of a damaged record, to find which entry holds the damage; a check that
     * defers part of its work must do all of it here. By default {@link #check}.
     */
    default String checkDamaged(byte[] entry, String recordAuthor) {
      return check(entry, recordAuthor);
    }

    /**
     * Checks a signed record whose entries passed {@link #check} and match its leaf hashes; a
     * problem is charged to the record's first entry, {@code firstIndex}.
     */
    default String checkRecord(long firstIndex, RecordCodec.Header header) {
      return null;
    }
  }

  /** The outcome of reading one record. */
  sealed interface Result permits Good, Bad {}

  /**
   * A record that read back intact: its entries, where each entry's length prefix is, and for a
   * signed record its header (null for the first format).
   */
  @SuppressWarnings("ArrayRecordComponent") // a read result, never compared
  record Good(
      long start, long end, List<byte[]> entries, long[] entryOffsets, RecordCodec.Header signed)
      implements Result {}

  /** A record that is incomplete or does not match its checksum or structure. */
  record Bad(String reason) implements Result {}

  private final FileChannel channel;
  private final long size;
  private final int maxRecordBytes;

  SegmentReader(FileChannel channel, long size, int maxRecordBytes) {
    this.channel = channel;
    this.size = size;
    this.maxRecordBytes = maxRecordBytes;
  }

  long size() {
    return size;
  }

  /** Reads the record at {@code position}: a {@link Good} or a {@link Bad}. */
  Result read(long position) throws IOException {
    if (size - position < RecordFormat.HEADER_BYTES) {
      return new Bad("incomplete record header");
    }
    ByteBuffer header = readAt(position, RecordFormat.HEADER_BYTES);
    long length = Integer.toUnsignedLong(header.getInt());
    int crc = header.getInt();
    if (length < RecordFormat.MIN_BODY_BYTES || length > maxRecordBytes) {
      return new Bad("invalid record length " + length);
    }
    if (size - position - RecordFormat.HEADER_BYTES < length) {
      return new Bad("incomplete record");
    }
    byte[] body = readAt(position + RecordFormat.HEADER_BYTES, (int) length).array();
    if (RecordFormat.crc(body, 0, body.length) != crc) {
      return new Bad("checksum mismatch");
    }
    Good good = parseBody(ByteBuffer.wrap(body), position, true);
    return good != null ? good : new Bad("malformed record body");
  }

  /** Splits a body into entries, or returns null unless it is exactly one record of a format. */
  private static Good parseBody(ByteBuffer in, long position, boolean collect) {
    byte[] array = in.array();
    int from = in.arrayOffset() + in.position();
    if (RecordCodec.isRecord(array, from, in.remaining())) {
      return parseSigned(array, from, in.remaining(), position, collect);
    }
    int bodyLength = in.remaining();
    long count = Integer.toUnsignedLong(in.getInt());
    if (count < 1 || count > (bodyLength - 4) / 4) {
      return null;
    }
    List<byte[]> entries = new ArrayList<>(collect ? (int) count : 0);
    long[] offsets = new long[collect ? (int) count : 0];
    for (int j = 0; j < count; j++) {
      if (in.remaining() < 4) {
        return null;
      }
      long offset = position + RecordFormat.HEADER_BYTES + in.position();
      long length = Integer.toUnsignedLong(in.getInt());
      if (length > in.remaining()) {
        return null;
      }
      if (collect) {
        offsets[j] = offset;
        byte[] entry = new byte[(int) length];
        in.get(entry);
        entries.add(entry);
      } else {
        in.position(in.position() + (int) length);
      }
    }
    return in.hasRemaining()
        ? null
        : new Good(
            position, position + RecordFormat.HEADER_BYTES + bodyLength, entries, offsets, null);
  }

  private static Good parseSigned(
      byte[] array, int from, int length, long position, boolean collect) {
    RecordCodec.Layout layout;
    try {
      layout = RecordCodec.parse(array, from, length);
    } catch (LedgerException e) {
      return null;
    }
    int count = collect ? layout.entryOffsets().length : 0;
    List<byte[]> entries = new ArrayList<>(count);
    long[] offsets = new long[count];
    for (int j = 0; j < count; j++) {
      int start = from + layout.entryOffsets()[j] + 4;
      offsets[j] = position + RecordFormat.HEADER_BYTES + layout.entryOffsets()[j];
      entries.add(Arrays.copyOfRange(array, start, start + layout.entryLengths()[j]));
    }
    return new Good(
        position, position + RecordFormat.HEADER_BYTES + length, entries, offsets, layout.header());
  }

  /**
   * True if a complete record with a matching checksum and structure starts anywhere after {@code
   * position}: then a bad record at {@code position} is not a torn tail but damage.
   */
  boolean hasValidRecordAfter(long position) throws IOException {
    long from = position + 1;
    if (size - from < RecordFormat.HEADER_BYTES + RecordFormat.MIN_BODY_BYTES) {
      return false;
    }
    byte[] tail = readAt(from, (int) Math.min(Integer.MAX_VALUE - 8, size - from)).array();
    ByteBuffer in = ByteBuffer.wrap(tail);
    for (int q = 0;
        q + RecordFormat.HEADER_BYTES + RecordFormat.MIN_BODY_BYTES <= tail.length;
        q++) {
      long length = Integer.toUnsignedLong(in.getInt(q));
      int start = q + RecordFormat.HEADER_BYTES;
      if (length < RecordFormat.MIN_BODY_BYTES || length > tail.length - start) {
        continue;
      }
      if (parseBody(ByteBuffer.wrap(tail, start, (int) length).slice(), 0, false) != null
          && RecordFormat.crc(tail, start, (int) length) == in.getInt(q + 4)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Finds the entry of a bad record at {@code position} that holds the damage: the first entry
   * whose framing or content fails {@code check}, walking by the entry lengths up to the end of the
   * file. Damage in the record header (length, checksum, count) is charged to entry 0.
   *
   * @return the entry's offset within the record
   */
  int locateDamage(long position, EntryCheck check) throws IOException {
    if (size - position < RecordFormat.HEADER_BYTES + 4) {
      return 0;
    }
    ByteBuffer header = readAt(position, RecordFormat.HEADER_BYTES + 4);
    long length = Integer.toUnsignedLong(header.getInt());
    header.getInt();
    byte[] start = new byte[4];
    header.get(start);
    if (length < RecordFormat.MIN_BODY_BYTES || length > maxRecordBytes) {
      return 0;
    }
    if (RecordCodec.isRecord(start, 0, 4)) {
      return locateSignedDamage(position, length, check);
    }
    long count = Integer.toUnsignedLong(ByteBuffer.wrap(start).getInt());
    if (count < 1) {
      return 0;
    }
    long declaredEnd = position + RecordFormat.HEADER_BYTES + length;
    long q = position + RecordFormat.HEADER_BYTES + 4;
    for (int j = 0; j < count; j++) {
      if (q >= declaredEnd) {
        return 0;
      }
      if (size - q < 4) {
        return j;
      }
      long entryLength = Integer.toUnsignedLong(readAt(q, 4).getInt());
      if (entryLength > TransactionCodec.MAX_ENCODED_BYTES || entryLength > size - q - 4) {
        return j;
      }
      if (check.checkDamaged(readAt(q + 4, (int) entryLength).array(), null) != null) {
        return j;
      }
      q += 4 + entryLength;
    }
    return 0;
  }

  /**
   * {@link #locateDamage} for a signed record: the first entry whose framing is cut, that fails the
   * check, or whose bytes no longer match its leaf hash in the header; damage to the header or the
   * signature is charged to entry 0.
   */
  private int locateSignedDamage(long position, long length, EntryCheck check) throws IOException {
    long body = position + RecordFormat.HEADER_BYTES;
    int available = (int) Math.min(length, size - body);
    byte[] bytes = readAt(body, available).array();
    RecordCodec.Header header;
    try {
      header = RecordCodec.parseHeader(bytes, 0, bytes.length);
    } catch (LedgerException e) {
      return 0;
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    in.position(header.entriesOffset());
    for (int j = 0; j < header.leafHashes().size(); j++) {
      if (in.remaining() < 4) {
        return j;
      }
      long entryLength = Integer.toUnsignedLong(in.getInt());
      if (entryLength > in.remaining()) {
        return j;
      }
      byte[] entry = new byte[(int) entryLength];
      in.get(entry);
      if (check.checkDamaged(entry, header.author()) != null
          || !MessageDigest.isEqual(Rfc9162.leafHash(entry), header.leafHashes().get(j))) {
        return j;
      }
    }
    return 0;
  }

  private ByteBuffer readAt(long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new EOFException("segment ended at " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }
}
