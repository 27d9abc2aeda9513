package org.healthgateway.server.subscription;

import java.time.Duration;

/**
 * Exponential retry schedule: attempt 1 at once, attempt {@code n > 1} after {@code initial *
 * 2^(n-2)}, at most {@code maxAttempts} attempts (1 s, 2 s, 4 s, 8 s, 16 s by default).
 */
record Backoff(Duration initial, int maxAttempts) {

  static Backoff defaults() {
    return new Backoff(Duration.ofSeconds(1), 6);
  }

  Backoff {
    if (initial.isNegative() || maxAttempts < 1 || maxAttempts > 30) {
      throw new IllegalArgumentException("invalid backoff " + initial + " x " + maxAttempts);
    }
  }

  /** The delay before retry attempt {@code attempt} (2 = first retry). */
  Duration delayBefore(int attempt) {
    return initial.multipliedBy(1L << Math.max(0, attempt - 2));
  }

  boolean mayRetryAfter(int attempt) {
    return attempt < maxAttempts;
  }
}
