// The patient app: sign in, keep the wallet's keys on this device, decide on access requests as
// they arrive, revoke consents, read one's own record and the log of who read it. Every call is
// FHIR REST or SMART; the approval runs the wallet's steps (wallet.js) in this browser.
import { FhirError, SignInError, fhirRequest, searchAll, session, signIn, signOut } from "../shared/smart.js";
import { announce, clearError, conceptText, h, personName, render, showError, when } from "../shared/ui.js";
import { categoryDisplay as displayAmong, loadCategories } from "../shared/categories.js";
import { summarySections } from "../shared/summary.js";
import { watch } from "../shared/live.js";
import {
  WrongPasswordError,
  approvedConsent,
  base64Encode,
  canonicalConsent,
  consentCategories,
  generateKeys,
  openRecoveryFile,
  openWallet,
  restoreWallet,
  sealRecoveryFile,
} from "./wallet.js";
import { loadWalletState, saveWalletState } from "./keystore.js";

const SCOPE = "openid fhirUser launch/patient patient/*.cruds register-keys";
const AUTHOR_SIGNATURE = {
  system: "urn:iso-astm:E1762-95:2013",
  code: "1.2.840.10065.1.12.1.1",
  display: "Author's Signature",
};
const $ = (id) => document.getElementById(id);

let client;
let patient;
let wallet;
let categories = [];
const names = new Map();

start();

async function start() {
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("sw.js").catch(() => {});
  try {
    client = await signIn({ clientIdKey: "patientClientId", scope: SCOPE });
  } catch (e) {
    showSignIn(e instanceof SignInError ? e.message : "Sign-in failed: " + e.message);
    return;
  }
  patient = session(client).patient;
  if (!patient) {
    showError("This app is for patients: sign in with a patient account.");
    return;
  }
  $("sign-out").hidden = false;
  $("sign-out").addEventListener("click", signOut);
  $("who").textContent = await nameOf(patient);
  categories = await loadCategories(client);
  const state = await loadWalletState(patient).catch(() => null);
  if (state) {
    wallet = restoreWallet(state);
    openApp();
  } else {
    showSetup();
  }
}

function showSignIn(message) {
  showError(message);
  const main = document.querySelector("main");
  main.append(
    h("div", { class: "actions" }, h("button", { class: "primary", type: "button", onclick: () => location.replace(location.pathname) }, "Sign in")),
  );
}

// ---------------------------------------------------------------- keys

function showSetup() {
  $("setup").hidden = false;
  let fresh;
  $("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const password = $("new-password").value;
    if (password.length < 10) return showError("Choose a password of at least 10 characters.");
    if (password !== $("new-password-confirm").value) return showError("The two passwords differ.");
    announce("Creating your keys…");
    fresh = await generateKeys();
    const file = await sealRecoveryFile(patient, fresh, password);
    const link = $("recovery-link");
    link.href = URL.createObjectURL(new Blob([file], { type: "application/json" }));
    link.download = "health-record-recovery-" + patient.split("/")[1] + ".json";
    $("create-form").hidden = true;
    $("restore-form").hidden = true;
    $("save-step").hidden = false;
    announce("Your keys are ready. Save the recovery file.");
    link.focus();
  });
  $("saved-check").addEventListener("change", () => {
    $("register-button").disabled = !$("saved-check").checked;
  });
  $("register-button").addEventListener("click", async () => {
    clearError();
    try {
      const opened = await openWallet(patient, fresh.encryptionPrivate, fresh.signingPrivate);
      fresh = null;
      announce("Registering your public keys…");
      await registerKeys(opened);
      await adopt(opened);
      announce("Your keys are registered. Only this device can approve access to your data.");
    } catch (e) {
      showError(
        e instanceof FhirError && e.status === 403
          ? "Keys are already registered for you from another device. Restore them from your recovery file. (" + e.message + ")"
          : "Your keys could not be registered: " + e.message,
      );
    }
  });
  $("restore-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    const file = $("recovery-file").files[0];
    if (!file) return showError("Choose your recovery file.");
    try {
      announce("Opening your recovery file…");
      const keys = await openRecoveryFile(await file.text(), $("recovery-password").value);
      if (keys.patient !== patient) {
        return showError("This recovery file belongs to another person.");
      }
      await adopt(await openWallet(patient, keys.encryptionPrivate, keys.signingPrivate));
      announce("Your keys are restored on this device.");
    } catch (e) {
      announce("");
      showError(e instanceof WrongPasswordError ? e.message : e.message || "The file could not be opened.");
    }
  });
}

async function registerKeys(opened) {
  await fhirRequest(client, "$register-keys", {
    method: "POST",
    body: {
      resourceType: "Parameters",
      parameter: [
        { name: "encryptionKey", valueString: JSON.stringify(opened.encryptionPublic) },
        { name: "signingKey", valueString: JSON.stringify(opened.signingPublic) },
        { name: "proof", valueString: await opened.registrationProof() },
      ],
    },
  });
}

async function adopt(opened) {
  await saveWalletState(opened.persistable());
  wallet = opened;
  $("setup").hidden = true;
  openApp();
}

// ---------------------------------------------------------------- navigation and live updates

function openApp() {
  $("tabs").hidden = false;
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  showTab("requests");
  const watcher = watch(client, "Consent?patient=" + patient, {
    onChange: () => refreshConsents(),
    onState: (live) => {
      $("live-state").textContent = live
        ? "New requests appear here as they arrive."
        : "Live updates are unavailable; this list is checked every 10 seconds.";
    },
  });
  // A reload makes a new Subscription: delete this one when the page goes.
  window.addEventListener("pagehide", () => watcher.stop());
}

function showTab(tab) {
  for (const button of document.querySelectorAll("#tabs button")) {
    if (button.dataset.tab === tab) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  for (const id of ["requests", "consents", "record", "log"]) $(id).hidden = id !== tab;
  clearError();
  if (tab === "requests" || tab === "consents") refreshConsents();
  if (tab === "record") showRecord();
  if (tab === "log") showLog();
}

// ---------------------------------------------------------------- requests and consents

let refreshing = null;

async function refreshConsents() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      const consents = (await searchAll(client, "Consent?patient=" + patient + "&_count=100")).filter(isAccessConsent);
      const proposed = consents.filter((c) => c.status === "proposed");
      $("request-count").textContent = proposed.length ? "(" + proposed.length + ")" : "";
      await renderInbox(proposed);
      await renderConsents(consents.filter((c) => c.status !== "proposed"));
    } catch (e) {
      showError(e.message);
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function isAccessConsent(consent) {
  return ((consent.scope && consent.scope.coding) || []).some((c) => c.code === "patient-privacy");
}

async function renderInbox(proposed) {
  const open = new Set([...$("inbox").querySelectorAll("[data-consent]")].map((li) => li.dataset.consent));
  if (proposed.length === 0) {
    render($("inbox"), h("li", { class: "muted" }, "No request is waiting for you."));
    return;
  }
  // Keep cards the patient is working on; add new ones.
  const items = [];
  for (const consent of proposed.sort(newestFirst)) {
    const existing = open.has(consent.id) && $("inbox").querySelector(`[data-consent="${consent.id}"]`);
    items.push(existing && existing.dataset.version === consent.meta.versionId ? existing : await requestCard(consent));
  }
  render($("inbox"), items);
}

async function requestCard(consent) {
  const actor = actorOf(consent);
  const who = await nameOf(actor);
  const role = await roleOf(actor);
  const categories = consentCategories(consent);
  const end = (consent.provision && consent.provision.period && consent.provision.period.end) || inDays(30);
  const purpose = ((consent.provision && consent.provision.purpose) || []).map((p) => p.display || p.code).join(", ");
  const id = consent.id;
  const boxes = categories.map((code) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "category", value: code, checked: true }), categoryDisplay(code)),
  );
  const until = h("input", { type: "date", id: "until-" + id, value: end.slice(0, 10), min: today() });
  const card = h(
    "li",
    { class: "card request", dataset: { consent: id, version: consent.meta.versionId } },
    h("h3", {}, who + " asks to see your data"),
    role ? h("p", { class: "request-meta" }, role) : null,
    h("p", { class: "request-meta" }, "Asked " + when(consent.dateTime || consent.meta.lastUpdated) + (purpose ? " · Purpose: " + purpose : "")),
    h("fieldset", { class: "categories" }, h("legend", {}, "What they ask for (untick what you do not share)"), boxes),
    h("label", { for: "until-" + id }, "Until"),
    until,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => approve(consent, card, until.value) }, "Approve selected"),
      h("button", { type: "button", class: "danger", onclick: () => reject(consent, card) }, "Reject"),
    ),
  );
  return card;
}

async function approve(consent, card, end) {
  clearError();
  const chosen = [...card.querySelectorAll('input[name="category"]:checked')].map((i) => i.value);
  if (chosen.length === 0) return showError("Choose at least one category to share, or reject the request.");
  if (!end || end < today()) return showError("Choose an end date from today on.");
  setBusy(card, true);
  try {
    announce("Signing your approval…");
    const approved = approvedConsent(consent, chosen, end);
    await decide(consent, approved);
    announce("Releasing the keys of what you share…");
    const released = await releaseKeys(consent.id);
    announce(
      "Approved: " + chosen.map(categoryDisplay).join(", ") + " until " + when(end) + (released ? ` (${released} records released)` : "") + ".",
    );
  } catch (e) {
    showError("The approval did not go through: " + e.message);
  } finally {
    setBusy(card, false);
    refreshConsents();
  }
}

async function reject(consent, card) {
  clearError();
  setBusy(card, true);
  try {
    await decide(consent, { ...consent, status: "rejected" });
    announce("Request rejected.");
  } catch (e) {
    showError("The rejection did not go through: " + e.message);
  } finally {
    setBusy(card, false);
    refreshConsents();
  }
}

/** PUT of the decided Consent with a Provenance carrying the patient's detached JWS, in one transaction. */
async function decide(consent, decided) {
  const version = consent.meta.versionId;
  const signature = await wallet.signDetached(canonicalConsent(decided, version));
  const now = new Date().toISOString();
  const { baseUrl } = session(client);
  await fhirRequest(client, "", {
    method: "POST",
    body: {
      resourceType: "Bundle",
      type: "transaction",
      entry: [
        {
          fullUrl: baseUrl + "/Consent/" + consent.id,
          resource: decided,
          request: { method: "PUT", url: "Consent/" + consent.id },
        },
        {
          fullUrl: "urn:uuid:" + crypto.randomUUID(),
          resource: {
            resourceType: "Provenance",
            target: [{ reference: "Consent/" + consent.id }],
            recorded: now,
            agent: [{ who: { reference: patient } }],
            signature: [
              {
                type: [AUTHOR_SIGNATURE],
                when: now,
                who: { reference: patient },
                sigFormat: "application/jose",
                data: btoa(signature),
              },
            ],
          },
          request: { method: "POST", url: "Provenance" },
        },
      ],
    },
  });
}

/** $wrapped-keys, re-wrapped in this browser for each actor, then $release: the count released. */
async function releaseKeys(consentId) {
  const held = await fhirRequest(client, "Consent/" + consentId + "/$wrapped-keys");
  let released = 0;
  for (const release of (held && held.parameter) || []) {
    if (release.name !== "release") continue;
    const part = (name) => (release.part || []).filter((p) => p.name === name);
    const actor = part("actor")[0].valueString;
    const actorKey = JSON.parse(part("actorKey")[0].valueString);
    const keys = part("key").map((k) => {
      const value = (name) => {
        const p = k.part.find((x) => x.name === name);
        return p.valueString || p.valueBase64Binary;
      };
      return { reference: value("reference"), grant: value("grant"), dataKey: value("dataKey") };
    });
    if (keys.length === 0) continue;
    const signed = await wallet.release("Consent/" + consentId, actor, actorKey, keys);
    const answer = await fhirRequest(client, "Consent/" + consentId + "/$release", {
      method: "POST",
      body: {
        resourceType: "Parameters",
        parameter: [
          { name: "statement", valueBase64Binary: base64Encode(signed.statement) },
          { name: "signature", valueString: signed.signature },
        ],
      },
    });
    const count = ((answer && answer.parameter) || []).find((p) => p.name === "released");
    released += count ? count.valueInteger : 0;
  }
  return released;
}

async function renderConsents(consents) {
  if (consents.length === 0) {
    render($("consent-list"), h("li", { class: "muted" }, "You have not given or refused any consent yet."));
    return;
  }
  const items = [];
  for (const consent of consents.sort(newestFirst)) {
    const state = consentState(consent);
    const end = consent.provision && consent.provision.period && consent.provision.period.end;
    items.push(
      h(
        "li",
        { class: "card", dataset: { consent: consent.id, state: state.code } },
        h("h3", {}, await nameOf(actorOf(consent))),
        h("p", {}, h("span", { class: "badge " + (state.code === "active" ? "ok" : "no") }, state.label)),
        h("p", {}, consentCategories(consent).map(categoryDisplay).join(", ") || "No category"),
        end ? h("p", { class: "muted" }, (state.code === "expired" ? "Ended " : "Until ") + when(end)) : null,
        state.code === "active"
          ? h("div", { class: "actions" }, h("button", { type: "button", class: "danger", onclick: () => revoke(consent) }, "Revoke"))
          : null,
      ),
    );
  }
  render($("consent-list"), items);
}

function consentState(consent) {
  const end = consent.provision && consent.provision.period && consent.provision.period.end;
  if (consent.status === "active" && end && end.slice(0, 10) < today()) return { code: "expired", label: "Expired" };
  return (
    {
      active: { code: "active", label: "Active" },
      inactive: { code: "revoked", label: "Revoked" },
      rejected: { code: "rejected", label: "Rejected" },
    }[consent.status] || { code: consent.status, label: consent.status }
  );
}

async function revoke(consent) {
  clearError();
  try {
    const current = await fhirRequest(client, "Consent/" + consent.id);
    await fhirRequest(client, "Consent/" + consent.id, {
      method: "PUT",
      body: { ...current, status: "inactive" },
      headers: { "If-Match": 'W/"' + current.meta.versionId + '"' },
    });
    announce("Consent revoked: " + (await nameOf(actorOf(consent))) + " can no longer read this data.");
  } catch (e) {
    showError("The consent could not be revoked: " + e.message);
  }
  refreshConsents();
}

// ---------------------------------------------------------------- my record and access log

async function showRecord() {
  announce("Loading your record…");
  try {
    const everything = new Set(categories.map((c) => c.code));
    render($("record-list"), await summarySections(client, patient, categories, everything));
    announce("");
  } catch (e) {
    announce("");
    showError(e.message);
  }
}

async function showLog() {
  announce("Loading the access log…");
  try {
    const events = await searchAll(client, "AuditEvent?patient=" + patient + "&_count=100", 5);
    events.sort((a, b) => eventTime(b).localeCompare(eventTime(a)));
    if (events.length === 0) {
      render($("log-list"), h("li", { class: "muted" }, "Nobody but you has accessed your data."));
    } else {
      const items = [];
      for (const event of events) items.push(await logEntry(event));
      render($("log-list"), items);
    }
    announce("");
  } catch (e) {
    announce("");
    showError(e.message);
  }
}

async function logEntry(event) {
  const agents = event.agent || [];
  const who = agents[0] && agents[0].who ? await nameOf(agents[0].who.reference, agents[0].who.display) : "Someone";
  const recipient = agents.slice(1).find((a) => ((a.type && a.type.coding) || []).some((c) => c.code === "IRCP"));
  const entities = (event.entity || []).map((e) => e.what && e.what.reference).filter(Boolean);
  const consent = entities.find((r) => r.startsWith("Consent/"));
  const records = entities.filter((r) => r !== patient && !r.startsWith("Consent/"));
  const refused = event.outcome && event.outcome !== "0";
  const action = actionText(event.action, Boolean(consent), event.subtype);
  return h(
    "li",
    { class: "log-entry", dataset: { outcome: refused ? "refused" : "allowed" } },
    h("p", {}, h("strong", {}, who), " · ", action, recipient && recipient.who ? " for " + (await nameOf(recipient.who.reference)) : "", " · ", when(eventTime(event))),
    h("p", {}, h("span", { class: "badge " + (refused ? "no" : "ok") }, refused ? "Refused" : "Allowed"), records.length ? " " + records.length + " record(s): " : "", h("span", { class: "what muted" }, records.slice(0, 5).map(typeOf).join(", "))),
    consent ? h("p", { class: "muted" }, "Under consent " + consent.split("/")[1]) : null,
  );
}

/** What an AuditEvent says happened, in words: a Consent's create is a request, its update a decision. */
function actionText(code, aboutConsent, subtype) {
  // The gateway's subtype: a restful-interaction code, its action word as the display.
  const first = (subtype || [])[0] || {};
  const sub = first.display || first.code || "";
  if (aboutConsent && code === "C") return "asked for access";
  if (aboutConsent && code === "U") return "decided on a request";
  const words = {
    read: "read",
    vread: "read",
    "search-type": "searched",
    "search-system": "searched",
    search: "searched",
    include: "searched",
    history: "read the history",
    "history-instance": "read the history",
    "history-type": "read the history",
    release: "released keys",
    "register-keys": "registered keys",
    everything: "read the whole record",
  };
  if (words[sub]) return words[sub];
  return { R: "read", C: "created", U: "updated", D: "deleted", E: "accessed" }[code] || "accessed";
}

function eventTime(event) {
  return (event.period && (event.period.end || event.period.start)) || event.recorded || "";
}

function typeOf(reference) {
  return reference.split("/")[0];
}

// ---------------------------------------------------------------- small helpers

function categoryDisplay(code) {
  return displayAmong(categories, code);
}

function actorOf(consent) {
  const actor = ((consent.provision && consent.provision.actor) || [])[0];
  return actor && actor.reference ? actor.reference.reference : "Someone";
}

/** A person's name from their resource, cached; the reference itself if it cannot be read. */
async function nameOf(reference, display) {
  if (display) return display;
  if (!reference || !reference.includes("/")) return reference || "Someone";
  if (!names.has(reference)) {
    names.set(
      reference,
      fhirRequest(client, reference)
        .then((r) => personName(r) || reference)
        .catch(() => reference),
    );
  }
  return names.get(reference);
}

async function roleOf(practitioner) {
  if (!practitioner.startsWith("Practitioner/")) return "";
  try {
    const roles = await searchAll(client, "PractitionerRole?practitioner=" + practitioner, 1);
    return roles
      .map((role) => [conceptText((role.code || [])[0]), role.organization && (role.organization.display || role.organization.reference)].filter(Boolean).join(", "))
      .filter(Boolean)
      .join("; ");
  } catch {
    return "";
  }
}

function setBusy(card, busy) {
  for (const button of card.querySelectorAll("button")) button.disabled = busy;
  card.setAttribute("aria-busy", String(busy));
}

function newestFirst(a, b) {
  return (b.meta.lastUpdated || "").localeCompare(a.meta.lastUpdated || "");
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

function inDays(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

