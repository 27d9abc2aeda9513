// The gateway's data categories (mappings/README.md, "Data categories"): what a patient shares or
// withholds as a unit, and the searches that list a patient's resources of each. The codes and
// displays are also published as CodeSystem/data-category; this table adds the searches.
export const CATEGORY_SYSTEM = "https://healthgateway.org/fhir/CodeSystem/data-category";

export const CATEGORIES = [
  { code: "allergies", display: "Allergies", searches: ["AllergyIntolerance?patient={p}"] },
  {
    code: "operations",
    display: "Operations",
    searches: ["Procedure?patient={p}", "Observation?patient={p}&category=procedure"],
  },
  {
    code: "prescriptions",
    display: "Prescriptions",
    searches: [
      "MedicationRequest?patient={p}",
      "MedicationStatement?patient={p}",
      "MedicationDispense?patient={p}",
      "MedicationAdministration?patient={p}",
    ],
  },
  {
    code: "imaging",
    display: "Imaging and x-rays",
    searches: ["ImagingStudy?patient={p}", "Media?patient={p}", "Observation?patient={p}&category=imaging"],
  },
  {
    code: "diagnostic-reports",
    display: "Diagnostic reports and labs",
    searches: ["DiagnosticReport?patient={p}", "Observation?patient={p}&category=laboratory"],
  },
  {
    code: "hospital-visits",
    display: "Hospital visits",
    searches: ["Encounter?patient={p}", "EpisodeOfCare?patient={p}", "Appointment?patient={p}"],
  },
  {
    code: "treatment-details",
    display: "Treatment details",
    searches: ["CarePlan?patient={p}", "CareTeam?patient={p}", "Goal?patient={p}", "ServiceRequest?patient={p}"],
  },
  {
    code: "administrative-documents",
    display: "Administrative documents",
    searches: ["DocumentReference?patient={p}", "Composition?patient={p}", "Coverage?patient={p}"],
  },
  { code: "conditions", display: "Conditions", searches: ["Condition?patient={p}"] },
  { code: "immunizations", display: "Immunizations", searches: ["Immunization?patient={p}"] },
  { code: "vital-signs", display: "Vital signs", searches: ["Observation?patient={p}&category=vital-signs"] },
];

export function categoryDisplay(code) {
  const category = CATEGORIES.find((c) => c.code === code);
  return category ? category.display : code;
}

/** The searches of a category for one patient (`Patient/<id>`), newest first, one page each. */
export function categorySearches(code, patient, count = 50) {
  const category = CATEGORIES.find((c) => c.code === code);
  if (!category) return [];
  return category.searches.map(
    (s) => s.replace("{p}", encodeURIComponent(patient)) + "&_count=" + count,
  );
}

/** One line a person reads for a clinical resource: what, when, status. */
export function describe(resource) {
  const what =
    conceptText(resource.code) ||
    conceptText(resource.medicationCodeableConcept) ||
    conceptText(resource.vaccineCode) ||
    conceptText((resource.type || [])[0]) ||
    conceptText(resource.class) ||
    resource.description ||
    resource.resourceType;
  const date =
    resource.recordedDate ||
    resource.effectiveDateTime ||
    resource.performedDateTime ||
    (resource.performedPeriod && resource.performedPeriod.start) ||
    (resource.period && resource.period.start) ||
    resource.authoredOn ||
    resource.occurrenceDateTime ||
    resource.issued ||
    resource.onsetDateTime ||
    resource.date ||
    resource.started ||
    (resource.meta && resource.meta.lastUpdated);
  const status =
    conceptText(resource.clinicalStatus) || resource.status || "";
  return { what, date, status };
}

function conceptText(concept) {
  if (!concept) return "";
  if (typeof concept === "string") return concept;
  if (concept.text) return concept.text;
  const coding = (concept.coding || [])[0];
  return coding ? coding.display || coding.code || "" : "";
}
