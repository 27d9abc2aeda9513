package org.healthgateway.ledger;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Canonical binary encoding of a {@link Transaction}: the bytes that are hashed into the Merkle log
 * (RFC 9162 leaf input) and, with an empty signature, signed by the author.
 *
 * <p>All integers are big-endian; {@code str} is {@code u32 length | UTF-8 bytes} (strict UTF-8, no
 * BOM); {@code bytes} is {@code u32 length | bytes}.
 *
 * <pre>
 * offset  size  field
 * 0       4     magic "HGTX" (0x48 0x47 0x54 0x58)
 * 4       1     format version, 0x01
 * 5       1     type code ({@link TransactionType#code()})
 * 6       str   subject                       (at most 4096 bytes)
 *         str   patient pseudonym, or empty   (at most 4096 bytes)
 *         u32   category count                (at most 64)
 *         str   category code, per category   (at most 4096 bytes each)
 *         str   author                        (at most 4096 bytes)
 *         i64   timestamp, milliseconds since 1970-01-01T00:00:00Z
 *         bytes content hash                  (at most 64 bytes)
 *         bytes payload                       (at most 32 MiB)
 *         u32   wrapped-key count             (at most 1024)
 *           str   key id                      (at most 4096 bytes)
 *           str   JOSE algorithm name         (at most 4096 bytes)
 *           bytes wrapped key                 (at most 64 KiB)
 *         str   signature: detached JWS compact, or empty (at most 16 KiB)
 * </pre>
 *
 * <p>The encoding is a bijection on what it accepts: {@link #decode} refuses unknown versions and
 * types, over-long counts and lengths, malformed UTF-8 and trailing bytes, so that {@code
 * encode(decode(b))} equals {@code b} for every accepted {@code b}.
 */
public final class TransactionCodec {

  /** Format version written by {@link #encode}. */
  public static final int VERSION = 1;

  static final byte[] MAGIC = {0x48, 0x47, 0x54, 0x58};
  static final int MAX_STRING_BYTES = 4096;
  static final int MAX_CATEGORIES = 64;
  static final int MAX_CONTENT_HASH_BYTES = 64;
  static final int MAX_PAYLOAD_BYTES = 32 << 20;
  static final int MAX_WRAPPED_KEYS = 1024;
  static final int MAX_WRAPPED_BYTES = 64 << 10;
  static final int MAX_SIGNATURE_BYTES = 16 << 10;

  /** Upper bound of an encoded transaction, so that framing layers can cap their lengths. */
  public static final int MAX_ENCODED_BYTES = 40 << 20;

  private TransactionCodec() {}

  /**
   * Returns the canonical bytes of {@code tx}.
   *
   * @throws IllegalArgumentException if a field exceeds its cap or a string is not valid UTF-16
   */
  public static byte[] encode(Transaction tx) {
    return encode(tx, tx.signature());
  }

  /** Returns the canonical bytes of {@code tx} with an empty signature: what the author signs. */
  public static byte[] signingInput(Transaction tx) {
    return encode(tx, "");
  }

  /** Returns the RFC 9162 leaf hash of the canonical bytes of {@code tx}. */
  public static byte[] leafHash(Transaction tx) {
    return Rfc9162.leafHash(encode(tx));
  }

  /**
   * Parses canonical bytes.
   *
   * @throws LedgerException "invalid transaction encoding", with the reason as cause
   */
  public static Transaction decode(byte[] encoded) throws LedgerException {
    try {
      if (encoded.length > MAX_ENCODED_BYTES) {
        throw new IllegalArgumentException("encoding longer than " + MAX_ENCODED_BYTES);
      }
      ByteBuffer in = ByteBuffer.wrap(encoded);
      Transaction tx = read(in);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes");
      }
      return tx;
    } catch (IllegalArgumentException | BufferUnderflowException | CharacterCodingException e) {
      throw new LedgerException("invalid transaction encoding", e);
    }
  }

  private static Transaction read(ByteBuffer in) throws CharacterCodingException {
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("bad magic");
    }
    int version = Byte.toUnsignedInt(in.get());
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown format version " + version);
    }
    TransactionType type = TransactionType.ofCode(Byte.toUnsignedInt(in.get()));
    String subject = readString(in, MAX_STRING_BYTES);
    String patient = readString(in, MAX_STRING_BYTES);
    int categoryCount = readCount(in, MAX_CATEGORIES);
    List<String> categories = new ArrayList<>(categoryCount);
    for (int i = 0; i < categoryCount; i++) {
      categories.add(readString(in, MAX_STRING_BYTES));
    }
    String author = readString(in, MAX_STRING_BYTES);
    Instant timestamp = Instant.ofEpochMilli(in.getLong());
    byte[] contentHash = readBytes(in, MAX_CONTENT_HASH_BYTES);
    byte[] payload = readBytes(in, MAX_PAYLOAD_BYTES);
    int keyCount = readCount(in, MAX_WRAPPED_KEYS);
    List<WrappedKey> keys = new ArrayList<>(keyCount);
    for (int i = 0; i < keyCount; i++) {
      String keyId = readString(in, MAX_STRING_BYTES);
      String algorithm = readString(in, MAX_STRING_BYTES);
      keys.add(new WrappedKey(keyId, algorithm, readBytes(in, MAX_WRAPPED_BYTES)));
    }
    String signature = readString(in, MAX_SIGNATURE_BYTES);
    return new Transaction(
        type,
        subject,
        patient,
        categories,
        author,
        timestamp,
        contentHash,
        payload,
        keys,
        signature);
  }

  static int readCount(ByteBuffer in, int max) {
    int count = in.getInt();
    if (count < 0 || count > max) {
      throw new IllegalArgumentException("count " + Integer.toUnsignedString(count) + " > " + max);
    }
    return count;
  }

  static byte[] readBytes(ByteBuffer in, int max) {
    int length = readCount(in, max);
    if (length > in.remaining()) {
      throw new IllegalArgumentException("length " + length + " beyond end of input");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  static String readString(ByteBuffer in, int max) throws CharacterCodingException {
    byte[] bytes = readBytes(in, max);
    if (isAscii(bytes)) {
      // Nearly every string (references, pseudonyms, codes, JWS) is ASCII, which is always valid
      // UTF-8; the strict decoder below was a quarter of the start-up time at a million entries.
      return new String(bytes, StandardCharsets.US_ASCII);
    }
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] encode(Transaction tx, String signature) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + tx.payload().length);
      DataOutputStream out = new DataOutputStream(bytes);
      out.write(MAGIC);
      out.writeByte(VERSION);
      out.writeByte(tx.type().code());
      writeString(out, tx.subject(), MAX_STRING_BYTES);
      writeString(out, tx.patient(), MAX_STRING_BYTES);
      writeCount(out, tx.categories().size(), MAX_CATEGORIES);
      for (String category : tx.categories()) {
        writeString(out, category, MAX_STRING_BYTES);
      }
      writeString(out, tx.author(), MAX_STRING_BYTES);
      out.writeLong(tx.timestamp().toEpochMilli());
      writeBytes(out, tx.contentHash(), MAX_CONTENT_HASH_BYTES);
      writeBytes(out, tx.payload(), MAX_PAYLOAD_BYTES);
      writeCount(out, tx.wrappedKeys().size(), MAX_WRAPPED_KEYS);
      for (WrappedKey key : tx.wrappedKeys()) {
        writeString(out, key.keyId(), MAX_STRING_BYTES);
        writeString(out, key.algorithm(), MAX_STRING_BYTES);
        writeBytes(out, key.wrapped(), MAX_WRAPPED_BYTES);
      }
      writeString(out, signature, MAX_SIGNATURE_BYTES);
      return bytes.toByteArray();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("timestamp out of range", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeCount(DataOutputStream out, int count, int max) throws IOException {
    if (count > max) {
      throw new IllegalArgumentException("count " + count + " > " + max);
    }
    out.writeInt(count);
  }

  private static void writeBytes(DataOutputStream out, byte[] value, int max) throws IOException {
    writeCount(out, value.length, max);
    out.write(value);
  }

  static void writeString(DataOutputStream out, String value, int max) throws IOException {
    try {
      ByteBuffer utf8 =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(value));
      byte[] bytes = new byte[utf8.remaining()];
      utf8.get(bytes);
      writeBytes(out, bytes, max);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("string is not valid UTF-16", e);
    }
  }
}
