package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.Test;

class FhirTimeTest {

  @Test
  void bounds_dateWithoutZone_coversTheUtcDay() {
    DateTimeType day = new DateTimeType("2025-12-31");

    assertThat(FhirTime.lower(day)).isEqualTo(Instant.parse("2025-12-31T00:00:00Z"));
    assertThat(FhirTime.upper(day)).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @Test
  void bounds_yearAndMonth_coverTheirWholePrecision() {
    assertThat(FhirTime.upper(new DateTimeType("2024")))
        .isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
    assertThat(FhirTime.upper(new DateTimeType("2024-02")))
        .isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
  }

  @Test
  void bounds_timeWithOffset_readInItsZone() {
    DateTimeType time = new DateTimeType("2025-06-15T14:30:00+02:00");

    assertThat(FhirTime.lower(time)).isEqualTo(Instant.parse("2025-06-15T12:30:00Z"));
    assertThat(FhirTime.upper(time)).isEqualTo(Instant.parse("2025-06-15T12:30:01Z"));
  }

  @Test
  void position_periodBounds_inclusiveStartAndWholeEndDay() {
    Period period =
        new Period()
            .setStartElement(new DateTimeType("2025-01-01"))
            .setEndElement(new DateTimeType("2025-01-31"));

    assertThat(FhirTime.position(period, Instant.parse("2024-12-31T23:59:59Z")))
        .isEqualTo(FhirTime.Position.BEFORE);
    assertThat(FhirTime.position(period, Instant.parse("2025-01-01T00:00:00Z")))
        .isEqualTo(FhirTime.Position.INSIDE);
    assertThat(FhirTime.position(period, Instant.parse("2025-01-31T23:59:59Z")))
        .isEqualTo(FhirTime.Position.INSIDE);
    assertThat(FhirTime.position(period, Instant.parse("2025-02-01T00:00:00Z")))
        .isEqualTo(FhirTime.Position.AFTER);
  }

  @Test
  void position_startAfterEnd_invalid() {
    Period period =
        new Period()
            .setStartElement(new DateTimeType("2025-02-01"))
            .setEndElement(new DateTimeType("2025-01-31"));

    assertThat(FhirTime.position(period, Instant.parse("2025-01-15T00:00:00Z")))
        .isEqualTo(FhirTime.Position.INVALID);
  }

  @Test
  void position_openPeriod_inside() {
    assertThat(FhirTime.position(new Period(), Instant.EPOCH)).isEqualTo(FhirTime.Position.INSIDE);
    assertThat(FhirTime.position(null, Instant.EPOCH)).isEqualTo(FhirTime.Position.INSIDE);
  }
}
