package org.healthgateway.keys.seal;

import com.nimbusds.jose.jwk.JWK;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.internal.JweKeyWrapper;

/**
 * Files only this node can read back: a clear header the caller chooses, then a body sealed with
 * AES-256-GCM in chunks of {@value #CHUNK_BYTES} bytes under a fresh stream key, itself wrapped for
 * the node's encryption key (a JWE, as grant keys are). Every chunk's AAD binds the header, the
 * wrapped key, the chunk's number and whether it is the last, so a changed header, a reordered,
 * dropped or added chunk and a cut-off body all fail to open. The format is in the module README
 * ("Sealed node files").
 */
public final class NodeSeal {

  /** Plaintext bytes per chunk. */
  public static final int CHUNK_BYTES = 1 << 20;

  private static final int MAX_HEADER_BYTES = 4096;
  private static final int TAG_BITS = 128;
  private static final int TAG_BYTES = TAG_BITS / 8;

  private NodeSeal() {}

  /**
   * Writes {@code header} and the wrapped stream key to {@code out} and returns the stream that
   * seals the body into it; closing that stream writes the last chunk and closes {@code out}.
   */
  public static OutputStream sealing(OutputStream out, byte[] header, JWK recipientPublicKey)
      throws IOException, GeneralSecurityException {
    if (header.length > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException("header longer than " + MAX_HEADER_BYTES + " bytes");
    }
    SecretKey streamKey = DataKeys.newDataKey();
    byte[] wrapped =
        JweKeyWrapper.create()
            .wrap(recipientPublicKey, streamKey)
            .getBytes(StandardCharsets.US_ASCII);
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(header.length);
    data.write(header);
    data.writeShort(wrapped.length);
    data.write(wrapped);
    return new SealingStream(data, streamKey, binding(header, wrapped));
  }

  /** Reads the clear header at the start of a sealed stream. */
  public static byte[] header(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int length = data.readInt();
    if (length < 0 || length > MAX_HEADER_BYTES) {
      throw new IOException("not a sealed node file");
    }
    byte[] header = new byte[length];
    data.readFully(header);
    return header;
  }

  /**
   * After {@link #header}: unwraps the stream key with the node's private key and returns the
   * stream of the opened body. Reading fails with an {@link IOException} at the first chunk that
   * does not open, and at the end if the last chunk is missing.
   *
   * @throws GeneralSecurityException if the stream key does not unwrap with this key
   */
  public static InputStream opening(InputStream in, byte[] header, JWK recipientPrivateKey)
      throws IOException, GeneralSecurityException {
    DataInputStream data = new DataInputStream(in);
    byte[] wrapped = new byte[data.readUnsignedShort()];
    data.readFully(wrapped);
    SecretKey streamKey =
        JweKeyWrapper.create()
            .unwrap(recipientPrivateKey, new String(wrapped, StandardCharsets.US_ASCII));
    return new OpeningStream(data, streamKey, binding(header, wrapped));
  }

  /** SHA-256 of the header and the wrapped key, in every chunk's AAD. */
  private static byte[] binding(byte[] header, byte[] wrapped) throws GeneralSecurityException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    sha256.update(ByteBuffer.allocate(4).putInt(header.length).array());
    sha256.update(header);
    sha256.update(wrapped);
    return sha256.digest();
  }

  private static byte[] aad(byte[] binding, long chunk, boolean last) {
    return ByteBuffer.allocate(binding.length + 9)
        .put(binding)
        .putLong(chunk)
        .put((byte) (last ? 1 : 0))
        .array();
  }

  private static Cipher cipher(int mode, SecretKey key, long chunk, byte[] aad)
      throws GeneralSecurityException {
    byte[] nonce = ByteBuffer.allocate(12).putInt(0).putLong(chunk).array();
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(aad);
    return cipher;
  }

  private static final class SealingStream extends OutputStream {
    private final DataOutputStream out;
    private final SecretKey key;
    private final byte[] binding;
    private final byte[] buffer = new byte[CHUNK_BYTES];
    private int filled;
    private long chunk;
    private boolean closed;

    SealingStream(DataOutputStream out, SecretKey key, byte[] binding) {
      this.out = out;
      this.key = key;
      this.binding = binding;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      while (length > 0) {
        if (filled == CHUNK_BYTES) {
          flushChunk(false);
        }
        int n = Math.min(length, CHUNK_BYTES - filled);
        System.arraycopy(bytes, offset, buffer, filled, n);
        filled += n;
        offset += n;
        length -= n;
      }
    }

    private void flushChunk(boolean last) throws IOException {
      try {
        byte[] sealed =
            cipher(Cipher.ENCRYPT_MODE, key, chunk, aad(binding, chunk, last))
                .doFinal(buffer, 0, filled);
        out.writeInt(sealed.length);
        out.write(sealed);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot seal", e);
      }
      Arrays.fill(buffer, 0, filled, (byte) 0);
      filled = 0;
      chunk++;
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      flushChunk(true);
      out.close();
    }
  }

  private static final class OpeningStream extends InputStream {
    private final DataInputStream in;
    private final SecretKey key;
    private final byte[] binding;
    private byte[] plain = new byte[0];
    private int position;
    private long chunk;
    private boolean last;

    OpeningStream(DataInputStream in, SecretKey key, byte[] binding) {
      this.in = in;
      this.key = key;
      this.binding = binding;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      while (position == plain.length) {
        if (last) {
          return -1;
        }
        nextChunk();
      }
      int n = Math.min(length, plain.length - position);
      System.arraycopy(plain, position, bytes, offset, n);
      position += n;
      return n;
    }

    private void nextChunk() throws IOException {
      int length;
      byte[] sealed;
      try {
        length = in.readInt();
        if (length < TAG_BYTES || length > CHUNK_BYTES + TAG_BYTES) {
          throw new IOException("sealed file is damaged at chunk " + chunk);
        }
        sealed = new byte[length];
        in.readFully(sealed);
      } catch (EOFException e) {
        throw new IOException("sealed file is cut off at chunk " + chunk, e);
      }
      // A chunk is either the last or not: try the flag its length suggests first.
      boolean full = length == CHUNK_BYTES + TAG_BYTES;
      byte[] opened = open(sealed, !full);
      if (opened == null) {
        opened = open(sealed, full);
        if (opened == null) {
          throw new IOException("sealed file is damaged at chunk " + chunk);
        }
        last = full;
      } else {
        last = !full;
      }
      plain = opened;
      position = 0;
      chunk++;
    }

    private byte[] open(byte[] sealed, boolean asLast) throws IOException {
      try {
        return cipher(Cipher.DECRYPT_MODE, key, chunk, aad(binding, chunk, asLast)).doFinal(sealed);
      } catch (AEADBadTagException e) {
        return null;
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot open", e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
