package org.healthgateway.server.subscription;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.search.SearchEngine;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionChannelType;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;

/** Resources and metadata shared by the subscription tests. */
final class Fixtures {
  static final FhirContext FHIR = FhirContext.forR4Cached();
  static final SearchEngine SEARCH = new SearchEngine(FHIR);
  static final String PATIENT_P = "Patient/demo-patient-p";
  static final String PATIENT_Q = "Patient/demo-patient-q";
  static final String PRACTITIONER_B = "Practitioner/demo-practitioner-b";
  static final String PROPOSED_FOR_P = "Consent?patient=Patient/demo-patient-p&status=proposed";

  private Fixtures() {}

  static Subscription websocket(String id, String criteria) {
    Subscription subscription = new Subscription();
    subscription.setId("Subscription/" + id);
    subscription.setStatus(SubscriptionStatus.REQUESTED);
    subscription.setReason("new consent requests");
    subscription.setCriteria(criteria);
    subscription.getChannel().setType(SubscriptionChannelType.WEBSOCKET);
    return subscription;
  }

  static Subscription restHook(String id, String criteria, String endpoint) {
    Subscription subscription = websocket(id, criteria);
    subscription.getChannel().setType(SubscriptionChannelType.RESTHOOK).setEndpoint(endpoint);
    return subscription;
  }

  static Consent proposedConsent(String id, String patient) {
    Consent consent = new Consent();
    consent.setId("Consent/" + id);
    consent.setStatus(Consent.ConsentState.PROPOSED);
    consent.setPatient(new Reference(patient));
    consent.setScope(
        new CodeableConcept(
            new Coding(
                "http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
    consent.getProvision().addActor().setReference(new Reference(PRACTITIONER_B));
    return consent;
  }

  static VersionMeta meta(String type, String id, long version, String author, String patient) {
    return new VersionMeta(
        type,
        id,
        version,
        version,
        Instant.now(),
        false,
        author,
        patient,
        patient == null ? Set.of() : Set.of("grant-" + patient),
        Set.of());
  }

  static VersionMeta deletion(String type, String id, long version, String author) {
    return new VersionMeta(
        type, id, version, version, Instant.now(), true, author, null, Set.of(), Set.of());
  }
}
