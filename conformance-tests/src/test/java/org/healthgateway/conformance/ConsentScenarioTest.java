package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.conformance.GatewayProcess.PATIENT_P;
import static org.healthgateway.conformance.GatewayProcess.PATIENT_Q;
import static org.healthgateway.conformance.GatewayProcess.PRACTITIONER_A;
import static org.healthgateway.conformance.GatewayProcess.PRACTITIONER_B;

import com.nimbusds.jose.jwk.JWK;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.healthgateway.fixtures.ConsentDecisions;
import org.healthgateway.fixtures.ConsentRequests;
import org.healthgateway.fixtures.KeyRegistrations;
import org.healthgateway.fixtures.KeyReleases;
import org.healthgateway.keys.wallet.PatientWallet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The seed's scenario over HTTP: practitioner A writes for patient P; practitioner B asks for
 * allergies and operations; P approves with its own wallet key and releases the keys; B reads
 * exactly that; new data reaches B at once; P revokes; P's audit log shows B's reads.
 */
@Order(25)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class ConsentScenarioTest {
  private static final String P = "Patient/demo-patient-p";
  private static final String REGISTRAR = "demo-registrar";
  private static final String B = "Practitioner/demo-practitioner-b";
  private static final String CATEGORY_SYSTEM =
      "https://healthgateway.org/fhir/CodeSystem/data-category";

  private static GatewayProcess gateway;
  private static PatientWallet wallet;
  private static String allergy;
  private static String procedure;
  private static String labReport;
  private static String consentId;
  private static final List<PatientWallet.HeldKey> releasedKeys = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayProcess.create("consent").start();
    wallet = PatientWallet.generate(P);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  @Order(1)
  void patient_registersWalletKeys_withProofOfPossession() throws Exception {
    Parameters forged =
        KeyRegistrations.registration(PatientWallet.generate(P), wallet.registrationProof());
    post(PATIENT_P, "/$register-keys", forged, 403);

    Parameters registration = KeyRegistrations.registration(wallet);
    post(PATIENT_P, "/$register-keys", registration, 200);
  }

  @Test
  @Order(2)
  void practitionerA_writesAllergyOperationAndLab() {
    allergy = create(PRACTITIONER_A, allergy("91936005", "Allergy to penicillin"));
    Procedure p = new Procedure();
    p.setStatus(Procedure.ProcedureStatus.COMPLETED);
    p.setSubject(new Reference(P));
    p.setCode(
        new CodeableConcept(new Coding("http://snomed.info/sct", "80146002", "Appendectomy")));
    procedure = create(PRACTITIONER_A, p);
    DiagnosticReport r = new DiagnosticReport();
    r.setStatus(DiagnosticReport.DiagnosticReportStatus.FINAL);
    r.setSubject(new Reference(P));
    r.addCategory(
        new CodeableConcept(
            new Coding("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")));
    r.setCode(new CodeableConcept(new Coding("http://loinc.org", "58410-2", "CBC panel")));
    labReport = create(PRACTITIONER_A, r);

    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + allergy)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);
    // Nor can B overwrite it, directly or inside a transaction.
    AllergyIntolerance overwrite = allergy("91936005", "Allergy to penicillin");
    overwrite.setId(allergy);
    put(PRACTITIONER_B, "/" + allergy, overwrite, 403);
    Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    tx.addEntry()
        .setResource(overwrite)
        .setFullUrl(gateway.fhirBase() + "/" + allergy)
        .getRequest()
        .setMethod(Bundle.HTTPVerb.PUT)
        .setUrl(allergy);
    post(PRACTITIONER_B, "/", tx, 403);
  }

  @Test
  @Order(3)
  void proposals_byPatientOrMalformed_areRefused() {
    post(PATIENT_P, "/Consent", request(P, "allergies"), 403);
    Consent noActor = request(B, "allergies");
    noActor.getProvision().getActor().clear();
    post(PRACTITIONER_B, "/Consent", noActor, 422);
  }

  @Test
  @Order(4)
  void practitionerB_asksForAllergiesAndOperations() {
    String categories =
        Fhir.as(gateway, PRACTITIONER_B)
            .get("/CodeSystem/data-category")
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(categories).contains("\"allergies\"", "\"operations\"", "\"vital-signs\"");
    Fhir.as(gateway, PRACTITIONER_B).get("/ValueSet/data-category").then().statusCode(200);
    consentId =
        Fhir.relativeId(
            send(PRACTITIONER_B, request(B, "allergies", "operations"))
                .post("/Consent")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201)
                .extract()
                .header("Location"));
    Consent seen = get(Consent.class, PATIENT_P, "/" + consentId);
    assertThat(seen.getStatus()).isEqualTo(Consent.ConsentState.PROPOSED);
  }

  @Test
  @Order(5)
  void approvals_notByThePatientOrNotSigned_areRefused() throws Exception {
    Consent proposed = current();
    Consent active = proposed.copy().setStatus(Consent.ConsentState.ACTIVE);
    put(PRACTITIONER_B, "/" + consentId, active, 403);
    put(PATIENT_Q, "/" + consentId, active, 403);
    put(PATIENT_P, "/" + consentId, active, 422);
    String forged = PatientWallet.generate(P).sign(canonical(active, 1));
    approve(active, forged).then().log().ifValidationFails().statusCode(403);
    Consent widened = ConsentRequests.withCategories(active.copy(), "diagnostic-reports");
    approve(widened, wallet.sign(canonical(active, 1)))
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);
    assertThat(current().getStatus()).isEqualTo(Consent.ConsentState.PROPOSED);
  }

  @Test
  @Order(6)
  void patient_approvesWithWallet_andReleasesExistingKeys() throws Exception {
    Consent active = current().setStatus(Consent.ConsentState.ACTIVE);
    approve(active, wallet.sign(canonical(active, 1)))
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    assertThat(current().getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);

    Parameters.ParametersParameterComponent release = wrappedKeys(consentId);
    String actor = value(release, "actor");
    JWK actorKey = JWK.parse(value(release, "actorKey"));
    List<PatientWallet.HeldKey> keys = KeyReleases.heldKeys(release);
    assertThat(actor).isEqualTo(B);
    assertThat(keys)
        .extracting(PatientWallet.HeldKey::reference)
        .containsExactlyInAnyOrder(allergy + "/_history/1", procedure + "/_history/1");
    releasedKeys.addAll(keys);

    PatientWallet.HeldKey outOfScope =
        new PatientWallet.HeldKey(
            labReport + "/_history/1", keys.get(0).grantJwe(), keys.get(0).wrappedDataKey());
    List<PatientWallet.HeldKey> tooMuch = new ArrayList<>(keys);
    tooMuch.add(outOfScope);
    PatientWallet.SignedRelease greedy = wallet.release(consentId, actor, actorKey, tooMuch);
    postRelease(greedy).then().log().ifValidationFails().statusCode(403);

    PatientWallet.SignedRelease signed = wallet.release(consentId, actor, actorKey, keys);
    PatientWallet.SignedRelease forgedSignature =
        new PatientWallet.SignedRelease(
            signed.statement(), PatientWallet.generate(P).sign(signed.statement()));
    postRelease(forgedSignature).then().log().ifValidationFails().statusCode(403);
    postRelease(signed).then().log().ifValidationFails().statusCode(200);
  }

  @Test
  @Order(7)
  void practitionerB_readsExactlyTheReleasedCategories() {
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + allergy)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + procedure)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    Response lab = Fhir.as(gateway, PRACTITIONER_B).get("/" + labReport);
    assertThat(lab.statusCode()).isEqualTo(403);
    Fhir.assertOperationOutcome(lab);

    assertThat(count("/AllergyIntolerance?patient=" + P)).isEqualTo(1);
    assertThat(count("/Procedure?patient=" + P)).isEqualTo(1);
    assertThat(count("/DiagnosticReport?patient=" + P)).isZero();
    Bundle everything = get(Bundle.class, PRACTITIONER_B, "/" + P + "/$everything");
    assertThat(everything.getEntry())
        .extracting(
            e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
        // and B's own request, whose every version its proposer reads
        .containsExactlyInAnyOrder(allergy, procedure, consentId);
    Bundle withInclude =
        get(
            Bundle.class,
            PRACTITIONER_B,
            "/AllergyIntolerance?patient=" + P + "&_include=AllergyIntolerance:patient");
    assertThat(withInclude.getEntry())
        .extracting(e -> e.getResource().fhirType())
        .containsOnly("AllergyIntolerance");
  }

  @Test
  @Order(8)
  void newAllergy_afterApproval_isReadableByB_atOnce() {
    String newer = create(PRACTITIONER_A, allergy("300913006", "Shellfish allergy"));
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + newer)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    assertThat(count("/AllergyIntolerance?patient=" + P)).isEqualTo(2);
    // _revinclude: the patient sees the access log entries of the allergy, B does not.
    String byId =
        "/AllergyIntolerance?_id="
            + allergy.substring(allergy.indexOf('/') + 1)
            + "&_revinclude=AuditEvent:entity";
    Bundle asB =
        Fhir.parse(
            Bundle.class,
            Fhir.as(gateway, PRACTITIONER_B).get(byId).then().statusCode(200).extract().asString());
    assertThat(asB.getEntry())
        .extracting(e -> e.getResource().fhirType())
        .containsOnly("AllergyIntolerance");
    Bundle asP =
        Fhir.parse(
            Bundle.class,
            Fhir.as(gateway, PATIENT_P).get(byId).then().statusCode(200).extract().asString());
    assertThat(asP.getEntry())
        .extracting(e -> e.getResource().fhirType())
        .contains("AllergyIntolerance", "AuditEvent");
    Bundle withPatient =
        Fhir.parse(
            Bundle.class,
            Fhir.as(gateway, PATIENT_P)
                .get("/AllergyIntolerance?patient=" + P + "&_include=AllergyIntolerance:patient")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertThat(withPatient.getEntry())
        .extracting(e -> e.getResource().fhirType())
        .contains("AllergyIntolerance", "Patient");
  }

  @Test
  @Order(9)
  void patient_revokes_andBIsRefusedAgain() {
    Consent inactive = ConsentDecisions.revocation(current());
    put(PATIENT_P, "/" + consentId, inactive, 200);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + allergy)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);
    assertThat(count("/AllergyIntolerance?patient=" + P)).isZero();
    Bundle history = get(Bundle.class, PATIENT_P, "/" + consentId + "/_history");
    assertThat(history.getEntry())
        .extracting(e -> ((Consent) e.getResource()).getStatus())
        .containsExactly(
            Consent.ConsentState.INACTIVE,
            Consent.ConsentState.ACTIVE,
            Consent.ConsentState.PROPOSED);
  }

  @Test
  @Order(10)
  void nestedDeny_inAnotherActiveConsent_blocksKeysAlreadyReleased() throws Exception {
    String permitId = propose(request(B, "diagnostic-reports"));
    approveAndRelease(permitId, current(permitId).setStatus(Consent.ConsentState.ACTIVE));
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + labReport)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);

    // The patient narrows what B asked for when approving: a deny nested in the permit.
    String deniedId = propose(request(B, "diagnostic-reports"));
    Consent deniedActive = current(deniedId).setStatus(Consent.ConsentState.ACTIVE);
    Consent.ProvisionComponent deny = deniedActive.getProvision().addProvision();
    deny.setType(Consent.ConsentProvisionType.DENY);
    deny.addCode(new CodeableConcept(new Coding(CATEGORY_SYSTEM, "diagnostic-reports", null)));
    approve(deniedId, deniedActive, wallet.sign(canonical(deniedActive, 1)))
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + labReport)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);

    revoke(deniedId);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + labReport)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    revoke(permitId);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + labReport)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);
  }

  @Test
  @Order(11)
  void consentPeriod_whenOver_stopsServingReleasedKeys() throws Exception {
    Consent shortLived = request(B, "diagnostic-reports");
    long end = System.currentTimeMillis() + 8_000;
    shortLived.getProvision().setPeriod(new Period().setStart(new Date(0)).setEnd(new Date(end)));
    String id = propose(shortLived);
    approveAndRelease(id, current(id).setStatus(Consent.ConsentState.ACTIVE));
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + labReport)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    Thread.sleep(Math.max(0, end - System.currentTimeMillis()) + 1_500);
    Response late = Fhir.as(gateway, PRACTITIONER_B).get("/" + labReport);
    assertThat(late.statusCode()).isEqualTo(403);
    assertThat(Fhir.outcomeText(Fhir.assertOperationOutcome(late))).contains("period");
  }

  @Test
  @Order(14)
  void custodialPatient_approving_releasesExistingDataWithoutAWallet() {
    String qAllergy =
        Fhir.relativeId(
            Fhir.as(gateway, PRACTITIONER_A)
                .contentType(Fhir.JSON_TYPE)
                .body(
                    encode(
                        allergy("91936005", "Allergy to penicillin")
                            .setPatient(new Reference("Patient/demo-patient-q"))))
                .post("/AllergyIntolerance")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201)
                .extract()
                .header("Location"));
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + qAllergy)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);
    Consent forQ = request(B, "allergies").setPatient(new Reference("Patient/demo-patient-q"));
    String id = propose(forQ);
    Consent active = current(id, PATIENT_Q).setStatus(Consent.ConsentState.ACTIVE);
    put(PATIENT_Q, "/" + id, active, 200);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + qAllergy)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
  }

  @Test
  @Order(15)
  void registrar_actsForCustodialPatient_onlyWithARecordedProvenance() {
    Procedure p = new Procedure();
    p.setStatus(Procedure.ProcedureStatus.COMPLETED);
    p.setSubject(new Reference("Patient/demo-patient-q"));
    p.setCode(
        new CodeableConcept(new Coding("http://snomed.info/sct", "80146002", "Appendectomy")));
    String qProcedure = create(PRACTITIONER_A, p);
    Consent forQ = request(B, "operations").setPatient(new Reference("Patient/demo-patient-q"));
    String id = propose(forQ);
    Consent active = current(id, PATIENT_Q).setStatus(Consent.ConsentState.ACTIVE);
    put(REGISTRAR, "/" + id, active, 422);
    Fhir.as(gateway, PRACTITIONER_B).get("/" + qProcedure).then().statusCode(403);

    Bundle bundle =
        ConsentDecisions.onBehalfOf(
            gateway.fhirBase(),
            id,
            active,
            "Practitioner/demo-registrar",
            "Patient/demo-patient-q");
    post(REGISTRAR, "/", bundle, 200);
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/" + qProcedure)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    Bundle provenances =
        Fhir.parse(
            Bundle.class,
            Fhir.as(gateway, PATIENT_Q)
                .get("/Provenance?patient=Patient/demo-patient-q")
                .then()
                .statusCode(200)
                .extract()
                .asString());
    assertThat(provenances.getEntry())
        .anySatisfy(
            e ->
                assertThat(
                        ((Provenance) e.getResource())
                            .getAgentFirstRep()
                            .getOnBehalfOf()
                            .getReference())
                    .isEqualTo("Patient/demo-patient-q"));
    // A registrar cannot act for a patient who holds its own keys.
    Consent forP = request(B, "operations");
    String pId =
        Fhir.relativeId(
            send(PRACTITIONER_B, forP)
                .post("/Consent")
                .then()
                .statusCode(201)
                .extract()
                .header("Location"));
    Consent pActive = current(pId).setStatus(Consent.ConsentState.ACTIVE);
    put(REGISTRAR, "/" + pId, pActive, 403);
  }

  @Test
  @Order(12)
  void patientsAuditLog_showsEachOfBsReads() {
    Bundle log = awaitAudit();
    List<AuditEvent> byB =
        log.getEntry().stream()
            .map(e -> (AuditEvent) e.getResource())
            .filter(e -> e.getAgentFirstRep().getWho().getReference().equals(B))
            .toList();
    assertThat(byB)
        .anySatisfy(
            e -> {
              assertThat(e.getEntityFirstRep().getWhat().getReference()).startsWith(allergy);
              assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            });
    assertThat(byB)
        .anySatisfy(
            e -> {
              assertThat(e.getEntityFirstRep().getWhat().getReference()).startsWith(labReport);
              assertThat(e.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
            });
    assertThat(byB)
        .anySatisfy(
            e -> assertThat(e.getEntityFirstRep().getWhat().getReference()).startsWith(consentId));
    // An event may cover several accesses (a search, or reads in one 200 ms window): each names
    // the versions it covers, the Consents that granted them, then the patient, and when they
    // happened.
    assertThat(byB)
        .allSatisfy(
            e -> {
              List<AuditEvent.AuditEventEntityComponent> entities = e.getEntity();
              assertThat(entities.get(entities.size() - 1).getWhat().getReference()).isEqualTo(P);
              assertThat(entities.subList(0, entities.size() - 1))
                  .isNotEmpty()
                  .allSatisfy(
                      entity ->
                          assertThat(
                                  "version".equals(entity.getDetailFirstRep().getType())
                                      || !entity.hasWhat()
                                      || entity.getWhat().getReference().startsWith("Consent/"))
                              .isTrue());
              assertThat(e.getPeriod().getStart()).isNotNull();
              assertThat(e.getPeriod().getEnd()).isAfterOrEqualTo(e.getPeriod().getStart());
            });
    assertThat(byB)
        .anySatisfy(
            e -> {
              assertThat(e.getEntityFirstRep().getWhat().getReference()).startsWith(allergy);
              assertThat(e.getEntity())
                  .extracting(entity -> entity.getWhat().getReference())
                  .contains(consentId);
            });
    // B is no auditor: another patient's access log is refused, not shown empty.
    Fhir.as(gateway, PRACTITIONER_B)
        .get("/AuditEvent?patient=" + P)
        .then()
        .log()
        .ifValidationFails()
        .statusCode(403);
  }

  @Test
  @Order(16)
  void ledger_afterScenario_verifies_andHoldsNoDataKeyInClear() throws Exception {
    gateway.stop();
    assertThat(GatewayProcess.verifyOffline(gateway.dataDir()).exitCode()).isZero();
    List<byte[]> dataKeys = new ArrayList<>();
    for (PatientWallet.HeldKey key : releasedKeys) {
      dataKeys.add(wallet.unwrap(key).getEncoded());
    }
    assertThat(dataKeys).isNotEmpty();
    try (Stream<Path> files = Files.walk(gateway.dataDir())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        for (byte[] key : dataKeys) {
          assertThat(indexOf(bytes, key)).as("data key in clear in " + file).isEqualTo(-1);
          assertThat(indexOf(bytes, Base64.getEncoder().encode(key)))
              .as("data key in base64 in " + file)
              .isEqualTo(-1);
        }
      }
    }
  }

  private static Bundle awaitAudit() {
    long deadline = System.currentTimeMillis() + 10_000;
    Bundle log;
    do {
      log = get(Bundle.class, PATIENT_P, "/AuditEvent?patient=" + P + "&_count=1000");
      if (log.getEntry().size() >= 3) {
        return log;
      }
      sleep();
    } while (System.currentTimeMillis() < deadline);
    return log;
  }

  private static void sleep() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Consent request(String actor, String... categories) {
    return ConsentRequests.withCategories(ConsentRequests.proposal(P, actor), categories);
  }

  private static void approveAndRelease(String id, Consent active) throws Exception {
    approve(id, active, wallet.sign(canonical(active, 1)))
        .then()
        .log()
        .ifValidationFails()
        .statusCode(200);
    Parameters.ParametersParameterComponent release = wrappedKeys(id);
    JWK actorKey = JWK.parse(value(release, "actorKey"));
    List<PatientWallet.HeldKey> keys = KeyReleases.heldKeys(release);
    PatientWallet.SignedRelease signed = wallet.release(id, B, actorKey, keys);
    postRelease(id, signed).then().log().ifValidationFails().statusCode(200);
  }

  private static Parameters.ParametersParameterComponent wrappedKeys(String id) {
    Parameters held = get(Parameters.class, PATIENT_P, "/" + id + "/$wrapped-keys");
    return held.getParameter("release");
  }

  private static void revoke(String id) {
    Consent inactive = ConsentDecisions.revocation(current(id));
    put(PATIENT_P, "/" + id, inactive, 200);
  }

  private static String propose(Consent consent) {
    return Fhir.relativeId(
        send(PRACTITIONER_B, consent)
            .post("/Consent")
            .then()
            .log()
            .ifValidationFails()
            .statusCode(201)
            .extract()
            .header("Location"));
  }

  private static Consent current() {
    return current(consentId);
  }

  private static Consent current(String id) {
    return current(id, PATIENT_P);
  }

  private static Consent current(String id, String client) {
    return get(Consent.class, client, "/" + id);
  }

  private static byte[] canonical(Consent consent, long replacedVersion) {
    return ConsentDecisions.canonical(consent, replacedVersion);
  }

  private static Response approve(Consent consent, String jws) {
    return approve(consentId, consent, jws);
  }

  private static Response approve(String id, Consent consent, String jws) {
    return send(
            PATIENT_P, ConsentDecisions.signedTransaction(gateway.fhirBase(), id, consent, P, jws))
        .post("/");
  }

  private static Response postRelease(PatientWallet.SignedRelease release) {
    return postRelease(consentId, release);
  }

  private static Response postRelease(String id, PatientWallet.SignedRelease release) {
    return send(PATIENT_P, KeyReleases.release(release)).post("/" + id + "/$release");
  }

  private static String value(Parameters.ParametersParameterComponent part, String name) {
    return Fhir.partValue(part, name);
  }

  private static int count(String query) {
    Bundle bundle =
        get(
            Bundle.class,
            PRACTITIONER_B,
            query + (query.contains("?") ? "&" : "?") + "_summary=count");
    return bundle.getTotal();
  }

  private static AllergyIntolerance allergy(String code, String display) {
    AllergyIntolerance a = new AllergyIntolerance();
    a.setPatient(new Reference(P));
    a.setClinicalStatus(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "active",
                null)));
    a.setCode(new CodeableConcept(new Coding("http://snomed.info/sct", code, display)));
    return a;
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

  /** Sends {@code resource} as {@code client} with PUT to {@code path}; expects {@code status}. */
  private static void put(String client, String path, Resource resource, int status) {
    send(client, resource).put(path).then().log().ifValidationFails().statusCode(status);
  }

  /** Sends {@code resource} as {@code client} with POST to {@code path}; expects {@code status}. */
  private static void post(String client, String path, Resource resource, int status) {
    send(client, resource).post(path).then().log().ifValidationFails().statusCode(status);
  }

  /** GETs {@code path} as {@code client}, expects 200, and parses the body. */
  private static <T extends IBaseResource> T get(Class<T> type, String client, String path) {
    return Fhir.parse(
        type,
        Fhir.as(gateway, client)
            .get(path)
            .then()
            .log()
            .ifValidationFails()
            .statusCode(200)
            .extract()
            .asString());
  }

  private static RequestSpecification send(String client, Resource resource) {
    return Fhir.as(gateway, client).contentType(Fhir.JSON_TYPE).body(encode(resource));
  }

  private static String encode(Resource resource) {
    return Fhir.json().encodeResourceToString(resource);
  }
}
