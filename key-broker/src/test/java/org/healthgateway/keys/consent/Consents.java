package org.healthgateway.keys.consent;

import java.time.Instant;
import java.util.Set;
import org.healthgateway.mappings.DataCategories;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;

/** Builders for the consents and requests of the engine tests. */
final class Consents {

  static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
  static final Instant DATA_DATE = Instant.parse("2024-03-01T08:00:00Z");
  static final String A = "Practitioner/a";
  static final String B = "Practitioner/b";
  static final String CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";
  static final String RESTRICTED = CONFIDENTIALITY + "|R";
  static final String VERY_RESTRICTED = CONFIDENTIALITY + "|V";

  private Consents() {}

  static Consent consent(String id, ConsentState status, ProvisionComponent root) {
    Consent consent = new Consent();
    consent.setId(id);
    consent.setStatus(status);
    consent.setPatient(new Reference("Patient/p"));
    consent
        .getScope()
        .addCoding()
        .setSystem(ConsentEngine.CONSENT_SCOPE_SYSTEM)
        .setCode("patient-privacy");
    consent.addCategory().addCoding().setSystem("http://loinc.org").setCode("59284-0");
    consent.setProvision(root);
    return consent;
  }

  static Consent active(String id, ProvisionComponent root) {
    return consent(id, ConsentState.ACTIVE, root);
  }

  static ProvisionComponent permit(String... actors) {
    return provision(ConsentProvisionType.PERMIT, actors);
  }

  static ProvisionComponent deny(String... actors) {
    return provision(ConsentProvisionType.DENY, actors);
  }

  /** A root without type, as R4's definition asks ("not permitted in root rule"). */
  static ProvisionComponent untyped(String... actors) {
    return provision(null, actors);
  }

  static ProvisionComponent categories(ProvisionComponent provision, String... codes) {
    for (String code : codes) {
      provision.addCode(
          new CodeableConcept(new Coding(DataCategories.CODE_SYSTEM_URL, code, null)));
    }
    return provision;
  }

  static ProvisionComponent types(ProvisionComponent provision, String... types) {
    for (String type : types) {
      provision.addClass_(new Coding(ConsentEngine.RESOURCE_TYPES_SYSTEM, type, null));
    }
    return provision;
  }

  static ProvisionComponent labels(ProvisionComponent provision, String... tokens) {
    for (String token : tokens) {
      String[] parts = token.split("\\|", 2);
      provision.addSecurityLabel(new Coding(parts[0], parts[1], null));
    }
    return provision;
  }

  static ProvisionComponent period(ProvisionComponent provision, String start, String end) {
    provision.setPeriod(period(start, end));
    return provision;
  }

  static ProvisionComponent dataPeriod(ProvisionComponent provision, String start, String end) {
    provision.setDataPeriod(period(start, end));
    return provision;
  }

  static ProvisionComponent nest(ProvisionComponent parent, ProvisionComponent... children) {
    for (ProvisionComponent child : children) {
      parent.addProvision(child);
    }
    return parent;
  }

  static ProvisionComponent actions(ProvisionComponent provision, String... codes) {
    for (String code : codes) {
      provision.addAction(
          new CodeableConcept(
              new Coding("http://terminology.hl7.org/CodeSystem/consentaction", code, null)));
    }
    return provision;
  }

  static AccessRequest read(String actor, String type, String... categories) {
    return new AccessRequest(actor, type, Set.of(categories), DATA_DATE, Set.of(), NOW);
  }

  static AccessRequest allergyRead(String actor) {
    return read(actor, "AllergyIntolerance", "allergies");
  }

  static AccessRequest labRead(String actor, String... labels) {
    return new AccessRequest(
        actor, "Observation", Set.of("diagnostic-reports"), DATA_DATE, Set.of(labels), NOW);
  }

  private static ProvisionComponent provision(ConsentProvisionType type, String... actors) {
    ProvisionComponent provision = new ProvisionComponent();
    if (type != null) {
      provision.setType(type);
    }
    for (String actor : actors) {
      provision.addActor().setReference(new Reference(actor));
    }
    return provision;
  }

  private static Period period(String start, String end) {
    Period period = new Period();
    if (start != null) {
      period.setStartElement(new DateTimeType(start));
    }
    if (end != null) {
      period.setEndElement(new DateTimeType(end));
    }
    return period;
  }
}
