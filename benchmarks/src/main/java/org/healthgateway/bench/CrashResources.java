package org.healthgateway.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.UUID;

/**
 * Valid R4 resources for the crash trial. Each carries its content marker, a value unique to the
 * run, as an identifier of system {@value #MARKER_SYSTEM}: that is what a read-back compares.
 * Clinical resources (heart-rate Observations, penicillin AllergyIntolerances) belong to one
 * patient's compartment and are encrypted; directory resources (Locations, Organizations) are
 * stored in clear and signed.
 */
final class CrashResources {

  static final String MARKER_SYSTEM = "urn:healthgateway:crash-trial";

  private CrashResources() {}

  static ObjectNode observation(String patient, String marker, int heartRate) {
    ObjectNode o = withMarker("Observation", marker);
    o.put("status", "final");
    coding(o.putArray("category").addObject(), ScaleData.CATEGORY_SYSTEM, "vital-signs");
    coding(o.putObject("code"), "http://loinc.org", "8867-4").put("display", "Heart rate");
    o.putObject("subject").put("reference", patient);
    o.put("effectiveDateTime", "2024-05-01T10:00:00Z");
    o.putObject("valueQuantity")
        .put("value", heartRate)
        .put("unit", "/min")
        .put("system", "http://unitsofmeasure.org")
        .put("code", "/min");
    return o;
  }

  static ObjectNode allergy(String patient, String marker) {
    ObjectNode a = withMarker("AllergyIntolerance", marker);
    coding(
        a.putObject("clinicalStatus"),
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
        "active");
    coding(a.putObject("code"), "http://snomed.info/sct", "91936005")
        .put("display", "Allergy to penicillin");
    a.putObject("patient").put("reference", patient);
    return a;
  }

  static ObjectNode location(String marker) {
    return withMarker("Location", marker).put("name", "Crash trial room " + marker);
  }

  static ObjectNode organization(String marker) {
    return withMarker("Organization", marker).put("name", "Crash trial ward " + marker);
  }

  /** A transaction Bundle that POSTs each resource, in order. */
  static ObjectNode transaction(List<ObjectNode> resources) {
    ObjectNode bundle = FhirHttp.json().createObjectNode();
    bundle.put("resourceType", "Bundle").put("type", "transaction");
    ArrayNode entries = bundle.putArray("entry");
    for (ObjectNode resource : resources) {
      ObjectNode entry = entries.addObject();
      entry.put("fullUrl", "urn:uuid:" + UUID.randomUUID());
      entry.set("resource", resource);
      entry
          .putObject("request")
          .put("method", "POST")
          .put("url", resource.path("resourceType").asText());
    }
    return bundle;
  }

  /** The marker a resource carries, or null if it carries none. */
  static String marker(JsonNode resource) {
    for (JsonNode identifier : resource.path("identifier")) {
      if (MARKER_SYSTEM.equals(identifier.path("system").asText())) {
        return identifier.path("value").asText();
      }
    }
    return null;
  }

  static byte[] bytes(JsonNode resource) {
    try {
      return FhirHttp.json().writeValueAsBytes(resource);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Gives a CodeableConcept one coding and returns the coding. */
  private static ObjectNode coding(ObjectNode concept, String system, String code) {
    return concept.putArray("coding").addObject().put("system", system).put("code", code);
  }

  private static ObjectNode withMarker(String type, String marker) {
    ObjectNode resource = FhirHttp.json().createObjectNode().put("resourceType", type);
    resource.putArray("identifier").addObject().put("system", MARKER_SYSTEM).put("value", marker);
    return resource;
  }
}
