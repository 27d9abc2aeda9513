package org.healthgateway.keys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only file of private keys, each record sealed with AES-256-GCM under one vault key
 * (kept in the password-protected keystore), so adding a key costs one AES-GCM seal and one fsync
 * instead of a keystore rewrite with its PBKDF2 derivations. The format is in the module README
 * ("Key vault").
 *
 * <p>Not thread-safe: {@link EncryptedKeyStore} calls it under its own lock.
 */
final class KeyVault implements AutoCloseable {

  /** File magic, "HGKV". */
  static final int MAGIC = 0x48474B56;

  static final int VERSION = 1;
  static final int HEADER_BYTES = 8;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int MAX_RECORD_BYTES = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(KeyVault.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One key as stored: its sequence number, identity, thumbprint and private JWK (JSON). */
  record Sealed(long sequence, String identity, String thumbprint, String jwkJson) {}

  /** Receives the records of a vault being opened, in order. */
  @FunctionalInterface
  interface Visitor {
    void visit(Sealed sealed) throws GeneralSecurityException;
  }

  private final Path file;
  private final SecretKey key;
  private final FileChannel channel;
  private long[] offsets; // record sequence -> file position of its length field
  private int count;

  private KeyVault(Path file, SecretKey key, FileChannel channel, long[] offsets, int count) {
    this.file = file;
    this.key = key;
    this.channel = channel;
    this.offsets = offsets;
    this.count = count;
  }

  /**
   * Opens the vault at {@code file} (creating it if absent), passes every record to {@code visitor}
   * in order and positions for appends. A last record cut short or failing its tag (a write the
   * crash interrupted, never acknowledged) is cut off; a bad record before the last is damage and
   * fails.
   */
  static KeyVault open(Path file, SecretKey key, Visitor visitor)
      throws IOException, GeneralSecurityException {
    boolean created = !Files.exists(file);
    if (created && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      if (created || channel.size() == 0) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION);
        writeFully(channel, header.flip(), 0);
        channel.force(true);
        channel.position(HEADER_BYTES);
        return new KeyVault(file, key, channel, new long[16], 0);
      }
      KeyVault vault = new KeyVault(file, key, channel, new long[16], 0);
      long end = vault.readAll(visitor);
      if (end < channel.size()) {
        Path aside = setAside(file, channel, end);
        log.warn(
            "key vault {}: cut off an unfinished last write of {} bytes (copy kept in {})",
            file,
            channel.size() - end,
            aside);
        channel.truncate(end);
        channel.force(true);
      }
      channel.position(end);
      return vault;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private long readAll(Visitor visitor) throws IOException, GeneralSecurityException {
    long size = channel.size();
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    readFully(channel, header, 0);
    header.flip();
    if (header.getInt() != MAGIC) {
      throw new GeneralSecurityException("not a key vault: " + file);
    }
    int version = header.getInt();
    if (version != VERSION) {
      throw new GeneralSecurityException("key vault " + file + " has unknown version " + version);
    }
    long position = HEADER_BYTES;
    while (position < size) {
      long remaining = size - position;
      if (remaining < Integer.BYTES) {
        return position;
      }
      ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
      readFully(channel, length, position);
      int bytes = length.flip().getInt();
      if (bytes < NONCE_BYTES + TAG_BITS / 8 || bytes > MAX_RECORD_BYTES) {
        if (isLast(position, bytes, size)) {
          return position;
        }
        throw new GeneralSecurityException("key vault " + file + " is damaged at " + position);
      }
      if (remaining < Integer.BYTES + (long) bytes) {
        return position;
      }
      Sealed stored;
      try {
        stored = readAt(position, bytes, count);
      } catch (GeneralSecurityException e) {
        if (position + Integer.BYTES + bytes == size) {
          return position;
        }
        throw new GeneralSecurityException("key vault " + file + " is damaged at " + position, e);
      }
      remember(position);
      visitor.visit(stored);
      position += Integer.BYTES + bytes;
    }
    return position;
  }

  /** Copies the bytes from {@code end} to a file beside the vault before they are cut off. */
  private static Path setAside(Path file, FileChannel channel, long end) throws IOException {
    Path aside = file.resolveSibling(file.getFileName() + ".cut-" + System.currentTimeMillis());
    ByteBuffer tail = ByteBuffer.allocate((int) Math.min(channel.size() - end, MAX_RECORD_BYTES));
    readFully(channel, tail, end);
    Files.write(aside, tail.array(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return aside;
  }

  private static boolean isLast(long position, int bytes, long size) {
    return bytes < 0 || position + Integer.BYTES + (long) bytes >= size;
  }

  private void remember(long position) {
    if (count == offsets.length) {
      offsets = Arrays.copyOf(offsets, count * 2);
    }
    offsets[count++] = position;
  }

  private Sealed readAt(long position, int bytes, long sequence)
      throws IOException, GeneralSecurityException {
    ByteBuffer body = ByteBuffer.allocate(bytes);
    readFully(channel, body, position + Integer.BYTES);
    return decode(open(key, sequence, body.array()), sequence);
  }

  /** The key stored under {@code sequence}, read and opened from the file. */
  Sealed read(long sequence) throws IOException, GeneralSecurityException {
    if (sequence < 0 || sequence >= count) {
      throw new GeneralSecurityException("key vault " + file + " has no record " + sequence);
    }
    long position = offsets[(int) sequence];
    ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
    readFully(channel, length, position);
    return readAt(position, length.flip().getInt(), sequence);
  }

  /**
   * Appends one record per key, numbered from {@link #nextSequence()} in order (the {@code
   * sequence} of the given records is ignored), and fsyncs once; all or nothing.
   */
  void append(List<Sealed> keys) throws IOException, GeneralSecurityException {
    long start = channel.position();
    List<byte[]> records = new ArrayList<>();
    long sequence = count;
    int total = 0;
    for (Sealed stored : keys) {
      byte[] record = seal(key, sequence++, encode(stored));
      records.add(record);
      total += Integer.BYTES + record.length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(total);
    for (byte[] record : records) {
      buffer.putInt(record.length).put(record);
    }
    try {
      writeFully(channel, buffer.flip(), start);
      channel.force(false);
    } catch (IOException e) {
      channel.truncate(start);
      throw e;
    }
    channel.position(start + total);
    long position = start;
    for (byte[] record : records) {
      remember(position);
      position += Integer.BYTES + record.length;
    }
  }

  /** Sequence number the next appended key gets. */
  long nextSequence() {
    return count;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  Path file() {
    return file;
  }

  private static byte[] encode(Sealed stored) {
    byte[] identity = stored.identity().getBytes(StandardCharsets.UTF_8);
    byte[] thumbprint = stored.thumbprint().getBytes(StandardCharsets.US_ASCII);
    byte[] jwk = stored.jwkJson().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(6 + identity.length + thumbprint.length + jwk.length)
        .putShort((short) identity.length)
        .put(identity)
        .putShort((short) thumbprint.length)
        .put(thumbprint)
        .putShort((short) jwk.length)
        .put(jwk)
        .array();
  }

  private static Sealed decode(byte[] plain, long sequence) throws GeneralSecurityException {
    try {
      ByteBuffer buffer = ByteBuffer.wrap(plain);
      String identity = string(buffer, StandardCharsets.UTF_8);
      String thumbprint = string(buffer, StandardCharsets.US_ASCII);
      String jwk = string(buffer, StandardCharsets.UTF_8);
      if (buffer.hasRemaining()) {
        throw new GeneralSecurityException("trailing bytes in a key vault record");
      }
      return new Sealed(sequence, identity, thumbprint, jwk);
    } catch (RuntimeException e) {
      throw new GeneralSecurityException("malformed key vault record", e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  private static String string(ByteBuffer buffer, Charset charset) {
    byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
    buffer.get(bytes);
    return new String(bytes, charset);
  }

  /** Nonce (12 random bytes) followed by the ciphertext and its tag; AAD names file and record. */
  private static byte[] seal(SecretKey key, long sequence, byte[] plain)
      throws GeneralSecurityException {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad(sequence));
    byte[] ciphertext = cipher.doFinal(plain);
    Arrays.fill(plain, (byte) 0);
    return ByteBuffer.allocate(NONCE_BYTES + ciphertext.length).put(nonce).put(ciphertext).array();
  }

  private static byte[] open(SecretKey key, long sequence, byte[] record)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, record, 0, NONCE_BYTES));
    cipher.updateAAD(aad(sequence));
    return cipher.doFinal(record, NONCE_BYTES, record.length - NONCE_BYTES);
  }

  /** Magic, version and the record's sequence number: a record moved elsewhere fails its tag. */
  private static byte[] aad(long sequence) {
    return ByteBuffer.allocate(16).putInt(MAGIC).putInt(VERSION).putLong(sequence).array();
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position + buffer.position());
      if (read < 0) {
        throw new IOException("unexpected end of key vault");
      }
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer, position + buffer.position());
    }
  }
}
