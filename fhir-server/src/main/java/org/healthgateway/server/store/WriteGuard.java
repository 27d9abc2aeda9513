package org.healthgateway.server.store;

import java.util.List;

/**
 * Checks a batch of writes before anything is recorded (who may write, Consent state changes and
 * their signatures); throws HAPI's HTTP exceptions to refuse, so that nothing of the batch is
 * written.
 */
@FunctionalInterface
public interface WriteGuard {
  void check(List<Write> writes, String requester);
}
