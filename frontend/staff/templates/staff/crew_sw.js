{% load static %}// Civic311 crew service worker (scope: crew mode only). Keeps the page, today's list, its photos and the map's
// code for a shift without signal. Actions are never cached here: the page queues them in IndexedDB.
const CACHE = "civic311-crew-{{ version }}";
const STATIC = ["{% static 'frontend/site.css' %}", "{% static 'staff/crew.css' %}", "{% static 'staff/crew.js' %}",
  "{% static 'leaflet/leaflet.js' %}", "{% static 'leaflet/leaflet.css' %}"];
const NETWORK_FIRST = ["{% url 'staff:crew' %}", "{% url 'staff:crew_shortlist' %}"];
const KEEP_FIRST = ["{% get_static_prefix %}", "{% get_media_prefix %}"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(STATIC)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key.startsWith("civic311-crew-") && key !== CACHE)
      .map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

function keep(request, response) {
  // Only real answers: never a redirect to the sign-in page standing in for today's list.
  if (response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NETWORK_FIRST.includes(url.pathname)) {
    event.respondWith(fetch(request).then((response) => keep(request, response))
      .catch(() => caches.match(request, { ignoreSearch: true }).then((hit) => hit || Response.error())));
    return;
  }
  if (KEEP_FIRST.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request).then((r) => keep(request, r))));
  }
});
