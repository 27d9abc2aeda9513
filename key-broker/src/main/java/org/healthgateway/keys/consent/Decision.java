package org.healthgateway.keys.consent;

import java.util.Objects;

/**
 * The consent engine's answer for one access.
 *
 * @param permitted true only if an active consent permits the access and none denies it
 * @param reason a stable, user-readable reason ({@code "permitted by Consent/x"}, {@code "denied by
 *     Consent/x"}, {@link #NO_CONSENT}, {@link #PERIOD_ENDED}, ...)
 * @param consentId the {@code Consent/id} that decided, or null if none did
 */
public record Decision(boolean permitted, String reason, String consentId) {

  /** Reason when no active consent covers the actor and the data (the default). */
  public static final String NO_CONSENT = "no active consent permits this access";

  /** Reason when a consent would permit the access but its period has ended. */
  public static final String PERIOD_ENDED = "consent period ended";

  /** Reason when a consent would permit the access but its period has not started. */
  public static final String PERIOD_NOT_STARTED = "consent period not started";

  public Decision {
    Objects.requireNonNull(reason, "reason");
  }

  static Decision permit(String consentId) {
    return new Decision(true, "permitted by " + consentId, consentId);
  }

  static Decision deny(String consentId) {
    return new Decision(false, "denied by " + consentId, consentId);
  }

  static Decision invalid(String consentId) {
    return new Decision(false, consentId + " is invalid", consentId);
  }

  static Decision noConsent() {
    return new Decision(false, NO_CONSENT, null);
  }

  static Decision denied(String reason, String consentId) {
    return new Decision(false, reason, consentId);
  }
}
