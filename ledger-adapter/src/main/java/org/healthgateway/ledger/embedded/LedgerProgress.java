package org.healthgateway.ledger.embedded;

/**
 * Told how far a long pass over a ledger directory (verification, backup copy) has come, after each
 * record; an implementation decides how often to show it.
 */
@FunctionalInterface
public interface LedgerProgress {

  /** Does nothing. */
  LedgerProgress NONE = (entries, bytes, totalBytes) -> {};

  /**
   * Reports the position of the pass.
   *
   * @param entries entries passed so far
   * @param bytes segment bytes passed so far
   * @param totalBytes segment bytes of the whole pass, as known at its start
   */
  void progress(long entries, long bytes, long totalBytes);
}
