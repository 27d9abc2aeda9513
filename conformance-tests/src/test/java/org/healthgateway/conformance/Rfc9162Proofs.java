package org.healthgateway.conformance;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Independent RFC 9162 Merkle-tree checks for the conformance tests: leaf hash (section 2.1.1) and
 * inclusion-proof verification (section 2.1.3.2), written from the RFC, not from the server.
 */
final class Rfc9162Proofs {

  private static final int HASH_BYTES = 32;

  private Rfc9162Proofs() {}

  /** {@code SHA-256(0x00 || entry)}. */
  static byte[] leafHash(byte[] entry) {
    MessageDigest sha256 = sha256();
    sha256.update((byte) 0x00);
    return sha256.digest(entry);
  }

  /**
   * Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
   *
   * @return true when {@code proof} proves {@code leafHash} at {@code leafIndex} in the tree of
   *     {@code treeSize} leaves with root {@code rootHash}
   */
  static boolean verifyInclusion(
      long leafIndex, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] rootHash) {
    if (leafIndex < 0 || leafIndex >= treeSize) {
      return false;
    }
    if (leafHash.length != HASH_BYTES
        || rootHash.length != HASH_BYTES
        || proof.stream().anyMatch(p -> p.length != HASH_BYTES)) {
      return false;
    }
    long fn = leafIndex;
    long sn = treeSize - 1;
    byte[] r = leafHash;
    for (byte[] p : proof) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = nodeHash(p, r);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, rootHash);
  }

  private static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest sha256 = sha256();
    sha256.update((byte) 0x01);
    sha256.update(left);
    return sha256.digest(right);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
