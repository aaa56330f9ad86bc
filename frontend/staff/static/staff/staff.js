/* Staff queue: the map of the selection, live "new or changed" list, response templates. No inline code (CSP). */
(function () {
  "use strict";

  function queueMap() {
    var box = document.getElementById("queue-map");
    if (!box || typeof L === "undefined") { return; }
    var map = L.map(box, { preferCanvas: true }).setView([0, 0], 2);
    var colours = { submitted: "#c92a2a", acknowledged: "#e67700", in_progress: "#1971c2",
                    on_hold: "#868e96", reopened: "#862e9c" };
    var layer = null;
    // The first answer is the whole selection (its most urgent points if it is too many to draw); once it was
    // cut short, each move of the map asks again for the points in view only.
    function load(url, fit) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) { draw(data, fit); return data; });
    }
    function draw(data, fit) {
      if (layer) { map.removeLayer(layer); }
      layer = L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          var p = feature.properties;
          return L.circleMarker(latlng, { radius: p.overdue ? 7 : 5, weight: 1,
            color: colours[p.status] || "#333", fillOpacity: 0.7 });
        },
        onEachFeature: function (feature, marker) {
          var link = document.createElement("a");
          link.href = box.dataset.requestUrl.replace("ID", feature.properties.id);
          link.textContent = feature.properties.id;
          marker.bindPopup(link);
        }
      }).addTo(map);
      if (fit && data.features.length) { map.fitBounds(layer.getBounds(), { maxZoom: 16 }); }
      box.dataset.count = String(data.features.length);
      box.classList.add("loaded");
    }
    load(box.dataset.url, true).then(function (first) {
      if (!first.truncated) { return; }
      map.on("moveend", function () {
        var b = map.getBounds();
        var bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
                    Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)].map(function (c) { return c.toFixed(5); });
        load(box.dataset.url + (box.dataset.url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bbox.join(","), false)
          .catch(function () { /* keep the points drawn */ });
      });
    });
  }

  function changes() {
    var panel = document.getElementById("changes");
    if (!panel) { return; }
    var since = panel.dataset.since;
    var seen = {};
    var list = panel.querySelector("ul");
    function poll() {
      fetch(panel.dataset.url + "?since=" + encodeURIComponent(since),
            { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          data.changed.forEach(function (row) {
            var key = row.id + "@" + row.updated_at;
            if (seen[key]) { return; }
            seen[key] = true;
            var item = document.createElement("li");
            var link = document.createElement("a");
            link.href = row.url;
            link.textContent = row.id;
            item.appendChild(link);
            item.appendChild(document.createTextNode(" · " + row.status_label + " · " + row.service_type +
                                                     (row.address ? " · " + row.address : "")));
            list.insertBefore(item, list.firstChild);
          });
          if (list.children.length) { panel.hidden = false; }
        });
    }
    var seconds = Math.max(2, parseInt(panel.dataset.seconds, 10) || 30);
    window.setInterval(poll, seconds * 1000);
  }

  function responseTemplates() {
    var data = document.getElementById("response-templates");
    var select = document.getElementById("response-template");
    var note = document.getElementById("status_public_note");
    if (!data || !select || !note) { return; }
    var templates = JSON.parse(data.textContent);
    select.addEventListener("change", function () {
      var t = templates[parseInt(select.value, 10)];
      if (!t) { return; }
      note.value = t.text;
      var to = document.getElementById("status_to");
      if (t.status && to) { to.value = t.status; }
    });
  }

  function requestMap() {
    // The exact reported point: staff see it unblurred, unlike the public map.
    var box = document.getElementById("request-map");
    if (!box || typeof L === "undefined") { return; }
    var point = [parseFloat(box.dataset.lat), parseFloat(box.dataset.lon)];
    var map = L.map(box).setView(point, 17);
    L.circleMarker(point, { radius: 8, weight: 2, color: "#c92a2a", fillOpacity: 0.6 })
      .addTo(map).bindTooltip(box.dataset.label);
    box.classList.add("loaded");
  }

  function selectAll() {
    var all = document.getElementById("select-all");
    if (!all) { return; }
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=selected]").forEach(function (box) { box.checked = all.checked; });
    });
  }

  function bulkReplies() {
    // A ready reply sets the status it was written for; the text itself is filled per request by the server.
    var data = document.getElementById("bulk-replies");
    var select = document.getElementById("id_reply");
    var to = document.getElementById("id_to");
    var action = document.getElementById("id_action");
    if (!data || !select || !to) { return; }
    var byId = {};
    JSON.parse(data.textContent).forEach(function (t) { byId[t.id] = t; });
    select.addEventListener("change", function () {
      var t = byId[select.value];
      if (t && t.status) { to.value = t.status; if (action) { action.value = "status"; } }
    });
  }

  function shortcuts() {
    // Single keys for the common actions, ignored while typing (WCAG 2.1.4: only active when focus is not in a
    // field, and listed on the page).
    if (!document.getElementById("shortcuts")) { return; }
    var focusOnly = { s: "status_to", n: "status_public_note" };
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey || target.isContentEditable ||
          /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
      var key = event.key.toLowerCase();
      if (key === "h") {
        var history = document.getElementById("history-panel");
        if (history) { history.open = !history.open; history.querySelector("summary").focus(); }
        event.preventDefault();
        return;
      }
      if (focusOnly[key]) {
        var field = document.getElementById(focusOnly[key]);
        if (field) { field.focus(); event.preventDefault(); }
        return;
      }
      var control = document.querySelector("[data-shortcut='" + key + "']");
      if (!control) { return; }
      event.preventDefault();
      if (control.tagName === "BUTTON") { control.click(); } else { control.focus(); }
    });
  }

  function filterPanel() {
    // Folded on a phone so the requests start on the first screen; open at a desk, and whenever a filter is wrong.
    var panel = document.getElementById("filter-panel");
    if (!panel || !window.matchMedia) { return; }
    var narrow = window.matchMedia("(max-width: 700px)");
    function fit() { panel.open = !narrow.matches || !!panel.querySelector(".error"); }
    fit();
    narrow.addEventListener("change", fit);
  }

  document.addEventListener("DOMContentLoaded", function () {
    filterPanel();
    queueMap();
    changes();
    responseTemplates();
    requestMap();
    selectAll();
    bulkReplies();
    shortcuts();
  });
}());
