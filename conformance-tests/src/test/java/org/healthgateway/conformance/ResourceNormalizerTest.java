package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The read-back comparison neither hides a change nor reports one where the server only assigned
 * ids, meta and versioned or absolute references (checked without a server).
 */
@Order(1)
class ResourceNormalizerTest {

  private static final String BASE = "http://127.0.0.1:1/fhir";

  @Test
  void compare_serverIdsMetaAndReferenceForms_equal_andValueChange_differs() throws Exception {
    SyntheaData.BundleFile bundle = SyntheaData.read(SyntheaData.patientBundles().get(0));
    Map<String, String> ids = new HashMap<>();
    int n = 0;
    for (SyntheaData.Entry entry : bundle.entries()) {
      ids.put(entry.fullUrl(), entry.resourceType() + "/srv-" + n++);
    }
    ResourceNormalizer normalizer = new ResourceNormalizer(BASE);
    int compared = 0;
    long started = System.nanoTime();
    for (SyntheaData.Entry entry : bundle.entries()) {
      String json = entry.resource().toString();
      Resource stored = (Resource) Fhir.json().parseResource(json);
      stored.setId(ids.get(entry.fullUrl()));
      stored.setMeta(new Meta().setVersionId("1").setSource("#x"));
      for (Reference reference :
          Fhir.CTX.newTerser().getAllPopulatedChildElementsOfType(stored, Reference.class)) {
        String target = reference.getReference();
        if (target != null && ids.containsKey(target)) {
          reference.setReference(
              compared % 2 == 0 ? ids.get(target) + "/_history/1" : BASE + "/" + ids.get(target));
        } else if (target != null && target.contains("?identifier=")) {
          reference.setReference(target.substring(0, target.indexOf('?')) + "/cond-1");
        }
      }
      String served = Fhir.json().setPrettyPrint(true).encodeResourceToString(stored);
      UnaryOperator<String> map =
          reference ->
              ids.containsKey(reference)
                  ? ids.get(reference)
                  : reference.contains("?identifier=")
                      ? reference.substring(0, reference.indexOf('?')) + "/cond-1"
                      : null;
      assertThat(normalizer.difference(entry.resourceType(), entry.resource(), served, map))
          .isNull();
      if (compared % 50 == 0) {
        // the slow path must agree too
        var expected = normalizer.sent(json, map);
        var actual = normalizer.read((Resource) Fhir.json().parseResource(served));
        assertThat(ResourceNormalizer.firstDifference(expected, actual, entry.resourceType()))
            .isNull();
      }
      compared++;
    }
    assertThat(compared).isGreaterThan(100);
    System.out.printf(
        "compared %d resources in %d ms%n", compared, (System.nanoTime() - started) / 1_000_000);

    SyntheaData.Entry patient = bundle.patient();
    var sent = normalizer.sent(patient.resource().toString(), reference -> null);
    var changed =
        normalizer.read(
            (Resource)
                Fhir.json()
                    .parseResource(
                        patient
                            .resource()
                            .toString()
                            .replace("\"birthDate\":\"19", "\"birthDate\":\"18")));
    assertThat(ResourceNormalizer.firstDifference(sent, changed, "Patient")).contains("birthDate");
    String changedJson =
        patient.resource().toString().replace("\"birthDate\":\"19", "\"birthDate\":\"18");
    assertThat(normalizer.difference("Patient", patient.resource(), changedJson, r -> null))
        .contains("birthDate");
  }
}
