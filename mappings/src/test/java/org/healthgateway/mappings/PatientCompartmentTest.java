package org.healthgateway.mappings;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class PatientCompartmentTest {

  private final PatientCompartment compartment = new PatientCompartment(FhirContext.forR4Cached());

  @Test
  void patientIds_everyClinicalResourceInSyntheaBundles_resolvesToTheBundlePatient() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Path file : SyntheaBundles.patientBundleFiles()) {
      Bundle bundle = SyntheaBundles.read(file);
      Map<String, IIdType> byFullUrl = new HashMap<>();
      String patientId = null;
      for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
        byFullUrl.put(
            entry.getFullUrl(),
            new IdType(entry.getResource().fhirType(), entry.getResource().getIdPart()));
        if (entry.getResource() instanceof Patient) {
          patientId = entry.getResource().getIdPart();
        }
      }
      for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
        String type = entry.getResource().fhirType();
        assertThat(compartment.isInPatientCompartment(type)).as(type).isTrue();
        var ids =
            compartment.patientIds(
                entry.getResource(), ref -> Optional.ofNullable(byFullUrl.get(ref)));
        if (!ids.equals(java.util.Set.of(patientId))) {
          failures.add(file.getFileName() + " " + type + " " + entry.getFullUrl() + " " + ids);
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(1000);
    assertThat(failures).isEmpty();
  }

  @Test
  void patientIds_unresolvedUrnReferences_returnsEmpty() {
    Bundle bundle = SyntheaBundles.read(SyntheaBundles.patientBundleFiles().get(0));
    Observation observation =
        bundle.getEntry().stream()
            .map(Bundle.BundleEntryComponent::getResource)
            .filter(Observation.class::isInstance)
            .map(Observation.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(compartment.patientIds(observation)).isEmpty();
  }

  @Test
  void patientIds_typedRelativeAndAbsoluteReferences_returnsIdParts() {
    Observation observation = new Observation();
    observation.setSubject(new Reference("Patient/123"));
    observation.addPerformer(new Reference("https://example.org/fhir/Patient/456/_history/2"));
    observation.addPerformer(new Reference("Practitioner/789"));
    assertThat(compartment.patientIds(observation)).containsExactlyInAnyOrder("123", "456");
  }

  @Test
  void patientIds_subjectIsGroupOrConditional_returnsEmpty() {
    Observation observation = new Observation();
    observation.setSubject(new Reference("Group/1"));
    observation.addPerformer(new Reference("Patient?identifier=http://x|1"));
    observation.addPerformer(new Reference("#contained"));
    assertThat(compartment.patientIds(observation)).isEmpty();
  }

  @Test
  void patientIds_patient_returnsItsOwnId() {
    Patient patient = new Patient();
    patient.setId("Patient/p1/_history/3");
    assertThat(compartment.patientIds(patient)).containsExactly("p1");
  }

  @Test
  void isInPatientCompartment_clinicalAndAuditTypes_true() {
    for (String type :
        List.of(
            "Patient",
            "Observation",
            "AllergyIntolerance",
            "Provenance",
            "AuditEvent",
            "Consent",
            "Encounter",
            "ExplanationOfBenefit")) {
      assertThat(compartment.isInPatientCompartment(type)).as(type).isTrue();
    }
  }

  @Test
  void isInPatientCompartment_directoryTypes_false() {
    for (String type :
        List.of(
            "Practitioner",
            "PractitionerRole",
            "Organization",
            "Location",
            "Medication",
            "HealthcareService",
            "Endpoint",
            "Substance",
            "ValueSet",
            "CodeSystem",
            "StructureDefinition")) {
      assertThat(compartment.isInPatientCompartment(type)).as(type).isFalse();
    }
  }

  @Test
  void parseReference_variousForms_typesOnlyTypedOnes() {
    assertThat(PatientCompartment.parseReference("Patient/1"))
        .map(IIdType::getIdPart)
        .contains("1");
    assertThat(PatientCompartment.parseReference("urn:uuid:1e610c5a")).isEmpty();
    assertThat(PatientCompartment.parseReference("Patient?identifier=a|b")).isEmpty();
    assertThat(PatientCompartment.parseReference("123")).isEmpty();
  }
}
