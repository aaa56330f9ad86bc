// A small map of where one request is: a point, or a circle of the grid cell for a sensitive type.
"use strict";
(function () {
  const box = document.getElementById("place-map");
  if (!box || !window.L) return;
  const here = [Number(box.dataset.lat), Number(box.dataset.lon)];
  const map = L.map(box, { scrollWheelZoom: false, dragging: !L.Browser.mobile, keyboard: false })
    .setView(here, box.dataset.coarse ? 15 : 16);
  window.civicBaseMap(map, { tileUrl: box.dataset.tileUrl, streets: box.dataset.streetsUrl });
  fetch(box.dataset.areasUrl, { headers: { Accept: "application/json" } }).then((r) => r.json()).then((data) => {
    L.geoJSON({ type: "FeatureCollection", features: data.areas.map((area) => ({
      type: "Feature", properties: {}, geometry: JSON.parse(area.geometry) })) },
    { style: { color: "#5b6770", weight: 1, fillOpacity: 0.03 }, interactive: false }).addTo(map).bringToBack();
  }).catch(() => {});
  if (box.dataset.coarse) {
    L.circle(here, { radius: 150, color: "#b3261e", weight: 2, fillOpacity: 0.15, interactive: false }).addTo(map);
  } else {
    L.circleMarker(here, { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.6, interactive: false }).addTo(map);
  }
})();
