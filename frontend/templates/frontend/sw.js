{% load static %}// Civic311 service worker: pages for filing work offline; private pages are never cached.
const CACHE = "civic311-{{ version }}";
const PRECACHE = ["{% url 'frontend:offline' %}", "{% static 'frontend/site.css' %}", "{% static 'frontend/app.js' %}",
  "{% static 'frontend/report.js' %}", "{% static 'frontend/picker.js' %}", "{% static 'leaflet/leaflet.js' %}",
  "{% static 'leaflet/leaflet.css' %}"];
const PRIVATE = ["/track/", "/staff/", "/admin/", "/i18n/"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (PRIVATE.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith("{% get_static_prefix %}")) {
    // Static files: the kept copy at once, refreshed in the background for the next visit.
    const fresh = fetch(request).then((response) => {
      const copy = response.clone();
      if (response.ok) caches.open(CACHE).then((cache) => cache.put(request, copy));
      return response;
    });
    event.respondWith(caches.match(request).then((hit) => hit || fresh));
    event.waitUntil(fresh.then(() => undefined, () => undefined));
    return;
  }
  // Pages and data: the network first, so residents see fresh answers; the last copy when offline.
  event.respondWith(fetch(request).then((response) => {
    const copy = response.clone();
    if (response.ok) caches.open(CACHE).then((cache) => cache.put(request, copy));
    return response;
  }).catch(() => caches.match(request).then((hit) => hit || (request.mode === "navigate"
    ? caches.match("{% url 'frontend:offline' %}") : Response.error()))));
});
