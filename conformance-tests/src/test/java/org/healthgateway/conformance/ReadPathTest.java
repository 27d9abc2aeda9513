package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.util.UUID;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A practitioner records an allergy for a patient: the author and the patient can read it, another
 * practitioner cannot; versions, history, optimistic locking, deletion, XML and the ledger proof
 * behave as FHIR and the design promise.
 */
@Order(3)
class ReadPathTest {

  private static GatewayProcess gateway;
  private static String patientP;
  private static String practitionerA;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
    patientP = gateway.fhirUser(GatewayProcess.PATIENT_P);
    practitionerA = gateway.fhirUser(GatewayProcess.PRACTITIONER_A);
  }

  private static AllergyIntolerance latexAllergy() {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setClinicalStatus(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "active",
                "Active")));
    allergy.setVerificationStatus(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                "confirmed",
                "Confirmed")));
    allergy.setCode(
        new CodeableConcept(new Coding("http://snomed.info/sct", "300916003", "Latex allergy"))
            .setText("Latex allergy " + UUID.randomUUID()));
    allergy.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);
    allergy.setPatient(new Reference(patientP));
    allergy.setRecorder(new Reference(practitionerA));
    allergy.setRecordedDateElement(new org.hl7.fhir.r4.model.DateTimeType("2024-03-01"));
    return allergy;
  }

  private static String create(AllergyIntolerance allergy) {
    Response created =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .body(Fhir.json().encodeResourceToString(allergy))
            .post("/AllergyIntolerance");
    assertThat(created.statusCode()).as("create: %s", created.asString()).isEqualTo(201);
    assertThat(created.header("Location"))
        .as("Location")
        .matches(".*AllergyIntolerance/[^/]+/_history/1$");
    assertThat(created.header("ETag")).as("ETag").isEqualTo("W/\"1\"");
    return Fhir.relativeId(created.header("Location"));
  }

  @Test
  void allergy_readByAuthorAndPatient_deniedToOtherPractitioner() {
    AllergyIntolerance sent = latexAllergy();
    String id = create(sent);

    for (String reader : new String[] {GatewayProcess.PRACTITIONER_A, GatewayProcess.PATIENT_P}) {
      Response read = Fhir.as(gateway, reader).get("/" + id);
      assertThat(read.statusCode()).as("%s reads: %s", reader, read.asString()).isEqualTo(200);
      assertEqualIgnoringMeta(sent, Fhir.parse(AllergyIntolerance.class, read.asString()));
    }

    Response denied = Fhir.as(gateway, GatewayProcess.PRACTITIONER_B).get("/" + id);
    assertThat(denied.statusCode())
        .as("practitioner B reads: %s", denied.asString())
        .isEqualTo(403);
    OperationOutcome outcome = Fhir.assertOperationOutcome(denied);
    assertThat(Fhir.outcomeText(outcome))
        .as("403 explains that no key was released")
        .containsIgnoringCase("key")
        .containsIgnoringCase("releas");
    assertThat(denied.asString()).doesNotContain("Latex allergy");

    Response otherPatient = Fhir.as(gateway, GatewayProcess.PATIENT_Q).get("/" + id);
    assertThat(otherPatient.statusCode()).as("patient Q reads").isEqualTo(403);
    Fhir.assertOperationOutcome(otherPatient);
  }

  @Test
  void allergy_versionsHistoryIfMatchAndDelete_followFhir() {
    AllergyIntolerance sent = latexAllergy();
    String id = create(sent);

    Response vread = Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).get("/" + id + "/_history/1");
    assertThat(vread.statusCode()).as("vread: %s", vread.asString()).isEqualTo(200);
    AllergyIntolerance version1 = Fhir.parse(AllergyIntolerance.class, vread.asString());
    assertThat(version1.getMeta().getVersionId()).isEqualTo("1");
    assertEqualIgnoringMeta(sent, version1);

    AllergyIntolerance changed = latexAllergy();
    changed.setCode(sent.getCode());
    changed.setCriticality(AllergyIntolerance.AllergyIntoleranceCriticality.LOW);
    changed.setId(id.split("/")[1]);
    Response updated =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("If-Match", "W/\"1\"")
            .body(Fhir.json().encodeResourceToString(changed))
            .put("/" + id);
    assertThat(updated.statusCode()).as("update: %s", updated.asString()).isEqualTo(200);
    assertThat(updated.header("ETag")).isEqualTo("W/\"2\"");

    Response stale =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("If-Match", "W/\"1\"")
            .body(Fhir.json().encodeResourceToString(changed))
            .put("/" + id);
    assertThat(stale.statusCode()).as("stale If-Match: %s", stale.asString()).isEqualTo(412);
    Fhir.assertOperationOutcome(stale);

    Response current = Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).get("/" + id);
    assertThat(Fhir.parse(AllergyIntolerance.class, current.asString()).getCriticality())
        .isEqualTo(AllergyIntolerance.AllergyIntoleranceCriticality.LOW);
    Response oldVersion =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).get("/" + id + "/_history/1");
    assertThat(Fhir.parse(AllergyIntolerance.class, oldVersion.asString()).getCriticality())
        .isEqualTo(AllergyIntolerance.AllergyIntoleranceCriticality.HIGH);

    Response history = Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).get("/" + id + "/_history");
    assertThat(history.statusCode()).as("history: %s", history.asString()).isEqualTo(200);
    Bundle versions = Fhir.parse(Bundle.class, history.asString());
    assertThat(versions.getType()).isEqualTo(Bundle.BundleType.HISTORY);
    assertThat(versions.getEntry())
        .extracting(e -> e.getResource().getMeta().getVersionId())
        .containsExactlyInAnyOrder("1", "2");

    Response deleted = Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).delete("/" + id);
    assertThat(deleted.statusCode()).as("delete: %s", deleted.asString()).isIn(200, 204);
    Response gone = Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).get("/" + id);
    assertThat(gone.statusCode()).as("read after delete: %s", gone.asString()).isEqualTo(410);
    Fhir.assertOperationOutcome(gone);
  }

  @Test
  void allergy_xmlRoundTrip_readsBackEqual() {
    AllergyIntolerance sent = latexAllergy();
    Response created =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.XML_TYPE)
            .accept("application/fhir+xml")
            .body(Fhir.xml().encodeResourceToString(sent))
            .post("/AllergyIntolerance");
    assertThat(created.statusCode()).as("XML create: %s", created.asString()).isEqualTo(201);
    String id = Fhir.relativeId(created.header("Location"));

    Response asXml =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .accept("application/fhir+xml")
            .get("/" + id);
    assertThat(asXml.statusCode()).isEqualTo(200);
    assertThat(asXml.contentType()).contains("xml");
    assertEqualIgnoringMeta(
        sent, Fhir.xml().parseResource(AllergyIntolerance.class, asXml.asString()));

    Response formatXml =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .accept("*/*")
            .queryParam("_format", "xml")
            .get("/" + id);
    assertThat(formatXml.contentType()).contains("xml");
    Response formatJson =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .accept("application/fhir+xml")
            .queryParam("_format", "json")
            .get("/" + id);
    assertThat(formatJson.contentType()).contains("json");
    assertEqualIgnoringMeta(
        sent, Fhir.json().parseResource(AllergyIntolerance.class, formatJson.asString()));
  }

  @Test
  void create_preferReturn_honoured() {
    Response minimal =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("Prefer", "return=minimal")
            .body(Fhir.json().encodeResourceToString(latexAllergy()))
            .post("/AllergyIntolerance");
    assertThat(minimal.statusCode()).isEqualTo(201);
    assertThat(minimal.asString()).as("return=minimal body").isBlank();

    AllergyIntolerance sent = latexAllergy();
    Response representation =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("Prefer", "return=representation")
            .body(Fhir.json().encodeResourceToString(sent))
            .post("/AllergyIntolerance");
    assertThat(representation.statusCode()).isEqualTo(201);
    assertEqualIgnoringMeta(sent, Fhir.parse(AllergyIntolerance.class, representation.asString()));

    Response outcome =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("Prefer", "return=OperationOutcome")
            .body(Fhir.json().encodeResourceToString(latexAllergy()))
            .post("/AllergyIntolerance");
    assertThat(outcome.statusCode()).isEqualTo(201);
    Fhir.assertOperationOutcome(outcome);
  }

  @Test
  void conditionalCreate_existingMatch_returnsExistingWithoutWriting() {
    String system = "urn:uuid:" + UUID.randomUUID();
    AllergyIntolerance allergy = latexAllergy();
    allergy.addIdentifier().setSystem(system).setValue("a-1");
    String criteria = "identifier=" + system + "|a-1";
    Response first =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("If-None-Exist", criteria)
            .body(Fhir.json().encodeResourceToString(allergy))
            .post("/AllergyIntolerance");
    assertThat(first.statusCode()).as("first: %s", first.asString()).isEqualTo(201);
    int size = Fhir.ledgerHead(gateway).treeSize();
    Response second =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .header("If-None-Exist", criteria)
            .body(Fhir.json().encodeResourceToString(allergy))
            .post("/AllergyIntolerance");
    assertThat(second.statusCode()).as("second: %s", second.asString()).isEqualTo(200);
    assertThat(Fhir.relativeId(second.header("Location")))
        .isEqualTo(Fhir.relativeId(first.header("Location")));
    assertThat(Fhir.ledgerHead(gateway).treeSize()).as("ledger size").isEqualTo(size);
  }

  @Test
  void verify_allergyVersion_proofChecksOutIndependently() throws Exception {
    String id = create(latexAllergy());
    Response response =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A).get("/" + id + "/_history/1/$verify");
    assertThat(response.statusCode()).as("$verify: %s", response.asString()).isEqualTo(200);
    LedgerProof proof = LedgerProof.of(Fhir.parse(Parameters.class, response.asString()));
    Fhir.LedgerHead head = Fhir.ledgerHead(gateway);
    assertThat(proof.treeSize()).isLessThanOrEqualTo(head.treeSize());
    assertThat(proof.index()).isLessThan(proof.treeSize());
    proof.assertValid(head.nodeKey());
    assertThat(new String(proof.entry(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .as("ledger entry holds no clinical plaintext")
        .doesNotContain("Latex allergy");
  }

  /** Equal to what was sent apart from {@code meta} and the server-assigned id. */
  static void assertEqualIgnoringMeta(Resource sent, Resource read) {
    ResourceNormalizer normalizer = new ResourceNormalizer(gateway.fhirBase());
    JsonNode expected =
        normalizer.sent(Fhir.json().encodeResourceToString(sent), reference -> null);
    JsonNode actual = normalizer.read(read.copy());
    assertThat(ResourceNormalizer.firstDifference(expected, actual, sent.fhirType()))
        .as("difference between sent and read")
        .isNull();
  }
}
