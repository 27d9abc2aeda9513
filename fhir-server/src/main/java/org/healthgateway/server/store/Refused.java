package org.healthgateway.server.store;

import org.healthgateway.keys.consent.Decision;

/**
 * A service's refusal, carrying the broker's decision up to the FHIR layer, which turns it into its
 * answer in one place (403, 422 or 404 by the decision's kind).
 */
public final class Refused extends RuntimeException {
  private final transient Decision decision;

  public Refused(Decision decision) {
    super(decision.reason());
    if (decision.permitted()) {
      throw new IllegalArgumentException("a permit is not a refusal");
    }
    this.decision = decision;
  }

  /** Throws if the decision refuses. */
  public static void unless(Decision decision) {
    if (!decision.permitted()) {
      throw new Refused(decision);
    }
  }

  public Decision decision() {
    return decision;
  }
}
