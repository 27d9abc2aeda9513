// The practitioner app: find a patient, see which data categories they released to you, ask for
// more (a proposed Consent), watch the answer live, read the released records and add entries.
import { signIn, session, fhirRequest, searchAll, SignInError } from "../shared/smart.js";
import { h, render, announce, showError, clearError, when, personName } from "../shared/ui.js";
import { categoryDisplay, loadCategories } from "../shared/categories.js";
import {
  PURPOSES,
  statusText,
  accessRequest,
  requestsOf,
  readableCategories,
  categoriesOf,
  purposeText,
  localDate,
} from "./consents.js";
import { summarySections } from "../shared/summary.js";
import { watch } from "../shared/live.js";

const SCOPE = "openid fhirUser launch/patient user/*.cruds patient/*.cruds";
const NETWORK_STATUS = 0;
const $ = (id) => document.getElementById(id);

let client = null;
let me = null; // "Practitioner/<id>"
let categories = [];
let view = null; // the open patient: {id, ref, name, watcher, readableKey, statuses, busy, again}

main().catch(fail);

async function main() {
  $("sign-in-button").addEventListener("click", startOver);
  if (new URLSearchParams(location.search).has("signed-out")) {
    $("who").textContent = "Signed out";
    announce("You are signed out.");
    $("sign-in").hidden = false;
    return;
  }
  client = await signIn({ clientIdKey: "practitionerClientId", scope: SCOPE });
  const signedIn = session(client);
  me = signedIn.user;
  $("sign-out").hidden = false;
  $("sign-out").addEventListener("click", signOutHere);
  if (!me || !me.startsWith("Practitioner/")) {
    $("who").textContent = "Signed in as " + (me || "an unknown user");
    showError("This app is for practitioners. Sign out and sign in with a practitioner account.");
    return;
  }
  $("who").textContent = "Signed in as " + me.split("/")[1];
  showPractitionerName();
  categories = await loadCategories(client);
  setUpForms();
  $("find").hidden = false;
  window.addEventListener("pagehide", () => view && view.watcher && view.watcher.stop());
  window.addEventListener("pageshow", (event) => event.persisted && view && startWatching());
  // The consent screen always picks a patient for launch/patient, so only an EHR launch (scope
  // "launch") means "open this patient"; a standalone sign-in starts at the search.
  const ehrLaunch = (client.state.scope || "").split(" ").includes("launch");
  if (ehrLaunch && signedIn.patient) await openPatient(signedIn.patient.split("/")[1]);
}

async function showPractitionerName() {
  try {
    const practitioner = await fhirRequest(client, me);
    const name = personName(practitioner);
    if (name) $("who").textContent = "Signed in as " + name;
  } catch {
    // The id shown already identifies the user.
  }
}

/** Every failure ends here: a message in #error, and a way back in when the session is gone. */
function fail(error) {
  const sessionGone = error instanceof SignInError || error.status === 401;
  announce("");
  showError(error.message || "Something went wrong. Reload the page to try again.");
  if (sessionGone) {
    if (view && view.watcher) {
      view.watcher.stop();
      $("live").textContent = "Live updates stopped: sign in again.";
    }
    if (!me) $("who").textContent = "Not signed in";
    $("sign-in-button").textContent = me ? "Sign in again" : "Sign in";
    $("sign-in").hidden = false;
  }
}

function startOver() {
  sessionStorage.clear();
  location.replace(location.pathname);
}

function signOutHere() {
  if (view && view.watcher) view.watcher.stop();
  sessionStorage.clear();
  // A marker, so that the page does not sign straight back in.
  location.replace(location.pathname + "?signed-out");
}

function setUpForms() {
  $("find-form").addEventListener("submit", (event) => {
    event.preventDefault();
    find($("patient-query").value).catch(fail);
  });
  render(
    $("request-categories"),
    categories.map((c) =>
      h(
        "label",
        { class: "check" },
        h("input", { type: "checkbox", name: "category", value: c.code }),
        c.display,
      ),
    ),
  );
  render(
    $("request-purpose"),
    PURPOSES.map((p) => h("option", { value: p.code }, p.display)),
  );
  $("request-form").addEventListener("submit", submitting(askForAccess));
  $("allergy-form").addEventListener("submit", submitting(addAllergy));
  $("procedure-form").addEventListener("submit", submitting(addProcedure));
}

/** A submit handler that keeps the button disabled while the request runs. */
function submitting(action) {
  return async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await action(form);
    } catch (e) {
      fail(e);
    } finally {
      button.disabled = false;
    }
  };
}

// --- Finding a patient -------------------------------------------------------------------------

async function find(query) {
  const q = query.trim();
  if (!q) return;
  clearError();
  announce("Searching…");
  const idLike = /^[A-Za-z0-9.-]{1,64}$/.test(q);
  const searches = ["Patient?name=" + encodeURIComponent(q) + "&_count=20"];
  if (idLike) searches.push("Patient?_id=" + encodeURIComponent(q));
  const found = new Map();
  for (const list of await Promise.all(searches.map((s) => searchAll(client, s, 1)))) {
    for (const patient of list) found.set(patient.id, { id: patient.id, patient });
  }
  // Searches leave out patients whose record is sealed for this practitioner; a read tells a
  // sealed patient (403) from an unknown id (404), so such a patient can still be opened by id.
  if (idLike && !found.has(q)) {
    try {
      const patient = await fhirRequest(client, "Patient/" + encodeURIComponent(q));
      found.set(patient.id, { id: patient.id, patient });
    } catch (e) {
      if (e.status === 403) found.set(q, { id: q, patient: null });
      else if (e.status !== 404 && e.status !== 400) throw e;
    }
  }
  const results = [...found.values()];
  render($("results"), results.map(resultItem));
  announce(
    results.length === 0
      ? "No patient found for “" + q + "”. Patients who have not shared their details with you are found by their id."
      : results.length + (results.length === 1 ? " patient found." : " patients found."),
  );
}

function resultItem({ id, patient }) {
  const name = personName(patient) || "Patient " + id;
  return h(
    "li",
    { class: "result" },
    h(
      "div",
      {},
      h("strong", {}, name),
      h("div", { class: "muted" }, patient ? patientDetails(patient) : "id " + id + " · details not shared with you"),
    ),
    h(
      "button",
      { type: "button", "aria-label": "Open " + name, onclick: () => openPatient(id).catch(fail) },
      "Open",
    ),
  );
}

// --- The patient view --------------------------------------------------------------------------

async function openPatient(id) {
  clearError();
  if (view && view.watcher) view.watcher.stop();
  const ref = "Patient/" + id;
  let patient = null;
  try {
    patient = await fhirRequest(client, ref);
  } catch (e) {
    if (e.status !== 403) throw e;
    // Without the patient's consent their demographics may be sealed; the id still works.
  }
  view = { id, ref, name: personName(patient) || "Patient " + id, readableKey: null, statuses: new Map() };
  $("patient-heading").textContent = view.name;
  $("patient-details").textContent = patient
    ? patientDetails(patient)
    : "id " + id + " · the patient has not shared their details with you";
  $("summary-heading").textContent = "Clinical summary of " + view.name;
  $("request-end").value = localDate(new Date(Date.now() + 30 * 86_400_000));
  $("request-end").min = localDate(new Date());
  render($("summary-sections"), h("p", { class: "muted" }, "Loading…"));
  for (const id of ["patient-view", "summary", "write"]) $(id).hidden = false;
  $("patient-heading").tabIndex = -1;
  $("patient-heading").focus();
  announce("Opened " + view.name + ".");
  await refresh({ summary: true });
  startWatching();
}

function startWatching() {
  const opened = view;
  $("live").textContent = "Connecting live updates…";
  opened.watcher = watch(client, "Consent?patient=" + opened.ref, {
    onChange: () => view === opened && refresh({ fromWatch: true }),
    onState: (live) => {
      if (view !== opened) return;
      $("live").textContent = live
        ? "Live updates on."
        : "Live updates unavailable: checking every 10 seconds.";
    },
  });
}

/**
 * Reloads the requests and the readable categories, and the summary when they changed (or when
 * asked). Calls that arrive while one runs are folded into one more run afterwards.
 */
async function refresh({ summary = false, fromWatch = false } = {}) {
  const current = view;
  if (current.busy) {
    current.again = current.again || { summary };
    current.again.summary ||= summary;
    return;
  }
  current.busy = true;
  try {
    const changed = await refreshConsents(current);
    if (view === current && (summary || changed)) await refreshSummary(current);
    // The patient's browser releases the keys of existing records just after it approves, and a
    // release writes no Consent version to ping about: look again shortly after a change.
    if (changed) {
      for (const delay of [750, 2000, 5000, 15000]) {
        setTimeout(() => view === current && refresh({ summary: true, fromWatch: true }), delay);
      }
    }
    if (fromWatch && isNetworkMessageShown()) clearError();
  } catch (e) {
    // A background refresh reports only what the user must act on, and only once.
    if (!fromWatch || e.status === 401 || (e.status === NETWORK_STATUS && !isNetworkMessageShown())) fail(e);
  } finally {
    current.busy = false;
    const again = current.again;
    current.again = null;
    if (again && view === current) refresh(again);
  }
}

function isNetworkMessageShown() {
  const error = $("error");
  return !error.hidden && error.textContent.startsWith("The server cannot be reached");
}

async function refreshConsents(current) {
  const consents = await searchAll(client, "Consent?patient=" + current.ref + "&_count=50");
  if (view !== current) return false;
  const requests = requestsOf(consents, me);
  const readable = readableCategories(requests);
  renderCategories(readable);
  renderRequests(requests, current);
  const key = [...readable].sort().join(",");
  const changed = key !== current.readableKey;
  current.readableKey = key;
  current.readable = readable;
  return changed;
}

function renderCategories(readable) {
  render(
    $("categories"),
    categories.map((c) =>
      h(
        "li",
        { "data-category": c.code },
        h("span", {}, c.display),
        readable.has(c.code)
          ? h("span", { class: "badge ok" }, "Readable")
          : h("span", { class: "badge no" }, "Not released"),
      ),
    ),
  );
}

function renderRequests(requests, current) {
  const changes = [];
  for (const consent of requests) {
    const before = current.statuses.get(consent.id);
    const status = statusText(consent);
    if (before && before !== status) changes.push(status);
    current.statuses.set(consent.id, status);
  }
  if (changes.length) announce("Your request: " + changes.join(", ") + ".");
  render(
    $("requests"),
    requests.length
      ? requests.map(requestItem)
      : h("li", { class: "muted" }, "You have not asked this patient for access yet."),
  );
}

function requestItem(consent) {
  const end = consent.provision && consent.provision.period && consent.provision.period.end;
  const names = categoriesOf(consent).map((code) => categoryDisplay(categories, code));
  const purpose = purposeText(consent);
  const updated = consent.meta && consent.meta.lastUpdated;
  return h(
    "li",
    { "data-consent": consent.id },
    h(
      "span",
      { class: "badge request-status " + (statusText(consent) === "Approved" ? "ok" : consent.status === "proposed" ? "" : "no") },
      statusText(consent),
    ),
    h("div", {}, (consent.status === "active" ? "Approved categories: " : "Categories: ") + names.join(", ")),
    h(
      "div",
      { class: "muted" },
      [end ? "Until " + when(end) : "No end date", purpose, updated ? "changed " + when(updated) : null]
        .filter(Boolean)
        .join(" · "),
    ),
  );
}

async function refreshSummary(current) {
  const sections = await summarySections(client, current.ref, categories, current.readable || new Set());
  if (view === current) render($("summary-sections"), sections);
}

// --- Writing -----------------------------------------------------------------------------------

async function askForAccess(form) {
  clearError();
  const chosen = [...form.querySelectorAll("input[name=category]:checked")].map((i) => i.value);
  if (!chosen.length) return showError("Choose at least one category to ask for.");
  const end = $("request-end").value;
  if (!end || end < localDate(new Date())) return showError("Choose an end date from today on.");
  await fhirRequest(client, "Consent", {
    method: "POST",
    body: accessRequest({
      patientRef: view.ref,
      practitionerRef: me,
      categories: chosen,
      purpose: $("request-purpose").value,
      end,
    }),
  });
  for (const box of form.querySelectorAll("input[name=category]")) box.checked = false;
  announce("Your request was sent to " + view.name + ".");
  await refresh();
}

async function addAllergy(form) {
  clearError();
  const substance = form.elements.substance.value.trim();
  if (!substance) return showError("Enter the substance the patient is allergic to.");
  await fhirRequest(client, "AllergyIntolerance", {
    method: "POST",
    body: {
      resourceType: "AllergyIntolerance",
      patient: { reference: view.ref },
      clinicalStatus: coded("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"),
      verificationStatus: coded(
        "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
        "confirmed",
      ),
      criticality: form.elements.criticality.value,
      code: { text: substance },
      recordedDate: new Date().toISOString(),
      recorder: { reference: me },
    },
  });
  form.reset();
  announce("Allergy to " + substance + " added.");
  await refresh({ summary: true });
}

async function addProcedure(form) {
  clearError();
  const procedure = form.elements.procedure.value.trim();
  const note = form.elements.note.value.trim();
  if (!procedure) return showError("Enter the procedure.");
  await fhirRequest(client, "Procedure", {
    method: "POST",
    body: {
      resourceType: "Procedure",
      status: "completed",
      subject: { reference: view.ref },
      code: { text: procedure },
      performedDateTime: new Date().toISOString(),
      performer: [{ actor: { reference: me } }],
      note: note ? [{ text: note, authorReference: { reference: me } }] : undefined,
    },
  });
  form.reset();
  announce("Procedure note added.");
  await refresh({ summary: true });
}

// --- Small helpers -----------------------------------------------------------------------------

function coded(system, code) {
  return { coding: [{ system, code }] };
}

function patientDetails(patient) {
  return [
    patient.birthDate ? "born " + when(patient.birthDate) : null,
    patient.gender,
    "id " + patient.id,
  ]
    .filter(Boolean)
    .join(" · ");
}
