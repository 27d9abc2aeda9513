package org.healthgateway.server.search;

import java.util.List;
import org.hl7.fhir.instance.model.api.IBase;

/**
 * Date matching per the FHIR R4 search spec, on ranges: {@code eq} the target lies fully inside the
 * search range, {@code ne} it does not, {@code gt}/{@code lt} the target reaches above/below the
 * search range, {@code ge}/{@code le} gt/lt or eq, {@code sa}/{@code eb} the target starts
 * after/ends before the search range.
 */
final class DateCriterion implements Criterion {

  enum Prefix {
    EQ,
    NE,
    GT,
    LT,
    GE,
    LE,
    SA,
    EB
  }

  /** One date of the OR-list. */
  record Value(Prefix prefix, DateRange range) {}

  private final List<Value> values;

  DateCriterion(List<Value> values) {
    this.values = List.copyOf(values);
  }

  /** True if any of the ranges a resource yields satisfies the OR-list; the index's test. */
  boolean matchesAny(long[] ranges) {
    for (int i = 0; i + 1 < ranges.length; i += 2) {
      DateRange target = new DateRange(ranges[i], ranges[i + 1]);
      for (Value value : values) {
        if (matches(value.prefix(), value.range(), target)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public boolean test(List<IBase> elements) {
    for (DateRange target : DateRange.extract(elements)) {
      for (Value value : values) {
        if (matches(value.prefix(), value.range(), target)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean matches(Prefix prefix, DateRange search, DateRange target) {
    boolean eq = target.low() >= search.low() && target.high() <= search.high();
    return switch (prefix) {
      case EQ -> eq;
      case NE -> !eq;
      case GT -> target.high() > search.high();
      case LT -> target.low() < search.low();
      case GE -> target.high() > search.high() || eq;
      case LE -> target.low() < search.low() || eq;
      case SA -> target.low() >= search.high();
      case EB -> target.high() <= search.low();
    };
  }
}
