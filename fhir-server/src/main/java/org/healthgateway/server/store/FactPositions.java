package org.healthgateway.server.store;

import java.util.Arrays;

/**
 * Positions of the ledger entries that are not resource versions (the key broker's IDENTITY and
 * KEY_RELEASE facts, and any other kind), in no particular order: what a restart from an index
 * snapshot replays from the ledger, since the broker's state is rebuilt from its facts.
 * Thread-safe.
 */
public final class FactPositions {
  private long[] positions = new long[64];
  private int size;

  /** Records the position of one such entry. */
  public synchronized void add(long position) {
    if (size == positions.length) {
      positions = Arrays.copyOf(positions, size * 2);
    }
    positions[size++] = position;
  }

  /** The recorded positions below {@code treeSize}, ascending, each once. */
  public synchronized long[] below(long treeSize) {
    return Arrays.stream(positions, 0, size)
        .filter(p -> p < treeSize)
        .sorted()
        .distinct()
        .toArray();
  }

  synchronized void clear() {
    size = 0;
  }
}
