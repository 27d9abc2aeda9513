package org.healthgateway.ledger.embedded;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * One record of a segment file, written by one {@code append} call:
 *
 * <pre>
 * u32 body length | u32 CRC32C(body) | body
 * body = u32 entry count (>= 1) | per entry: u32 length | canonical transaction bytes
 * </pre>
 *
 * All integers big-endian. An entry's location is {@code segment << 40 | offset of its u32 length}.
 */
final class RecordFormat {

  static final int HEADER_BYTES = 8;
  static final int MIN_BODY_BYTES = 8;
  static final int OFFSET_BITS = 40;
  static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  static final String CHECKPOINTS = "checkpoints.log";
  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{8})\\.log");

  private RecordFormat() {}

  /** Returns the whole record (header and body) for the encoded transactions. */
  static byte[] encode(List<byte[]> entries) {
    long bodyLength = 4;
    for (byte[] entry : entries) {
      bodyLength += 4L + entry.length;
    }
    if (bodyLength > Integer.MAX_VALUE - HEADER_BYTES) {
      throw new IllegalArgumentException("record too large");
    }
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + (int) bodyLength);
    record.putInt((int) bodyLength).putInt(0).putInt(entries.size());
    for (byte[] entry : entries) {
      record.putInt(entry.length).put(entry);
    }
    record.putInt(4, crc(record.array(), HEADER_BYTES, (int) bodyLength));
    return record.array();
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  static String segmentName(int segment) {
    return String.format("segment-%08d.log", segment);
  }

  /** Returns the segment number of a segment file name, or -1. */
  static int segmentNumber(String fileName) {
    Matcher m = SEGMENT.matcher(fileName);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  static long location(int segment, long offset) {
    return ((long) segment << OFFSET_BITS) | offset;
  }

  static int segmentOf(long location) {
    return (int) (location >>> OFFSET_BITS);
  }

  static long offsetOf(long location) {
    return location & OFFSET_MASK;
  }
}
