// Service worker of the patient app: keeps the app's own files for offline start. It never
// caches FHIR or OAuth answers (other origins, or paths outside /apps/): health data is not
// stored by the browser's cache.
const CACHE = "patient-app-v1";
const SHELL = [
  "./",
  "index.html",
  "app.js",
  "wallet.js",
  "keystore.js",
  "app.css",
  "manifest.json",
  "icon.svg",
  "../shared/smart.js",
  "../shared/ui.js",
  "../shared/live.js",
  "../shared/summary.js",
  "../shared/categories.js",
  "../shared/style.css",
  "../vendor/fhir-client.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const ours = url.origin === self.location.origin && url.pathname.startsWith("/apps/");
  if (event.request.method !== "GET" || !ours || url.pathname.endsWith("/config.json") || url.search) {
    return;
  }
  // Network first, so a new release is used at once; the cache only when offline.
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        const copy = response.clone();
        if (response.ok) caches.open(CACHE).then((cache) => cache.put(event.request, copy));
        return response;
      })
      .catch(() => caches.match(event.request)),
  );
});
