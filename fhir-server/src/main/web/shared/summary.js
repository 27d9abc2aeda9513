// The clinical summary: per data category, the patient's records this practitioner may read.
// The server leaves out of a search whatever the practitioner holds no key or consent for, so an
// empty answer for an unreleased category means "not released", not "nothing there".
import { searchAll } from "../shared/smart.js";
import { h, when, conceptText } from "../shared/ui.js";
import { searchesFor } from "./categories.js";

/**
 * One section per category. Resolves with the sections; rejects only when the server cannot be
 * reached or the session ended, so that the caller shows that once.
 */
export async function summarySections(client, patientRef, categories, readable) {
  return Promise.all(
    categories.map(async (category) => {
      const result = await loadCategory(client, patientRef, category.code);
      return section(category, readable.has(category.code) && !result.refused, result);
    }),
  );
}

async function loadCategory(client, patientRef, code) {
  const searches = searchesFor(code, patientRef);
  const answers = await Promise.all(
    searches.map((search) =>
      searchAll(client, search, 1).then(
        (resources) => ({ resources }),
        (error) => {
          if (error.status === 0 || error.status === 401) throw error;
          return { error };
        },
      ),
    ),
  );
  const seen = new Set();
  const resources = [];
  for (const answer of answers) {
    for (const r of answer.resources || []) {
      const key = r.resourceType + "/" + r.id;
      if (!seen.has(key)) {
        seen.add(key);
        resources.push(r);
      }
    }
  }
  const errors = answers.filter((a) => a.error).map((a) => a.error);
  return {
    known: searches.length > 0,
    resources: resources.sort((a, b) => dateOf(b).localeCompare(dateOf(a))),
    refused: errors.some((e) => e.status === 403),
    failed: errors.filter((e) => e.status !== 403),
  };
}

function section(category, released, { known, resources, failed }) {
  const notReleased = "Not released: the patient has not shared " + category.display + " with you.";
  let body;
  if (!known) body = h("p", { class: "muted" }, "This app cannot list " + category.display + " yet.");
  else if (resources.length) {
    body = [
      // Records the practitioner wrote stay readable to them without a consent.
      released ? null : h("p", { class: "muted" }, notReleased + " You see the entries you wrote."),
      h("ul", { class: "plain records" }, resources.map(recordItem)),
    ];
  } else body = h("p", { class: released ? "muted" : "not-released" }, released ? "Nothing recorded." : notReleased);
  return h(
    "section",
    { class: "card", "data-category": category.code },
    h("h3", {}, category.display),
    body,
    failed.length
      ? h("p", { class: "muted" }, "Some records could not be loaded: " + failed.map((e) => e.message).join(" "))
      : null,
  );
}

function recordItem(resource) {
  const date = dateOf(resource);
  const status = statusOf(resource);
  return h(
    "li",
    { "data-resource": resource.resourceType + "/" + resource.id },
    h("span", { class: "record-title" }, titleOf(resource)),
    h(
      "span",
      { class: "muted record-meta" },
      [typeLabel(resource.resourceType), date ? when(date) : null, status, criticalityOf(resource)]
        .filter(Boolean)
        .join(" · "),
    ),
    (resource.note || []).map((note) => h("span", { class: "record-note" }, note.text)),
  );
}

function titleOf(r) {
  const concept =
    r.code ||
    r.medicationCodeableConcept ||
    r.vaccineCode ||
    (r.type && (Array.isArray(r.type) ? r.type[0] : r.type)) ||
    (r.category && r.category[0]);
  const text = conceptText(concept) || r.description || r.title || (r.class && (r.class.display || r.class.code));
  if (text) return text;
  if (r.medicationReference) return r.medicationReference.display || r.medicationReference.reference;
  return typeLabel(r.resourceType);
}

// The first date a person would call "when" for each type, in FHIR's own string form.
function dateOf(r) {
  const period = r.performedPeriod || r.effectivePeriod || r.period || r.occurrencePeriod;
  return (
    r.recordedDate ||
    r.performedDateTime ||
    r.effectiveDateTime ||
    r.onsetDateTime ||
    r.occurrenceDateTime ||
    r.authoredOn ||
    r.dateAsserted ||
    r.issued ||
    r.started ||
    r.start ||
    r.date ||
    r.created ||
    (period && period.start) ||
    ""
  );
}

function statusOf(r) {
  return conceptText(r.clinicalStatus) || r.status || "";
}

function criticalityOf(r) {
  return r.criticality ? "criticality " + r.criticality.replace(/-/g, " ") : "";
}

function typeLabel(type) {
  return type.replace(/([a-z])([A-Z])/g, "$1 $2");
}
