package org.healthgateway.ledger.embedded;

import java.nio.ByteBuffer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * One record of a segment file, written by one {@code append} call:
 *
 * <pre>
 * u32 body length | u32 CRC32C(body) | body
 * body = a signed record ({@link org.healthgateway.ledger.RecordCodec}, starts with "HGRS")
 *      | first format: u32 entry count (>= 1) | per entry: u32 length | canonical transaction bytes
 * </pre>
 *
 * All integers big-endian. The first format's entry count cannot be the magic "HGRS" (0x48475253):
 * that many entries of at least 4 bytes each would need a body beyond any u32 length. An entry's
 * location is {@code segment << 40 | offset of its u32 length}; both formats frame each entry as
 * {@code u32 length | bytes}, so reads by location need not know the format.
 */
final class RecordFormat {

  static final int HEADER_BYTES = 8;
  static final int MIN_BODY_BYTES = 8;
  static final int OFFSET_BITS = 40;
  static final long OFFSET_MASK = (1L << OFFSET_BITS) - 1;
  static final String CHECKPOINTS = "checkpoints.log";
  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{8})\\.log");

  private RecordFormat() {}

  /** Returns the whole record: header (length, CRC) and {@code body}. */
  static byte[] frame(byte[] body) {
    if (body.length > Integer.MAX_VALUE - HEADER_BYTES) {
      throw new IllegalArgumentException("record too large");
    }
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + body.length);
    record.putInt(body.length).putInt(crc(body, 0, body.length)).put(body);
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
