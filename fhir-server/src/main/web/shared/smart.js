// Sign-in with SMART App Launch (standalone or EHR launch, PKCE) through the official SMART JS
// client, fhirclient, whose browser build ../vendor/fhir-client.js defines the global FHIR.
// FHIR calls then go through fhirRequest: plain fetch with the access token, so that an app sees
// every status and OperationOutcome as the server sent it.

/** What the serving gateway tells its apps: the FHIR base URL and their client ids. */
export async function appConfig() {
  const response = await fetch(new URL("../config.json", import.meta.url));
  if (!response.ok) throw new Error("The app's configuration could not be loaded");
  return response.json();
}

/**
 * Returns a signed-in fhirclient Client, or redirects to the authorization server and never
 * resolves. `clientIdKey` names the client id in the configuration; `scope` is the scope to ask.
 * A launch with `?iss=` (and `launch` for an EHR launch) overrides the configured server.
 */
export async function signIn({ clientIdKey, scope }) {
  // The authorization server accepts loopback redirects only by IP (RFC 8252): one origin.
  if (location.hostname === "localhost") {
    location.replace(location.href.replace("//localhost", "//127.0.0.1"));
    return new Promise(() => {});
  }
  const params = new URLSearchParams(location.search);
  if (params.has("error")) {
    const description = params.get("error_description") || params.get("error");
    history.replaceState(null, "", location.pathname);
    throw new SignInError(
      params.get("error") === "access_denied"
        ? "Sign-in was cancelled or refused. You can try again."
        : "Sign-in failed: " + description,
    );
  }
  if (params.has("code") || !params.has("iss")) {
    try {
      const client = await FHIR.oauth2.ready();
      if (params.has("code")) history.replaceState(null, "", location.pathname);
      return client;
    } catch (e) {
      if (params.has("code")) throw new SignInError("Sign-in could not be completed: " + e.message);
      // No session yet: start one below.
    }
  }
  const config = await appConfig();
  const launch = params.get("launch");
  await FHIR.oauth2.authorize({
    iss: params.get("iss") || config.fhirBaseUrl,
    clientId: config[clientIdKey],
    scope: launch ? scope + " launch" : scope,
    launch: launch || undefined,
    redirectUri: location.pathname,
    pkceMode: "required",
  });
  return new Promise(() => {});
}

/** Ends the session in this tab (the token is forgotten; the server session times out). */
export function signOut() {
  sessionStorage.clear();
  location.replace(location.pathname);
}

export class SignInError extends Error {}

/** An HTTP answer that was not 2xx, with the OperationOutcome's text when there is one. */
export class FhirError extends Error {
  constructor(status, message, outcome) {
    super(message);
    this.status = status;
    this.outcome = outcome;
  }
}

/** The access token, the FHIR base URL and the user of a signed-in client. */
export function session(client) {
  const token = client.state.tokenResponse || {};
  return {
    baseUrl: client.state.serverUrl.replace(/\/$/, ""),
    accessToken: token.access_token,
    patient: token.patient ? "Patient/" + token.patient : null,
    user: client.getFhirUser ? client.getFhirUser() : null,
    expiresAt: client.state.expiresAt ? client.state.expiresAt * 1000 : null,
  };
}

/**
 * One FHIR call: `path` relative to the base (e.g. "Consent?patient=..."), or absolute. Resolves
 * with the parsed JSON body (null for an empty one); rejects with FhirError for a non-2xx answer,
 * or an Error("network") when the server cannot be reached.
 */
export async function fhirRequest(client, path, { method = "GET", body, headers = {} } = {}) {
  const { baseUrl, accessToken } = session(client);
  const url = /^https?:/.test(path) ? path : baseUrl + "/" + path.replace(/^\//, "");
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Accept: "application/fhir+json",
        Authorization: "Bearer " + accessToken,
        ...(body === undefined ? {} : { "Content-Type": "application/fhir+json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new FhirError(0, "The server cannot be reached. Check your connection and try again.");
  }
  const text = await response.text();
  const json = text ? safeJson(text) : null;
  if (!response.ok) {
    throw new FhirError(response.status, outcomeText(response.status, json), json);
  }
  return json;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function outcomeText(status, json) {
  const issue = json && json.resourceType === "OperationOutcome" && json.issue && json.issue[0];
  const detail = issue && (issue.diagnostics || (issue.details && issue.details.text));
  if (status === 401) return "Your session has ended. Sign in again.";
  if (status === 403) return detail || "Not allowed.";
  return detail || "The server answered " + status + ".";
}

/** Every resource of a search, following `next` links up to `maxPages` pages. */
export async function searchAll(client, query, maxPages = 20) {
  const resources = [];
  let bundle = await fhirRequest(client, query);
  for (let page = 0; bundle && page < maxPages; page++) {
    for (const entry of bundle.entry || []) {
      if (entry.resource && (!entry.search || entry.search.mode !== "outcome")) {
        resources.push(entry.resource);
      }
    }
    const next = (bundle.link || []).find((l) => l.relation === "next");
    bundle = next ? await fhirRequest(client, next.url) : null;
  }
  return resources;
}
