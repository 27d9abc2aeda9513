package org.healthgateway.server.store;

import java.util.List;

/**
 * Checks a batch of writes before anything is recorded (e.g. Consent state changes and their
 * signatures); throws HAPI's HTTP exceptions to refuse, so that nothing of the batch is written.
 */
@FunctionalInterface
public interface WriteGuard {
  void check(List<Write> writes, String requester);

  /**
   * True if the requester may change the resource although it holds no key for its current version
   * (e.g. a registrar acting for a custodial patient); the batch is still checked.
   */
  default boolean allowsWithoutKey(VersionMeta current, String requester) {
    return false;
  }
}
