package org.healthgateway.ledger;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * The author's signature of the record holding an entry, as a reader of that one entry checks it:
 * the entry's leaf hash must be {@code leafHashes.get(position(index))}, and {@code signature} must
 * verify over {@link #signingInput} with a key of {@code author}. Records of the first format
 * (before record signatures) have none: their transactions carry their own.
 *
 * @param firstIndex log index of the record's first entry (where the log put it; not signed)
 * @param author identity reference of the signer
 * @param leafHashes RFC 9162 leaf hashes of the record's entries, in order
 * @param signature detached JWS by the author over {@link RecordCodec#signingInput}
 */
public record RecordSignature(
    long firstIndex, String author, List<byte[]> leafHashes, String signature) {

  public RecordSignature {
    List<byte[]> copies = new ArrayList<>(leafHashes.size());
    for (byte[] hash : leafHashes) {
      copies.add(hash.clone());
    }
    leafHashes = List.copyOf(copies);
  }

  /** The leaf hashes (copies). */
  @Override
  public List<byte[]> leafHashes() {
    List<byte[]> copies = new ArrayList<>(leafHashes.size());
    for (byte[] hash : leafHashes) {
      copies.add(hash.clone());
    }
    return copies;
  }

  /** The bytes the author signed. */
  public byte[] signingInput() {
    return RecordCodec.signingInput(author, leafHashes);
  }

  /** Position of entry {@code index} in the record, or -1 if the record does not hold it. */
  public int position(long index) {
    long position = index - firstIndex;
    return position >= 0 && position < leafHashes.size() ? (int) position : -1;
  }

  /**
   * True if entry {@code index}, of leaf hash {@code leafHash}, is in this record and the record's
   * signature verifies with {@code authorKey}.
   */
  public boolean covers(long index, byte[] leafHash, SignatureVerifier authorKey) {
    int position = position(index);
    return position >= 0
        && MessageDigest.isEqual(leafHashes.get(position), leafHash)
        && authorKey.verify(signingInput(), signature);
  }
}
