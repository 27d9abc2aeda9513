package org.healthgateway.ledger;

import java.util.Arrays;
import java.util.Objects;

/**
 * A transaction at its place in the log.
 *
 * @param index zero-based position in the log
 * @param leafHash RFC 9162 leaf hash {@code SHA-256(0x00 || canonical bytes)}
 */
@SuppressWarnings("ArrayRecordComponent") // equals, hashCode and accessors use the bytes
public record LedgerEntry(long index, Transaction transaction, byte[] leafHash) {

  public LedgerEntry {
    Objects.requireNonNull(transaction, "transaction");
    leafHash = leafHash.clone();
  }

  @Override
  public byte[] leafHash() {
    return leafHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LedgerEntry e
        && index == e.index
        && transaction.equals(e.transaction)
        && Arrays.equals(leafHash, e.leafHash);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, transaction, Arrays.hashCode(leafHash));
  }
}
