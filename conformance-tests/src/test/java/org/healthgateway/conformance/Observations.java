package org.healthgateway.conformance;

/** Small Observation bodies written by the durability tests. */
final class Observations {

  static final String IDENTIFIER_SYSTEM = "urn:healthgateway:conformance";

  private Observations() {}

  /** A heart-rate Observation for {@code patient} with a unique identifier value. */
  static String heartRate(String patient, String identifier, int value) {
    return "{\"resourceType\":\"Observation\","
        + "\"identifier\":[{\"system\":\""
        + IDENTIFIER_SYSTEM
        + "\",\"value\":\""
        + identifier
        + "\"}],"
        + "\"status\":\"final\","
        + "\"category\":[{\"coding\":[{\"system\":"
        + "\"http://terminology.hl7.org/CodeSystem/observation-category\","
        + "\"code\":\"vital-signs\"}]}],"
        + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\","
        + "\"display\":\"Heart rate\"}]},"
        + "\"subject\":{\"reference\":\""
        + patient
        + "\"},"
        + "\"effectiveDateTime\":\"2024-05-01T10:00:00Z\","
        + "\"valueQuantity\":{\"value\":"
        + value
        + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
  }
}
