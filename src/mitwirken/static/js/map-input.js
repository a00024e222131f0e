// Optional map for a GeoJSON field. The text field stays the accessible, keyboard-friendly way;
// the map only fills it. Shown only when the operator configured a tile server (no third-party default).
document.addEventListener("DOMContentLoaded", () => {
  for (const container of document.querySelectorAll("[data-map-input]")) {
    const field = document.getElementById(container.dataset.mapInput);
    const tiles = container.dataset.tileUrl;
    if (!field || !tiles || typeof L === "undefined") continue;
    container.hidden = false;
    const map = L.map(container, { keyboard: true }).setView([Number(container.dataset.lat), Number(container.dataset.lon)], 12);
    L.tileLayer(tiles, { attribution: container.dataset.attribution || "" }).addTo(map);
    let marker = null;
    const show = (latlng) => {
      if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng).addTo(map);
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
  }
});
