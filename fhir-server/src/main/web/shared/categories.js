// The data categories a patient shares one by one, and the searches that list each category's
// records. The server publishes the codes and displays (CodeSystem/data-category); the table
// below mirrors mappings/README.md so that the app still works if that read fails.
import { fhirRequest } from "../shared/smart.js";

export const CATEGORY_SYSTEM = "https://healthgateway.org/fhir/CodeSystem/data-category";

const FALLBACK = [
  ["allergies", "Allergies"],
  ["operations", "Operations"],
  ["prescriptions", "Prescriptions"],
  ["imaging", "Imaging and x-rays"],
  ["diagnostic-reports", "Diagnostic reports and labs"],
  ["hospital-visits", "Hospital visits"],
  ["treatment-details", "Treatment details"],
  ["administrative-documents", "Administrative documents"],
  ["conditions", "Conditions"],
  ["immunizations", "Immunizations"],
  ["vital-signs", "Vital signs"],
].map(([code, display]) => ({ code, display }));

const OBSERVATION = "Observation?category=http://terminology.hl7.org/CodeSystem/observation-category|";
const V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074|";
const RADIOLOGY = ["RAD", "RX", "CT", "NMR", "NMS", "VUS", "CUS", "OUS", "XRC"]
  .map((code) => V2_0074 + code)
  .concat("http://loinc.org|LP29684-5")
  .join(",");

// Searches per category (before `patient` and `_count` are added). Observations outside every
// seed category fall back to diagnostic reports on the server; listing them would need a search
// for "none of these categories", which FHIR search cannot say, so they are not listed here.
const SEARCHES = {
  allergies: ["AllergyIntolerance"],
  operations: ["Procedure", OBSERVATION + "procedure"],
  prescriptions: [
    "MedicationRequest",
    "MedicationStatement",
    "MedicationDispense",
    "MedicationAdministration",
    "VisionPrescription",
  ],
  imaging: ["ImagingStudy", "Media", OBSERVATION + "imaging", "DiagnosticReport?category=" + RADIOLOGY],
  "diagnostic-reports": ["DiagnosticReport", "Specimen", OBSERVATION + "laboratory"],
  "hospital-visits": ["Encounter", "EpisodeOfCare", "Appointment", "AppointmentResponse"],
  "treatment-details": [
    "CarePlan",
    "CareTeam",
    "Goal",
    "ServiceRequest",
    "NutritionOrder",
    "DeviceRequest",
    "DeviceUseStatement",
    "RequestGroup",
    "ClinicalImpression",
    "RiskAssessment",
    OBSERVATION + "therapy",
  ],
  "administrative-documents": [
    "DocumentReference",
    "DocumentManifest",
    "Composition",
    "Claim",
    "ClaimResponse",
    "ExplanationOfBenefit",
    "Coverage",
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "Account",
    "Invoice",
    "ChargeItem",
  ],
  conditions: ["Condition", "FamilyMemberHistory"],
  immunizations: ["Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation"],
  "vital-signs": [OBSERVATION + "vital-signs"],
};

/** [{code, display}] in the server's order. */
export async function loadCategories(client) {
  try {
    const codeSystem = await fhirRequest(client, "CodeSystem/data-category");
    const concepts = (codeSystem && codeSystem.concept) || [];
    if (concepts.length) {
      return concepts.map((c) => ({ code: c.code, display: c.display || c.code }));
    }
  } catch (e) {
    // A node that does not publish the CodeSystem still has the seed categories.
  }
  return FALLBACK;
}

/** The searches listing a patient's records of `code` (empty for a code this app does not know). */
export function searchesFor(code, patientRef) {
  return (SEARCHES[code] || []).map((search) => {
    const [type, query] = search.split("?");
    const params = new URLSearchParams(query || "");
    params.set("patient", patientRef);
    params.set("_count", "50");
    return type + "?" + params.toString();
  });
}

/** The display of `code` among `categories` (as loadCategories gives them), or the code itself. */
export function categoryDisplay(categories, code) {
  const category = categories.find((c) => c.code === code);
  return category ? category.display : code;
}
