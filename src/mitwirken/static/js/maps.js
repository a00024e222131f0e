// The portal's one map component (Mängelmelder, dialogues, formal procedures). Everything here is optional: the address and coordinate fields and the list
// page do the same without JavaScript or a mouse. Tiles come only from the operator's own server; without
// one, the map shows the outlines of the areas the portal covers.
(() => {
  const areas = () => {
    const script = document.getElementById("map-areas");
    return script ? JSON.parse(script.textContent) : null;
  };

  const baseMap = (container) => {
    const map = L.map(container, { keyboard: true, zoomSnap: 1 });
    if (container.dataset.tileUrl) {
      L.tileLayer(container.dataset.tileUrl, { attribution: container.dataset.attribution || "", maxZoom: 19 }).addTo(map);
    }
    const outlines = areas();
    const layer = outlines && outlines.features.length ? L.geoJSON(outlines, { style: { color: "#004b76", weight: 1, fillOpacity: 0.04 } }).addTo(map) : null;
    if (layer) map.fitBounds(layer.getBounds());
    else if (container.dataset.lat) map.setView([Number(container.dataset.lat), Number(container.dataset.lon)], 12);
    else map.setView([50.0, 7.6], 10);
    return map;
  };

  // Step 1 of the report form: a click sets latitude and longitude.
  const pick = (container) => {
    const [latField, lonField] = container.dataset.mapPick.split(" ").map((id) => document.getElementById(id));
    if (!latField || !lonField) return;
    const map = baseMap(container);
    let marker = null;
    const show = (latlng) => {
      if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, { radius: 9, color: "#9b1c1c", weight: 3 }).addTo(map);
    };
    if (latField.value && lonField.value) show([Number(latField.value), Number(lonField.value)]);
    map.on("click", (event) => {
      show(event.latlng);
      latField.value = event.latlng.lat.toFixed(6);
      lonField.value = event.latlng.lng.toFixed(6);
    });
  };

  // A GeoJSON field (a statement's location): a click writes a point into the field. The field stays the
  // keyboard-friendly way; it also takes lines and areas typed in by experts.
  const geojsonInput = (container) => {
    const field = document.getElementById(container.dataset.mapInput);
    if (!field) return;
    container.hidden = false;
    const map = baseMap(container);
    let marker = null;
    const show = (latlng) => {
      if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, { radius: 9, color: "#9b1c1c", weight: 3 }).addTo(map);
    };
    try {
      const current = JSON.parse(field.value || "null");
      if (current && current.type === "Point") show([current.coordinates[1], current.coordinates[0]]);
    } catch (_error) { /* the server explains invalid GeoJSON next to the field */ }
    map.on("click", (event) => {
      show(event.latlng);
      field.value = JSON.stringify({ type: "Point", coordinates: [Number(event.latlng.lng.toFixed(6)), Number(event.latlng.lat.toFixed(6))] });
      field.dispatchEvent(new Event("change", { bubbles: true }));
    });
  };

  // Popups and icons are built from DOM nodes, never from HTML strings: a category name or a title written by
  // someone else is text, whatever characters it contains (the CSP is the second line, not the first).
  const textElement = (tag, text) => {
    const element = document.createElement(tag);
    element.textContent = text;
    return element;
  };
  const popupLink = (href, text) => {
    const link = textElement("a", text);
    const target = new URL(href, window.location.href);
    if (target.origin === window.location.origin) link.href = target.pathname + target.search + target.hash;
    return link;
  };

  // The public map: clusters come from the server for the visible box, so the page stays light at any size.
  const browse = (container) => {
    const map = baseMap(container);
    const layer = L.layerGroup().addTo(map);
    const url = new URL(container.dataset.reportMap, window.location.href);
    let pending = null;
    const load = () => {
      const bounds = map.getBounds();
      url.searchParams.set("bbox", [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()].map((n) => n.toFixed(5)).join(","));
      url.searchParams.set("zoom", String(map.getZoom()));
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url, { signal: pending.signal }).then((response) => response.json()).then((data) => {
        layer.clearLayers();
        for (const cluster of data.clusters) {
          if (cluster.id) {
            L.circleMarker([cluster.lat, cluster.lon], { radius: 8, color: "#9b1c1c", weight: 2 })
              .bindPopup(popupLink(`${container.dataset.detailBase || "/maengelmelder/"}${Number(cluster.id)}/`,
                `#${Number(cluster.id)} ${cluster.category || ""}`))
              .addTo(layer);
          } else {
            const size = 28 + Math.min(24, Math.round(Math.log10(cluster.count) * 8));
            L.marker([cluster.lat, cluster.lon], {
              icon: L.divIcon({ className: "map-cluster", html: textElement("span", String(Number(cluster.count))), iconSize: [size, size] }),
              keyboard: false,
            }).on("click", () => map.setView([cluster.lat, cluster.lon], Math.min(map.getZoom() + 2, 19))).addTo(layer);
          }
        }
      }).catch(() => { /* a failed refresh keeps the previous markers; the list works regardless */ });
    };
    map.on("moveend", load);
    load();
  };

  // Ideas of a dialogue page: the same ideas are listed below the map with their coordinates.
  const points = (container) => {
    const map = baseMap(container);
    const data = JSON.parse(document.getElementById(container.dataset.pointsMap).textContent);
    const markers = data.map((point) => L.circleMarker([point.lat, point.lon], { radius: 8, color: "#004b76", weight: 2 })
      .bindPopup(popupLink(point.url, point.title)).addTo(map));
    if (markers.length) {
      // Show the whole area and every idea: a lone marker without its surroundings says nothing.
      const bounds = L.featureGroup(markers).getBounds();
      map.eachLayer((layer) => { if (layer instanceof L.GeoJSON) bounds.extend(layer.getBounds()); });
      map.fitBounds(bounds.pad(0.1), { maxZoom: 16 });
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof L === "undefined") return;
    for (const container of document.querySelectorAll("[data-points-map]")) points(container);
    for (const container of document.querySelectorAll("[data-map-pick]")) pick(container);
    for (const container of document.querySelectorAll("[data-report-map]")) browse(container);
    for (const container of document.querySelectorAll("[data-map-input]")) geojsonInput(container);
  });
})();
