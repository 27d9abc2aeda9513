package org.healthgateway.conformance;

import java.util.Date;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;

/** A practitioner's access request as the tests send it; callers add categories and actions. */
final class ConsentRequests {
  static final String CATEGORY_SYSTEM = "https://healthgateway.org/fhir/CodeSystem/data-category";
  static final String ACTION_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentaction";

  private ConsentRequests() {}

  /**
   * A proposed, valid R4 Consent of {@code patient} with one permit provision naming {@code actor}
   * (role IRCP), no data selected yet.
   */
  static Consent proposal(String patient, String actor) {
    Consent consent = new Consent();
    consent.setStatus(Consent.ConsentState.PROPOSED);
    consent.setPatient(new Reference(patient));
    consent.setScope(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
    consent.addCategory(
        new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
    consent.setDateTime(new Date());
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
    return consent;
  }

  /** Adds data categories ({@code provision.code}). */
  static Consent withCategories(Consent consent, String... categories) {
    for (String category : categories) {
      consent
          .getProvision()
          .addCode(new CodeableConcept(new Coding(CATEGORY_SYSTEM, category, null)));
    }
    return consent;
  }

  /** Adds consent actions ({@code provision.action}). */
  static Consent withActions(Consent consent, String... actions) {
    for (String action : actions) {
      consent
          .getProvision()
          .addAction(new CodeableConcept(new Coding(ACTION_SYSTEM, action, null)));
    }
    return consent;
  }
}
