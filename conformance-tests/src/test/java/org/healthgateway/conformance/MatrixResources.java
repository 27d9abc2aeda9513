package org.healthgateway.conformance;

import java.util.UUID;
import org.healthgateway.fixtures.ConsentRequests;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Immunization;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;

/**
 * The clinical resources, Consents and Subscription of {@link AuthorizationMatrixTest}. Every
 * clinical resource carries a fresh identifier in {@link #IDENTIFIER_SYSTEM}, so a conditional
 * create or a search can find exactly it.
 */
final class MatrixResources {
  static final String IDENTIFIER_SYSTEM = "urn:healthgateway:authorization-matrix";

  private MatrixResources() {}

  /** A fresh identifier value. */
  static String newIdentifier() {
    return UUID.randomUUID().toString();
  }

  /** The search token of an identifier value, e.g. for {@code If-None-Exist}. */
  static String identifierToken(String value) {
    return "identifier=" + IDENTIFIER_SYSTEM + "|" + value;
  }

  /** The identifier value a resource was made with. */
  static String identifierOf(Resource resource) {
    if (resource instanceof AllergyIntolerance a) {
      return a.getIdentifierFirstRep().getValue();
    }
    if (resource instanceof Observation o) {
      return o.getIdentifierFirstRep().getValue();
    }
    throw new IllegalArgumentException(resource.fhirType());
  }

  static AllergyIntolerance allergy(String patient, String identifier) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.addIdentifier(identifier(identifier));
    allergy.setPatient(new Reference(patient));
    allergy.setClinicalStatus(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                "active",
                null)));
    allergy.setCode(
        new CodeableConcept(
                new Coding("http://snomed.info/sct", "91936005", "Allergy to penicillin"))
            .setText("matrix " + identifier));
    return allergy;
  }

  /** A laboratory Observation (data category diagnostic-reports). */
  static Observation laboratory(String patient, String identifier) {
    Observation observation = new Observation();
    observation.addIdentifier(identifier(identifier));
    observation.setStatus(Observation.ObservationStatus.FINAL);
    observation.addCategory(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/observation-category",
                "laboratory",
                "Laboratory")));
    observation.setCode(
        new CodeableConcept(new Coding("http://loinc.org", "2345-7", "Glucose"))
            .setText("matrix " + identifier));
    observation.setSubject(new Reference(patient));
    return observation;
  }

  /** An Immunization whose reason is {@code reason} (searched with {@code reason-reference}). */
  static Immunization immunization(String patient, String identifier, String reason) {
    Immunization immunization = new Immunization();
    immunization.addIdentifier(identifier(identifier));
    immunization.setStatus(Immunization.ImmunizationStatus.COMPLETED);
    immunization.setVaccineCode(
        new CodeableConcept(
            new Coding("http://hl7.org/fhir/sid/cvx", "140", "Influenza, seasonal, injectable")));
    immunization.setPatient(new Reference(patient));
    immunization.setOccurrence(new DateTimeType("2024-10-01"));
    immunization.addReasonReference(new Reference(reason));
    return immunization;
  }

  /** A Condition whose evidence is {@code evidence} (searched with {@code evidence-detail}). */
  static Condition condition(String patient, String identifier, String evidence) {
    Condition condition = new Condition();
    condition.addIdentifier(identifier(identifier));
    condition.setSubject(new Reference(patient));
    condition.setCode(
        new CodeableConcept(new Coding("http://snomed.info/sct", "38341003", "Hypertension"))
            .setText("matrix " + identifier));
    condition.addEvidence().addDetail(new Reference(evidence));
    return condition;
  }

  static Practitioner practitioner(String id) {
    Practitioner practitioner = new Practitioner();
    practitioner.setId(id);
    practitioner.addName().setFamily("Matrix").addGiven(id);
    return practitioner;
  }

  /** A websocket Subscription to the patient's Observations. */
  static Subscription subscription(String patient) {
    Subscription subscription = new Subscription();
    subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
    subscription.setReason("authorization matrix");
    subscription.setCriteria("Observation?patient=" + patient);
    subscription.getChannel().setType(Subscription.SubscriptionChannelType.WEBSOCKET);
    return subscription;
  }

  /**
   * A practitioner's access request: a proposed Consent of the patient naming the practitioner as
   * actor, one data category and the given consent actions (none: no {@code provision.action}).
   */
  static Consent proposal(String patient, String actor, String category, String... actions) {
    return ConsentRequests.withActions(
        ConsentRequests.withCategories(ConsentRequests.proposal(patient, actor), category),
        actions);
  }

  private static Identifier identifier(String value) {
    return new Identifier().setSystem(IDENTIFIER_SYSTEM).setValue(value);
  }
}
