package org.healthgateway.ledger.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionCodec;

/**
 * Test fixture: records of the first format (before signed records), as the code before them wrote
 * them: body = u32 entry count | per entry: u32 length | canonical transaction bytes, each
 * transaction signed on its own. Nothing in the main code writes this format any more.
 */
final class FirstFormat {

  private FirstFormat() {}

  /** The framed record (length, CRC, body) of the signed transactions. */
  static byte[] record(List<Transaction> signed) {
    return RecordFormat.frame(body(signed.stream().map(TransactionCodec::encode).toList()));
  }

  /** The body of a record of the first format holding {@code entries}. */
  static byte[] body(List<byte[]> entries) {
    int length = 4;
    for (byte[] entry : entries) {
      length += 4 + entry.length;
    }
    ByteBuffer body = ByteBuffer.allocate(length).putInt(entries.size());
    for (byte[] entry : entries) {
      body.putInt(entry.length).put(entry);
    }
    return body.array();
  }

  /** Writes {@code records} (framed) as segment 0 of {@code dir}, with no checkpoint. */
  static void writeSegment(Path dir, List<byte[]> records) throws IOException {
    ByteArrayOutputStream segment = new ByteArrayOutputStream();
    for (byte[] record : records) {
      segment.write(record);
    }
    Files.createDirectories(dir);
    Files.write(dir.resolve(RecordFormat.segmentName(0)), segment.toByteArray());
  }
}
