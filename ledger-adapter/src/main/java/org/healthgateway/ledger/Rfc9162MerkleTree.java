package org.healthgateway.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * An in-memory RFC 9162 Merkle tree over leaf hashes, with roots and proofs for every earlier tree
 * size.
 *
 * <p>Level {@code k} stores the hash of every complete, aligned subtree of {@code 2^k} leaves, so
 * appending costs amortized one node hash and a root or proof costs O(log n) hashes. Memory is
 * about 64 bytes per leaf (32 MB of leaf hashes plus 32 MB of interior nodes for a million
 * entries). Thread-safe: one appender and any number of readers.
 */
public final class Rfc9162MerkleTree {

  private final List<HashArray> levels = new ArrayList<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile long size;

  private Rfc9162MerkleTree() {
    levels.add(new HashArray());
  }

  /** Returns an empty tree. */
  public static Rfc9162MerkleTree create() {
    return new Rfc9162MerkleTree();
  }

  /** Number of leaves. */
  public long size() {
    return size;
  }

  /**
   * Appends a leaf by its hash ({@link Rfc9162#leafHash}) and returns its index.
   *
   * @throws IllegalArgumentException if {@code leafHash} is not 32 bytes
   */
  public long append(byte[] leafHash) {
    if (leafHash.length != Rfc9162.HASH_BYTES) {
      throw new IllegalArgumentException("leaf hash must be 32 bytes");
    }
    lock.writeLock().lock();
    try {
      long index = size;
      levels.get(0).add(leafHash);
      long n = index + 1;
      for (int k = 1; n % (1L << k) == 0; k++) {
        if (levels.size() == k) {
          levels.add(new HashArray());
        }
        HashArray below = levels.get(k - 1);
        long right = (n >>> (k - 1)) - 1;
        levels.get(k).add(Rfc9162.nodeHash(below.get(right - 1), below.get(right)));
      }
      size = n;
      return index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Returns the hash of leaf {@code index}. */
  public byte[] leafHash(long index) {
    lock.readLock().lock();
    try {
      checkIndex(index, size);
      return levels.get(0).get(index);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the root hash of the first {@code treeSize} leaves ({@code SHA-256()} for 0). */
  public byte[] root(long treeSize) {
    lock.readLock().lock();
    try {
      checkSize(treeSize);
      return treeSize == 0 ? Rfc9162.emptyRoot() : subtreeHash(0, treeSize);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the RFC 9162 section 2.1.3.1 inclusion proof of leaf {@code index} in {@code treeSize}.
   */
  public List<byte[]> inclusionProof(long index, long treeSize) {
    lock.readLock().lock();
    try {
      checkSize(treeSize);
      checkIndex(index, treeSize);
      List<byte[]> proof = new ArrayList<>();
      path(index, 0, treeSize, proof);
      return proof;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Returns the RFC 9162 section 2.1.4.1 consistency proof between tree sizes {@code 0 < m <= n};
   * empty for {@code m == n}.
   */
  public List<byte[]> consistencyProof(long m, long n) {
    lock.readLock().lock();
    try {
      checkSize(n);
      if (m <= 0 || m > n) {
        throw new IllegalArgumentException("need 0 < m <= n, got m=" + m + ", n=" + n);
      }
      List<byte[]> proof = new ArrayList<>();
      if (m < n) {
        subproof(m, 0, n, true, proof);
      }
      return proof;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** PATH(m, D[start:end]), appending the hashes leaf-side first. */
  private void path(long m, long start, long end, List<byte[]> out) {
    long n = end - start;
    if (n == 1) {
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m < k) {
      path(m, start, start + k, out);
      out.add(subtreeHash(start + k, end));
    } else {
      path(m - k, start + k, end, out);
      out.add(subtreeHash(start, start + k));
    }
  }

  /** SUBPROOF(m, D[start:end], b). */
  private void subproof(long m, long start, long end, boolean complete, List<byte[]> out) {
    long n = end - start;
    if (m == n) {
      if (!complete) {
        out.add(subtreeHash(start, end));
      }
      return;
    }
    long k = Long.highestOneBit(n - 1);
    if (m <= k) {
      subproof(m, start, start + k, complete, out);
      out.add(subtreeHash(start + k, end));
    } else {
      subproof(m - k, start + k, end, false, out);
      out.add(subtreeHash(start, start + k));
    }
  }

  /** MTH(D[start:end]) for a non-empty range of the RFC's recursive split. */
  private byte[] subtreeHash(long start, long end) {
    long n = end - start;
    if (Long.bitCount(n) == 1 && start % n == 0) {
      return levels.get(Long.numberOfTrailingZeros(n)).get(start / n);
    }
    long k = Long.highestOneBit(n - 1);
    return Rfc9162.nodeHash(subtreeHash(start, start + k), subtreeHash(start + k, end));
  }

  private void checkSize(long treeSize) {
    if (treeSize < 0 || treeSize > size) {
      throw new IllegalArgumentException("tree size " + treeSize + " not in [0, " + size + "]");
    }
  }

  private static void checkIndex(long index, long treeSize) {
    if (index < 0 || index >= treeSize) {
      throw new IllegalArgumentException("index " + index + " not in [0, " + treeSize + ")");
    }
  }

  /** Growable array of 32-byte hashes in fixed chunks, so growing never copies the hashes. */
  private static final class HashArray {
    private static final int CHUNK_HASHES = 1024;
    private final List<byte[]> chunks = new ArrayList<>();
    private long count;

    void add(byte[] hash) {
      int offset = (int) (count % CHUNK_HASHES) * Rfc9162.HASH_BYTES;
      if (offset == 0) {
        chunks.add(new byte[CHUNK_HASHES * Rfc9162.HASH_BYTES]);
      }
      System.arraycopy(hash, 0, chunks.get(chunks.size() - 1), offset, Rfc9162.HASH_BYTES);
      count++;
    }

    byte[] get(long index) {
      byte[] chunk = chunks.get((int) (index / CHUNK_HASHES));
      int offset = (int) (index % CHUNK_HASHES) * Rfc9162.HASH_BYTES;
      byte[] hash = new byte[Rfc9162.HASH_BYTES];
      System.arraycopy(chunk, offset, hash, 0, Rfc9162.HASH_BYTES);
      return hash;
    }
  }
}
