package org.healthgateway.bench;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.healthgateway.ledger.Rfc9162;
import org.healthgateway.ledger.Rfc9162MerkleTree;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * RFC 9162 inclusion proof of a random entry in a tree of 1M entries, at the full tree size (what
 * {@code $verify} serves) and at an older, unaligned checkpoint size; and the proof's verification.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InclusionProofBenchmark {

  @Param({"1000000"})
  int entries;

  private Rfc9162MerkleTree tree;
  private long size;
  private long olderSize;
  private byte[] root;
  private long provenIndex;
  private List<byte[]> proof;

  @Setup(Level.Trial)
  public void setUp() {
    tree = Rfc9162MerkleTree.create();
    ByteBuffer entry = ByteBuffer.allocate(Long.BYTES);
    for (long i = 0; i < entries; i++) {
      entry.clear();
      entry.putLong(i);
      tree.append(Rfc9162.leafHash(entry.array()));
    }
    size = tree.size();
    olderSize = size - 12_345;
    root = tree.root(size);
    provenIndex = size / 3;
    proof = tree.inclusionProof(provenIndex, size);
  }

  @Benchmark
  public List<byte[]> proofAtHead() {
    return tree.inclusionProof(ThreadLocalRandom.current().nextLong(size), size);
  }

  @Benchmark
  public List<byte[]> proofAtOlderCheckpoint() {
    return tree.inclusionProof(ThreadLocalRandom.current().nextLong(olderSize), olderSize);
  }

  @Benchmark
  public boolean verifyProof() {
    return Rfc9162.verifyInclusion(provenIndex, size, tree.leafHash(provenIndex), proof, root);
  }
}
