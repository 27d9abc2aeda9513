package org.healthgateway.bench;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.TimeZone;
import java.util.UUID;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.wallet.PatientWallet;
import org.healthgateway.mappings.DataCategories;
import org.healthgateway.mappings.DataCategory;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Signature;

/**
 * The FHIR messages of the gateway's consent flow, built as ConsentScenarioTest (conformance-tests)
 * sends them: key registration, the vital-signs Observations a round covers, a practitioner's
 * proposal, the patient's signed approval, the signed release; and the reading of {@code
 * $wrapped-keys}.
 */
final class ConsentMessages {

  static final DataCategory CATEGORY = DataCategory.VITAL_SIGNS;

  /** Half the width of a round's {@code provision.dataPeriod} around its data date. */
  private static final long DATA_PERIOD_SLACK_SECONDS = 10;

  private static final String OBSERVATION_CATEGORY =
      "http://terminology.hl7.org/CodeSystem/observation-category";
  private static final String UCUM = "http://unitsofmeasure.org";

  private final FhirContext ctx = FhirContext.forR4Cached();
  private final String fhirBase;

  ConsentMessages(String fhirBase) {
    this.fhirBase = fhirBase;
  }

  byte[] encode(IBaseResource resource) {
    return ctx.newJsonParser().encodeResourceToString(resource).getBytes(StandardCharsets.UTF_8);
  }

  <T extends IBaseResource> T parse(Class<T> type, byte[] body) {
    return ctx.newJsonParser().parseResource(type, new String(body, StandardCharsets.UTF_8));
  }

  /** {@code $register-keys}: the wallet's public keys with its proof of possession. */
  Parameters registration(PatientWallet wallet) throws Exception {
    Parameters parameters = new Parameters();
    parameters.addParameter("encryptionKey", wallet.encryptionPublicKey().toJSONString());
    parameters.addParameter("signingKey", wallet.signingPublicKey().toJSONString());
    parameters.addParameter("proof", wallet.registrationProof());
    return parameters;
  }

  /**
   * A transaction of {@code count} heart-rate Observations (vital signs) of the patient, all dated
   * {@code dataDate}, so that a round's consent can select exactly them by {@code dataPeriod}.
   */
  Bundle observations(String patient, Instant dataDate, int first, int count) {
    Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    for (int i = first; i < first + count; i++) {
      Observation o = new Observation();
      o.setStatus(Observation.ObservationStatus.FINAL);
      o.addCategory(
          new CodeableConcept(new Coding(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")));
      o.setCode(new CodeableConcept(new Coding("http://loinc.org", "8867-4", "Heart rate")));
      o.setSubject(new Reference(patient));
      o.setEffective(seconds(dataDate));
      o.setValue(
          new Quantity().setValue(55 + i % 50).setUnit("/min").setSystem(UCUM).setCode("/min"));
      bundle
          .addEntry()
          .setResource(o)
          .setFullUrl("urn:uuid:" + UUID.randomUUID())
          .getRequest()
          .setMethod(Bundle.HTTPVerb.POST)
          .setUrl("Observation");
    }
    return bundle;
  }

  /**
   * A practitioner's access request: permit {@code actor} to read the patient's vital signs dated
   * within a few seconds of {@code dataDate}.
   */
  Consent proposal(String patient, String actor, Instant dataDate) {
    Consent consent = new Consent();
    consent.setStatus(Consent.ConsentState.PROPOSED);
    consent.setPatient(new Reference(patient));
    consent.setScope(
        new CodeableConcept(
            new Coding(ConsentEngine.CONSENT_SCOPE_SYSTEM, "patient-privacy", null)));
    consent.addCategory(
        new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
    consent.setDateTime(Date.from(Instant.now()));
    consent
        .getPolicyRule()
        .addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", null));
    Consent.ProvisionComponent provision = consent.getProvision();
    provision.setType(Consent.ConsentProvisionType.PERMIT);
    provision
        .addActor()
        .setRole(
            new CodeableConcept(
                new Coding(
                    "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", null)))
        .setReference(new Reference(actor));
    provision.addCode(
        new CodeableConcept(new Coding(DataCategories.CODE_SYSTEM_URL, CATEGORY.code(), null)));
    provision.setDataPeriod(
        new Period()
            .setStartElement(seconds(dataDate.minusSeconds(DATA_PERIOD_SLACK_SECONDS)))
            .setEndElement(seconds(dataDate.plusSeconds(DATA_PERIOD_SLACK_SECONDS))));
    return consent;
  }

  /**
   * The bytes the patient signs to approve: the Consent's canonical form with {@code
   * meta.versionId} set to the version it replaces (ConsentService.requireSignedApproval).
   */
  byte[] canonical(Consent consent, String replacedVersion) {
    Consent copy = consent.copy();
    copy.setMeta(null);
    copy.getMeta().setVersionId(replacedVersion);
    return ConsentEngine.canonicalForm(copy, ctx);
  }

  /** The approval: a transaction of the active Consent and a Provenance signed by the patient. */
  Bundle approval(String consentId, Consent active, String patient, String jws) {
    Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    bundle
        .addEntry()
        .setResource(active)
        .setFullUrl(fhirBase + "/" + consentId)
        .getRequest()
        .setMethod(Bundle.HTTPVerb.PUT)
        .setUrl(consentId);
    Provenance provenance = new Provenance();
    provenance.addTarget(new Reference(consentId));
    provenance.setRecorded(Date.from(Instant.now()));
    provenance.addAgent().setWho(new Reference(patient));
    Signature signature = provenance.addSignature();
    signature.addType(
        new Coding("urn:iso-astm:E1762-95:2013", "1.2.840.10065.1.12.1.1", "Author's Signature"));
    signature
        .setWhen(Date.from(Instant.now()))
        .setWho(new Reference(patient))
        .setSigFormat("application/jose");
    signature.setData(jws.getBytes(StandardCharsets.UTF_8));
    bundle
        .addEntry()
        .setResource(provenance)
        .setFullUrl("urn:uuid:" + UUID.randomUUID())
        .getRequest()
        .setMethod(Bundle.HTTPVerb.POST)
        .setUrl("Provenance");
    return bundle;
  }

  /** {@code $release}: the signed statement (base64) and its detached JWS. */
  Parameters release(PatientWallet.SignedRelease signed) {
    Parameters parameters = new Parameters();
    parameters
        .addParameter()
        .setName("statement")
        .setValue(new Base64BinaryType(signed.statement()));
    parameters.addParameter("signature", signed.signature());
    return parameters;
  }

  /** The {@code release} part of a {@code $wrapped-keys} answer for one actor, if present. */
  static Parameters.ParametersParameterComponent releaseFor(Parameters held, String actor) {
    for (Parameters.ParametersParameterComponent release : held.getParameter()) {
      if (release.getName().equals("release") && actor.equals(value(release, "actor"))) {
        return release;
      }
    }
    return null;
  }

  /** The patient's wrapped keys in one {@code release} part. */
  static List<PatientWallet.HeldKey> heldKeys(Parameters.ParametersParameterComponent release) {
    List<PatientWallet.HeldKey> keys = new ArrayList<>();
    for (Parameters.ParametersParameterComponent part : release.getPart()) {
      if (part.getName().equals("key")) {
        Base64BinaryType dataKey =
            (Base64BinaryType)
                part.getPart().stream()
                    .filter(p -> p.getName().equals("dataKey"))
                    .findFirst()
                    .orElseThrow()
                    .getValue();
        keys.add(
            new PatientWallet.HeldKey(
                value(part, "reference"), value(part, "grant"), dataKey.getValue()));
      }
    }
    return keys;
  }

  static String value(Parameters.ParametersParameterComponent part, String name) {
    return part.getPart().stream()
        .filter(p -> p.getName().equals(name))
        .findFirst()
        .map(p -> p.getValue().primitiveValue())
        .orElse(null);
  }

  private static DateTimeType seconds(Instant instant) {
    return new DateTimeType(
        Date.from(instant), TemporalPrecisionEnum.SECOND, TimeZone.getTimeZone("UTC"));
  }
}
