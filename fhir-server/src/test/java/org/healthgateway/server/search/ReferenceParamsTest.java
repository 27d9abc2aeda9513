package org.healthgateway.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.AuditEvent;
import org.junit.jupiter.api.Test;

class ReferenceParamsTest {
  private static final FhirContext CTX = FhirContext.forR4Cached();

  @Test
  void entity_storedAuditEventNamingTheResource_matches() {
    AuditEvent event =
        CTX.newJsonParser()
            .parseResource(
                AuditEvent.class,
                "{\"resourceType\":\"AuditEvent\",\"id\":\"1\",\"entity\":[{\"what\":"
                    + "{\"reference\":\"AllergyIntolerance/abc\"}},{\"what\":{\"reference\":"
                    + "\"Patient/p\"}}]}");
    assertThat(query("AuditEvent", "entity", "AllergyIntolerance/abc").matches(event)).isTrue();
    assertThat(query("AuditEvent", "entity", "AllergyIntolerance/other").matches(event)).isFalse();
  }

  @Test
  void parse_includeAndRevinclude_areKeptForTheBundle() {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put("_include", new ArrayList<>(List.of("AllergyIntolerance:patient")));
    params.put("_revinclude", new ArrayList<>(List.of("AuditEvent:entity")));
    SearchQuery query = new SearchEngine(CTX).parse("AllergyIntolerance", params);
    assertThat(query.includes()).extracting(Include::paramName).containsExactly("patient");
    assertThat(query.revIncludes()).extracting(Include::sourceType).containsExactly("AuditEvent");
  }

  private static SearchQuery query(String type, String name, String value) {
    Map<String, List<String>> params = new LinkedHashMap<>();
    params.put(name, new ArrayList<>(List.of(value)));
    return new SearchEngine(CTX).parse(type, params);
  }
}
