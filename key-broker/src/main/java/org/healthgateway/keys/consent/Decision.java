package org.healthgateway.keys.consent;

import java.util.Objects;

/**
 * The broker's answer to one request: to read, to write, to change a Consent, to release keys.
 * Every rule of the broker returns one; none throws to refuse. The FHIR edge turns a refusal into
 * its status in one place: {@link Kind#DENY} 403, {@link Kind#INVALID} 422, {@link Kind#NOT_FOUND}
 * 404.
 *
 * @param permitted true only if the rule allows the request
 * @param reason a stable, user-readable reason ({@code "permitted by Consent/x"}, {@code "denied by
 *     Consent/x"}, {@link #NO_CONSENT}, {@link #PERIOD_ENDED}, ...)
 * @param consentId the {@code Consent/id} that decided, or null if none did
 * @param kind why the request is refused, or {@link Kind#PERMIT}
 */
public record Decision(boolean permitted, String reason, String consentId, Kind kind) {

  /** What a decision is: a permit, or the kind of refusal. */
  public enum Kind {
    /** Allowed. */
    PERMIT,
    /** Not allowed for this requester; the request itself is well formed. */
    DENY,
    /** The request breaks a rule of its content or of a state machine, whoever sends it. */
    INVALID,
    /** What the request names does not exist (or is not visible to the requester). */
    NOT_FOUND
  }

  /** Reason when no active consent covers the actor and the data (the default). */
  public static final String NO_CONSENT = "no active consent permits this access";

  /** Reason when a consent would permit the access but its period has ended. */
  public static final String PERIOD_ENDED = "consent period ended";

  /** Reason when a consent would permit the access but its period has not started. */
  public static final String PERIOD_NOT_STARTED = "consent period not started";

  public Decision {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(kind, "kind");
    if (permitted != (kind == Kind.PERMIT)) {
      throw new IllegalArgumentException("permitted and kind disagree");
    }
  }

  /** A permit or a denial ({@link Kind#DENY}). */
  public Decision(boolean permitted, String reason, String consentId) {
    this(permitted, reason, consentId, permitted ? Kind.PERMIT : Kind.DENY);
  }

  public static Decision permit(String reason) {
    return new Decision(true, reason, null, Kind.PERMIT);
  }

  public static Decision deny(String reason) {
    return new Decision(false, reason, null, Kind.DENY);
  }

  public static Decision invalid(String reason) {
    return new Decision(false, reason, null, Kind.INVALID);
  }

  public static Decision notFound(String reason) {
    return new Decision(false, reason, null, Kind.NOT_FOUND);
  }

  static Decision permittedBy(String consentId) {
    return new Decision(true, "permitted by " + consentId, consentId);
  }

  static Decision deniedBy(String consentId) {
    return new Decision(false, "denied by " + consentId, consentId);
  }

  static Decision invalidConsent(String consentId) {
    return new Decision(false, consentId + " is invalid", consentId);
  }

  static Decision noConsent() {
    return new Decision(false, NO_CONSENT, null);
  }

  static Decision denied(String reason, String consentId) {
    return new Decision(false, reason, consentId);
  }
}
