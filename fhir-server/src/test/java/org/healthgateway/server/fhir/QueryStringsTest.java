package org.healthgateway.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryStringsTest {

  @Test
  void parse_repeatedAndEncoded_decodesInOrder() {
    assertThat(QueryStrings.parse("name=a%20b&&name=c+d&active&x%3Ay=%E2%82%AC"))
        .containsExactly(
            Map.entry("name", List.of("a b", "c d")),
            Map.entry("active", List.of("")),
            Map.entry("x:y", List.of("€")));
  }

  @Test
  void parse_malformedPercentEncoding_throwsInvalidRequest() {
    // Found by SearchUrlFuzzTest: URLDecoder's IllegalArgumentException became a 500.
    for (String query : List.of("%zz=1", "name=%E", "name=%", "a=%G0")) {
      assertThatThrownBy(() -> QueryStrings.parse(query))
          .as(query)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("Malformed percent-encoding");
    }
  }
}
