package org.healthgateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DriverReportTest {

  @Test
  void ratio_bothPresent_isFirstOverSecond() {
    assertThat(DriverReport.ratio(50, 200)).isEqualTo(0.25);
  }

  @Test
  void ratio_missingOrZeroDenominator_isNaN() {
    assertThat(DriverReport.ratio(Double.NaN, 2)).isNaN();
    assertThat(DriverReport.ratio(1, Double.NaN)).isNaN();
    assertThat(DriverReport.ratio(1, 0)).isNaN();
  }

  @Test
  void typeWideQueries_codesInTurn_encodedWithCount() {
    List<String> codes =
        List.of("http%3A%2F%2Floinc.org%7C8867-4", "http%3A%2F%2Floinc.org%7C718-7");

    List<String> queries = DriverPhases.typeWideQueries(codes, 3, 2);

    assertThat(queries)
        .hasSize(6)
        .startsWith(
            "Observation?code=http%3A%2F%2Floinc.org%7C8867-4&_count=50",
            "Observation?code=http%3A%2F%2Floinc.org%7C718-7&_count=50")
        .allSatisfy(q -> assertThat(q).doesNotContain("|").doesNotContain("patient"));
  }

  @Test
  void typeWideQueries_fewerPatientsThanCodes_runsEachCodeEveryRound() {
    assertThat(DriverPhases.typeWideQueries(List.of("a", "b", "c"), 0, 2)).hasSize(6);
  }
}
