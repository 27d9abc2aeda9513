package org.healthgateway.ledger.embedded;

/**
 * Location of every entry ({@link RecordFormat#location}), 8 bytes per entry in fixed chunks: 8 MB
 * for a million entries. One writer; readers see every element below a size they read from a
 * volatile published after the element.
 */
final class OffsetIndex {
  private static final int CHUNK_BITS = 16;
  private static final int CHUNK = 1 << CHUNK_BITS;

  private volatile long[][] chunks = new long[0][];
  private long count;

  void add(long location) {
    int chunk = (int) (count >>> CHUNK_BITS);
    long[][] current = chunks;
    if (chunk == current.length) {
      long[][] grown = java.util.Arrays.copyOf(current, current.length + 1);
      grown[chunk] = new long[CHUNK];
      grown[chunk][0] = location;
      count++;
      chunks = grown;
      return;
    }
    current[chunk][(int) (count & (CHUNK - 1))] = location;
    count++;
  }

  long get(long index) {
    return chunks[(int) (index >>> CHUNK_BITS)][(int) (index & (CHUNK - 1))];
  }
}
