package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.concurrent.TimeUnit;
import org.healthgateway.fixtures.ConsentRequests;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The patient app and the practitioner app in Debian's Chromium (playwright-core, {@code
 * src/test/browser/consent-loop.mjs}), two browser contexts at once against the packaged gateway:
 * the practitioner asks, the patient sees the request arrive live and approves two of three
 * categories, the practitioner reads exactly those, the patient revokes and the practitioner loses
 * access at once, the access log lists the reads; a rejection, an expired consent, a lost network
 * and a wrong recovery password each show their message; axe-core finds no serious or critical
 * violation. Screenshots of every step go to {@code target/web-apps/}; the figures (ask to seen,
 * approve to read, transfer size) to {@code target/web-apps/figures.json}.
 */
class WebAppsTest {
  private static final String P = "Patient/" + GatewayProcess.PATIENT_P;
  private static final String Q = "Patient/" + GatewayProcess.PATIENT_Q;
  private static final String B = "Practitioner/" + GatewayProcess.PRACTITIONER_B;
  private static final Path BROWSER_TESTS = Paths.get("src/test/browser");

  private static GatewayProcess gateway;

  @BeforeAll
  static void start() {
    gateway = GatewayProcess.create("web-apps").start();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  @Test
  void consentLoop_inTwoBrowsers_asItsUsersSeeIt() throws Exception {
    seedRecordsOfP();
    expiredConsentOfQ();
    Path out = GatewayProcess.targetDir().resolve("web-apps");
    Files.createDirectories(out);
    ProcessBuilder builder =
        new ProcessBuilder("node", "consent-loop.mjs")
            .directory(BROWSER_TESTS.toFile())
            .redirectErrorStream(true);
    builder.environment().put("GATEWAY_URL", gateway.baseUrl());
    builder.environment().put("SECRETS_DIR", gateway.secretsDir().toAbsolutePath().toString());
    builder.environment().put("OUT_DIR", out.toAbsolutePath().toString());
    builder.environment().put("CHROMIUM", chromium());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).as("browser run finished").isTrue();
    assertThat(process.exitValue())
        .as("browser run (screenshots in %s):%n%s%ngateway log: %s", out, output, gateway.logFile())
        .isZero();
    String figures =
        output.lines().filter(l -> l.startsWith("FIGURES ")).findFirst().orElseThrow().substring(8);
    Files.writeString(out.resolve("figures.json"), figures + "\n");
    System.out.println(output);
    // What the browsers showed is what the server holds: B's access ended with the revocation.
    String allergies =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_B)
            .get("/AllergyIntolerance?patient=" + P)
            .then()
            .statusCode(200)
            .extract()
            .asString();
    assertThat(allergies).doesNotContain("penicillin");
  }

  private static void seedRecordsOfP() {
    post(
        "AllergyIntolerance",
        """
        {"resourceType":"AllergyIntolerance","patient":{"reference":"%s"},
         "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Allergy to penicillin"}]}}"""
            .formatted(P));
    post(
        "Procedure",
        """
        {"resourceType":"Procedure","status":"completed","subject":{"reference":"%s"},
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"80146002","display":"Appendectomy"}]},
         "performedDateTime":"2026-11-02"}"""
            .formatted(P));
    post(
        "Observation",
        """
        {"resourceType":"Observation","status":"final","subject":{"reference":"%s"},
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"718-7","display":"Hemoglobin"}]},
         "effectiveDateTime":"2026-11-03","valueQuantity":{"value":13.5,"unit":"g/dL","system":"http://unitsofmeasure.org","code":"g/dL"}}"""
            .formatted(P));
  }

  /** B asked Q for allergies until yesterday, and Q (custodial) approved: expired today. */
  private static void expiredConsentOfQ() {
    Consent proposal = ConsentRequests.withCategories(ConsentRequests.proposal(Q, B), "allergies");
    proposal
        .getProvision()
        .getPeriod()
        .setEndElement(new DateTimeType(LocalDate.now().minusDays(1).toString()));
    String location =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_B)
            .contentType(Fhir.JSON_TYPE)
            .body(Fhir.json().encodeResourceToString(proposal))
            .post("/Consent")
            .then()
            .statusCode(201)
            .extract()
            .header("Location");
    String id = location.substring(location.indexOf("Consent/"), location.indexOf("/_history"));
    Consent current =
        Fhir.parse(
            Consent.class,
            Fhir.as(gateway, GatewayProcess.PATIENT_Q)
                .get("/" + id)
                .then()
                .statusCode(200)
                .extract()
                .asString());
    current.setStatus(Consent.ConsentState.ACTIVE);
    Fhir.as(gateway, GatewayProcess.PATIENT_Q)
        .contentType(Fhir.JSON_TYPE)
        .header("If-Match", "W/\"1\"")
        .body(Fhir.json().encodeResourceToString(current))
        .put("/" + id)
        .then()
        .statusCode(200);
  }

  private static void post(String type, String json) {
    Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
        .contentType(Fhir.JSON_TYPE)
        .body(json)
        .post("/" + type)
        .then()
        .statusCode(201);
  }

  /** Debian's chromium (what {@code .ci/run} installs), or {@code CHROMIUM}. */
  private static String chromium() throws IOException {
    String configured = System.getenv("CHROMIUM");
    Path path =
        Paths.get(configured == null || configured.isBlank() ? "/usr/bin/chromium" : configured);
    assertThat(path)
        .as(
            "Chromium for the browser tests: apt-get install chromium (.ci/run does), or set CHROMIUM")
        .isExecutable();
    return path.toRealPath().toString();
  }
}
