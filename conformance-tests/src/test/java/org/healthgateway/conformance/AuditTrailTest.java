package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.conformance.GatewayProcess.PATIENT_P;
import static org.healthgateway.conformance.GatewayProcess.PATIENT_Q;
import static org.healthgateway.conformance.GatewayProcess.PRACTITIONER_A;
import static org.healthgateway.conformance.GatewayProcess.PRACTITIONER_B;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Predicate;
import org.healthgateway.fixtures.ConsentDecisions;
import org.healthgateway.fixtures.ConsentRequests;
import org.healthgateway.fixtures.KeyRegistrations;
import org.healthgateway.keys.wallet.PatientWallet;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What an auditor checks, over HTTP: B reads P's allergy under P's consent and the AuditEvent names
 * B, P, the read and the Consent, in IHE BALP's PatientRead shape; the demo auditor finds it by
 * agent, patient, date and action and exports the trail as ndjson; nobody else sees another
 * patient's events; a restart with a short retention expires the old events and audits the expiry.
 */
@Order(27)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuditTrailTest {
  private static final String AUDITOR = "demo-auditor";
  private static final String P = "Patient/demo-patient-p";
  private static final String B = "Practitioner/demo-practitioner-b";
  private static final String BALP = "https://profiles.ihe.net/ITI/BALP/StructureDefinition/";

  private static GatewayProcess gateway;
  private static String consentId;
  private static String allergy;
  private static AuditEvent readByB;
  private static String since;

  @BeforeAll
  static void start() {
    since = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    gateway = GatewayProcess.create("audit").start();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  @Order(1)
  void practitionerB_readsPsAllergyUnderAConsent_andTheEventNamesBPTheReadAndTheConsent()
      throws Exception {
    PatientWallet wallet = PatientWallet.generate(P);
    send(PATIENT_P, KeyRegistrations.registration(wallet))
        .post("/$register-keys")
        .then()
        .statusCode(200);
    Consent proposal = ConsentRequests.withCategories(ConsentRequests.proposal(P, B), "allergies");
    proposal
        .getProvision()
        .addPurpose(
            new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment"));
    consentId = created(send(PRACTITIONER_B, proposal).post("/Consent"));
    Consent active = get(Consent.class, PATIENT_P, "/" + consentId);
    active.setStatus(Consent.ConsentState.ACTIVE);
    String jws = wallet.sign(ConsentDecisions.canonical(active, 1));
    send(
            PATIENT_P,
            ConsentDecisions.signedTransaction(gateway.fhirBase(), consentId, active, P, jws))
        .post("/")
        .then()
        .statusCode(200);
    // Written after the approval: the standing consent wraps its key for B at once.
    allergy = created(send(PRACTITIONER_A, allergy()).post("/AllergyIntolerance"));

    Fhir.as(gateway, PRACTITIONER_B).get("/" + allergy).then().statusCode(200);

    readByB =
        awaitOne(
            "/AuditEvent?agent=" + B + "&patient=" + P + "&action=R&date=ge" + since,
            e -> names(e, allergy));
    assertThat(readByB.getAgentFirstRep().getWho().getReference()).isEqualTo(B);
    assertThat(readByB.getAgentFirstRep().getRequestor()).isTrue();
    assertThat(readByB.getSubtypeFirstRep().getCode()).isEqualTo("read");
    assertThat(readByB.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
    assertThat(readByB.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
    assertThat(readByB.getEntity())
        .extracting(e -> e.getWhat().getReference())
        .containsExactly(allergy, consentId, P);
    assertThat(readByB.getPurposeOfEventFirstRep().getCodingFirstRep().getCode())
        .isEqualTo("TREAT");
    assertThat(readByB.getMeta().getProfile())
        .extracting(p -> p.getValue())
        .containsExactly(BALP + "IHE.BasicAudit.PatientRead");
    assertThat(readByB.getAgent())
        .anySatisfy(
            a -> {
              assertThat(a.getType().getCodingFirstRep().getCode()).isEqualTo("110152");
              assertThat(a.getWho().getIdentifier().getValue()).isEqualTo(PRACTITIONER_B);
              assertThat(a.getNetwork().getAddress()).isEqualTo("127.0.0.1");
            });
  }

  @Test
  @Order(2)
  void theAuditor_findsTheRead_byEachOfAgentPatientDateAndAction() {
    String id = readByB.getIdElement().getIdPart();
    for (String query :
        List.of(
            "agent=" + B,
            "patient=" + P,
            "date=ge" + since,
            "action=R",
            "entity=" + allergy,
            "entity=" + consentId)) {
      assertThat(search(AUDITOR, "/AuditEvent?_count=1000&" + query))
          .as(query)
          .extracting(e -> e.getIdElement().getIdPart())
          .contains(id);
    }
    assertThat(search(AUDITOR, "/AuditEvent?_count=1000&agent=" + B + "&action=C"))
        .allSatisfy(e -> assertThat(e.getAction()).isEqualTo(AuditEvent.AuditEventAction.C))
        .anySatisfy(e -> assertThat(names(e, consentId)).isTrue());
    assertThat(search(AUDITOR, "/AuditEvent?agent=Practitioner/nobody")).isEmpty();
  }

  @Test
  @Order(3)
  void theAuditor_exportsNdjson_whoseEveryLineIsAnAuditEvent() {
    Response export =
        Fhir.as(gateway, AUDITOR)
            .get("/AuditEvent/$export-ndjson?patient=" + P + "&date=ge" + since);
    assertThat(export.statusCode()).as(export.asString()).isEqualTo(200);
    assertThat(export.contentType()).startsWith("application/fhir+ndjson");
    List<String> lines = export.asString().lines().toList();
    assertThat(lines).isNotEmpty();
    List<AuditEvent> events =
        lines.stream().map(line -> Fhir.parse(AuditEvent.class, line)).toList();
    assertThat(events)
        .extracting(e -> e.getIdElement().getIdPart())
        .contains(readByB.getIdElement().getIdPart());
    assertThat(events).allSatisfy(e -> assertThat(names(e, P)).isTrue());
  }

  @Test
  @Order(4)
  void nobodyButThePatientAndAuditors_seesThePatientsEvents() {
    String event = "/AuditEvent/" + readByB.getIdElement().getIdPart();
    for (String path :
        List.of("/AuditEvent?patient=" + P, event, "/AuditEvent/$export-ndjson?patient=" + P)) {
      Response asA = Fhir.as(gateway, PRACTITIONER_A).get(path);
      assertThat(asA.statusCode()).as(path).isEqualTo(403);
      Fhir.assertOperationOutcome(asA);
      assertThat(Fhir.as(gateway, PRACTITIONER_B).get(path).statusCode()).as(path).isEqualTo(403);
    }
    assertThat(Fhir.as(gateway, PATIENT_Q).get("/AuditEvent?patient=" + P).statusCode())
        .isEqualTo(403);
    assertThat(Fhir.as(gateway, PATIENT_P).get("/AuditEvent/$export-ndjson").statusCode())
        .isEqualTo(403);
    assertThat(search(PATIENT_P, "/AuditEvent?_count=1000&patient=" + P))
        .extracting(e -> e.getIdElement().getIdPart())
        .contains(readByB.getIdElement().getIdPart());
    Fhir.as(gateway, PATIENT_P).get(event).then().statusCode(200);
    // Nobody writes AuditEvents but the gateway.
    Response forged = send(AUDITOR, new AuditEvent()).post("/AuditEvent");
    assertThat(forged.statusCode()).isBetween(400, 405);
  }

  @Test
  @Order(5)
  void aRestartWithAShortRetention_expiresTheOldEvents_andAuditsTheExpiry() throws Exception {
    gateway.stop();
    Thread.sleep(3_000);
    gateway = gateway.withArgs("--gateway.audit.retention=PT2S").start();

    assertThat(search(AUDITOR, "/AuditEvent?agent=" + B)).isEmpty();
    assertThat(search(PATIENT_P, "/AuditEvent?patient=" + P)).isEmpty();
    Fhir.as(gateway, AUDITOR)
        .get("/AuditEvent/" + readByB.getIdElement().getIdPart())
        .then()
        .statusCode(410);
    List<AuditEvent> expiries = search(AUDITOR, "/AuditEvent?action=D");
    assertThat(expiries).hasSize(1);
    AuditEvent expiry = expiries.get(0);
    assertThat(expiry.getType().getCode()).isEqualTo("110101");
    assertThat(expiry.getAgentFirstRep().getWho().getReference()).isEqualTo("Device/gateway-audit");
    long expired =
        Long.parseLong(
            expiry.getEntityFirstRep().getDetail().stream()
                .filter(d -> d.getType().equals("expired"))
                .findFirst()
                .orElseThrow()
                .getValue()
                .primitiveValue());
    // At least the proposal, the approval and B's read.
    assertThat(expired).isGreaterThanOrEqualTo(3);
    assertThat(expiry.getPeriod().getEnd()).isAfter(readByB.getRecorded());
    assertThat(expiry.getEntityFirstRep().getDescription()).contains("PT2S");
    // The ledger keeps the expired events: it still verifies, entry for entry.
    gateway.stop();
    assertThat(GatewayProcess.verifyOffline(gateway.dataDir()).exitCode()).isZero();
  }

  private static boolean names(AuditEvent event, String reference) {
    return event.getEntity().stream().anyMatch(e -> reference.equals(e.getWhat().getReference()));
  }

  private static AuditEvent awaitOne(String query, Predicate<AuditEvent> wanted)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      List<AuditEvent> found = search(AUDITOR, query).stream().filter(wanted).toList();
      if (!found.isEmpty()) {
        assertThat(found).hasSize(1);
        return found.get(0);
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no AuditEvent for " + query);
  }

  private static List<AuditEvent> search(String client, String query) {
    Bundle bundle = get(Bundle.class, client, query);
    return bundle.getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
  }

  private static AllergyIntolerance allergy() {
    AllergyIntolerance a = new AllergyIntolerance();
    a.setPatient(new Reference(P));
    a.setClinicalStatus(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "active",
                null)));
    a.setCode(
        new CodeableConcept(
            new Coding("http://snomed.info/sct", "91936005", "Allergy to penicillin")));
    return a;
  }

  private static String created(Response response) {
    assertThat(response.statusCode()).as(response.asString()).isEqualTo(201);
    return Fhir.relativeId(response.header("Location"));
  }

  private static <T extends org.hl7.fhir.instance.model.api.IBaseResource> T get(
      Class<T> type, String client, String path) {
    Response response = Fhir.as(gateway, client).get(path);
    assertThat(response.statusCode()).as(path + ": " + response.asString()).isEqualTo(200);
    return Fhir.parse(type, response.asString());
  }

  private static RequestSpecification send(String client, Resource resource) {
    return Fhir.as(gateway, client)
        .contentType(Fhir.JSON_TYPE)
        .body(Fhir.json().encodeResourceToString(resource));
  }
}
