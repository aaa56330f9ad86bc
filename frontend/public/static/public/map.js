/* The public requests map: MapLibre GL drawing our own vector tiles (clusters and points, the city's streets),
   no outside tile server needed; without WebGL, the list alone. */
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

  // Zooms in the address bar are those of 256 px web-map tiles (as links made before this map used them);
  // MapLibre's zoom counts 512 px tiles, one less.
  var TILE_TO_MAP = -1;
  var COLOURS = { open: "#c2410c", closed: "#2b7a3b", clusterClosed: "#1864ab", casing: "#a9b2bb",
    street: "#ffffff", text: "#3d464d", area: "#495057", permit: "#6a1b9a" };

  function webglWorks() {
    try {
      var canvas = document.createElement("canvas");
      return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
    } catch (error) {
      return false;
    }
  }

  function filterQuery() {
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (key) { if (!params.get(key)) { params.delete(key); } });
    return params.toString();
  }

  // Tile URLs must be absolute for MapLibre's workers; the {z}/{x}/{y} braces stay as they are.
  function absolute(template, query) {
    return window.location.origin + template + (query ? "?" + query : "");
  }

  var map = null;
  var generation = 0;

  if (!webglWorks()) {
    // No WebGL, no drawn map: the list shows the same requests (the whole city, filtered), as for a screen reader.
    mapBox.classList.add("no-map");
    mapBox.removeAttribute("role");
    var note = document.createElement("p");
    note.className = "no-map-note";
    note.textContent = labels.no_map;
    mapBox.appendChild(note);
    var noMapRefresh = function () {
      var mine = ++generation;
      refreshList(filterQuery(), mine, config.extent || [-180, -85, 180, 85]);
      countFilters();
    };
    form.addEventListener("change", noMapRefresh);
    form.addEventListener("submit", function (event) { event.preventDefault(); noMapRefresh(); });
    noMapRefresh();
    return;
  }

  maplibregl.setWorkerUrl(config.maplibreWorker);

  var sources = {
    // Vector tiles are 512 px in MapLibre: map zoom z asks for tile zoom z (8 clusters a side, 64 px apart).
    requests: { type: "vector", tiles: [absolute(config.tiles, filterQuery())], maxzoom: 20 },
    areas: { type: "geojson", data: absolute(config.areas) }
  };
  var layers = [{ id: "ground", type: "background", paint: { "background-color": "#e9edf0" } }];
  if (config.tileUrl) {
    sources.base = { type: "raster", tiles: [config.tileUrl], tileSize: 256, maxzoom: 19,
      attribution: config.tileAttribution || "" };
    layers.push({ id: "base", type: "raster", source: "base" });
  } else if (config.streets) {
    // The city's own streets, white edged in grey as on a paper map, named at street zoom.
    sources.streets = { type: "vector", tiles: [absolute(config.streets)], minzoom: 13, maxzoom: 20 };
    var width = function (extra) { return ["interpolate", ["linear"], ["zoom"], 12, 1.5 + extra, 14, 3 + extra, 16, 6 + extra]; };
    layers.push(
      { id: "street-casing", type: "line", source: "streets", "source-layer": "streets",
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": COLOURS.casing, "line-width": width(2) } },
      { id: "street-line", type: "line", source: "streets", "source-layer": "streets",
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": COLOURS.street, "line-width": width(0) } },
      { id: "street-label", type: "symbol", source: "streets", "source-layer": "streets", minzoom: 16 + TILE_TO_MAP,
        layout: { "symbol-placement": "line", "icon-image": ["concat", "street:", ["get", "name"]],
          "icon-rotation-alignment": "map", "icon-keep-upright": true, "symbol-spacing": 400 } }
    );
  }
  layers.push(
    { id: "area-fill", type: "fill", source: "areas", paint: { "fill-color": "#74c0fc", "fill-opacity": 0.06 } },
    { id: "area-outline", type: "line", source: "areas", paint: { "line-color": COLOURS.area, "line-width": 1 } }
  );
  if (config.permits) {
    // Active permits under the requests: a street closed by a permit shows why.
    sources.permits = { type: "geojson", data: absolute(config.permits.url) };
    layers.push(
      { id: "permit-fill", type: "fill", source: "permits", filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": COLOURS.permit, "fill-opacity": 0.25 } },
      { id: "permit-line", type: "line", source: "permits", filter: ["!=", ["geometry-type"], "Point"],
        paint: { "line-color": COLOURS.permit, "line-width": 6 } },
      { id: "permit-point", type: "circle", source: "permits", filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-radius": 9, "circle-color": "rgba(106, 27, 154, 0.25)", "circle-stroke-color": COLOURS.permit,
          "circle-stroke-width": 3 } }
    );
  }
  var isCluster = ["has", "count"];
  layers.push(
    { id: "clusters", type: "circle", source: "requests", "source-layer": "requests", filter: isCluster,
      paint: {
        "circle-radius": ["step", ["get", "count"], 14, 100, 18, 1000, 22],
        "circle-color": ["case", [">=", ["*", 2, ["get", "open"]], ["get", "count"]], COLOURS.open, COLOURS.clusterClosed],
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 2
      } },
    { id: "cluster-count", type: "symbol", source: "requests", "source-layer": "requests", filter: isCluster,
      layout: { "icon-image": ["concat", "count:", ["to-string", ["get", "count"]]], "icon-allow-overlap": true,
        "icon-ignore-placement": true } },
    { id: "points", type: "circle", source: "requests", "source-layer": "requests", filter: ["!", isCluster],
      paint: {
        "circle-radius": 8, "circle-opacity": 0.9, "circle-stroke-color": "#ffffff", "circle-stroke-width": 2,
        "circle-color": ["case", ["get", "open"], COLOURS.open, COLOURS.closed]
      } }
  );

  map = new maplibregl.Map({
    container: mapBox,
    style: { version: 8, sources: sources, layers: layers },
    minZoom: 3 + TILE_TO_MAP,
    maxZoom: 19 + TILE_TO_MAP,
    attributionControl: config.tileUrl ? { compact: true } : false,
    locale: { "NavigationControl.ZoomIn": labels.zoom_in, "NavigationControl.ZoomOut": labels.zoom_out,
      "Map.Title": labels.map }
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  window.civicMap = map;  // for tests and for anyone inspecting the page

  // Text without font files (our CSP serves none): street names and cluster counts are drawn on a canvas the
  // first time the map asks for them, as images.
  map.on("styleimagemissing", function (event) {
    var id = event.id;
    var colon = id.indexOf(":");
    var kind = id.slice(0, colon);
    var text = id.slice(colon + 1);
    var ratio = window.devicePixelRatio || 1;
    var canvas = document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    var font = (kind === "count" ? "bold 12px" : "12px") + " system-ui, sans-serif";
    ctx.font = font;
    var w = Math.ceil(ctx.measureText(text).width) + 8;
    var h = 18;
    canvas.width = w * ratio;
    canvas.height = h * ratio;
    ctx.scale(ratio, ratio);
    ctx.font = font;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    if (kind === "street") {
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.strokeText(text, w / 2, h / 2);
      ctx.fillStyle = COLOURS.text;
    } else {
      ctx.fillStyle = "#ffffff";
    }
    ctx.fillText(text, w / 2, h / 2);
    if (!map.hasImage(id)) {
      map.addImage(id, ctx.getImageData(0, 0, canvas.width, canvas.height), { pixelRatio: ratio });
    }
  });

  function fromHash() {
    var parts = window.location.hash.replace("#", "").split("/").map(Number);
    if (parts.length === 3 && parts.every(function (n) { return !isNaN(n); })) {
      map.jumpTo({ center: [parts[2], parts[1]], zoom: parts[0] + TILE_TO_MAP });
      return true;
    }
    return false;
  }
  if (!fromHash()) {
    if (config.extent) {
      map.fitBounds([[config.extent[0], config.extent[1]], [config.extent[2], config.extent[3]]], { duration: 0 });
    } else {
      map.jumpTo({ center: [0, 0], zoom: 3 + TILE_TO_MAP });
    }
  }

  // Active permits, their own layer: a street closed by a permit shows why (type, dates, the permit's page).
  if (config.permits) {
    var permitWords = config.permits.labels;
    (function () {
      var permitLayers = ["permit-fill", "permit-line", "permit-point"];
      var toggle = document.createElement("label");
      toggle.className = "map-layer-toggle maplibregl-ctrl maplibregl-ctrl-group";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = true;
      box.addEventListener("change", function () {
        permitLayers.forEach(function (id) { map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none"); });
      });
      toggle.append(box, document.createTextNode(" " + permitWords.layer));
      map.addControl({ onAdd: function () { return toggle; }, onRemove: function () { toggle.remove(); } }, "top-left");
      permitLayers.forEach(function (id) {
        map.on("click", id, function (event) {
          var p = event.features[0].properties;
          var content = document.createElement("div");
          content.className = "permit-popup";
          var title = document.createElement("strong");
          title.textContent = p.type;
          var dates = document.createElement("p");
          dates.textContent = permitWords.valid + ": " + p.starts_on + " – " + p.ends_on + (p.place ? " · " + p.place : "");
          var link = document.createElement("a");
          link.href = p.verification_url;
          link.textContent = permitWords.check + " " + p.permit;
          content.append(title, dates, link);
          new maplibregl.Popup({ closeButton: true }).setLngLat(event.lngLat).setDOMContent(content).addTo(map);
        });
      });
    })();
  }

  ["clusters", "points"].forEach(function (id) {
    map.on("mouseenter", id, function () { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", id, function () { map.getCanvas().style.cursor = ""; });
  });
  map.on("click", "clusters", function (event) {
    map.easeTo({ center: event.features[0].geometry.coordinates,
      zoom: Math.min(config.pointsZoom, map.getZoom() + 3) });
  });
  map.on("click", "points", function (event) { showCard(event.features[0].properties.public_id); });

  // What the map shows, counted once its tiles are drawn: the status line, and data-shown for tests.
  function countShown(mine) {
    if (mine !== generation) { return; }
    var shown = 0;
    var seen = {};
    map.queryRenderedFeatures({ layers: ["clusters", "points"] }).forEach(function (feature) {
      var p = feature.properties;
      if (p.public_id) {
        if (seen[p.public_id]) { return; }
        seen[p.public_id] = true;
        shown += 1;
      } else {
        shown += p.count;
      }
    });
    mapBox.setAttribute("data-shown", String(shown));
    mapBox.setAttribute("aria-busy", "false");
    statusLine.textContent = shown + " " + labels.requests + (failed ? " · " + labels.error : "");
  }
  var failed = false;
  map.on("error", function (event) {
    if (event.sourceId === "requests") {
      failed = true;
    } else {
      console.error(event.error);  // what MapLibre logs itself when no one listens
    }
  });

  function refresh() {
    var mine = ++generation;
    var query = filterQuery();
    failed = false;
    mapBox.setAttribute("aria-busy", "true");
    var source = map.getSource("requests");
    var url = absolute(config.tiles, query);
    if (source && source.tiles && source.tiles[0] !== url) { source.setTiles([url]); }
    map.once("idle", function () { countShown(mine); });
    var b = map.getBounds();
    refreshList(query, mine, [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
    countFilters();
  }

  function countFilters() {
    var n = 0;
    new FormData(form).forEach(function (value) { if (value) { n++; } });
    document.getElementById("filter-count").textContent = n ? String(n) : "";
  }

  // The list shows what the map shows: the same filters, the same part of the city.
  function refreshList(query, mine, bounds) {
    var params = new URLSearchParams(query);
    params.set("west", Math.max(-180, bounds[0]).toFixed(6));
    params.set("south", Math.max(-90, bounds[1]).toFixed(6));
    params.set("east", Math.min(180, bounds[2]).toFixed(6));
    params.set("north", Math.min(90, bounds[3]).toFixed(6));
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
            if (map) { map.panTo(item.coordinates); }
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
    var zoom = Math.round((map.getZoom() - TILE_TO_MAP) * 100) / 100;
    var url = window.location.pathname + (query ? "?" + query : "") + "#" + zoom + "/" +
      c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    window.history.replaceState(null, "", url);
  }

  window.addEventListener("hashchange", fromHash);
  map.on("moveend", function () { refresh(); remember(); });
  form.addEventListener("change", function () { refresh(); remember(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); refresh(); remember(); });
  map.on("load", refresh);
})();
