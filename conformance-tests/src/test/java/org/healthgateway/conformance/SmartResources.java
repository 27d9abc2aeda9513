package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.util.UUID;

/** Small clinical resources for the SMART tests, written as JSON. */
final class SmartResources {
  static final String CATEGORY_SYSTEM =
      "http://terminology.hl7.org/CodeSystem/observation-category";

  private SmartResources() {}

  static String observation(String patient, String category) {
    return """
        {"resourceType":"Observation","status":"final",
         "category":[{"coding":[{"system":"%s","code":"%s"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}],"text":"%s"},
         "subject":{"reference":"Patient/%s"}}"""
        .formatted(CATEGORY_SYSTEM, category, "smart " + UUID.randomUUID(), patient);
  }

  static String condition(String patient) {
    return """
        {"resourceType":"Condition",
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"}],"text":"%s"},
         "subject":{"reference":"Patient/%s"}}"""
        .formatted("smart " + UUID.randomUUID(), patient);
  }

  static String allergy(String patient) {
    return """
        {"resourceType":"AllergyIntolerance",
         "clinicalStatus":{"coding":[{"system":
           "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005"}],"text":"%s"},
         "patient":{"reference":"Patient/%s"}}"""
        .formatted("smart " + UUID.randomUUID(), patient);
  }

  static String body(String type, String patient) {
    return switch (type) {
      case "Observation" -> observation(patient, "laboratory");
      case "Condition" -> condition(patient);
      case "AllergyIntolerance" -> allergy(patient);
      default -> throw new IllegalArgumentException(type);
    };
  }

  /** Creates a resource with a bearer token and returns {@code Type/id}. */
  static String create(GatewayProcess gateway, String token, String type, String json) {
    Response created =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + token)
            .contentType(Fhir.JSON_TYPE)
            .body(json)
            .post("/" + type);
    assertThat(created.statusCode()).as("create %s: %s", type, created.asString()).isEqualTo(201);
    return Fhir.relativeId(created.header("Location"));
  }
}
