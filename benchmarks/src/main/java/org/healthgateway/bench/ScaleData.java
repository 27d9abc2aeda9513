package org.healthgateway.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Synthetic, valid R4 transaction Bundles for the scale run: one Patient and its Observations
 * (vital signs, laboratory results, surveys with real LOINC codes and UCUM units, shaped like the
 * Synthea ones), POSTed so that the server assigns the ids. A patient's first Bundle creates the
 * Patient ({@code urn:uuid} reference); later Bundles reference {@code Patient/<server id>}. Seeded
 * per patient, so a rerun writes the same clinical content.
 */
final class ScaleData {

  static final String CATEGORY_SYSTEM =
      "http://terminology.hl7.org/CodeSystem/observation-category";
  static final String LOINC = "http://loinc.org";
  private static final String UCUM = "http://unitsofmeasure.org";
  private static final Instant FIRST = Instant.parse("2005-01-01T08:00:00Z");

  /** LOINC code, display, UCUM unit, low, high; value drawn uniformly in [low, high). */
  private record Test(String code, String display, String unit, double low, double high) {}

  private static final Test[] VITAL_SIGNS = {
    new Test("8867-4", "Heart rate", "/min", 55, 110),
    new Test("8310-5", "Body temperature", "Cel", 36.1, 38.4),
    new Test("29463-7", "Body weight", "kg", 45, 120),
    new Test("8302-2", "Body height", "cm", 150, 195),
    new Test("9279-1", "Respiratory rate", "/min", 11, 22),
    new Test("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 91, 100),
  };
  private static final Test[] LABORATORY = {
    new Test("2339-0", "Glucose [Mass/volume] in Blood", "mg/dL", 65, 190),
    new Test("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 10.5, 17.5),
    new Test("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL", 130, 280),
    new Test("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.5, 9.5),
    new Test("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.5, 1.6),
    new Test("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 3.5, 12),
  };
  private static final Test[] SURVEY = {
    new Test("55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score", "{score}", 0, 7),
    new Test(
        "72133-2",
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        "{score}",
        0,
        11),
  };

  private ScaleData() {}

  /**
   * The category of a patient's {@code n}-th Observation: 50% vital signs, 35% laboratory, 15%
   * survey, interleaved so every Bundle carries all three.
   */
  static String category(int n) {
    int slot = n % 20;
    return slot < 10 ? "vital-signs" : slot < 17 ? "laboratory" : "survey";
  }

  /**
   * A transaction Bundle with Observations {@code first..first+count-1} of patient {@code number};
   * with {@code patientId == null} it also creates the Patient (as entry 0).
   */
  static byte[] bundle(int number, String patientId, int first, int count) throws IOException {
    ObjectNode bundle = FhirHttp.json().createObjectNode();
    bundle.put("resourceType", "Bundle").put("type", "transaction");
    ArrayNode entries = bundle.putArray("entry");
    String subject = "Patient/" + patientId;
    if (patientId == null) {
      String fullUrl = "urn:uuid:" + UUID.randomUUID();
      entry(entries, fullUrl, patient(number), "Patient");
      subject = fullUrl;
    }
    SplittableRandom random = new SplittableRandom(((long) number << 32) ^ first);
    for (int n = first; n < first + count; n++) {
      ObjectNode o = observation(n, subject, random);
      entry(entries, "urn:uuid:" + UUID.randomUUID(), o, "Observation");
    }
    return FhirHttp.json().writeValueAsBytes(bundle);
  }

  private static void entry(ArrayNode entries, String fullUrl, ObjectNode resource, String type) {
    ObjectNode entry = entries.addObject();
    entry.put("fullUrl", fullUrl);
    entry.set("resource", resource);
    entry.putObject("request").put("method", "POST").put("url", type);
  }

  private static ObjectNode patient(int number) {
    ObjectNode p = FhirHttp.json().createObjectNode();
    p.put("resourceType", "Patient");
    p.putArray("identifier")
        .addObject()
        .put("system", "urn:healthgateway:bench:scale")
        .put("value", String.format("scale-%07d", number));
    ObjectNode name = p.putArray("name").addObject().put("use", "official").put("family", "Scale");
    name.putArray("given").add(String.format("P%07d", number));
    p.put("gender", number % 2 == 0 ? "female" : "male");
    p.put(
        "birthDate",
        String.format("%d-%02d-%02d", 1930 + number % 70, 1 + number % 12, 1 + number % 28));
    return p;
  }

  private static ObjectNode observation(int n, String subject, SplittableRandom random) {
    String category = category(n);
    Test[] tests =
        switch (category) {
          case "vital-signs" -> VITAL_SIGNS;
          case "laboratory" -> LABORATORY;
          default -> SURVEY;
        };
    Test test = tests[random.nextInt(tests.length)];
    Instant when = FIRST.plus(n * 7L, ChronoUnit.DAYS).plusSeconds(random.nextInt(36_000));
    ObjectNode o = FhirHttp.json().createObjectNode();
    o.put("resourceType", "Observation").put("status", "final");
    o.putArray("category")
        .addObject()
        .putArray("coding")
        .addObject()
        .put("system", CATEGORY_SYSTEM)
        .put("code", category);
    ObjectNode code = o.putObject("code");
    code.putArray("coding")
        .addObject()
        .put("system", LOINC)
        .put("code", test.code())
        .put("display", test.display());
    code.put("text", test.display());
    o.putObject("subject").put("reference", subject);
    o.put("effectiveDateTime", when.toString());
    o.put("issued", when.plusSeconds(600).toString());
    double value = test.low() + random.nextDouble() * (test.high() - test.low());
    o.putObject("valueQuantity")
        .put("value", test.unit().equals("{score}") ? Math.floor(value) : round(value))
        .put("unit", test.unit())
        .put("system", UCUM)
        .put("code", test.unit());
    return o;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
