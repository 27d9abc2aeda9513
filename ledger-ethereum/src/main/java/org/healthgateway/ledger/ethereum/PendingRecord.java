package org.healthgateway.ledger.ethereum;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A record handed to {@link BatchSender}; the follower completes it with its log indexes. */
final class PendingRecord {
  final byte[] bytes;
  final RecordVerifier.Digest digest;
  final CompletableFuture<List<Long>> applied = new CompletableFuture<>();
  final long submittedNanos = System.nanoTime();

  PendingRecord(byte[] bytes) {
    this.bytes = bytes;
    this.digest = RecordVerifier.Digest.of(bytes);
  }
}
