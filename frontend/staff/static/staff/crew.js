/* Crew mode: today's work in route order, offline actions sent once and in order. No inline code (CSP).
   The crew's position is read on the phone to order the route and is never stored or sent. */
(function () {
  "use strict";

  var main, T, DB, controlled, items = [], position = null, flushing = false, map = null, layer = null;

  function t(name, values) {
    var text = T[name] || name;
    Object.keys(values || {}).forEach(function (key) { text = text.replace("%(" + key + ")s", values[key]); });
    return text;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  // ---- IndexedDB: the outbox (in order) and the conflicts the crew has not dismissed yet.
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("civic311-crew", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
        request.result.createObjectStore("conflicts", { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(name, mode, work) {
    return new Promise(function (resolve, reject) {
      var tx = DB.transaction(name, mode);
      var result = work(tx.objectStore(name));
      tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = function () { reject(tx.error); };
    });
  }

  function all(name) { return store(name, "readonly", function (s) { return s.getAll(); }); }

  // ---- Route order, on the device: nearest neighbour from the crew, then 2-opt to remove crossings.
  function distance(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var h = Math.pow(Math.sin(dLat / 2), 2) +
      Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.pow(Math.sin(dLon / 2), 2);
    return 12742 * Math.asin(Math.sqrt(h));
  }

  function route(start, stops) {
    var placed = stops.filter(function (s) { return s.lat !== null; });
    var rest = stops.filter(function (s) { return s.lat === null; });
    var path = [], here = start;
    while (placed.length) {
      var best = 0;
      for (var i = 1; i < placed.length; i++) {
        if (distance(here, placed[i]) < distance(here, placed[best])) { best = i; }
      }
      here = placed.splice(best, 1)[0];
      path.push(here);
    }
    var points = [start].concat(path), improved = true;
    while (improved) {
      improved = false;
      for (var a = 0; a < points.length - 2; a++) {
        for (var b = a + 2; b < points.length; b++) {
          var next = points[b + 1];
          var before = distance(points[a], points[a + 1]) + (next ? distance(points[b], next) : 0);
          var after = distance(points[a], points[b]) + (next ? distance(points[a + 1], next) : 0);
          if (after + 1e-9 < before) {
            points = points.slice(0, a + 1).concat(points.slice(a + 1, b + 1).reverse(), points.slice(b + 1));
            improved = true;
          }
        }
      }
    }
    return points.slice(1).concat(rest);
  }

  // ---- Drawing the list and the map.
  function answers(item) {
    if (!item.answers.length) { return null; }
    var list = el("dl", { "class": "answers" });
    item.answers.forEach(function (a) {
      list.appendChild(el("dt", { text: a.question }));
      list.appendChild(el("dd", { text: a.answer }));
    });
    return el("div", {}, [el("h3", { text: t("answers") }), list]);
  }

  function photos(item) {
    if (!item.photos.length) { return null; }
    var box = el("div", { "class": "photos" });
    item.photos.forEach(function (url, n) {
      box.appendChild(el("img", { src: url, alt: t("photo_alt", { n: n + 1, id: item.id }), loading: "lazy" }));
    });
    return el("div", {}, [el("h3", { text: t("photos") }), box]);
  }

  function notes(item) {
    if (!item.notes.length) { return null; }
    var list = el("ul", { "class": "notes" });
    item.notes.forEach(function (n) { list.appendChild(el("li", { text: when(n.at) + " · " + n.text })); });
    return el("div", {}, [el("h3", { text: t("notes") }), list]);
  }

  // ---- A call under consent: the number is asked for on a tap, online, shown in this card and kept nowhere else
  // (not in `items`, not in IndexedDB, not in the service worker's cache: it is a POST answered "no-store").
  function callButton(item) {
    if (!item.may_call) { return null; }
    var box = el("div", { "class": "call", id: "call-" + item.id });
    var button = el("button", { type: "button", "class": "show-phone", text: t("show_phone") });
    var answer = el("p", { "class": "call-answer", role: "status" });
    button.addEventListener("click", function () {
      if (!navigator.onLine) { answer.textContent = t("phone_offline"); return; }
      var body = new FormData();
      fetch(main.dataset.phone.replace("REQUEST", encodeURIComponent(item.id)), { method: "POST", body: body,
        credentials: "same-origin", cache: "no-store",
        headers: { "X-CSRFToken": document.getElementById("crew-csrf").value, Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
        .then(function (answered) {
          answer.textContent = "";
          if (!answered.ok) {
            var errors = answered.data.errors || {};
            answer.textContent = (errors.phone || errors.request || errors.auth || [t("sign_in")])[0];
            return;
          }
          answer.appendChild(el("a", { href: "tel:" + answered.data.phone.replace(/[^+0-9]/g, ""),
            "class": "phone", text: t("call", { phone: answered.data.phone }) }));
          button.hidden = true;
        })
        .catch(function () { answer.textContent = t("phone_offline"); });
    });
    box.appendChild(button);
    box.appendChild(answer);
    return box;
  }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(main.dataset.language, { year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", timeZone: main.dataset.timeZone, timeZoneName: "short" })
        .format(new Date(iso));
    } catch (e) { return iso; }
  }

  function field(id, label, control) {
    control.id = id;
    return el("p", {}, [el("label", { "for": id, text: label }), control]);
  }

  function actionForm(item, kind, title, build) {
    var form = el("form", { "class": "crew-action crew-" + kind });
    var details = el("details", {}, [el("summary", { text: title }), form]);
    build(form);
    return details;
  }

  function card(item, number) {
    var state = el("p", { "class": "state", id: "state-" + item.id, role: "status" });
    state.textContent = t("status") + ": " + item.status_label + (item.pending ? " · " + t("queued") : "");
    var start = el("button", { type: "button", "class": "start", text: t("start") });
    start.addEventListener("click", function () { enqueue(item, { kind: "start" }); });
    var distanceText = position && item.lat !== null ?
      " · " + t("from_you", { km: distance(position, item).toFixed(1) }) : "";
    var li = el("li", { "class": "job", id: "job-" + item.id, "data-id": item.id }, [
      el("h2", { text: number + ". " + item.service + " · " + item.id }),
      el("p", { "class": "where", text: (item.address || "-") + distanceText }),
      state,
      el("p", { "class": "meta", text: t("priority") + ": " + item.priority +
        (item.due ? " · " + t("due") + ": " + when(item.due) : "") }),
      item.description ? el("p", { "class": "description", text: item.description }) : null,
      answers(item), photos(item), notes(item),
      el("div", { "class": "crew-buttons" }, [start]),
      callButton(item),
      actionForm(item, "note", t("note"), function (form) {
        var text = el("textarea", { rows: "2" });
        form.appendChild(field("note-" + item.id, t("note"), text));
        form.appendChild(el("button", { type: "submit", text: t("add_note") }));
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!text.value.trim()) { text.setCustomValidity(t("note_needed")); text.reportValidity(); return; }
          enqueue(item, { kind: "note", note: text.value });
          form.reset();
        });
      }),
      actionForm(item, "photo", t("photo"), function (form) {
        var file = el("input", { type: "file", accept: "image/*", capture: "environment" });
        form.appendChild(field("photo-" + item.id, t("photo"), file));
        form.appendChild(el("button", { type: "submit", text: t("add_photo") }));
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!file.files.length) { file.setCustomValidity(t("photo_needed")); file.reportValidity(); return; }
          enqueue(item, { kind: "photo", photo: file.files[0] });
          form.reset();
        });
      }),
      actionForm(item, "fixed", t("fixed"), function (form) {
        var note = el("textarea", { rows: "2" });
        var file = el("input", { type: "file", accept: "image/*", capture: "environment" });
        form.appendChild(field("fixed-note-" + item.id, t("public_note"), note));
        form.appendChild(field("fixed-photo-" + item.id, t("after_photo"), file));
        form.appendChild(el("button", { type: "submit", text: t("mark_fixed") }));
        file.addEventListener("change", function () { file.setCustomValidity(""); });
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!file.files.length) { file.setCustomValidity(t("photo_needed")); file.reportValidity(); return; }
          enqueue(item, { kind: "fixed", public_note: note.value, photo: file.files[0] });
          form.reset();
        });
      }),
      actionForm(item, "cant_fix", t("cant_fix"), function (form) {
        var reason = el("textarea", { rows: "2" });
        form.appendChild(field("reason-" + item.id, t("reason"), reason));
        form.appendChild(el("button", { type: "submit", text: t("send_cant_fix") }));
        reason.addEventListener("input", function () { reason.setCustomValidity(""); });
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          if (!reason.value.trim()) { reason.setCustomValidity(t("reason_needed")); reason.reportValidity(); return; }
          enqueue(item, { kind: "cant_fix", reason: reason.value });
          form.reset();
        });
      })
    ]);
    return li;
  }

  function render() {
    var list = document.getElementById("work");
    list.textContent = "";
    items.forEach(function (item, n) { list.appendChild(card(item, n + 1)); });
    document.getElementById("empty").hidden = items.length > 0;
    drawMap();
  }

  function drawMap() {
    var box = document.getElementById("crew-map");
    if (typeof L === "undefined" || !box) { return; }
    if (!map) { map = L.map(box, { preferCanvas: true }).setView([0, 0], 2); }
    if (layer) { layer.remove(); }
    layer = L.layerGroup().addTo(map);
    var line = [], bounds = [];
    if (position) {
      L.circleMarker([position.lat, position.lon], { radius: 7, color: "#1864ab", fillOpacity: 0.9 })
        .bindTooltip(t("you")).addTo(layer);
      line.push([position.lat, position.lon]);
      bounds.push([position.lat, position.lon]);
    }
    items.forEach(function (item, n) {
      if (item.lat === null) { return; }
      L.marker([item.lat, item.lon], { title: (n + 1) + ". " + item.id, alt: (n + 1) + ". " + item.id,
        icon: L.divIcon({ className: "stop", html: String(n + 1), iconSize: [26, 26] }) }).addTo(layer);
      line.push([item.lat, item.lon]);
      bounds.push([item.lat, item.lon]);
    });
    if (line.length > 1) { L.polyline(line, { color: "#2b8a3e", weight: 3 }).addTo(layer); }
    if (bounds.length) { map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] }); }
    box.dataset.stops = String(items.length);
  }

  function setText(id, text) { document.getElementById(id).textContent = text; }

  // ---- Loading today's work: from the network, or the copy kept at the start of the shift.
  function load() {
    return fetch(main.dataset.shortlist, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (data) {
        return all("outbox").then(function (waiting) {
          var pending = {};
          waiting.forEach(function (a) { pending[a.request] = true; });
          items = data.items.map(function (item) { item.pending = !!pending[item.id]; return item; });
          if (position) { items = route(position, items); }
          render();
        });
      })
      .catch(function () { setText("shift-state", t("no_copy")); });
  }

  // Resolves once the service worker controls this page: only then do this page's fetches pass through it and
  // leave a copy, so a shift is never said to be kept before it is.
  function controlledByWorker() {
    if (!("serviceWorker" in navigator)) { return Promise.reject(new Error("no service worker")); }
    return navigator.serviceWorker.register(main.dataset.sw, { scope: main.dataset.scope })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        if (navigator.serviceWorker.controller) { return; }
        return new Promise(function (resolve) {
          navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
        });
      });
  }

  function startShift() {
    // Fetching through the service worker keeps a copy of the page, the list and every photo.
    var photoUrls = [];
    return controlled
      .then(function () { return fetch(main.dataset.scope, { credentials: "same-origin" }); })
      .then(function () { return fetch(main.dataset.shortlist, { credentials: "same-origin" }); })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        data.items.forEach(function (item) { photoUrls = photoUrls.concat(item.photos); });
        return Promise.all(photoUrls.map(function (url) { return fetch(url, { credentials: "same-origin" }); }))
          .then(load)
          .then(function () {
            setText("shift-state", t("kept", { n: data.items.length, p: photoUrls.length,
              t: when(new Date().toISOString()) }));
            main.dataset.shift = "kept";
          });
      })
      .catch(function () { setText("shift-state", t("no_copy")); });
  }

  function locate() {
    if (!navigator.geolocation) { setText("shift-state", t("no_position")); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      // Kept in this variable only: never written to storage, never put in a request.
      position = { lat: p.coords.latitude, lon: p.coords.longitude };
      items = route(position, items);
      render();
      setText("shift-state", t("route"));
      main.dataset.routed = "yes";
    }, function () { setText("shift-state", t("no_position")); }, { enableHighAccuracy: true, timeout: 10000 });
  }

  // ---- The outbox: every action gets its key when tapped, and is sent in order, once.
  function enqueue(item, action) {
    action.key = crypto.randomUUID();
    action.request = item.id;
    action.done_at = new Date().toISOString();
    return store("outbox", "readwrite", function (s) { return s.add(action); }).then(function () {
      item.pending = true;
      var state = document.getElementById("state-" + item.id);
      if (state) { state.textContent = t("status") + ": " + item.status_label + " · " + t("queued"); }
      return showOutbox();
    }).then(flush);
  }

  function showOutbox() {
    return Promise.all([all("outbox"), all("conflicts")]).then(function (lists) {
      var waiting = lists[0], conflicts = lists[1];
      setText("outbox-state", waiting.length ? t("waiting", { n: waiting.length }) : t("all_sent"));
      main.dataset.waiting = String(waiting.length);
      var section = document.getElementById("conflicts"), list = section.querySelector("ul");
      list.textContent = "";
      conflicts.forEach(function (c) {
        var dismiss = el("button", { type: "button", text: t("dismiss") });
        dismiss.addEventListener("click", function () {
          store("conflicts", "readwrite", function (s) { return s.delete(c.key); }).then(showOutbox);
        });
        list.appendChild(el("li", { "data-request": c.request }, [
          el("span", { text: c.request + " · " + (T[c.kind] || c.kind) + ": " + c.message + " " }), dismiss]));
      });
      section.hidden = conflicts.length === 0;
    });
  }

  function send(action) {
    var body = new FormData();
    ["key", "request", "kind", "note", "public_note", "reason", "done_at"].forEach(function (name) {
      if (action[name]) { body.append(name, action[name]); }
    });
    if (action.photo) { body.append("photo", action.photo, "photo.jpg"); }
    return fetch(main.dataset.actions, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": document.getElementById("crew-csrf").value, Accept: "application/json" } });
  }

  function settle(action, response) {
    var contentType = response.headers.get("Content-Type") || "";
    if (response.status >= 500 || contentType.indexOf("json") === -1) {
      if (response.status === 403 || response.redirected) { setText("outbox-state", t("sign_in")); }
      return Promise.resolve(false);   // not answered: keep it and try again later
    }
    return response.json().then(function (data) {
      if (response.status === 403) { setText("outbox-state", t("sign_in")); return false; }
      var done = response.status === 200;
      var item = items.find(function (i) { return i.id === action.request; });
      if (item && data.status_label) { item.status_label = data.status_label; }
      var kept = done ? Promise.resolve() : store("conflicts", "readwrite", function (s) {
        return s.put({ key: action.key, request: action.request, kind: action.kind,
          message: data.message || JSON.stringify(data.errors || {}) });
      });
      return kept.then(function () {
        return store("outbox", "readwrite", function (s) { return s.delete(action.seq); });
      }).then(function () { return true; });
    });
  }

  function flush() {
    if (flushing || !DB) { return Promise.resolve(); }
    flushing = true;
    var sentAny = false;
    function next() {
      return all("outbox").then(function (waiting) {
        if (!waiting.length) { return true; }
        var action = waiting[0];
        return send(action).then(function (response) { return settle(action, response); })
          .then(function (moved) { sentAny = sentAny || moved; return moved ? next() : false; });
      });
    }
    return next().catch(function () { return false; }).then(function (emptied) {
      flushing = false;
      // Redraw only after something was sent: a redraw would throw away a note the crew is typing.
      if (emptied && sentAny) {
        items.forEach(function (item) { item.pending = false; });
        return load().then(showOutbox);
      }
      return showOutbox();
    });
  }

  function connection() {
    setText("connection", navigator.onLine ? t("online") : t("offline"));
    main.dataset.online = navigator.onLine ? "yes" : "no";
  }

  document.addEventListener("DOMContentLoaded", function () {
    main = document.getElementById("main");
    T = JSON.parse(document.getElementById("crew-text").textContent);
    controlled = controlledByWorker();
    controlled.catch(function () {});  // a phone without a service worker still works online; startShift says so
    connection();
    window.addEventListener("online", function () { connection(); flush(); });
    window.addEventListener("offline", connection);
    document.getElementById("start-shift").addEventListener("click", startShift);
    document.getElementById("locate").addEventListener("click", locate);
    document.getElementById("send-now").addEventListener("click", flush);
    openDb().then(function (db) {
      DB = db;
      main.dataset.ready = "yes";
      return load().then(showOutbox).then(flush);
    });
    window.setInterval(function () { if (navigator.onLine) { flush(); } }, 5000);
  });
}());
