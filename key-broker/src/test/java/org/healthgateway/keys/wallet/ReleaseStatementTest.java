package org.healthgateway.keys.wallet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseStatementTest {

  private static final ReleaseStatement STATEMENT =
      new ReleaseStatement(
          "Consent/c/_history/2",
          "Patient/p",
          "Practitioner/b",
          "g-0123456789abcdef",
          "a.b.c.d.e",
          List.of(new ReleaseStatement.ReleasedKey("Observation/o/_history/1", new byte[40])),
          1_700_000_000L);

  @Test
  void parse_ofToBytes_roundTrips() {
    ReleaseStatement parsed = ReleaseStatement.parse(STATEMENT.toBytes());

    assertThat(parsed.toBytes()).isEqualTo(STATEMENT.toBytes());
  }

  @Test
  void parse_keyWithoutReferenceOrDataKey_throwsIllegalArgument() {
    // A key without "reference" parsed to a null reference, which the broker then split: a 500.
    String json = new String(STATEMENT.toBytes(), StandardCharsets.UTF_8);
    String noReference = json.replace("\"reference\":\"Observation/o/_history/1\",", "");
    String noDataKey = json.replaceAll(",\"dataKey\":\"[^\"]*\"", "");

    for (String broken : List.of(noReference, noDataKey)) {
      assertThat(broken).isNotEqualTo(json);
      assertThatThrownBy(() -> ReleaseStatement.parse(broken.getBytes(StandardCharsets.UTF_8)))
          .as(broken)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
