package org.healthgateway.ledger;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed statement of the log's state: a "block". {@code signature} is a JWS compact
 * serialization by the node key whose payload is the canonical checkpoint body (see {@link
 * CheckpointCodec}).
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and accessors use the bytes
public record Checkpoint(long treeSize, byte[] rootHash, Instant timestamp, String signature) {

  public Checkpoint {
    rootHash = rootHash.clone();
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(signature, "signature");
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint c
        && treeSize == c.treeSize
        && Arrays.equals(rootHash, c.rootHash)
        && timestamp.equals(c.timestamp)
        && signature.equals(c.signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(treeSize, Arrays.hashCode(rootHash), timestamp, signature);
  }

  @Override
  public String toString() {
    return "Checkpoint[treeSize=%d, timestamp=%s]".formatted(treeSize, timestamp);
  }
}
