// The filing form: map, place search, "already reported?", photo resizing, drafts and the offline outbox.
// Without this script the form still works: an address field and a plain POST.
"use strict";
(function () {
  const form = document.getElementById("report-form");
  if (!form) return;
  const text = document.getElementById("strings").dataset;
  const $ = (id) => document.getElementById(id);
  const lat = form.elements.lat, lon = form.elements.lon, address = form.elements.address;
  const csrf = form.elements.csrfmiddlewaretoken.value;
  document.querySelectorAll(".js-only").forEach((el) => { el.hidden = false; });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();  // screen readers hear what to fix first

  // ---- Map (no tile server needed: the jurisdiction's own streets and area outlines are drawn) ----
  let map = null, marker = null;
  if (window.L) {
    map = L.map("map", { attributionControl: true }).setView([lat.value || 0, lon.value || 0], lat.value ? 16 : 2);
    window.civicBaseMap(map, { tileUrl: form.dataset.tileUrl, streets: form.dataset.streetsUrl });
    fetch(form.dataset.areasUrl, { headers: { Accept: "application/json" } }).then((r) => r.json()).then((data) => {
      const layer = L.geoJSON({ type: "FeatureCollection", features: data.areas.map((area) => ({
        type: "Feature", properties: { name: area.name }, geometry: JSON.parse(area.geometry) })) },
      { style: { color: "#0b5cad", weight: 1, fillOpacity: 0.05 }, interactive: false }).addTo(map);
      if (!lat.value && data.areas.length) map.fitBounds(layer.getBounds());
    }).catch(() => {});
    map.on("click", (event) => setPoint(event.latlng.lat, event.latlng.lng));
    if (lat.value && lon.value) setPoint(Number(lat.value), Number(lon.value), { quiet: true });
  }

  function setPoint(latitude, longitude, options) {
    lat.value = latitude.toFixed(6);
    lon.value = longitude.toFixed(6);
    if (map) {
      if (marker) marker.setLatLng([latitude, longitude]);
      else marker = L.circleMarker([latitude, longitude], { radius: 10, color: "#b3261e", weight: 3 }).addTo(map);
      map.setView([latitude, longitude], Math.max(map.getZoom(), 16));
    }
    $("map-status").textContent = text.pointChosen;
    if (!(options && options.quiet)) saveDraft();
    checkNearby();
    nameThePoint(latitude, longitude);
  }

  // The picked point named by the nearest address of the city's own streets ("near 2000 Mission St").
  function nameThePoint(latitude, longitude) {
    if (!navigator.onLine) return;
    fetch(form.dataset.placeAtUrl + "?lat=" + latitude.toFixed(6) + "&lon=" + longitude.toFixed(6),
      { headers: { Accept: "application/json" } })
      .then((r) => r.json()).then((data) => {
        if (!data.address) return;
        $("map-status").textContent = text.pointChosen + " " + text.near.replace("{address}", data.address);
        if (!address.value) address.value = data.address;
      }).catch(() => {});
  }

  $("locate").addEventListener("click", () => {
    if (!navigator.geolocation) { $("map-status").textContent = text.locateFailed; return; }
    $("map-status").textContent = text.locating;
    navigator.geolocation.getCurrentPosition(
      (pos) => setPoint(pos.coords.latitude, pos.coords.longitude),
      () => { $("map-status").textContent = text.locateFailed; },
      { enableHighAccuracy: true, timeout: 10000 });
  });

  // ---- Place search from the jurisdiction's own places ----
  function searchPlaces() {
    const query = $("place-search").value.trim();
    const list = $("place-results");
    list.replaceChildren();
    if (query.length < 2) return;
    fetch(form.dataset.placesUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then((r) => r.json()).then((data) => {
        if (!data.places.length) { list.append(Object.assign(document.createElement("li"), { textContent: text.noPlaces })); return; }
        data.places.forEach((place) => {
          const item = document.createElement("li");
          const button = Object.assign(document.createElement("button"), { type: "button", textContent: place.label });
          button.addEventListener("click", () => {
            address.value = place.label;
            setPoint(place.lat, place.lon);
            list.replaceChildren();
            address.focus();
          });
          item.append(button);
          list.append(item);
        });
      }).catch(() => {});
  }
  $("place-search-button").addEventListener("click", searchPlaces);
  $("place-search").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); searchPlaces(); }
  });

  // ---- Already reported? ----
  function checkNearby() {
    if (!navigator.onLine || !lat.value) return;
    fetch(form.dataset.nearbyUrl + "?lat=" + lat.value + "&lon=" + lon.value, { headers: { Accept: "application/json" } })
      .then((r) => r.json()).then((data) => {
        const list = $("nearby-list");
        list.replaceChildren();
        data.requests.forEach((found) => {
          const item = $("nearby-item").content.firstElementChild.cloneNode(true);
          const link = item.querySelector(".nearby-link");
          link.href = found.url;
          link.textContent = found.service_type + " · " + found.status;
          item.querySelector(".excerpt").textContent = found.excerpt;
          const age = found.days_old === 0 ? text.filedToday : text.filedDaysAgo.replace("{n}", found.days_old);
          item.querySelector(".nearby-meta").textContent = [found.public_id, age,
            found.distance_m === null ? null : found.distance_m + " " + text.meters].filter(Boolean).join(" · ");
          const count = item.querySelector(".me-too-count");
          count.textContent = text.meTooCount + " " + found.me_too_count;
          const button = item.querySelector(".me-too");
          button.setAttribute("aria-describedby", "nearby-" + found.public_id);
          link.id = "nearby-" + found.public_id;
          button.addEventListener("click", () => meToo(found, button, count));
          list.append(item);
        });
        $("nearby").hidden = data.requests.length === 0;
      }).catch(() => {});
  }

  function meToo(found, button, count) {
    fetch(found.me_too_url, { method: "POST", headers: { Accept: "application/json", "X-CSRFToken": csrf } })
      .then((r) => r.json()).then((body) => {
        const message = body.message || Object.values(body.errors || {}).flat().join(" ");
        if (body.me_too_count !== undefined) count.textContent = text.meTooCount + " " + body.me_too_count;
        const done = Object.assign(document.createElement("p"), { className: "message", textContent: message });
        button.replaceWith(done);
      }).catch(() => {});
  }

  // ---- Photos: resized on the device before upload ----
  const photoInput = form.elements.photos;
  const MAX_EDGE = 1600;
  function resize(file) {
    return createImageBitmap(file).then((bitmap) => {
      const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    }).then((blob) => new File([blob], "photo.jpg", { type: "image/jpeg" }))
      .catch(() => file);  // the server checks it anyway and says what is wrong
  }
  photoInput.addEventListener("change", () => {
    const chosen = Array.from(photoInput.files);
    if (!chosen.length) return;
    Promise.all(chosen.map(resize)).then((files) => {
      const transfer = new DataTransfer();
      files.forEach((f) => transfer.items.add(f));
      photoInput.files = transfer.files;
      const previews = $("photo-previews");
      previews.replaceChildren();
      files.forEach((f, i) => {
        const img = Object.assign(document.createElement("img"), {
          src: URL.createObjectURL(f), alt: text.photoLabel + " " + (i + 1), width: 96 });
        const item = document.createElement("li");
        item.append(img);
        previews.append(item);
      });
      photoInput.dataset.resized = String(files.length);  // tests and the outbox know the swap is done
    });
  });

  // ---- Drafts: kept on this device while typing, without contact details ----
  const PRIVATE_FIELDS = new Set(["csrfmiddlewaretoken", "idempotency_key", "first_name", "last_name", "email", "phone", "photos"]);
  const draftKey = form.dataset.draftKey;
  function fieldsOf(include) {
    const pairs = [];
    new FormData(form).forEach((value, name) => { if (include(name, value)) pairs.push([name, value]); });
    return pairs;
  }
  function saveDraft() {
    try {
      localStorage.setItem(draftKey, JSON.stringify(fieldsOf((name, value) => !PRIVATE_FIELDS.has(name) && typeof value === "string")));
      $("draft-status").textContent = text.draftSaved;
    } catch (e) { /* storage full or disabled: drafting is a convenience */ }
  }
  function restoreDraft() {
    let pairs;
    try { pairs = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (e) { pairs = null; }
    if (!pairs || form.querySelector(".error")) return;  // the server's answer wins over a draft
    const seen = new Set();
    pairs.forEach(([name, value]) => {
      const field = form.elements[name];
      if (!field) return;
      if (field instanceof RadioNodeList || field.type === "checkbox" || field.type === "radio") {
        const inputs = field instanceof RadioNodeList ? Array.from(field) : [field];
        if (!seen.has(name)) { inputs.forEach((i) => { i.checked = false; }); seen.add(name); }
        inputs.forEach((i) => { if (i.value === value) i.checked = true; });
      } else if (field.type !== "file") {
        field.value = value;
      }
    });
    if (lat.value && lon.value) setPoint(Number(lat.value), Number(lon.value), { quiet: true });
  }
  restoreDraft();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // ---- Sending, and the outbox for requests made offline ----
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
      items.forEach((item) => {
        const li = document.createElement("li");
        li.className = "waiting";
        li.textContent = text.waiting + ": " + item.label + " (" + new Date(item.created).toLocaleString() + ")";
        list.append(li);
      });
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
  // A busy server answers 503 (load shed) or 429 (too many reports from here) with Retry-After: the report
  // stays in the outbox and is sent again once that wait is over, under the same Idempotency-Key.
  const RETRY_LATER = [429, 503];
  let retryTimer = null;
  function retryAfter(response) {
    const seconds = parseInt(response.headers.get("Retry-After"), 10);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flushOutbox, (isNaN(seconds) ? 5 : Math.min(Math.max(seconds, 1), 3600)) * 1000);
  }
  let flushing = false;
  function flushOutbox() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    const notes = [];
    return outbox("readonly", (store) => store.getAll()).then((items) => items.reduce((chain, item) => chain.then(() =>
      post(item.url, item.fields, item.key).then((response) => RETRY_LATER.includes(response.status)
        ? retryAfter(response) : response.json().then((body) => {
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
      })).catch(() => { /* still offline: it stays in the outbox */ })), Promise.resolve()))
      .finally(() => { flushing = false; return renderOutbox(notes); });
  }
  function queue(pairs, key) {
    const label = document.querySelector("h1").textContent;
    return outbox("readwrite", (store) => store.put({ key: key, url: form.action || location.href, fields: pairs,
      label: label, created: Date.now() })).then(() => {
      localStorage.removeItem(draftKey);
      form.reset();
      lat.value = ""; lon.value = "";
      $("idempotency-key").value = "";
      $("photo-previews").replaceChildren();
      $("draft-status").textContent = text.queued;
      return renderOutbox();
    });
  }
  function groupsAnswered() {
    let ok = true;
    form.querySelectorAll("[data-required-group]").forEach((group) => {
      const first = group.querySelector("input");
      first.setCustomValidity(group.querySelector("input:checked") ? "" : text.needOne);
      if (!group.querySelector("input:checked")) ok = false;
    });
    return ok;
  }
  form.addEventListener("change", groupsAnswered);
  form.addEventListener("submit", (event) => {
    groupsAnswered();
    if (!form.checkValidity()) return;  // the browser shows what is missing next to the field
    event.preventDefault();
    if (!$("idempotency-key").value) $("idempotency-key").value = crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
    const key = $("idempotency-key").value;
    const pairs = fieldsOf(() => true);
    if (!navigator.onLine) { queue(pairs, key); return; }
    $("draft-status").textContent = text.sending;
    post(form.action || location.href, pairs, key).then((response) => {
      if (response.status === 400) { form.submit(); return; }  // the server's page shows each error by its field
      if (RETRY_LATER.includes(response.status)) {
        return queue(pairs, key).then(() => { $("draft-status").textContent = text.busy; retryAfter(response); });
      }
      return response.json().then((body) => {
        localStorage.removeItem(draftKey);
        location.assign(body.filed_url);
      });
    }).catch(() => queue(pairs, key));
  });
  window.addEventListener("online", flushOutbox);
  renderOutbox().then(flushOutbox).catch(() => {});
})();
