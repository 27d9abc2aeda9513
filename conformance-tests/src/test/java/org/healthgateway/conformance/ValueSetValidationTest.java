package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A terminology publisher stores the R4 specification's own ValueSets, some of which draw on code
 * systems this node does not hold (CVX, national vaccine registers named by OID, IEEE device
 * codes): validation accepts them, and a validator failure is never a server error.
 */
@Order(2)
class ValueSetValidationTest {
  private static final String SPEC_VALUE_SETS = "/org/hl7/fhir/r4/model/valueset/valuesets.xml";

  private static GatewayProcess gateway;
  private static Bundle spec;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
    try (InputStream in = ValueSetValidationTest.class.getResourceAsStream(SPEC_VALUE_SETS)) {
      assertThat(in).as(SPEC_VALUE_SETS + " on the test class path").isNotNull();
      spec = Fhir.xml().parseResource(Bundle.class, in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void create_specValueSetsWithUnknownCodeSystems_201() {
    int logStart = gateway.readLog().length();
    for (String id : List.of("vaccine-code", "device-safety", "endpoint-payload-type")) {
      ValueSet valueSet = specValueSet(id);
      valueSet.setId((String) null);
      Response response = create(Fhir.json().encodeResourceToString(valueSet));
      assertThat(response.statusCode())
          .as("POST ValueSet %s: %s", id, response.asString())
          .isEqualTo(201);
    }
    gateway.assertLogQuietSince(logStart);
  }

  @Test
  void create_valueSetIncludingUnknownOidSystem_201() {
    String valueSet =
        "{\"resourceType\":\"ValueSet\",\"url\":\"http://example.org/fhir/ValueSet/regional-vaccines\","
            + "\"status\":\"active\",\"compose\":{\"include\":["
            + "{\"system\":\"urn:oid:1.2.36.1.2001.1005.17\",\"concept\":[{\"code\":\"FLUVAX\"}]},"
            + "{\"system\":\"urn:oid:2.999.1\",\"concept\":[{\"code\":\"x\"}]}]}}";
    Response response = create(valueSet);
    assertThat(response.statusCode()).as("POST: %s", response.asString()).isEqualTo(201);
  }

  private static Response create(String body) {
    return Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
        .contentType(Fhir.JSON_TYPE)
        .body(body)
        .post("/ValueSet");
  }

  private static ValueSet specValueSet(String id) {
    return spec.getEntry().stream()
        .map(Bundle.BundleEntryComponent::getResource)
        .filter(r -> r instanceof ValueSet && id.equals(r.getIdElement().getIdPart()))
        .map(ValueSet.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no ValueSet " + id + " in " + SPEC_VALUE_SETS));
  }
}
