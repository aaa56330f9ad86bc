// The base map under every map of the product: the city's tile server when one is configured, else the city's own
// streets (imported with `import_streets`), drawn quietly from our own street tiles, named at street zoom.
"use strict";
(function () {
  const MIN_ZOOM = 13;     // frontend/selectors.py MIN_STREET_ZOOM: below it the tiles are empty
  const LABEL_ZOOM = 16;   // street names from here on, where a name fits along a block
  const LINE = "#ffffff";     // streets as on a paper map: white, edged in grey, on the map's pale ground
  const CASING = "#a9b2bb";
  const HALO = "#ffffff";
  const TEXT = "#3d464d";

  const StreetTiles = L.GridLayer.extend({
    options: { minZoom: MIN_ZOOM, maxZoom: 20, className: "street-tiles", updateWhenZooming: false },

    createTile(coords, done) {
      const size = this.getTileSize();
      const ratio = window.devicePixelRatio || 1;
      const canvas = document.createElement("canvas");
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      canvas.className = "street-tile";
      const url = this.options.url.replace("{z}", coords.z).replace("{x}", coords.x).replace("{y}", coords.y);
      fetch(url, { headers: { Accept: "application/json" } })
        .then((r) => { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then((data) => { this.draw(canvas, coords, size, ratio, data.features); done(null, canvas); })
        .catch((error) => done(error, canvas));
      return canvas;
    },

    draw(canvas, coords, size, ratio, features) {
      const ctx = canvas.getContext("2d");
      ctx.scale(ratio, ratio);
      const origin = coords.scaleBy(size);
      const map = this._map;
      const toPixels = (line) => line.map((c) => map.project([c[1], c[0]], coords.z).subtract(origin));
      const shapes = features.map((f) => ({
        name: f.properties.name,
        lines: (f.geometry.type === "LineString" ? [f.geometry.coordinates] : f.geometry.coordinates).map(toPixels),
      }));
      const width = coords.z >= 17 ? 7 : coords.z >= 15 ? 4 : 2;
      ctx.lineCap = ctx.lineJoin = "round";
      [[CASING, width + 2], [LINE, width]].forEach(([colour, w]) => {
        ctx.strokeStyle = colour;
        ctx.lineWidth = w;
        shapes.forEach((shape) => shape.lines.forEach((points) => {
          ctx.beginPath();
          points.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
          ctx.stroke();
        }));
      });
      const labels = coords.z >= LABEL_ZOOM ? shapes.map((shape) => this.label(ctx, shape, size)).filter(Boolean) : [];
      // What this tile shows, for tests and for anyone inspecting the page (a canvas has no other trace).
      canvas.dataset.streets = String(shapes.length);
      canvas.dataset.labels = labels.join("|");
    },

    // The name along the street's longest straight piece, drawn only if it fits inside the tile (no cut names).
    label(ctx, shape, size) {
      let best = null;
      shape.lines.forEach((points) => points.slice(1).forEach((p, i) => {
        const q = points[i];
        const length = p.distanceTo(q);
        if (!best || length > best.length) best = { a: q, b: p, length };
      }));
      if (!best) return null;
      ctx.font = "12px system-ui, sans-serif";
      const text = shape.name;
      const textWidth = ctx.measureText(text).width;
      if (textWidth + 12 > best.length) return null;
      let angle = Math.atan2(best.b.y - best.a.y, best.b.x - best.a.x);
      if (angle > Math.PI / 2) angle -= Math.PI;
      if (angle < -Math.PI / 2) angle += Math.PI;
      const mid = best.a.add(best.b).divideBy(2);
      const reach = textWidth / 2 + 4;
      if (mid.x < reach || mid.y < reach || mid.x > size.x - reach || mid.y > size.y - reach) return null;
      ctx.save();
      ctx.translate(mid.x, mid.y);
      ctx.rotate(angle);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineWidth = 3;
      ctx.strokeStyle = HALO;
      ctx.strokeText(text, 0, 0);
      ctx.fillStyle = TEXT;
      ctx.fillText(text, 0, 0);
      ctx.restore();
      return text;
    },
  });

  window.civicBaseMap = function (map, options) {
    if (options.tileUrl) {
      return L.tileLayer(options.tileUrl, { attribution: options.attribution || "", maxZoom: 19 }).addTo(map);
    }
    return options.streets ? new StreetTiles({ url: options.streets }).addTo(map) : null;
  };
})();
