package org.healthgateway.mappings;

import static org.healthgateway.mappings.MappingRule.fallback;
import static org.healthgateway.mappings.MappingRule.withCategory;

import java.util.List;
import java.util.Optional;

/**
 * The seed's data categories: the unit a patient shares in a Consent. Codes live in the CodeSystem
 * {@link DataCategories#CODE_SYSTEM_URL}; see mappings/README.md for why each type sits where it
 * does.
 */
public enum DataCategory {
  ALLERGIES(
      "allergies",
      "Allergies",
      "Allergies and intolerances.",
      List.of(MappingRule.of("AllergyIntolerance"))),
  OPERATIONS(
      "operations",
      "Operations",
      "Procedures performed on the patient, surgical or not.",
      List.of(MappingRule.of("Procedure"), withCategory("Observation", obs("procedure")))),
  PRESCRIPTIONS(
      "prescriptions",
      "Prescriptions",
      "Medication orders, statements, dispenses, administrations and vision prescriptions.",
      List.of(
          MappingRule.of("MedicationRequest"),
          MappingRule.of("MedicationStatement"),
          MappingRule.of("MedicationDispense"),
          MappingRule.of("MedicationAdministration"),
          MappingRule.of("VisionPrescription"))),
  IMAGING(
      "imaging",
      "Imaging and x-rays",
      "Imaging studies, media, imaging observations and radiology reports.",
      List.of(
          MappingRule.of("ImagingStudy"),
          MappingRule.of("Media"),
          withCategory("Observation", obs("imaging")),
          withCategory(
              "DiagnosticReport",
              v20074("RAD"),
              v20074("RX"),
              v20074("CT"),
              v20074("NMR"),
              v20074("NMS"),
              v20074("VUS"),
              v20074("CUS"),
              v20074("OUS"),
              v20074("XRC"),
              "http://loinc.org|LP29684-5"))),
  DIAGNOSTIC_REPORTS(
      "diagnostic-reports",
      "Diagnostic reports and labs",
      "Every DiagnosticReport, laboratory results, specimens, and Observations of no other seed"
          + " category (survey, exam, social history, uncategorized).",
      List.of(
          MappingRule.of("DiagnosticReport"),
          MappingRule.of("Specimen"),
          withCategory("Observation", obs("laboratory")),
          fallback("Observation"))),
  HOSPITAL_VISITS(
      "hospital-visits",
      "Hospital visits",
      "Encounters, episodes of care and appointments.",
      List.of(
          MappingRule.of("Encounter"),
          MappingRule.of("EpisodeOfCare"),
          MappingRule.of("Appointment"),
          MappingRule.of("AppointmentResponse"))),
  TREATMENT_DETAILS(
      "treatment-details",
      "Treatment details",
      "Care plans, care teams, goals, orders and therapy observations.",
      List.of(
          MappingRule.of("CarePlan"),
          MappingRule.of("CareTeam"),
          MappingRule.of("Goal"),
          MappingRule.of("ServiceRequest"),
          MappingRule.of("NutritionOrder"),
          MappingRule.of("DeviceRequest"),
          MappingRule.of("DeviceUseStatement"),
          MappingRule.of("RequestGroup"),
          MappingRule.of("ClinicalImpression"),
          MappingRule.of("RiskAssessment"),
          withCategory("Observation", obs("therapy")))),
  ADMINISTRATIVE_DOCUMENTS(
      "administrative-documents",
      "Administrative documents",
      "Documents, compositions, claims, coverage and billing.",
      List.of(
          MappingRule.of("DocumentReference"),
          MappingRule.of("DocumentManifest"),
          MappingRule.of("Composition"),
          MappingRule.of("Claim"),
          MappingRule.of("ClaimResponse"),
          MappingRule.of("ExplanationOfBenefit"),
          MappingRule.of("Coverage"),
          MappingRule.of("CoverageEligibilityRequest"),
          MappingRule.of("CoverageEligibilityResponse"),
          MappingRule.of("Account"),
          MappingRule.of("Invoice"),
          MappingRule.of("ChargeItem"))),
  CONDITIONS(
      "conditions",
      "Conditions",
      "Problems, diagnoses and family history.",
      List.of(MappingRule.of("Condition"), MappingRule.of("FamilyMemberHistory"))),
  IMMUNIZATIONS(
      "immunizations",
      "Immunizations",
      "Immunizations, their evaluations and recommendations.",
      List.of(
          MappingRule.of("Immunization"),
          MappingRule.of("ImmunizationEvaluation"),
          MappingRule.of("ImmunizationRecommendation"))),
  VITAL_SIGNS(
      "vital-signs",
      "Vital signs",
      "Observations in the vital-signs category.",
      List.of(withCategory("Observation", obs("vital-signs"))));

  private final String code;
  private final String display;
  private final String definition;

  @SuppressWarnings("ImmutableEnumChecker") // List.copyOf in the constructor: unmodifiable
  private final List<MappingRule> rules;

  DataCategory(String code, String display, String definition, List<MappingRule> rules) {
    this.code = code;
    this.display = display;
    this.definition = definition;
    this.rules = List.copyOf(rules);
  }

  /** The code in {@link DataCategories#CODE_SYSTEM_URL}. */
  public String code() {
    return code;
  }

  public String display() {
    return display;
  }

  public String definition() {
    return definition;
  }

  /** The rules that put a resource into this category. */
  public List<MappingRule> rules() {
    return rules;
  }

  /** The category with the given code, if any. */
  public static Optional<DataCategory> fromCode(String code) {
    for (DataCategory category : values()) {
      if (category.code.equals(code)) {
        return Optional.of(category);
      }
    }
    return Optional.empty();
  }

  private static String obs(String code) {
    return "http://terminology.hl7.org/CodeSystem/observation-category|" + code;
  }

  private static String v20074(String code) {
    return "http://terminology.hl7.org/CodeSystem/v2-0074|" + code;
  }
}
