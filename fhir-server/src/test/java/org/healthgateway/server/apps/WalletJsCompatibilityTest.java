package org.healthgateway.server.apps;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.internal.AesKeyWrapper;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.wallet.ReleaseStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The patient app's wallet ({@code src/main/web/patient/wallet.js}, as built into {@code
 * static/apps}) run in Node with WebCrypto, checked with the gateway's own code: what the browser
 * signs verifies with {@link Signatures}, its canonical form of an approved Consent is byte for
 * byte the gateway's ({@link ConsentEngine#canonicalForm}), its release statements parse as {@link
 * ReleaseStatement} and their re-wrapped data keys open to the very keys the broker wrapped for the
 * patient, for an EC and an RSA-3072 recipient.
 */
class WalletJsCompatibilityTest {
  private static final String PATIENT = "Patient/p-compat";
  private static final String CATEGORY_SYSTEM =
      "https://healthgateway.org/fhir/CodeSystem/data-category";
  private static final FhirContext FHIR = FhirContext.forR4Cached();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path temp;

  private static ECKey patientEncryption;
  private static ECKey patientSigning;
  private static ECKey ecActor;
  private static RSAKey rsaActor;
  private static final List<SecretKey> DATA_KEYS = new ArrayList<>();
  private static JsonNode output;

  @BeforeAll
  static void runWalletInNode() throws Exception {
    patientEncryption = KeyPairs.generateEc();
    patientSigning = KeyPairs.generateEc();
    ecActor = KeyPairs.generateEc();
    rsaActor = KeyPairs.generateRsa();
    // What $wrapped-keys hands the patient: data keys under two grants wrapped for its key.
    List<Map<String, String>> held = new ArrayList<>();
    for (int grant = 0; grant < 2; grant++) {
      SecretKey grantKey = DataKeys.newDataKey();
      String grantJwe = JweKeyWrapper.create().wrap(patientEncryption.toPublicJWK(), grantKey);
      for (int version = 1; version <= 3; version++) {
        SecretKey dataKey = DataKeys.newDataKey();
        DATA_KEYS.add(dataKey);
        Map<String, String> key = new LinkedHashMap<>();
        key.put("reference", "AllergyIntolerance/a" + grant + "/_history/" + version);
        key.put("grant", grantJwe);
        key.put(
            "dataKey",
            Base64.getEncoder().encodeToString(AesKeyWrapper.create().wrap(grantKey, dataKey)));
        held.add(key);
      }
    }
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("patient", PATIENT);
    input.put("encryptionPrivate", patientEncryption.toJSONObject());
    input.put("signingPrivate", patientSigning.toJSONObject());
    input.put("consent", JSON.readTree(FHIR.newJsonParser().encodeResourceToString(proposal())));
    input.put("replacedVersion", 1);
    input.put("categories", List.of("allergies", "operations"));
    input.put("end", "2027-01-31");
    input.put("consentReference", "Consent/c-compat/_history/2");
    input.put(
        "actors",
        List.of(
            Map.of("actor", "Practitioner/ec", "key", ecActor.toPublicJWK().toJSONObject()),
            Map.of("actor", "Practitioner/rsa", "key", rsaActor.toPublicJWK().toJSONObject())));
    input.put("held", held);
    Path inputFile = temp.resolve("input.json");
    JSON.writeValue(inputFile.toFile(), input);
    output = JSON.readTree(runNode(inputFile));
  }

  @Test
  void keysMadeInTheBrowser_proveTheirPossession() throws Exception {
    JsonNode generated = output.get("generated");
    JWK encryption = JWK.parse(generated.get("encryptionKey").toString());
    JWK signing = JWK.parse(generated.get("signingKey").toString());
    assertThat(encryption.isPrivate()).isFalse();
    assertThat(signing.isPrivate()).isFalse();
    JsonNode claims = JSON.readTree(Signatures.verify(signing, generated.get("proof").asText()));
    assertThat(claims.get("sub").asText()).isEqualTo(PATIENT);
    assertThat(claims.get("enc").asText()).isEqualTo(KeyPairs.thumbprint(encryption));
    assertThat(claims.get("sig").asText()).isEqualTo(KeyPairs.thumbprint(signing));
    assertThat(claims.get("iat").asLong())
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(120L));
  }

  @Test
  void recoveryFile_opensWithItsPasswordOnly_andHoldsNoKeyInClear() {
    JsonNode recovery = output.get("recovery");
    assertThat(recovery.get("sameKeys").asBoolean()).isTrue();
    assertThat(recovery.get("wrongPasswordRefused").asBoolean()).isTrue();
    assertThat(recovery.get("hasPrivateKeyInClear").asBoolean()).isFalse();
  }

  @Test
  void registrationProof_ofImportedKeys_verifies() throws Exception {
    JsonNode claims =
        JSON.readTree(
            Signatures.verify(patientSigning.toPublicJWK(), output.get("proof").asText()));
    assertThat(claims.get("enc").asText()).isEqualTo(KeyPairs.thumbprint(patientEncryption));
  }

  @Test
  void approval_canonicalForm_isTheGatewaysByteForByte_andItsSignatureVerifies() throws Exception {
    Consent approved =
        FHIR.newJsonParser().parseResource(Consent.class, output.get("approved").toString());
    assertThat(approved.getStatus()).isEqualTo(Consent.ConsentState.ACTIVE);
    assertThat(approved.getProvision().getCode())
        .extracting(c -> c.getCodingFirstRep().getCode())
        .containsExactly("allergies", "operations");
    assertThat(approved.getProvision().getPeriod().getEndElement().getValueAsString())
        .isEqualTo("2027-01-31");
    // What the gateway signs over (ConsentChangeRule.canonicalForm): meta = the replaced version.
    Consent copy = approved.copy();
    copy.setMeta(null);
    copy.getMeta().setVersionId("1");
    byte[] gateway = ConsentEngine.canonicalForm(copy, FHIR);
    byte[] browser = Base64.getDecoder().decode(output.get("canonical").asText());
    assertThat(new String(browser, StandardCharsets.UTF_8))
        .isEqualTo(new String(gateway, StandardCharsets.UTF_8));
    assertThat(browser).isEqualTo(gateway);
    Signatures.verifyDetached(
        patientSigning.toPublicJWK(), output.get("approvalSignature").asText(), gateway);
  }

  @Test
  void releases_parse_verify_andOpenToTheBrokersDataKeys() throws Exception {
    Map<String, JWK> actors = Map.of("Practitioner/ec", ecActor, "Practitioner/rsa", rsaActor);
    assertThat(output.get("releases")).hasSize(2);
    for (JsonNode release : output.get("releases")) {
      byte[] bytes = Base64.getDecoder().decode(release.get("statement").asText());
      Signatures.verifyDetached(
          patientSigning.toPublicJWK(), release.get("signature").asText(), bytes);
      ReleaseStatement statement = ReleaseStatement.parse(bytes);
      assertThat(statement.patient()).isEqualTo(PATIENT);
      assertThat(statement.actor()).isEqualTo(release.get("actor").asText());
      assertThat(statement.consent()).isEqualTo("Consent/c-compat/_history/2");
      assertThat(statement.grantId()).startsWith("g-");
      SecretKey grant =
          JweKeyWrapper.create().unwrap(actors.get(statement.actor()), statement.grant());
      assertThat(statement.keys()).hasSize(DATA_KEYS.size());
      for (int i = 0; i < DATA_KEYS.size(); i++) {
        SecretKey opened = AesKeyWrapper.create().unwrap(grant, statement.keys().get(i).dataKey());
        assertThat(opened.getEncoded()).isEqualTo(DATA_KEYS.get(i).getEncoded());
      }
    }
  }

  /** A request as the gateway serves it: meta, narrative, and text HAPI escapes or not. */
  private static Consent proposal() {
    Consent consent = new Consent();
    consent.setId("c-compat");
    consent.getMeta().setVersionId("1").setLastUpdatedElement(InstantType.now());
    Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
    text.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">request</div>");
    consent.setText(text);
    consent.setStatus(Consent.ConsentState.PROPOSED);
    consent.setScope(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
    consent.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", null)));
    consent.setPatient(new Reference(PATIENT).setDisplay("Zoë O'Brien <\"test\"> & \\ / é ✓"));
    consent.setDateTimeElement(new org.hl7.fhir.r4.model.DateTimeType("2026-12-04T10:15:30+01:00"));
    consent.addPolicy().setUri("https://example.org/policy?a=1&b=2");
    Consent.ProvisionComponent provision = consent.getProvision();
    provision.setType(Consent.ConsentProvisionType.PERMIT);
    provision
        .addActor()
        .setRole(
            new CodeableConcept(
                new Coding(
                    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)))
        .setReference(new Reference("Practitioner/ec"));
    provision.addAction(
        new CodeableConcept(
            new Coding("http://terminology.hl7.org/CodeSystem/consentaction", "access", null)));
    provision.addPurpose(
        new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT", "treatment"));
    for (String category : List.of("allergies", "operations", "prescriptions")) {
      provision.addCode(new CodeableConcept(new Coding(CATEGORY_SYSTEM, category, null)));
    }
    return consent;
  }

  private static String runNode(Path inputFile) throws Exception {
    Path apps = Path.of("target/classes/static/apps");
    assertThat(apps.resolve("patient/wallet.js"))
        .as("the web apps are built by the Maven build (generate-resources)")
        .exists();
    Process process =
        new ProcessBuilder(
                "node",
                Path.of("src/test/web/wallet-compat.mjs").toString(),
                apps.toString(),
                inputFile.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] stdout = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("node exit code").isZero();
    return new String(stdout, StandardCharsets.UTF_8);
  }
}
