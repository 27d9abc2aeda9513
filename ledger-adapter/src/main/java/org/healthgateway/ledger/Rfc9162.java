package org.healthgateway.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merkle tree hashing and proof verification of RFC 9162 (Certificate Transparency 2.0) section 2.1
 * with SHA-256: leaf hash {@code SHA-256(0x00 || entry)}, interior node {@code SHA-256(0x01 || left
 * || right)}, empty tree {@code SHA-256()}.
 *
 * <p>The verifiers need no state, so that a client can check a proof against a signed {@link
 * Checkpoint} without trusting the node that served it.
 */
public final class Rfc9162 {

  /** Length of every hash in the tree. */
  public static final int HASH_BYTES = 32;

  /** Longest proof accepted: a tree of 2^64 leaves needs at most 64 hashes (+1 for consistency). */
  static final int MAX_PROOF_HASHES = 65;

  private Rfc9162() {}

  /** Returns {@code SHA-256(0x00 || entry)}. */
  public static byte[] leafHash(byte[] entry) {
    MessageDigest sha = sha256();
    sha.update((byte) 0x00);
    return sha.digest(entry);
  }

  /** Returns {@code SHA-256(0x01 || left || right)}. */
  public static byte[] nodeHash(byte[] left, byte[] right) {
    MessageDigest sha = sha256();
    sha.update((byte) 0x01);
    sha.update(left);
    return sha.digest(right);
  }

  /** Returns the root hash of the empty tree, {@code SHA-256()}. */
  public static byte[] emptyRoot() {
    return sha256().digest();
  }

  /**
   * Verifies an inclusion proof by the algorithm of RFC 9162 section 2.1.3.2.
   *
   * @return true if {@code leafHash} is the leaf at {@code leafIndex} of the tree of {@code
   *     treeSize} leaves whose root is {@code root}
   */
  public static boolean verifyInclusion(
      long leafIndex, long treeSize, byte[] leafHash, List<byte[]> proof, byte[] root) {
    if (leafIndex < 0 || leafIndex >= treeSize || !wellFormed(proof) || !isHash(leafHash)) {
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
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        r = nodeHash(r, p);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(r, root);
  }

  /**
   * Verifies a consistency proof by the algorithm of RFC 9162 section 2.1.4.2.
   *
   * <p>The RFC defines proofs for {@code 0 < size1 < size2}; equal sizes are consistent exactly
   * when the proof is empty and the roots are equal. A proof from the empty tree proves nothing and
   * is refused.
   */
  public static boolean verifyConsistency(
      long size1, long size2, List<byte[]> proof, byte[] root1, byte[] root2) {
    if (size1 <= 0 || size2 < size1 || proof == null || proof.size() > MAX_PROOF_HASHES) {
      return false;
    }
    if (size1 == size2) {
      return proof.isEmpty() && MessageDigest.isEqual(root1, root2);
    }
    if (proof.isEmpty() || !wellFormed(proof)) {
      return false;
    }
    List<byte[]> path = new ArrayList<>(proof.size() + 1);
    if (Long.bitCount(size1) == 1) {
      path.add(root1);
    }
    path.addAll(proof);
    long fn = size1 - 1;
    long sn = size2 - 1;
    while ((fn & 1) == 1) {
      fn >>>= 1;
      sn >>>= 1;
    }
    byte[] fr = path.get(0);
    byte[] sr = path.get(0);
    for (byte[] c : path.subList(1, path.size())) {
      if (sn == 0) {
        return false;
      }
      if ((fn & 1) == 1 || fn == sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn >>>= 1;
      sn >>>= 1;
    }
    return sn == 0 && MessageDigest.isEqual(fr, root1) && MessageDigest.isEqual(sr, root2);
  }

  private static boolean wellFormed(List<byte[]> proof) {
    if (proof == null || proof.size() > MAX_PROOF_HASHES) {
      return false;
    }
    for (byte[] hash : proof) {
      if (!isHash(hash)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isHash(byte[] hash) {
    return hash != null && hash.length == HASH_BYTES;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }
}
