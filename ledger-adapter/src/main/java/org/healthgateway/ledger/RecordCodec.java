package org.healthgateway.ledger;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Canonical bytes of a {@link SignedRecord}, the unit one {@link Ledger#append} writes: the same
 * bytes on every ledger (the embedded log frames them with a length and a CRC; the EVM adapter
 * carries them as event data).
 *
 * <p>All integers are big-endian; {@code str} is {@code u32 length | UTF-8 bytes} (strict UTF-8).
 *
 * <pre>
 * offset  size    field
 * 0       4       magic "HGRS" (0x48 0x47 0x52 0x53)
 * 4       1       format version, 0x01
 * 5       str     author (1 to 4096 bytes)
 *         u32     entry count N (1 to 2^20)
 *         N x 32  RFC 9162 leaf hash of each entry, SHA-256(0x00 || entry bytes)
 *                 -- the signing input is every byte from offset 0 up to here
 *         str     signature: detached JWS (RFC 7515 appendix F) over the signing input
 *                 (1 to 16 KiB)
 *         N x     u32 length | canonical transaction bytes ({@link TransactionCodec}) with an
 *                 empty signature field, each by the record's author
 * </pre>
 *
 * <p>{@link #decode} refuses anything else (unknown version, a count or length over its cap or
 * beyond the input, a stored leaf hash that is not its entry's, a transaction of another author or
 * with a signature of its own, trailing bytes), so that {@code encode(decode(b))} equals {@code b}.
 * The Merkle leaves of the log are the entries, so inclusion proofs are per transaction; a reader
 * of one entry checks authorship with the record's leaf hashes and signature ({@link
 * RecordSignature}).
 */
public final class RecordCodec {

  /** Format version written by {@link #encode}. */
  public static final int VERSION = 1;

  /** Most entries in one record. */
  public static final int MAX_ENTRIES = 1 << 20;

  static final byte[] MAGIC = {0x48, 0x47, 0x52, 0x53};
  private static final int HASH_BYTES = 32;

  /**
   * The part of a record before its entries.
   *
   * @param entriesOffset where the first entry's length prefix is, from the start of the record
   */
  public record Header(
      String author, List<byte[]> leafHashes, String signature, int entriesOffset) {
    public Header {
      leafHashes = List.copyOf(leafHashes);
    }

    /** The bytes the signature covers. */
    public byte[] signingInput() {
      return RecordCodec.signingInput(author, leafHashes);
    }
  }

  /**
   * A record split into its parts, without decoding the transactions.
   *
   * @param entryOffsets where each entry's u32 length prefix is, from the start of the record
   * @param entryLengths each entry's length
   */
  @SuppressWarnings("ArrayRecordComponent") // a parse result, never compared
  public record Layout(Header header, int[] entryOffsets, int[] entryLengths) {}

  private RecordCodec() {}

  /** True if the {@code length} bytes at {@code offset} start like a record of this format. */
  public static boolean isRecord(byte[] bytes, int offset, int length) {
    return length >= MAGIC.length
        && Arrays.equals(bytes, offset, offset + MAGIC.length, MAGIC, 0, MAGIC.length);
  }

  /** Returns the canonical bytes of {@code record}. */
  public static byte[] encode(SignedRecord record) {
    try {
      long size = 256L + 36L * record.size();
      for (int j = 0; j < record.size(); j++) {
        size += record.entry(j).length;
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new IllegalArgumentException("record too large");
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) size);
      DataOutputStream out = new DataOutputStream(bytes);
      writeSigned(out, record.author(), record.leafHashes());
      TransactionCodec.writeString(out, record.signature(), TransactionCodec.MAX_SIGNATURE_BYTES);
      for (int j = 0; j < record.size(); j++) {
        byte[] entry = record.entry(j);
        out.writeInt(entry.length);
        out.write(entry);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The bytes an author signs for a record of these entries: {@code "HGRS" | 01 | str author | u32
   * N | N x 32-byte leaf hash}, the record's first bytes.
   *
   * @throws IllegalArgumentException if the author is empty or too long, or the count is out of
   *     range
   */
  public static byte[] signingInput(String author, List<byte[]> leafHashes) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * leafHashes.size());
      writeSigned(new DataOutputStream(bytes), author, leafHashes);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeSigned(DataOutputStream out, String author, List<byte[]> leafHashes)
      throws IOException {
    if (author.isEmpty()) {
      throw new IllegalArgumentException("a record needs an author");
    }
    if (leafHashes.isEmpty() || leafHashes.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("entry count " + leafHashes.size() + " out of range");
    }
    out.write(MAGIC);
    out.writeByte(VERSION);
    TransactionCodec.writeString(out, author, TransactionCodec.MAX_STRING_BYTES);
    out.writeInt(leafHashes.size());
    for (byte[] hash : leafHashes) {
      if (hash.length != HASH_BYTES) {
        throw new IllegalArgumentException("leaf hash of " + hash.length + " bytes");
      }
      out.write(hash);
    }
  }

  /**
   * Parses a whole record, decoding and checking every transaction.
   *
   * @throws LedgerException "invalid record encoding", with the reason as cause
   */
  public static SignedRecord decode(byte[] record) throws LedgerException {
    Layout layout = parse(record, 0, record.length);
    Header header = layout.header();
    int count = layout.entryOffsets().length;
    List<Transaction> transactions = new ArrayList<>(count);
    List<byte[]> entries = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      int from = layout.entryOffsets()[j] + 4;
      byte[] entry = Arrays.copyOfRange(record, from, from + layout.entryLengths()[j]);
      Transaction tx;
      try {
        tx = TransactionCodec.decode(entry);
      } catch (LedgerException e) {
        throw invalid("entry " + j + " is not a transaction", e);
      }
      String problem = entryProblem(tx, header.author());
      if (problem == null
          && !MessageDigest.isEqual(Rfc9162.leafHash(entry), header.leafHashes().get(j))) {
        problem = "entry does not match its leaf hash";
      }
      if (problem != null) {
        throw invalid("entry " + j + ": " + problem, null);
      }
      transactions.add(tx);
      entries.add(entry);
    }
    return SignedRecord.of(
        header.author(), transactions, entries, header.leafHashes(), header.signature());
  }

  /**
   * Why transaction {@code tx} cannot be an entry of a record by {@code author}, or null: every
   * entry is by the record's author and carries no signature of its own.
   */
  public static String entryProblem(Transaction tx, String author) {
    if (!tx.signature().isEmpty()) {
      return "transaction with its own signature in a signed record";
    }
    if (!tx.author().equals(author)) {
      return "transaction by " + tx.author() + " in a record by " + author;
    }
    return null;
  }

  /**
   * Splits the {@code length} bytes at {@code offset} into header and entries, checking the
   * structure but not the transactions or leaf hashes; offsets in the result count from {@code
   * offset}.
   *
   * @throws LedgerException "invalid record encoding" unless the bytes are exactly one record
   */
  public static Layout parse(byte[] bytes, int offset, int length) throws LedgerException {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).slice();
      Header header = readHeader(in);
      int count = header.leafHashes().size();
      int[] offsets = new int[count];
      int[] lengths = new int[count];
      for (int j = 0; j < count; j++) {
        offsets[j] = in.position();
        int entryLength = in.getInt();
        if (entryLength < 0
            || entryLength > TransactionCodec.MAX_ENCODED_BYTES
            || entryLength > in.remaining()) {
          throw new IllegalArgumentException("entry " + j + " length out of range");
        }
        lengths[j] = entryLength;
        in.position(in.position() + entryLength);
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes");
      }
      return new Layout(header, offsets, lengths);
    } catch (IllegalArgumentException | BufferUnderflowException | CharacterCodingException e) {
      throw invalid(e.getMessage(), e);
    }
  }

  /**
   * Reads the header at the start of the {@code length} bytes at {@code offset}; what follows it
   * (the entries) is not looked at, so this works on a prefix of a record.
   *
   * @throws LedgerException "invalid record encoding" if the header is malformed or cut
   */
  public static Header parseHeader(byte[] bytes, int offset, int length) throws LedgerException {
    try {
      return readHeader(ByteBuffer.wrap(bytes, offset, length).slice());
    } catch (IllegalArgumentException | BufferUnderflowException | CharacterCodingException e) {
      throw invalid(e.getMessage(), e);
    }
  }

  private static Header readHeader(ByteBuffer in) throws CharacterCodingException {
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IllegalArgumentException("bad magic");
    }
    int version = Byte.toUnsignedInt(in.get());
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown record format version " + version);
    }
    String author = TransactionCodec.readString(in, TransactionCodec.MAX_STRING_BYTES);
    if (author.isEmpty()) {
      throw new IllegalArgumentException("empty author");
    }
    int count = in.getInt();
    if (count < 1 || count > MAX_ENTRIES || (long) count * HASH_BYTES > in.remaining()) {
      throw new IllegalArgumentException("entry count " + Integer.toUnsignedString(count));
    }
    List<byte[]> leafHashes = new ArrayList<>(count);
    for (int j = 0; j < count; j++) {
      byte[] hash = new byte[HASH_BYTES];
      in.get(hash);
      leafHashes.add(hash);
    }
    String signature = TransactionCodec.readString(in, TransactionCodec.MAX_SIGNATURE_BYTES);
    if (signature.isEmpty()) {
      throw new IllegalArgumentException("empty signature");
    }
    return new Header(author, leafHashes, signature, in.position());
  }

  private static LedgerException invalid(String reason, Throwable cause) {
    return new LedgerException(
        "invalid record encoding", new IllegalArgumentException(reason, cause));
  }
}
