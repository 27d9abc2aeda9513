package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.conformance.GatewayProcess.PATIENT_P;
import static org.healthgateway.conformance.GatewayProcess.PATIENT_Q;
import static org.healthgateway.conformance.GatewayProcess.PRACTITIONER_A;
import static org.healthgateway.conformance.GatewayProcess.PRACTITIONER_B;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import org.healthgateway.fixtures.ConsentDecisions;
import org.healthgateway.fixtures.ConsentRequests;
import org.healthgateway.fixtures.KeyRegistrations;
import org.healthgateway.fixtures.KeyReleases;
import org.healthgateway.keys.wallet.PatientWallet;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 9's write holes, reproduced as users meet them: a practitioner given read access changing
 * the record, a patient changing a practitioner's record or writing into another patient's, and key
 * registration without scope or rotation proof. The demo patients are custodial here, so they
 * approve with a plain PUT.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WriteRulesTest {
  private static final String P = "Patient/demo-patient-p";
  private static final String Q = "Patient/demo-patient-q";
  private static final String B = "Practitioner/demo-practitioner-b";
  private static final String REGISTRAR = "Practitioner/demo-registrar";

  private static GatewayProcess gateway;
  private static PatientWallet qWallet;

  @BeforeAll
  static void start() {
    gateway = GatewayProcess.create("write-rules").start();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  /**
   * A treatment consent an EHR records (scope treatment, status active) is a clinical record of the
   * patient under the write rule, and opens nothing: B, its actor, still cannot read P's records.
   */
  @Test
  @Order(0)
  void aTreatmentConsent_isARecordOfThePatient_andOpensNothing() {
    Consent treatment = ConsentRequests.withCategories(proposal("access"), "allergies");
    treatment.setStatus(Consent.ConsentState.ACTIVE);
    treatment.getScope().getCodingFirstRep().setCode("treatment");

    String consent = create(PRACTITIONER_A, treatment);
    String record = create(PRACTITIONER_A, allergy(P, "91936005"));

    status(PRACTITIONER_A, consent, 200);
    status(PATIENT_P, consent, 200);
    status(PRACTITIONER_B, record, 403);
    Fhir.as(gateway, PRACTITIONER_A).delete("/" + consent).then().statusCode(200);
  }

  @Test
  @Order(1)
  void readConsent_letsBRead_butNotUpdateOrDelete_evenInTransactionsOrAfterRevocation() {
    String consent = approve(propose("access"));
    String first = create(PRACTITIONER_A, allergy(P, "91936005"));
    String second = create(PRACTITIONER_A, allergy(P, "300916003"));
    status(PRACTITIONER_B, first, 200);

    AllergyIntolerance changed = allergy(P, "294505008");
    changed.setId(first);
    expectRefused(send(PRACTITIONER_B, changed).put("/" + first));
    status(PRACTITIONER_A, first, 200);
    expectRefused(send(PRACTITIONER_B, bundle(Bundle.BundleType.TRANSACTION, changed)).post("/"));
    Response batch = send(PRACTITIONER_B, deletion(Bundle.BundleType.BATCH, second)).post("/");
    batch.then().statusCode(200);
    assertThat(
            Fhir.parse(Bundle.class, batch.asString()).getEntryFirstRep().getResponse().getStatus())
        .startsWith("403");

    revoke(consent);
    expectRefused(Fhir.as(gateway, PRACTITIONER_B).delete("/" + second));
    status(PRACTITIONER_A, second, 200);
    status(PATIENT_P, second, 200);
    assertThat(version(PRACTITIONER_A, first)).isEqualTo("1");
  }

  @Test
  @Order(2)
  void correctConsent_letsBUpdate_andAuthorAndPatientStillReadEveryVersion() {
    String record = create(PRACTITIONER_A, allergy(P, "91936005"));
    approve(propose("access", "correct"));

    AllergyIntolerance corrected = allergy(P, "294505008");
    corrected.setId(record);
    send(PRACTITIONER_B, corrected).put("/" + record).then().statusCode(200);

    assertThat(version(PRACTITIONER_A, record)).isEqualTo("2");
    assertThat(version(PATIENT_P, record)).isEqualTo("2");
    status(PRACTITIONER_A, record + "/_history/1", 200);
    status(PRACTITIONER_A, record + "/_history/2", 200);
    Observation lab = new Observation();
    lab.setStatus(Observation.ObservationStatus.FINAL);
    lab.getCode().addCoding().setSystem("http://loinc.org").setCode("2345-7");
    lab.setSubject(new Reference(P));
    String observation = create(PRACTITIONER_A, lab);
    lab.setId(observation);
    expectRefused(send(PRACTITIONER_B, lab).put("/" + observation));
  }

  @Test
  @Order(3)
  void patient_writesItsOwnRecords_butNeitherChangesAPractitionersNorWritesForAnother() {
    String practitioners = create(PRACTITIONER_A, allergy(P, "91936005"));
    AllergyIntolerance edited = allergy(P, "300916003");
    edited.setId(practitioners);
    expectRefused(send(PATIENT_P, edited).put("/" + practitioners));
    expectRefused(Fhir.as(gateway, PATIENT_P).delete("/" + practitioners));

    Observation own = new Observation();
    own.setStatus(Observation.ObservationStatus.PRELIMINARY);
    own.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
    own.setSubject(new Reference(P));
    String mine = create(PATIENT_P, own);
    own.setId(mine);
    send(PATIENT_P, own).put("/" + mine).then().statusCode(200);

    own.setId((String) null);
    own.setSubject(new Reference(Q));
    expectRefused(send(PATIENT_P, own).post("/Observation"));
    expectRefused(send(PATIENT_P, bundle(Bundle.BundleType.TRANSACTION, own)).post("/"));
  }

  @Test
  @Order(4)
  void registerKeys_needsItsScope_andRotationNeedsTheCurrentKey() throws Exception {
    PatientWallet first = PatientWallet.generate(Q);
    String narrow = gateway.token(PATIENT_Q, "patient/Observation.rs");
    expectRefused(
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + narrow)
            .contentType(Fhir.JSON_TYPE)
            .body(
                Fhir.json()
                    .encodeResourceToString(registration(first, first.registrationProof(), null)))
            .post("/$register-keys"));
    send(PATIENT_Q, registration(first, first.registrationProof(), null))
        .post("/$register-keys")
        .then()
        .statusCode(200);

    PatientWallet thief = PatientWallet.generate(Q);
    expectRefused(
        send(PATIENT_Q, registration(thief, thief.registrationProof(), null))
            .post("/$register-keys"));
    expectRefused(
        send(PATIENT_Q, registration(thief, thief.registrationProof(), thief.rotationProof(thief)))
            .post("/$register-keys"));

    PatientWallet next = PatientWallet.generate(Q);
    qWallet = next;
    send(PATIENT_Q, registration(next, next.registrationProof(), first.rotationProof(next)))
        .post("/$register-keys")
        .then()
        .statusCode(200);
  }

  @Test
  @Order(5)
  void proposer_readsTheOutcomeOfItsRequest() {
    String consent = propose("access");
    approve(consent);
    assertThat(Fhir.parse(Consent.class, get(PRACTITIONER_B, consent).asString()).getStatus())
        .isEqualTo(Consent.ConsentState.ACTIVE);
    revoke(consent);
    assertThat(Fhir.parse(Consent.class, get(PRACTITIONER_B, consent).asString()).getStatus())
        .isEqualTo(Consent.ConsentState.INACTIVE);
  }

  @Test
  @Order(6)
  void historyAndIncludes_appearInThePatientsAccessLog() {
    String record = create(PRACTITIONER_A, allergy(P, "91936005"));
    approve(propose(List.of("AllergyIntolerance", "Patient")));

    status(PRACTITIONER_B, record + "/_history", 200);
    Bundle included =
        Fhir.parse(
            Bundle.class,
            get(
                    PRACTITIONER_B,
                    "AllergyIntolerance?_id="
                        + record.substring(record.indexOf('/') + 1)
                        + "&_include=AllergyIntolerance:patient")
                .asString());
    assertThat(included.getEntry())
        .extracting(e -> e.getResource().fhirType())
        .containsExactlyInAnyOrder("AllergyIntolerance", "Patient");

    assertThat(awaitAuditOfB(List.of("history", "include")))
        .containsEntry("history", record)
        .containsEntry("include", P);
  }

  @Test
  @Order(7)
  void rotation_retiresOldGrants_alsoAcrossARestart() throws Exception {
    String before = create(PRACTITIONER_A, allergy(Q, "91936005"));
    PatientWallet rotated = PatientWallet.generate(Q);
    send(
            PATIENT_Q,
            registration(rotated, rotated.registrationProof(), qWallet.rotationProof(rotated)))
        .post("/$register-keys")
        .then()
        .statusCode(200);
    qWallet = rotated;

    gateway.stop();
    gateway.start();
    String after = create(PRACTITIONER_A, allergy(Q, "300916003"));

    java.util.Set<String> old = grantIds(before);
    java.util.Set<String> fresh = grantIds(after);
    assertThat(old).hasSize(2);
    assertThat(fresh).hasSize(2);
    // A's grant stays; Q's data key goes under a new grant, wrapped for the rotated key.
    assertThat(java.util.Set.copyOf(fresh)).isNotEqualTo(old);
    assertThat(fresh.stream().filter(old::contains)).hasSize(1);
  }

  @Test
  @Order(8)
  void dataWrittenBeforeTheWalletExisted_isReleasableWithTheWallet() throws Exception {
    String old = create(PRACTITIONER_A, allergy(P, "418689008"));
    PatientWallet wallet = PatientWallet.generate(P);
    send(PATIENT_P, registration(wallet, wallet.registrationProof(), null))
        .post("/$register-keys")
        .then()
        .statusCode(200);

    Consent request =
        ConsentRequests.withResourceTypes(
            ConsentRequests.withActions(ConsentRequests.proposal(P, REGISTRAR), "access"),
            "AllergyIntolerance");
    String consent = create("demo-registrar", request);
    Consent active =
        Fhir.parse(Consent.class, get(PATIENT_P, consent).asString())
            .setStatus(Consent.ConsentState.ACTIVE);
    send(PATIENT_P, ConsentDecisions.signed(wallet, gateway.fhirBase(), consent, active, 1))
        .post("/")
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);

    Response held = get(PATIENT_P, consent + "/$wrapped-keys");
    held.then().statusCode(200);
    Parameters.ParametersParameterComponent release =
        Fhir.parse(Parameters.class, held.asString()).getParameter("release");
    java.util.List<String> opened = new java.util.ArrayList<>();
    for (PatientWallet.HeldKey key : KeyReleases.heldKeys(release)) {
      wallet.unwrap(key); // throws if the grant was wrapped only for the custodial key
      opened.add(key.reference());
    }
    assertThat(opened).anyMatch(reference -> reference.startsWith(old + "/_history/"));
  }

  @Test
  @Order(9)
  void conditionalCreates_racingWithTheSameCriteria_createOneResource() throws Exception {
    String marker = java.util.UUID.randomUUID().toString();
    org.hl7.fhir.r4.model.Practitioner practitioner = new org.hl7.fhir.r4.model.Practitioner();
    practitioner.addIdentifier().setSystem("urn:example:race").setValue(marker);
    String body = Fhir.json().encodeResourceToString(practitioner);
    java.util.concurrent.ExecutorService clients =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      java.util.List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        statuses.add(
            clients.submit(
                () ->
                    Fhir.as(gateway, PRACTITIONER_A)
                        .contentType(Fhir.JSON_TYPE)
                        .header("If-None-Exist", "identifier=urn:example:race|" + marker)
                        .body(body)
                        .post("/Practitioner")
                        .statusCode()));
      }
      java.util.List<Integer> answers = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<Integer> status : statuses) {
        answers.add(status.get());
      }
      assertThat(answers).containsOnly(200, 201).containsOnlyOnce(201);
    } finally {
      clients.shutdownNow();
    }
    Bundle found =
        Fhir.parse(
            Bundle.class,
            get(PRACTITIONER_A, "Practitioner?identifier=urn:example:race|" + marker).asString());
    assertThat(found.getEntry()).hasSize(1);
  }

  /** The grant ids a version's data key is wrapped under, from its canonical ledger entry. */
  private static java.util.Set<String> grantIds(String reference) {
    Response response = get(PRACTITIONER_A, reference + "/_history/1/$verify");
    response.then().statusCode(200);
    byte[] entry = LedgerProof.of(Fhir.parse(Parameters.class, response.asString())).entry();
    java.util.regex.Matcher grants =
        java.util.regex.Pattern.compile("g-[A-Za-z0-9_-]{22}")
            .matcher(new String(entry, java.nio.charset.StandardCharsets.ISO_8859_1));
    java.util.Set<String> ids = new java.util.TreeSet<>();
    while (grants.find()) {
      ids.add(grants.group());
    }
    return ids;
  }

  /** B's logged actions (subtype display) and the first entity each names, once all are there. */
  private static java.util.Map<String, String> awaitAuditOfB(List<String> actions) {
    long deadline = System.currentTimeMillis() + 10_000;
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    while (System.currentTimeMillis() < deadline && !seen.keySet().containsAll(actions)) {
      Bundle log =
          Fhir.parse(
              Bundle.class, get(PATIENT_P, "AuditEvent?patient=" + P + "&_count=1000").asString());
      for (Bundle.BundleEntryComponent entry : log.getEntry()) {
        AuditEvent event = (AuditEvent) entry.getResource();
        if (event.getAgentFirstRep().getWho().getReference().equals(B)) {
          String reference = event.getEntityFirstRep().getWhat().getReference();
          seen.putIfAbsent(
              event.getSubtypeFirstRep().getDisplay(),
              reference.contains("/_history/")
                  ? reference.substring(0, reference.indexOf("/_history/"))
                  : reference);
        }
      }
      pause();
    }
    return seen;
  }

  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Parameters registration(PatientWallet keys, String proof, String rotation) {
    return rotation == null
        ? KeyRegistrations.registration(keys, proof)
        : KeyRegistrations.rotation(keys, proof, rotation);
  }

  /** B asks P for these resource types (read access). */
  private static String propose(List<String> types) {
    return create(
        PRACTITIONER_B,
        ConsentRequests.withResourceTypes(proposal("access"), types.toArray(String[]::new)));
  }

  /** B asks P for allergies with the given consent actions. */
  private static String propose(String... actions) {
    return create(PRACTITIONER_B, ConsentRequests.withCategories(proposal(actions), "allergies"));
  }

  private static Consent proposal(String... actions) {
    return ConsentRequests.withActions(ConsentRequests.proposal(P, B), actions);
  }

  private static String approve(String consent) {
    return setStatus(consent, Consent.ConsentState.ACTIVE);
  }

  private static void revoke(String consent) {
    setStatus(consent, Consent.ConsentState.INACTIVE);
  }

  private static String setStatus(String consent, Consent.ConsentState status) {
    Consent current = Fhir.parse(Consent.class, get(PATIENT_P, consent).asString());
    current.setStatus(status);
    send(PATIENT_P, current).put("/" + consent).then().log().ifValidationFails().statusCode(200);
    return consent;
  }

  private static AllergyIntolerance allergy(String patient, String snomed) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setPatient(new Reference(patient));
    allergy
        .getClinicalStatus()
        .addCoding()
        .setSystem("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical")
        .setCode("active");
    allergy.getCode().addCoding().setSystem("http://snomed.info/sct").setCode(snomed);
    return allergy;
  }

  private static Bundle bundle(Bundle.BundleType type, Resource resource) {
    Bundle bundle = new Bundle().setType(type);
    Bundle.BundleEntryComponent entry = bundle.addEntry().setResource(resource);
    if (resource.hasIdElement() && resource.getIdElement().hasIdPart()) {
      entry.setFullUrl(gateway.fhirBase() + "/" + resource.getIdElement().getValue());
      entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(resource.getIdElement().getValue());
    } else {
      entry.setFullUrl("urn:uuid:" + java.util.UUID.randomUUID());
      entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(resource.fhirType());
    }
    return bundle;
  }

  private static Bundle deletion(Bundle.BundleType type, String reference) {
    Bundle bundle = new Bundle().setType(type);
    bundle.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(reference);
    return bundle;
  }

  private static String create(String client, Resource resource) {
    return Fhir.relativeId(
        send(client, resource)
            .post("/" + resource.fhirType())
            .then()
            .log()
            .ifValidationFails()
            .statusCode(201)
            .extract()
            .header("Location"));
  }

  private static Response get(String client, String path) {
    return Fhir.as(gateway, client).get("/" + path);
  }

  private static void status(String client, String path, int status) {
    get(client, path).then().log().ifValidationFails().statusCode(status);
  }

  private static String version(String client, String path) {
    Response response = get(client, path);
    response.then().statusCode(200);
    return Fhir.parse(AllergyIntolerance.class, response.asString()).getMeta().getVersionId();
  }

  /** 403 with an OperationOutcome, as every refusal. */
  private static void expectRefused(Response response) {
    response.then().log().ifValidationFails().statusCode(403);
    Fhir.assertOperationOutcome(response);
  }

  private static RequestSpecification send(String client, Resource resource) {
    return Fhir.as(gateway, client)
        .contentType(Fhir.JSON_TYPE)
        .body(Fhir.json().encodeResourceToString(resource));
  }
}
