/* The public requests map: clusters and points from our own tile endpoint, no outside tile server needed. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var labels = config.labels;
  var form = document.getElementById("map-filters");
  var statusLine = document.getElementById("map-status");
  var cardBox = document.getElementById("card");
  var mapBox = document.getElementById("map");
  var panel = document.getElementById("side-panel");
  var sheetToggle = document.getElementById("sheet-toggle");
  var filters = document.getElementById("filters");
  var list = document.getElementById("request-list");
  var listMore = document.getElementById("list-more");
  var wide = window.matchMedia("(min-width: 56rem)");

  // Beside the map there is room for the filters; on a phone they stay folded under the map.
  if (wide.matches) { filters.open = true; }

  function expandSheet(expanded) {
    panel.classList.toggle("expanded", expanded);
    sheetToggle.setAttribute("aria-expanded", String(expanded));
  }
  sheetToggle.addEventListener("click", function () { expandSheet(!panel.classList.contains("expanded")); });

  var map = L.map(mapBox, { zoomControl: true, minZoom: 3, maxZoom: 19 });
  window.civicBaseMap(map, { tileUrl: config.tileUrl, attribution: config.tileAttribution, streets: config.streets });

  function fromHash() {
    var parts = window.location.hash.replace("#", "").split("/").map(Number);
    if (parts.length === 3 && parts.every(function (n) { return !isNaN(n); })) {
      map.setView([parts[1], parts[2]], parts[0]);
      return true;
    }
    return false;
  }
  if (!fromHash()) {
    if (config.extent) {
      map.fitBounds([[config.extent[1], config.extent[0]], [config.extent[3], config.extent[2]]]);
    } else {
      map.setView([0, 0], 3);
    }
  }

  fetch(config.areas, { headers: { Accept: "application/geo+json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      L.geoJSON(data, { interactive: false, style: function () { return { className: "area-outline" }; } })
        .addTo(map).bringToBack();
    });

  // Active permits, their own layer: a street closed by a permit shows why (type, dates, the permit's page).
  if (config.permits) {
    var permitWords = config.permits.labels;
    fetch(config.permits.url, { headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var permits = L.geoJSON(data, {
          style: function () { return { className: "permit-shape", color: "#6a1b9a", weight: 6, fillOpacity: 0.25 }; },
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 9, color: "#6a1b9a", weight: 3 });
          },
          onEachFeature: function (feature, layer) {
            var p = feature.properties;
            var box = document.createElement("div");
            var title = document.createElement("strong");
            title.textContent = p.type;
            var dates = document.createElement("p");
            dates.textContent = permitWords.valid + ": " + p.starts_on + " – " + p.ends_on + (p.place ? " · " + p.place : "");
            var link = document.createElement("a");
            link.href = p.verification_url;
            link.textContent = permitWords.check + " " + p.permit;
            box.append(title, dates, link);
            layer.bindPopup(box);
          }
        }).addTo(map);
        var overlays = {};
        overlays[permitWords.layer] = permits;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      })
      .catch(function () { /* the requests map works without the permit layer */ });
  }

  var requests = L.layerGroup().addTo(map);
  var generation = 0;

  function filterQuery() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) { if (!params.get(key)) { params.delete(key); } });
    return params.toString();
  }

  function tileUrl(z, x, y, query) {
    var url = config.tiles.replace("{z}", z).replace("{x}", x).replace("{y}", y);
    return query ? url + "?" + query : url;
  }

  function visibleTiles() {
    var z = Math.max(0, Math.min(20, Math.round(map.getZoom())));
    var bounds = map.getPixelBounds();
    var scale = map.getZoomScale(z, map.getZoom());
    var min = bounds.min.multiplyBy(scale).divideBy(256).floor();
    var max = bounds.max.multiplyBy(scale).divideBy(256).floor();
    var n = Math.pow(2, z);
    var tiles = [];
    for (var x = Math.max(0, min.x); x <= Math.min(n - 1, max.x); x++) {
      for (var y = Math.max(0, min.y); y <= Math.min(n - 1, max.y); y++) {
        tiles.push([z, x, y]);
      }
    }
    return tiles;
  }

  function clusterMarker(feature, latlng) {
    var props = feature.properties;
    var share = props.count ? props.open / props.count : 0;
    var kind = share >= 0.5 ? "cluster-open" : "cluster-closed";
    var size = props.count >= 1000 ? 44 : props.count >= 100 ? 36 : 28;
    var icon = L.divIcon({
      className: "cluster " + kind, iconSize: [size, size],
      html: "<span>" + props.count + "</span>"
    });
    var marker = L.marker(latlng, { icon: icon, keyboard: true,
      title: props.count + " " + labels.requests + ", " + props.open + " " + labels.open_count });
    marker.on("click", function () { map.setView(latlng, Math.min(config.pointsZoom + 1, map.getZoom() + 3)); });
    return marker;
  }

  function pointMarker(feature, latlng) {
    var marker = L.circleMarker(latlng, {
      radius: 8, className: "req " + (feature.properties.open ? "status-open" : "status-closed") +
        " status-" + feature.properties.status
    });
    marker.on("click", function () { showCard(feature.id); });
    return marker;
  }

  function refresh() {
    var mine = ++generation;
    var query = filterQuery();
    var tiles = visibleTiles();
    var shown = 0;
    var truncated = false;
    var failed = false;
    mapBox.setAttribute("aria-busy", "true");
    Promise.all(tiles.map(function (t) {
      return fetch(tileUrl(t[0], t[1], t[2], query))
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .catch(function () { failed = true; return { features: [] }; });
    })).then(function (results) {
      if (mine !== generation) { return; }
      requests.clearLayers();
      results.forEach(function (data) {
        truncated = truncated || data.truncated;
        data.features.forEach(function (feature) {
          var c = feature.geometry.coordinates;
          var latlng = L.latLng(c[1], c[0]);
          var props = feature.properties;
          requests.addLayer(props.cluster ? clusterMarker(feature, latlng) : pointMarker(feature, latlng));
          shown += props.cluster ? props.count : 1;
        });
      });
      mapBox.setAttribute("data-shown", String(shown));
      mapBox.setAttribute("aria-busy", "false");
      statusLine.textContent = shown + " " + labels.requests + (truncated ? " · " + labels.truncated : "") +
        (failed ? " · " + labels.error : "");
    });
    refreshList(query, mine);
    countFilters();
  }

  function countFilters() {
    var n = 0;
    new FormData(form).forEach(function (value) { if (value) { n++; } });
    document.getElementById("filter-count").textContent = n ? String(n) : "";
  }

  // The list shows what the map shows: the same filters, the same part of the city.
  function refreshList(query, mine) {
    var b = map.getBounds();
    var params = new URLSearchParams(query);
    params.set("west", Math.max(-180, b.getWest()).toFixed(6));
    params.set("south", Math.max(-90, b.getSouth()).toFixed(6));
    params.set("east", Math.min(180, b.getEast()).toFixed(6));
    params.set("north", Math.min(90, b.getNorth()).toFixed(6));
    fetch(config.list + "?" + params.toString())
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        if (mine !== generation) { return; }
        list.replaceChildren();
        listMore.hidden = !data.more;
        if (!data.requests.length) {
          var empty = document.createElement("li");
          empty.className = "hint";
          empty.textContent = labels.none;
          list.appendChild(empty);
        }
        data.requests.forEach(function (item) {
          var li = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "list-item";
          var title = document.createElement("strong");
          title.textContent = item.service_type;
          var meta = document.createElement("span");
          meta.className = "meta";
          var badge = document.createElement("span");
          badge.className = "badge " + (item.open ? "open" : "closed");
          badge.textContent = item.status_label;
          meta.appendChild(badge);
          meta.appendChild(document.createTextNode(" " + day(item.submitted) + " · " + item.public_id));
          button.appendChild(title);
          button.appendChild(meta);
          if (item.excerpt) {
            var excerpt = document.createElement("span");
            excerpt.className = "excerpt";
            excerpt.textContent = item.excerpt;
            button.appendChild(excerpt);
          }
          button.addEventListener("click", function () {
            showCard(item.public_id);
            map.panTo([item.coordinates[1], item.coordinates[0]]);
          });
          li.appendChild(button);
          list.appendChild(li);
        });
      })
      .catch(function () { list.replaceChildren(); });
  }

  function day(isoDate) {
    var parts = isoDate.split("-").map(Number);
    return new Date(Date.UTC(parts[0], parts[1] - 1, parts[2], 12))
      .toLocaleDateString(document.documentElement.lang, { timeZone: "UTC", year: "numeric", month: "short", day: "numeric" });
  }

  function line(label, value) {
    var p = document.createElement("p");
    var b = document.createElement("strong");
    b.textContent = label + ": ";
    p.appendChild(b);
    p.appendChild(document.createTextNode(value));
    return p;
  }

  // Times in the city's own zone, whatever the visitor's device is set to (the page says which zone).
  function when(value) {
    return value ? new Date(value).toLocaleString(document.documentElement.lang, {
      timeZone: config.timezone, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit"
    }) : "—";
  }

  function showCard(publicId) {
    fetch(config.card.replace("PUBLICID", encodeURIComponent(publicId)))
      .then(function (r) { return r.json(); })
      .then(function (card) {
        cardBox.replaceChildren();
        var close = document.createElement("button");
        close.type = "button";
        close.className = "card-close";
        close.setAttribute("aria-label", labels.close);
        close.textContent = "×";
        close.addEventListener("click", function () { cardBox.hidden = true; });
        cardBox.appendChild(close);
        var title = document.createElement("h2");
        title.textContent = card.service_type;
        cardBox.appendChild(title);
        var badge = document.createElement("span");
        badge.className = "badge " + (card.open ? "open" : "closed");
        badge.textContent = card.status_label;
        cardBox.appendChild(badge);
        var id = document.createElement("p");
        id.className = "public-id";
        id.textContent = card.public_id;
        cardBox.appendChild(id);
        if (card.description) {
          var description = document.createElement("p");
          description.className = "resident-text";
          description.textContent = card.description;
          cardBox.appendChild(description);
        }
        cardBox.appendChild(line(labels.submitted, when(card.submitted_at)));
        if (card.acknowledged_at) { cardBox.appendChild(line(labels.acknowledged, when(card.acknowledged_at))); }
        if (card.expected_at) { cardBox.appendChild(line(labels.expected, when(card.expected_at))); }
        if (card.closed_at) { cardBox.appendChild(line(labels.closed, when(card.closed_at))); }
        if (card.department) { cardBox.appendChild(line(labels.department, card.department)); }
        if (card.routing_reason) { cardBox.appendChild(line(labels.reason, card.routing_reason)); }
        cardBox.appendChild(line(labels.me_too, String(card.me_too_count)));
        if (card.public_notes.length) {
          var notes = document.createElement("ul");
          notes.setAttribute("aria-label", labels.notes);
          card.public_notes.forEach(function (note) {
            var li = document.createElement("li");
            li.textContent = note;
            notes.appendChild(li);
          });
          cardBox.appendChild(notes);
        }
        if (card.coarsened) { cardBox.appendChild(line("ⓘ", labels.coarsened)); }
        var link = document.createElement("a");
        link.href = config.page.replace("PUBLICID", encodeURIComponent(card.public_id));
        link.textContent = labels.open;
        link.className = "button";
        cardBox.appendChild(link);
        cardBox.hidden = false;
        // Where the eye is: the top of the side panel (the sheet, on a phone), focused for keyboards.
        panel.scrollTop = 0;
        if (!wide.matches) { expandSheet(true); }
        cardBox.focus({ preventScroll: true });
      });
  }

  function remember() {
    var c = map.getCenter();
    var query = filterQuery();
    var url = window.location.pathname + (query ? "?" + query : "") + "#" + map.getZoom() + "/" +
      c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    window.history.replaceState(null, "", url);
  }

  window.addEventListener("hashchange", fromHash);
  map.on("moveend", function () { refresh(); remember(); });
  form.addEventListener("change", function () { refresh(); remember(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); remember(); });
  refresh();
})();
