// The consent loop as its two users live it, in Debian's Chromium driven by playwright-core: a
// practitioner at a desk (1280 px) and a patient on a phone (360 px), two browser contexts at
// once, against the packaged gateway that WebAppsTest started and seeded (an allergy, a procedure
// and a lab result of patient P, written by practitioner A).
//
// Environment: GATEWAY_URL (http://127.0.0.1:<port>), SECRETS_DIR (its demo-users.json),
// OUT_DIR (screenshots, recovery file), CHROMIUM (default /usr/bin/chromium).
// Prints one JSON line with the figures; exits 1 on the first failed check, with a screenshot.
import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const BASE = process.env.GATEWAY_URL;
const OUT = process.env.OUT_DIR;
const USERS = JSON.parse(readFileSync(join(process.env.SECRETS_DIR, "demo-users.json"), "utf8")).users;
const PASSWORD = "a long recovery password";
const P = "demo-patient-p";
const Q = "demo-patient-q";
const B = "demo-practitioner-b";
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

mkdirSync(OUT, { recursive: true });
const figures = { timings: {}, axe: {} };
let shot = 0;
let current = "start";
const pages = {};
const problems = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: CHROMIUM_ARGS,
});
try {
  await run();
  assert(problems.length === 0, "script errors or CSP violations: " + JSON.stringify(problems));
  console.log("FIGURES " + JSON.stringify(figures));
} catch (e) {
  console.error(`FAILED at step "${current}": ${e.stack || e}`);
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(OUT, `failure-${name}.png`), fullPage: true }).catch(() => {});
    console.error(`${name} page at ${page.url()}: error="${await text(page, "#error")}" status="${await text(page, "#status")}"`);
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}

async function run() {
  const doctor = await open("practitioner", { width: 1280, height: 900 });
  const phone = await open("patient", { width: 360, height: 780 }, { isMobile: true, hasTouch: true });

  await step("the patient app's first download", async () => {
    // Without the service worker, whose install would fetch the files a second time.
    const context = await browser.newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    const responses = [];
    page.on("response", (r) => new URL(r.url()).pathname.startsWith("/apps/") && responses.push(r));
    await page.goto(BASE + "/apps/patient/");
    await page.waitForURL(/\/login/);
    let bytes = 0;
    for (const response of responses) {
      const sizes = await response.request().sizes();
      bytes += sizes.responseBodySize + sizes.responseHeadersSize;
    }
    figures.patientAppTransferBytes = bytes;
    figures.patientAppFiles = responses.length;
    await context.close();
  });

  await step("patient signs in and creates keys", async () => {
    await phone.goto(BASE + "/apps/patient/");
    await login(phone, P);
    await phone.waitForSelector("#setup:not([hidden])");
    await check(phone, "patient-setup");
    await phone.fill("#new-password", PASSWORD);
    await phone.fill("#new-password-confirm", "another password");
    await phone.click('button:has-text("Create my keys")');
    await expectText(phone, "#error", "The two passwords differ.");
    await phone.fill("#new-password-confirm", PASSWORD);
    await phone.click('button:has-text("Create my keys")');
    await phone.waitForSelector("#save-step:not([hidden])");
    const [download] = await Promise.all([phone.waitForEvent("download"), phone.click("#recovery-link")]);
    await download.saveAs(join(OUT, "recovery-file.json"));
    const file = readFileSync(join(OUT, "recovery-file.json"), "utf8");
    assert(!file.includes('"d"'), "the recovery file holds no private key in clear");
    await phone.check("#saved-check");
    await phone.click("#register-button");
    await phone.waitForSelector("#requests:not([hidden])");
    await expectText(phone, "#status", "Your keys are registered");
    await expectText(phone, "#live-state", "appear here as they arrive");
  });

  await step("practitioner signs in and finds the patient", async () => {
    await doctor.goto(BASE + "/apps/practitioner/");
    await login(doctor, B);
    // Patient P's demographics are sealed for B (a Patient is in no category): found by id.
    await doctor.fill("#patient-query", P);
    await doctor.click('button:has-text("Find")');
    await doctor.getByRole("button", { name: /Open .*demo-patient-p/i }).click();
    await doctor.waitForSelector("#patient-view");
    await expectCategory(doctor, "allergies", "Not released");
    await check(doctor, "practitioner-patient");
  });

  await step("practitioner asks for three categories; the patient sees it without reloading", async () => {
    const form = doctor.locator("#request-form");
    for (const label of ["Allergies", "Operations", "Diagnostic reports and labs"]) {
      await form.getByLabel(label, { exact: true }).check();
    }
    const asked = Date.now();
    await form.getByRole("button", { name: "Ask the patient" }).click();
    await expectText(doctor, "#requests", "Waiting for the patient");
    await phone.waitForSelector("#inbox [data-consent]", { timeout: 20000 });
    figures.timings.askToPatientSeesMs = Date.now() - asked;
    await expectText(phone, "#inbox", "Ben Demo-Practitioner-B asks to see your data");
    await expectText(phone, "#inbox", "Doctor, Demo Health Organization");
    await check(phone, "patient-inbox");
    await phone.evaluate(() => window.scrollTo(0, 0));
    await phone.screenshot({ path: join(OUT, "readme-patient-app.png") });
  });

  await step("patient approves two of the three", async () => {
    await phone.uncheck('#inbox input[value="diagnostic-reports"]');
    const approved = Date.now();
    await phone.click('button:has-text("Approve selected")');
    await expectText(phone, "#status", "Approved: Allergies, Operations", 30000);
    await expectText(doctor, "#requests", "Approved", 20000);
    await expectCategory(doctor, "allergies", "Readable", 20000);
    await expectText(doctor, '#summary section[data-category="allergies"]', "penicillin", 20000);
    figures.timings.approveToPractitionerReadsMs = Date.now() - approved;
    await expectCategory(doctor, "operations", "Readable");
    await expectText(doctor, '#summary section[data-category="operations"]', "Appendectomy");
    await expectCategory(doctor, "diagnostic-reports", "Not released");
    await expectText(
      doctor,
      '#summary section[data-category="diagnostic-reports"]',
      "Not released: the patient has not shared Diagnostic reports and labs with you.",
    );
    await check(doctor, "practitioner-released");
    await doctor.evaluate(() => window.scrollTo(0, 0));
    await doctor.screenshot({ path: join(OUT, "readme-practitioner-app.png") });
  });

  await step("the practitioner adds an allergy through the encrypted write path", async () => {
    await doctor.fill("#allergy-substance", "Latex");
    await doctor.selectOption("#allergy-criticality", "high");
    await doctor.click('button:has-text("Add the allergy")');
    await expectText(doctor, "#status", "Allergy to Latex added.");
    await expectText(doctor, '#summary section[data-category="allergies"]', "Latex", 20000);
  });

  await step("a rejected request shows as rejected", async () => {
    const form = doctor.locator("#request-form");
    for (const box of await form.locator('input[type="checkbox"]').all()) await box.uncheck();
    await form.getByLabel("Prescriptions", { exact: true }).check();
    await form.getByRole("button", { name: "Ask the patient" }).click();
    const card = phone.locator("#inbox [data-consent]", { hasText: "Prescriptions" });
    await card.waitFor({ timeout: 20000 });
    await card.getByRole("button", { name: "Reject" }).click();
    await expectText(phone, "#status", "Request rejected.");
    await expectText(doctor, "#requests", "Rejected", 20000);
  });

  await step("the network goes away and comes back", async () => {
    await doctor.context().setOffline(true);
    await doctor.fill("#patient-query", P);
    await doctor.click('button:has-text("Find")');
    await expectText(doctor, "#error", "cannot be reached");
    await doctor.context().setOffline(false);
    await phone.context().setOffline(true);
    await phone.click('button[data-tab="consents"]');
    await expectText(phone, "#error", "cannot be reached");
    await phone.context().setOffline(false);
    await phone.click('button[data-tab="requests"]');
  });

  await step("patient revokes; the practitioner loses access at once", async () => {
    await phone.click('button[data-tab="consents"]');
    const active = phone.locator('#consent-list [data-state="active"]');
    await active.first().waitFor();
    await check(phone, "patient-consents");
    const revoked = Date.now();
    await active.first().getByRole("button", { name: "Revoke" }).click();
    await expectText(phone, "#status", "Consent revoked");
    await expectText(doctor, "#requests", "Revoked", 20000);
    await expectCategory(doctor, "allergies", "Not released", 20000);
    figures.timings.revokeToPractitionerRefusedMs = Date.now() - revoked;
    await expectText(
      doctor,
      '#summary section[data-category="allergies"]',
      "Not released: the patient has not shared Allergies with you.",
      20000,
    );
  });

  await step("the patient's access log lists the practitioner's reads", async () => {
    await phone.click('button[data-tab="log"]');
    const read = phone.locator("#log-list li", { hasText: "Ben Demo-Practitioner-B · read" });
    await read.first().waitFor({ timeout: 20000 });
    await expectText(phone, "#log-list", "AllergyIntolerance");
    await check(phone, "patient-access-log");
    await phone.click('button[data-tab="record"]');
    await expectText(phone, '#record-list [data-category="allergies"]', "penicillin", 20000);
    await check(phone, "patient-record");
  });

  await step("an expired consent is shown as expired and releases nothing", async () => {
    // WebAppsTest made an active consent for patient Q whose period ended yesterday.
    const expired = await open("patient-q", { width: 360, height: 780 }, { isMobile: true, hasTouch: true });
    await expired.goto(BASE + "/apps/patient/");
    await login(expired, Q);
    await expired.fill("#new-password", PASSWORD);
    await expired.fill("#new-password-confirm", PASSWORD);
    await expired.click('button:has-text("Create my keys")');
    await expired.check("#saved-check");
    await expired.click("#register-button");
    await expired.waitForSelector("#requests:not([hidden])");
    await expired.click('button[data-tab="consents"]');
    await expectText(expired, '#consent-list [data-state="expired"]', "Expired");
    await check(expired, "patient-expired-consent");
    await doctor.fill("#patient-query", Q);
    await doctor.click('button:has-text("Find")');
    await doctor.getByRole("button", { name: /Open .*demo-patient-q/i }).click();
    await expectText(doctor, "#patient-view", "demo-patient-q");
    await expectText(doctor, "#requests", "Expired");
    await expectCategory(doctor, "allergies", "Not released");
  });

  await step("an EHR launches the practitioner app in the patient's context", async () => {
    const token = await clientToken("demo-practitioner-a");
    const response = await fetch(BASE + "/smart/launch", {
      method: "POST",
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/x-www-form-urlencoded" },
      body: "patient=" + P,
    });
    assert(response.ok, "POST /smart/launch answered " + response.status);
    const { launch } = await response.json();
    const ehr = await open("ehr-launch", { width: 1280, height: 900 });
    const iss = encodeURIComponent(BASE.replace("127.0.0.1", "localhost") + "/fhir");
    await ehr.goto(`${BASE}/apps/practitioner/?iss=${iss}&launch=${encodeURIComponent(launch)}`);
    await login(ehr, "demo-practitioner-a");
    await expectText(ehr, "#patient-view", "demo-patient-p", 20000);
    // A wrote P's records: an author reads them without any consent.
    await expectText(ehr, '#summary section[data-category="allergies"]', "You see the entries you wrote.", 20000);
    await expectText(ehr, '#summary section[data-category="allergies"]', "penicillin");
  });

  await step("a wrong sign-in password and a wrong recovery password are refused clearly", async () => {
    const device = await open("new-device", { width: 360, height: 780 }, { isMobile: true, hasTouch: true });
    await device.goto(BASE + "/apps/patient/");
    await device.waitForURL(/\/login/);
    await device.fill("#username", P);
    await device.fill("#password", "not my password");
    await device.click('button[type="submit"]');
    await expectText(device, "body", "Invalid credentials");
    await login(device, P);
    await device.setInputFiles("#recovery-file", join(OUT, "recovery-file.json"));
    await device.fill("#recovery-password", "not the password");
    await device.click('button:has-text("Restore my keys")');
    await expectText(device, "#error", "The password does not open this recovery file.");
    await device.fill("#recovery-password", PASSWORD);
    await device.click('button:has-text("Restore my keys")');
    await expectText(device, "#status", "Your keys are restored on this device.");
  });

  await step("Deny on the consent screen denies, also after an earlier Allow", async () => {
    const device = pages["new-device"];
    await device.click("#sign-out");
    // Still signed in at the authorization server: straight to its consent screen.
    await device.waitForURL(/\/oauth2\/consent/);
    await device.click('button:has-text("Deny")');
    await device.waitForURL(/127\.0\.0\.1:\d+\/apps\/patient\//);
    await expectText(device, "#error", "Sign-in was cancelled or refused.");
  });
}

// ---------------------------------------------------------------- helpers

async function open(name, viewport, options = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, ...options });
  const page = await context.newPage();
  page.on("pageerror", (e) => {
    console.error(`[${name}] page error: ${e.message}`);
    problems.push(`${name}: ${e.message}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Uncaught/.test(m.text())) {
      problems.push(`${name}: ${m.text()}`);
    }
  });
  pages[name] = page;
  return page;
}

async function step(name, action) {
  current = name;
  const started = Date.now();
  await action();
  shot += 1;
  for (const [pageName, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(OUT, `${String(shot).padStart(2, "0")}-${pageName}.png`), fullPage: true });
  }
  console.log(`ok ${shot} - ${name} (${Date.now() - started} ms)`);
}

/** The authorization server's login form, then its consent screen (every scope left ticked). */
async function login(page, user) {
  await page.waitForURL(/\/login/);
  await page.fill("#username", user);
  await page.fill("#password", USERS.find((u) => u.username === user).password);
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/oauth2\/consent/);
  await page.click('button:has-text("Allow")');
  await page.waitForURL(/127\.0\.0\.1:\d+\/apps\//);
}

async function expectText(page, selector, expected, timeout = 10000) {
  try {
    await page.locator(selector, { hasText: expected }).first().waitFor({ timeout });
  } catch {
    throw new Error(`expected "${expected}" in ${selector}, found "${await text(page, selector)}"`);
  }
}

async function expectCategory(page, code, badge, timeout = 10000) {
  const el = page.locator(`#patient-view [data-category="${code}"]`, { hasText: badge }).first();
  try {
    await el.waitFor({ timeout });
  } catch {
    throw new Error(`expected ${code} to be "${badge}", found "${await text(page, `#patient-view [data-category="${code}"]`)}"`);
  }
}

/** A client-credentials token of a demo client (what an EHR holds to create a launch). */
async function clientToken(clientId) {
  const clients = JSON.parse(readFileSync(join(process.env.SECRETS_DIR, "demo-clients.json"), "utf8")).clients;
  const secret = clients.find((c) => c.clientId === clientId).clientSecret;
  const response = await fetch(BASE + "/oauth2/token", {
    method: "POST",
    headers: {
      Authorization: "Basic " + Buffer.from(clientId + ":" + secret).toString("base64"),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  assert(response.ok, "token for " + clientId + ": " + response.status);
  return (await response.json()).access_token;
}

async function text(page, selector) {
  try {
    return (await page.locator(selector).first().textContent({ timeout: 1000 })) || "";
  } catch {
    return "(none)";
  }
}

/** axe-core in the page: no serious or critical violation; counts kept as figures. */
async function check(page, name) {
  // Evaluated through the DevTools protocol: the apps' CSP rightly refuses inline scripts.
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const r = await globalThis.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  figures.axe[name] = result.map((v) => `${v.impact}:${v.id}`);
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert(bad.length === 0, `${name}: accessibility violations ${JSON.stringify(bad)}`);
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}
