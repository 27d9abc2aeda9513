package org.healthgateway.server.store;

import java.util.List;
import org.healthgateway.keys.consent.Decision;

/**
 * Checks a batch of writes before anything is recorded (who may write, Consent state changes and
 * their signatures) and returns the broker's decision: the first refusal, or a permit. The FHIR
 * layer turns a refusal into its answer, so that nothing of the batch is written.
 */
@FunctionalInterface
public interface WriteGuard {
  Decision check(List<Write> writes, String requester);
}
