// The permit application: draw the place (point, line or area), see the fee before sending, drafts on the
// device, and the same offline outbox as the report form (IndexedDB "civic311"/"outbox", one Idempotency-Key
// per application, so it is filed exactly once however many times it is sent).
"use strict";
(function () {
  const form = document.getElementById("permit-form");
  if (!form) return;
  const text = document.getElementById("strings").dataset;
  const $ = (id) => document.getElementById(id);
  const csrf = form.elements.csrfmiddlewaretoken.value;
  const kind = form.dataset.geometryKind;
  const geometry = form.elements.geometry;
  document.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
  const summary = $("error-summary");
  if (summary) summary.focus();

  // ---- Drawing ----
  let points = [];
  let map = null, shape = null;
  function metres(a, b) {
    const r = 6371008.8, rad = Math.PI / 180;
    const dLat = (b[1] - a[1]) * rad, dLon = (b[0] - a[0]) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * r * Math.asin(Math.sqrt(h));
  }
  function lengthOf(coords) {
    let total = 0;
    for (let i = 1; i < coords.length; i++) total += metres(coords[i - 1], coords[i]);
    return total;
  }
  function currentGeometry() {
    if (kind === "point") return points.length ? { type: "Point", coordinates: points[0] } : null;
    if (kind === "line") return points.length >= 2 ? { type: "LineString", coordinates: points } : null;
    return points.length >= 3 ? { type: "Polygon", coordinates: [points.concat([points[0]])] } : null;
  }
  function redraw(quiet) {
    const shaped = currentGeometry();
    geometry.value = shaped ? JSON.stringify(shaped) : "";
    if (map) {
      if (shape) shape.remove();
      const latlngs = points.map((p) => [p[1], p[0]]);
      if (kind === "point" && latlngs.length) shape = L.circleMarker(latlngs[0], { radius: 10, color: "#b3261e", weight: 3 });
      else if (kind === "line") shape = L.polyline(latlngs, { color: "#b3261e", weight: 6 });
      else shape = L.polygon(latlngs, { color: "#b3261e", weight: 3 });
      shape.addTo(map);
    }
    $("map-status").textContent = kind === "point" ? (points.length ? text.drawnPoint : "")
      : text.drawnLine + " " + points.length + (kind === "line" && points.length > 1 ? " · " + Math.round(lengthOf(points)) + " " + text.metres : "");
    showFee();
    if (!quiet) saveDraft();
  }
  function addPoint(lat, lon) {
    const point = [Number(lon.toFixed(6)), Number(lat.toFixed(6))];
    points = kind === "point" ? [point] : points.concat([point]);
    redraw();
  }
  if (window.L) {
    map = L.map("map", { attributionControl: true }).setView([0, 0], 2);
    fetch(form.dataset.areasUrl, { headers: { Accept: "application/json" } }).then((r) => r.json()).then((data) => {
      const layer = L.geoJSON({ type: "FeatureCollection", features: data.areas.map((area) => ({
        type: "Feature", properties: {}, geometry: JSON.parse(area.geometry) })) },
      { style: { color: "#0b5cad", weight: 1, fillOpacity: 0.05 }, interactive: false }).addTo(map);
      if (!points.length && data.areas.length) map.fitBounds(layer.getBounds());
    }).catch(() => {});
    map.on("click", (event) => addPoint(event.latlng.lat, event.latlng.lng));
  }
  $("undo-point").addEventListener("click", () => { points = points.slice(0, -1); redraw(); });
  $("clear-drawing").addEventListener("click", () => { points = []; redraw(); });

  function searchPlaces() {
    const query = $("place-search").value.trim();
    const list = $("place-results");
    list.replaceChildren();
    if (query.length < 2) return;
    fetch(form.dataset.placesUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then((r) => r.json()).then((data) => {
        if (!data.places.length) { list.append(Object.assign(document.createElement("li"), { textContent: text.noPlaces })); return; }
        data.places.forEach((place) => {
          const button = Object.assign(document.createElement("button"), { type: "button", textContent: place.label });
          button.addEventListener("click", () => {
            form.elements.address.value = place.label;
            if (map) map.setView([place.lat, place.lon], 18);
            list.replaceChildren();
          });
          const item = document.createElement("li");
          item.append(button);
          list.append(item);
        });
      }).catch(() => {});
  }
  $("place-search-button").addEventListener("click", searchPlaces);
  $("place-search").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); searchPlaces(); } });

  // ---- The fee, before sending (the server works it out again from the same rules) ----
  function showFee() {
    const amount = Number(form.dataset.feeAmount), currency = form.dataset.feeCurrency;
    const start = form.elements.starts_on.value, end = form.elements.ends_on.value;
    let units = 1, detail = "";
    if (form.dataset.feeKind === "per_day") {
      if (!start || !end || end < start) return;
      units = Math.round((Date.parse(end) - Date.parse(start)) / 86400000) + 1;
      detail = " (" + units + " " + text.days + ")";
    } else if (form.dataset.feeKind === "per_metre") {
      const shaped = currentGeometry();
      if (!shaped) return;
      const ring = kind === "area" ? points.concat([points[0]]) : points;
      units = Math.max(1, Math.ceil(lengthOf(ring)));
      detail = " (" + units + " " + text.metres + ")";
    }
    $("fee-preview").textContent = text.feeTotal + " " + (amount * units).toFixed(2) + " " + currency + detail;
  }
  form.elements.starts_on.addEventListener("change", showFee);
  form.elements.ends_on.addEventListener("change", showFee);

  // ---- Drafts: kept on this device, without contact details or documents ----
  const PRIVATE = new Set(["csrfmiddlewaretoken", "idempotency_key", "first_name", "last_name", "email", "phone"]);
  const draftKey = form.dataset.draftKey;
  function fieldsOf(include) {
    const pairs = [];
    new FormData(form).forEach((value, name) => { if (include(name, value)) pairs.push([name, value]); });
    return pairs;
  }
  function saveDraft() {
    try {
      localStorage.setItem(draftKey, JSON.stringify(fieldsOf((name, value) => !PRIVATE.has(name) && typeof value === "string")));
      $("draft-status").textContent = text.draftSaved;
    } catch (e) { /* drafting is a convenience */ }
  }
  function restoreDraft() {
    let pairs;
    try { pairs = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { pairs = null; }
    if (!pairs || form.querySelector(".error")) return;
    pairs.forEach(([name, value]) => {
      const field = form.elements[name];
      if (!field || field instanceof RadioNodeList || field.type === "checkbox" || field.type === "file") return;
      field.value = value;
    });
    try {
      const saved = JSON.parse(geometry.value || "null");
      if (saved) points = saved.type === "Point" ? [saved.coordinates] : saved.type === "LineString" ? saved.coordinates : saved.coordinates[0].slice(0, -1);
    } catch (e) { points = []; }
    redraw(true);
  }
  if (geometry.value) { try { const g = JSON.parse(geometry.value); points = g.type === "Point" ? [g.coordinates] : g.type === "LineString" ? g.coordinates : g.coordinates[0].slice(0, -1); } catch (e) { points = []; } }
  restoreDraft();
  form.addEventListener("input", saveDraft);

  // ---- Sending once, or keeping it in the outbox while offline ----
  function openOutbox() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open("civic311", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("outbox", { keyPath: "key" });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  function outbox(mode, action) {
    return openOutbox().then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction("outbox", mode);
      const result = action(tx.objectStore("outbox"));
      tx.oncomplete = () => resolve(result.result);
      tx.onerror = () => reject(tx.error);
    }));
  }
  function renderOutbox(notes) {
    return outbox("readonly", (store) => store.getAll()).then((items) => {
      const list = $("outbox-list");
      list.replaceChildren();
      items.forEach((item) => list.append(Object.assign(document.createElement("li"), {
        className: "waiting", textContent: text.waiting + ": " + item.label + " (" + new Date(item.created).toLocaleString() + ")" })));
      (notes || []).forEach((node) => list.append(node));
      $("outbox").hidden = list.children.length === 0;
    });
  }
  function post(url, pairs, key) {
    const data = new FormData();
    pairs.forEach(([name, value]) => data.append(name, value));
    return fetch(url, { method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json", "Idempotency-Key": key, "X-CSRFToken": csrf } });
  }
  let flushing = false;
  function flushOutbox() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    const notes = [];
    return outbox("readonly", (store) => store.getAll()).then((items) => items.reduce((chain, item) => chain.then(() =>
      post(item.url, item.fields, item.key).then((response) => response.json().then((body) => {
        const li = document.createElement("li");
        if (response.ok) {
          li.className = "sent";
          li.append(text.sent + " ", Object.assign(document.createElement("strong"), { textContent: body.public_id }), " · ",
            Object.assign(document.createElement("a"), { href: body.tracking_url, textContent: text.follow }));
        } else {
          li.className = "failed";
          li.textContent = text.failed + " " + Object.values(body.errors || {}).flat().join(" ");
        }
        notes.push(li);
        return outbox("readwrite", (store) => store.delete(item.key));
      })).catch(() => { /* still offline */ })), Promise.resolve()))
      .finally(() => { flushing = false; return renderOutbox(notes); });
  }
  function queue(pairs, key) {
    return outbox("readwrite", (store) => store.put({ key: key, url: form.action || location.href, fields: pairs,
      label: document.querySelector("h1").textContent, created: Date.now() })).then(() => {
      localStorage.removeItem(draftKey);
      form.reset();
      points = [];
      redraw(true);
      $("idempotency-key").value = "";
      $("draft-status").textContent = text.queued;
      return renderOutbox();
    });
  }
  form.addEventListener("submit", (event) => {
    if (!geometry.value) {
      event.preventDefault();
      $("map-status").textContent = text.needPlace;
      $("map").focus();
      return;
    }
    if (!form.checkValidity()) return;
    event.preventDefault();
    if (!$("idempotency-key").value) $("idempotency-key").value = crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
    const key = $("idempotency-key").value;
    const pairs = fieldsOf((name, value) => !(value instanceof File && !value.size));
    if (!navigator.onLine) { queue(pairs, key); return; }
    $("draft-status").textContent = text.sending;
    post(form.action || location.href, pairs, key).then((response) => {
      if (response.status === 400) { form.submit(); return; }  // the server's page shows each error by its field
      return response.json().then((body) => {
        localStorage.removeItem(draftKey);
        location.assign(body.filed_url);
      });
    }).catch(() => queue(pairs, key));
  });
  window.addEventListener("online", flushOutbox);
  renderOutbox().then(flushOutbox).catch(() => {});
})();
