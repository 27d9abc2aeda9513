// Small DOM helpers shared by the apps: no framework, elements built with h(), messages announced
// to screen readers through one polite live region and one alert region.

/** h("button", {class: "primary", onclick}, "Approve") */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the content of `el` with `children`. */
export function render(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** A status message (polite live region `#status`). */
export function announce(message) {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

/** An error message (alert region `#error`, cleared by clearError or the next success). */
export function showError(message) {
  const error = document.getElementById("error");
  if (error) {
    error.textContent = message;
    error.hidden = false;
  }
}

export function clearError() {
  const error = document.getElementById("error");
  if (error) {
    error.textContent = "";
    error.hidden = true;
  }
}

/** "3 Dec 2026, 14:05" in the user's locale; "" for nothing. */
export function when(value) {
  if (!value) return "";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  return dateOnly
    ? date.toLocaleDateString(undefined, { dateStyle: "medium", timeZone: "UTC" })
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The text a person reads for a CodeableConcept. */
export function conceptText(concept) {
  if (!concept) return "";
  if (concept.text) return concept.text;
  const coding = (concept.coding || [])[0];
  return coding ? coding.display || coding.code : "";
}

/** The name a person reads for a Patient or Practitioner: its first name's text, or its parts. */
export function personName(resource) {
  const name = resource && (resource.name || [])[0];
  if (!name) return "";
  if (name.text) return name.text;
  return [...(name.prefix || []), ...(name.given || []), name.family].filter(Boolean).join(" ");
}
