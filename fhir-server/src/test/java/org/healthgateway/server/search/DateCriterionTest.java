package org.healthgateway.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import org.healthgateway.server.search.DateCriterion.Prefix;
import org.junit.jupiter.api.Test;

class DateCriterionTest {

  private static final DateRange YEAR_2015 = DateRange.parse("2015");
  private static final DateRange DAY = DateRange.parse("2015-06-01");
  private static final DateRange SPANNING =
      new DateRange(DateRange.parse("2014-12-31").low(), DAY.high());

  @Test
  void matches_dayInsideYear_isEqNotNe() {
    assertThat(DateCriterion.matches(Prefix.EQ, YEAR_2015, DAY)).isTrue();
    assertThat(DateCriterion.matches(Prefix.NE, YEAR_2015, DAY)).isFalse();
    assertThat(DateCriterion.matches(Prefix.GE, YEAR_2015, DAY)).isTrue();
    assertThat(DateCriterion.matches(Prefix.LE, YEAR_2015, DAY)).isTrue();
    assertThat(DateCriterion.matches(Prefix.GT, YEAR_2015, DAY)).isFalse();
    assertThat(DateCriterion.matches(Prefix.LT, YEAR_2015, DAY)).isFalse();
  }

  @Test
  void matches_rangeStartingBeforeSearch_isLtNotEqNorSa() {
    assertThat(DateCriterion.matches(Prefix.EQ, YEAR_2015, SPANNING)).isFalse();
    assertThat(DateCriterion.matches(Prefix.LT, YEAR_2015, SPANNING)).isTrue();
    assertThat(DateCriterion.matches(Prefix.SA, YEAR_2015, SPANNING)).isFalse();
    assertThat(DateCriterion.matches(Prefix.EB, YEAR_2015, SPANNING)).isFalse();
  }

  @Test
  void matches_yearSearchAgainstLaterAndEarlierDays_isSaOrEb() {
    assertThat(DateCriterion.matches(Prefix.SA, YEAR_2015, DateRange.parse("2016-01-01"))).isTrue();
    assertThat(DateCriterion.matches(Prefix.GT, YEAR_2015, DateRange.parse("2016-01-01"))).isTrue();
    assertThat(DateCriterion.matches(Prefix.EB, YEAR_2015, DateRange.parse("2014-12-31"))).isTrue();
    assertThat(DateCriterion.matches(Prefix.SA, YEAR_2015, DateRange.parse("2015-12-31")))
        .isFalse();
  }

  @Test
  void parse_partialDates_coverTheirWholePeriod() {
    DateRange month = DateRange.parse("2015-02");
    assertThat(month.high() - month.low()).isEqualTo(28L * 24 * 3600 * 1000);
    DateRange second = DateRange.parse("2015-02-03T10:00:00+01:00");
    assertThat(second.high() - second.low()).isEqualTo(1000L);
    assertThat(second.low()).isEqualTo(DateRange.parse("2015-02-03T09:00:00Z").low());
  }
}
