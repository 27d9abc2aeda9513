package org.healthgateway.server.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAmount;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;

/**
 * Who may read the audit trail beyond their own access log, and how long it is served: the auditors
 * ({@code gateway.audit.auditors}, FHIR users like {@code gateway.registrars}) search and export
 * every AuditEvent; an AuditEvent of a patient recorded before now minus the retention ({@code
 * gateway.audit.retention}, an ISO 8601 period such as {@code P6Y} or duration such as {@code
 * PT1H}; empty: forever) has expired and is served to nobody. The node's own records of its audit
 * log (expiry runs, which name no patient) do not expire.
 */
public final class AuditPolicy {
  private final Set<String> auditors;
  private final TemporalAmount retention;
  private final String retentionText;
  private final Clock clock;

  AuditPolicy(Collection<String> auditors, String retention, Clock clock) {
    this.auditors = Set.copyOf(auditors);
    this.retentionText = retention == null ? "" : retention.trim();
    this.retention = parse(retentionText);
    this.clock = clock;
  }

  /**
   * The policy of these auditors and this retention.
   *
   * @param retention ISO 8601 period or duration; null or blank: keep forever
   * @throws IllegalArgumentException if the retention does not parse or is not positive
   */
  public static AuditPolicy of(Collection<String> auditors, String retention) {
    return new AuditPolicy(auditors, retention, Clock.systemUTC());
  }

  public boolean isAuditor(String requester) {
    return auditors.contains(requester);
  }

  /** The retention as configured ({@code P6Y}), or empty for forever. */
  public Optional<String> retention() {
    return retention == null ? Optional.empty() : Optional.of(retentionText);
  }

  /** AuditEvents recorded before this instant have expired; empty when they never do. */
  public Optional<Instant> cutoff() {
    if (retention == null) {
      return Optional.empty();
    }
    return Optional.of(clock.instant().atOffset(ZoneOffset.UTC).minus(retention).toInstant());
  }

  /** True for a patient's AuditEvent recorded before the cutoff. */
  public boolean isExpired(VersionMeta meta) {
    return meta.type().equals("AuditEvent")
        && meta.patientId() != null
        && cutoff().filter(c -> meta.lastUpdated().isBefore(c)).isPresent();
  }

  private static TemporalAmount parse(String text) {
    if (text.isEmpty()) {
      return null;
    }
    TemporalAmount amount;
    try {
      amount = text.contains("T") ? Duration.parse(text) : Period.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "gateway.audit.retention must be an ISO 8601 period (P6Y) or duration (PT1H): " + text,
          e);
    }
    boolean positive =
        amount instanceof Duration d
            ? !d.isNegative() && !d.isZero()
            : !((Period) amount).isNegative() && !((Period) amount).isZero();
    if (!positive) {
      throw new IllegalArgumentException("gateway.audit.retention must be positive: " + text);
    }
    return amount;
  }
}
