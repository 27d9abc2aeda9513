// Access requests are Consents (scope patient-privacy) that the practitioner proposes and the
// patient approves, rejects or revokes. This module builds the request the server accepts
// (README "The consent loop with curl", step 1) and reads back what the patient decided.
import { CATEGORY_SYSTEM } from "../shared/categories.js";

const ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

export const PURPOSES = [
  { code: "TREAT", display: "Treatment" },
  { code: "ETREAT", display: "Emergency treatment" },
  { code: "CAREMGT", display: "Care management" },
];

export const STATUS_TEXT = {
  proposed: "Waiting for the patient",
  active: "Approved",
  rejected: "Rejected",
  inactive: "Revoked",
};

/** What the practitioner reads for a request: an approval whose period is over has expired. */
export function statusText(consent, now = new Date()) {
  const period = consent.provision && consent.provision.period;
  if (consent.status === "active" && !inPeriod(period, now)) return "Expired";
  return STATUS_TEXT[consent.status] || consent.status;
}

/** The proposed Consent asking `patientRef` to release `categories` to `practitionerRef`. */
export function accessRequest({ patientRef, practitionerRef, categories, purpose, end }) {
  const reason = PURPOSES.find((p) => p.code === purpose) || PURPOSES[0];
  return {
    resourceType: "Consent",
    status: "proposed",
    scope: {
      coding: [
        { system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy" },
      ],
    },
    category: [{ coding: [{ system: "http://loinc.org", code: "59284-0" }] }],
    patient: { reference: patientRef },
    policyRule: {
      coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "OPTIN" }],
    },
    provision: {
      type: "permit",
      period: { end },
      actor: [
        {
          role: {
            coding: [
              {
                system: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                code: "IRCP",
              },
            ],
          },
          reference: { reference: practitionerRef },
        },
      ],
      action: [
        {
          coding: [
            { system: "http://terminology.hl7.org/CodeSystem/consentaction", code: "access" },
          ],
        },
      ],
      purpose: [{ system: ACT_REASON, code: reason.code, display: reason.display }],
      code: categories.map((code) => ({ coding: [{ system: CATEGORY_SYSTEM, code }] })),
    },
  };
}

/** The Consents that are access requests of `practitionerRef`, newest first. */
export function requestsOf(consents, practitionerRef) {
  return consents
    .filter(
      (c) =>
        hasCoding(c.scope, "patient-privacy") &&
        ((c.provision && c.provision.actor) || []).some(
          (a) => a.reference && a.reference.reference === practitionerRef,
        ),
    )
    .sort((a, b) => lastUpdated(b).localeCompare(lastUpdated(a)));
}

/** The category codes a Consent's top provision names. */
export function categoriesOf(consent) {
  return codesIn(consent.provision);
}

/** The categories readable now: named by an active consent in its period and denied by none. */
export function readableCategories(requests, now = new Date()) {
  const readable = new Set();
  for (const consent of requests) {
    const provision = consent.provision || {};
    if (consent.status !== "active" || provision.type === "deny" || !inPeriod(provision.period, now)) {
      continue;
    }
    // A patient may narrow a request when approving it, with nested deny provisions.
    const denied = new Set(
      (provision.provision || [])
        .filter((p) => p.type === "deny" && inPeriod(p.period, now))
        .flatMap((p) => codesIn(p)),
    );
    for (const code of codesIn(provision)) if (!denied.has(code)) readable.add(code);
  }
  return readable;
}

export function purposeText(consent) {
  const coding = ((consent.provision && consent.provision.purpose) || [])[0];
  if (!coding) return "";
  const known = PURPOSES.find((p) => p.code === coding.code);
  return known ? known.display : coding.display || coding.code;
}

function codesIn(provision) {
  return ((provision && provision.code) || [])
    .flatMap((concept) => concept.coding || [])
    .filter((coding) => coding.system === CATEGORY_SYSTEM)
    .map((coding) => coding.code);
}

// Dates without a time count for the whole day, as a patient reading "until 3 Jan" expects.
function inPeriod(period, now) {
  if (!period) return true;
  const today = localDate(now);
  if (period.start) {
    if (isDateOnly(period.start) ? today < period.start : now < new Date(period.start)) return false;
  }
  if (period.end) {
    if (isDateOnly(period.end) ? today > period.end : now > new Date(period.end)) return false;
  }
  return true;
}

function isDateOnly(value) {
  return /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value);
}

/** YYYY-MM-DD of `date` in the user's time zone. */
export function localDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function hasCoding(concept, code) {
  return ((concept && concept.coding) || []).some((c) => c.code === code);
}

function lastUpdated(resource) {
  return (resource.meta && resource.meta.lastUpdated) || "";
}
