package org.healthgateway.server.search;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Timing;

/**
 * A half-open instant range {@code [low, high)} in epoch milliseconds: a partial date stands for
 * its whole period ({@code 2015} = the year 2015), an open Period end for the unbounded future.
 */
record DateRange(long low, long high) {

  /** The range of a date, dateTime or instant at its own precision, or null if it has no value. */
  static DateRange of(BaseDateTimeType value) {
    if (value == null || value.getValue() == null) {
      return null;
    }
    long low = value.getValue().toInstant().toEpochMilli();
    long high = value.getPrecision().add(value.getValue(), 1).toInstant().toEpochMilli();
    return new DateRange(low, high);
  }

  /** Parses a search value such as {@code 2015}, {@code 2015-02}, {@code 2015-02-03T10:00:00Z}. */
  static DateRange parse(String value) {
    return of(new DateTimeType(value));
  }

  /** The ranges an element yields: one per date, period or timing event; none for other types. */
  static List<DateRange> extract(List<IBase> values) {
    List<DateRange> ranges = new ArrayList<>();
    for (IBase value : values) {
      if (value instanceof BaseDateTimeType dateTime) {
        addIfPresent(ranges, of(dateTime));
      } else if (value instanceof Period period) {
        DateRange start = of(period.getStartElement());
        DateRange end = of(period.getEndElement());
        if (start != null || end != null) {
          ranges.add(
              new DateRange(
                  start == null ? Long.MIN_VALUE : start.low(),
                  end == null ? Long.MAX_VALUE : end.high()));
        }
      } else if (value instanceof Timing timing) {
        timing.getEvent().forEach(event -> addIfPresent(ranges, of(event)));
      }
    }
    return ranges;
  }

  private static void addIfPresent(List<DateRange> ranges, DateRange range) {
    if (range != null) {
      ranges.add(range);
    }
  }
}
