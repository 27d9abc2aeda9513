package org.healthgateway.mappings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;

class DataCategoriesTest {

  private static final String OBS_CAT =
      "http://terminology.hl7.org/CodeSystem/observation-category";

  /** Expected categories per type for what the Synthea bundles contain. */
  private static final Map<String, Set<String>> EXPECTED_SYNTHEA =
      Map.of(
          "Encounter", Set.of("hospital-visits"),
          "DiagnosticReport", Set.of("diagnostic-reports"),
          "DocumentReference", Set.of("administrative-documents"),
          "Claim", Set.of("administrative-documents"),
          "ExplanationOfBenefit", Set.of("administrative-documents"),
          "Immunization", Set.of("immunizations"),
          "Condition", Set.of("conditions"),
          "Patient", Set.of(),
          "Provenance", Set.of());

  @Test
  void categorize_everySyntheaResource_matchesItsTypeMapping() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (Path file : SyntheaBundles.patientBundleFiles()) {
      for (Bundle.BundleEntryComponent entry : SyntheaBundles.read(file).getEntry()) {
        IBaseResource resource = entry.getResource();
        String type = entry.getResource().fhirType();
        Set<String> expected =
            type.equals("Observation") ? expectedForObservation((Observation) resource) : null;
        if (expected == null) {
          expected = EXPECTED_SYNTHEA.get(type);
        }
        Set<String> actual = DataCategories.categorize(resource);
        if (!actual.equals(expected)) {
          failures.add(file.getFileName() + " " + entry.getFullUrl() + " " + type + " " + actual);
        }
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(1000);
    assertThat(failures).isEmpty();
  }

  @Test
  void categorize_syntheaObservations_everyOneGetsExactlyOneCategory() {
    List<Observation> observations = syntheaResources(Observation.class);
    assertThat(observations).isNotEmpty();
    assertThat(observations).allSatisfy(o -> assertThat(DataCategories.categorize(o)).hasSize(1));
  }

  @Test
  void categorize_directoryResources_returnsEmpty() {
    Bundle practitioners =
        SyntheaBundles.read(SyntheaBundles.directoryBundleFile("practitionerInformation"));
    Bundle hospitals =
        SyntheaBundles.read(SyntheaBundles.directoryBundleFile("hospitalInformation"));
    List<IBaseResource> directory =
        Stream.concat(practitioners.getEntry().stream(), hospitals.getEntry().stream())
            .map(Bundle.BundleEntryComponent::getResource)
            .collect(Collectors.toList());
    assertThat(directory).isNotEmpty();
    assertThat(directory).allSatisfy(r -> assertThat(DataCategories.categorize(r)).isEmpty());
  }

  @Test
  void categorize_allergyIntolerance_mapsToAllergies() {
    // The Synthea sample has no allergies, so the resource is built here.
    assertThat(DataCategories.categorize(new AllergyIntolerance())).containsExactly("allergies");
  }

  @Test
  void categorize_laboratoryObservation_mapsToDiagnosticReports() {
    assertThat(DataCategories.categorize(observation("laboratory")))
        .containsExactly("diagnostic-reports");
  }

  @Test
  void categorize_vitalSignsObservation_mapsToVitalSignsOnly() {
    assertThat(DataCategories.categorize(observation("vital-signs")))
        .containsExactly("vital-signs");
  }

  @Test
  void categorize_observationWithVitalAndLabCategories_mapsToBoth() {
    Observation observation = observation("vital-signs");
    observation.addCategory().addCoding().setSystem(OBS_CAT).setCode("laboratory");
    assertThat(DataCategories.categorize(observation))
        .containsExactly("diagnostic-reports", "vital-signs");
  }

  @Test
  void categorize_observationWithoutCategory_fallsBackToDiagnosticReports() {
    assertThat(DataCategories.categorize(new Observation())).containsExactly("diagnostic-reports");
  }

  @Test
  void categorize_radiologyReport_mapsToImagingAndDiagnosticReports() {
    DiagnosticReport report = new DiagnosticReport();
    report
        .addCategory()
        .addCoding()
        .setSystem("http://terminology.hl7.org/CodeSystem/v2-0074")
        .setCode("RAD");
    assertThat(DataCategories.categorize(report))
        .containsExactlyInAnyOrder("imaging", "diagnostic-reports");
  }

  @Test
  void categorize_procedureAndPrescription_mapToOperationsAndPrescriptions() {
    assertThat(DataCategories.categorize(new Procedure())).containsExactly("operations");
    assertThat(DataCategories.categorize(new MedicationRequest())).containsExactly("prescriptions");
  }

  @Test
  void categorize_practitioner_returnsEmpty() {
    assertThat(DataCategories.categorize(new Practitioner())).isEmpty();
  }

  @Test
  void codeSystem_built_listsEveryCategoryOnce() {
    CodeSystem codeSystem = DataCategories.codeSystem();
    Set<String> codes = new HashSet<>();
    codeSystem.getConcept().forEach(c -> codes.add(c.getCode()));
    assertThat(codeSystem.getUrl()).isEqualTo(DataCategories.CODE_SYSTEM_URL);
    assertThat(codes).hasSize(DataCategory.values().length).contains("allergies", "vital-signs");
    assertThat(codeSystem.getConcept()).allSatisfy(c -> assertThat(c.getDisplay()).isNotBlank());
  }

  @Test
  void valueSet_built_includesEveryCodeFromTheCodeSystem() {
    ValueSet valueSet = DataCategories.valueSet();
    ValueSet.ConceptSetComponent include = valueSet.getCompose().getIncludeFirstRep();
    assertThat(include.getSystem()).isEqualTo(DataCategories.CODE_SYSTEM_URL);
    assertThat(include.getConcept())
        .extracting(ValueSet.ConceptReferenceComponent::getCode)
        .containsExactly(
            Stream.of(DataCategory.values()).map(DataCategory::code).toArray(String[]::new));
  }

  @Test
  void fromCode_knownAndUnknownCodes_resolveOrEmpty() {
    assertThat(DataCategory.fromCode("imaging")).contains(DataCategory.IMAGING);
    assertThat(DataCategory.fromCode("x-rays")).isEmpty();
  }

  private static Set<String> expectedForObservation(Observation observation) {
    Set<String> codes =
        observation.getCategory().stream()
            .flatMap(c -> c.getCoding().stream())
            .map(c -> c.getCode())
            .collect(Collectors.toSet());
    if (codes.contains("vital-signs")) {
      return Set.of("vital-signs");
    }
    // survey and exam are no seed category: the fallback puts them with reports and labs.
    return Set.of("diagnostic-reports");
  }

  private static Observation observation(String category) {
    Observation observation = new Observation();
    observation.addCategory().addCoding().setSystem(OBS_CAT).setCode(category);
    return observation;
  }

  private static <T extends IBaseResource> List<T> syntheaResources(Class<T> type) {
    List<T> resources = new ArrayList<>();
    for (Path file : SyntheaBundles.patientBundleFiles()) {
      for (Bundle.BundleEntryComponent entry : SyntheaBundles.read(file).getEntry()) {
        if (type.isInstance(entry.getResource())) {
          resources.add(type.cast(entry.getResource()));
        }
      }
    }
    return resources;
  }
}
