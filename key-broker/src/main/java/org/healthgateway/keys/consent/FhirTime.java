package org.healthgateway.keys.consent;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.Period;

/**
 * Reads FHIR date/time values as the instants they cover. A value covers its whole precision
 * ({@code 2025-12-31} ends at {@code 2026-01-01T00:00Z}); values without a time zone (every date,
 * and times written without one) are read as UTC, so that the answer never depends on the JVM's
 * default zone.
 */
final class FhirTime {

  /** Where an instant lies relative to a period. */
  enum Position {
    INSIDE,
    BEFORE,
    AFTER,
    /** The period's start is after its end: it covers nothing. */
    INVALID
  }

  private FhirTime() {}

  /** The first instant the value covers. */
  static Instant lower(BaseDateTimeType value) {
    return start(value).toInstant();
  }

  /** The first instant after the value (exclusive upper bound). */
  static Instant upper(BaseDateTimeType value) {
    ZonedDateTime start = start(value);
    return switch (value.getPrecision()) {
      case YEAR -> start.plusYears(1).toInstant();
      case MONTH -> start.plusMonths(1).toInstant();
      case DAY -> start.plusDays(1).toInstant();
      case MINUTE -> start.plusMinutes(1).toInstant();
      case SECOND -> start.plusSeconds(1).toInstant();
      case MILLI -> start.plusNanos(1_000_000).toInstant();
    };
  }

  /** True if the period has neither a start nor an end value. */
  static boolean isOpen(Period period) {
    return period == null
        || (!period.getStartElement().hasValue() && !period.getEndElement().hasValue());
  }

  /** True if both bounds are set and the start lies after the end. */
  static boolean isInverted(Period period) {
    return period != null
        && period.getStartElement().hasValue()
        && period.getEndElement().hasValue()
        && !lower(period.getStartElement()).isBefore(upper(period.getEndElement()));
  }

  /** Where {@code instant} lies; an open period contains every instant. */
  static Position position(Period period, Instant instant) {
    if (isOpen(period)) {
      return Position.INSIDE;
    }
    if (isInverted(period)) {
      return Position.INVALID;
    }
    if (period.getStartElement().hasValue() && instant.isBefore(lower(period.getStartElement()))) {
      return Position.BEFORE;
    }
    if (period.getEndElement().hasValue() && !instant.isBefore(upper(period.getEndElement()))) {
      return Position.AFTER;
    }
    return Position.INSIDE;
  }

  private static ZonedDateTime start(BaseDateTimeType value) {
    if (value.getTimeZone() != null) {
      return value.getValue().toInstant().atZone(ZoneOffset.UTC);
    }
    LocalDateTime local =
        LocalDateTime.of(
            value.getYear(),
            value.getMonth() + 1,
            value.getDay(),
            orZero(value.getHour()),
            orZero(value.getMinute()),
            orZero(value.getSecond()),
            orZero(value.getMillis()) * 1_000_000);
    return local.atZone(ZoneOffset.UTC);
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
