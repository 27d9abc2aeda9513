package org.healthgateway.ledger.embedded;

import java.util.Arrays;

/**
 * Index of the first entry and location of every record, 16 bytes per record, so that a record's
 * signature can be found from any of its entries. One writer; readers see every element below a
 * count they read from a volatile published after the element.
 */
final class RecordIndex {
  private long[] firstIndexes = new long[1024];
  private long[] locations = new long[1024];
  private volatile int count;

  void add(long firstIndex, long location) {
    int n = count;
    if (n == firstIndexes.length) {
      // Readers holding the old arrays still see every element below their count.
      long[] grownFirst = Arrays.copyOf(firstIndexes, n * 2);
      long[] grownLocations = Arrays.copyOf(locations, n * 2);
      grownFirst[n] = firstIndex;
      grownLocations[n] = location;
      synchronized (this) {
        firstIndexes = grownFirst;
        locations = grownLocations;
      }
    } else {
      firstIndexes[n] = firstIndex;
      locations[n] = location;
    }
    count = n + 1;
  }

  /**
   * The record holding entry {@code index}: {@code {first index, location}}. {@code index} must be
   * below the published size of the log.
   */
  long[] find(long index) {
    int n = count;
    long[] first;
    long[] location;
    synchronized (this) {
      first = firstIndexes;
      location = locations;
    }
    int slot = Arrays.binarySearch(first, 0, n, index);
    if (slot < 0) {
      slot = -slot - 2;
    }
    return new long[] {first[slot], location[slot]};
  }
}
