// The portal's one map component (Mängelmelder, dialogues, formal procedures, events, surveys, Ehrenamt).
// Everything here is optional: the address and coordinate fields and the lists do the same without JavaScript
// or a mouse. The configuration (base map tiles, texts, endpoints) comes from the page's "map-config" JSON,
// written by core.maps once for every map. Where no tile can be loaded, the map says so in one line under it
// and shows the outlines of the areas and the names of the places it knows instead.
(() => {
  const readJSON = (id) => {
    const script = document.getElementById(id);
    return script ? JSON.parse(script.textContent) : null;
  };
  const config = () => readJSON("map-config") || { tiles: null, text: {} };
  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name]));
  const round = (value) => Number(value.toFixed(6));

  // Popups and labels are built from DOM nodes, never from HTML strings: a category name or a title written by
  // someone else is text, whatever characters it contains (the CSP is the second line, not the first).
  const textElement = (tag, text, className) => {
    const element = document.createElement(tag);
    element.textContent = text;
    if (className) element.className = className;
    return element;
  };
  const popupLink = (href, text) => {
    const link = textElement("a", text);
    const target = new URL(href, window.location.href);
    if (target.origin === window.location.origin) link.href = target.pathname + target.search + target.hash;
    return link;
  };

  // A line under the map, created once: the keyboard help, the offline notice, a geolocation message.
  const lineAfter = (container, className, attributes = {}) => {
    let line = container.parentNode.querySelector(`:scope > .${className}[data-for="${container.dataset.mapId}"]`);
    if (!line) {
      line = document.createElement("p");
      line.className = `kern-body kern-body--small ${className}`;
      line.dataset.for = container.dataset.mapId;
      for (const [name, value] of Object.entries(attributes)) line.setAttribute(name, value);
      const anchor = container.mapLinesEnd || container;
      anchor.after(line);
      container.mapLinesEnd = line;
    }
    return line;
  };

  // Names of the gazetteer's places: shown where there is no base map to read them from.
  const placesLayer = (map, settings) => {
    const layer = L.layerGroup().addTo(map);
    let pending = null;
    const load = () => {
      if (!settings.placesUrl || map.getZoom() < 12) { layer.clearLayers(); return; }
      const bounds = map.getBounds();
      const url = new URL(settings.placesUrl, window.location.href);
      url.searchParams.set("bbox", [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
        .map((n) => n.toFixed(5)).join(","));
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url, { signal: pending.signal }).then((response) => response.json()).then((data) => {
        layer.clearLayers();
        for (const place of data.places || []) {
          L.marker([place.lat, place.lon], {
            icon: L.divIcon({ className: "map-place", html: textElement("span", place.name), iconSize: null }),
            keyboard: false, interactive: false,
          }).addTo(layer);
        }
      }).catch(() => { /* without labels the outlines still orient */ });
    };
    map.on("moveend", load);
    load();
    return layer;
  };

  let mapCount = 0;
  const baseMap = (container, { onEnter } = {}) => {
    const settings = config();
    const text = settings.text || {};
    container.dataset.mapId = container.dataset.mapId || `map-${++mapCount}`;
    const map = L.map(container, { keyboard: true, keyboardPanDelta: 120, zoomSnap: 1 });
    map.attributionControl.setPrefix(false);
    container.classList.add("map-focusable");

    // The one line about the base map comes right under the map; it stays empty while the tiles load.
    const notice = lineAfter(container, "map-notice");
    // Keys: Leaflet pans with the arrows and zooms with + and −; Enter sets a point at the crosshair.
    const help = lineAfter(container, "map-help", { id: `${container.dataset.mapId}-help` });
    help.textContent = (onEnter ? text.keys : text.keysView) || "";
    container.setAttribute("aria-describedby", help.id);
    if (onEnter) {
      container.addEventListener("keydown", (event) => {
        if (event.key !== "Enter" || event.target !== container) return;
        event.preventDefault();
        onEnter(map.getCenter());
      });
    }

    let places = null;
    const withoutBaseMap = (message) => {
      notice.textContent = message;
      container.classList.add("map--offline");
      if (!places) places = placesLayer(map, settings);
    };
    if (settings.tiles && settings.tiles.url) {
      const tiles = L.tileLayer(settings.tiles.url, {
        attribution: settings.tiles.attribution || "", maxZoom: settings.tiles.maxZoom || 18,
      });
      let loaded = false;
      let failed = false;
      tiles.on("tileload", () => {
        loaded = true;
        if (failed) {
          // The connection came back: the base map shows, the notice and the stand-in labels go.
          failed = false;
          container.classList.remove("map--offline");
          notice.textContent = "";
          if (places) { map.removeLayer(places); places = null; }
        }
      });
      const offline = () => {
        if (loaded || failed) return;
        failed = true;
        withoutBaseMap(text.offline || "");
      };
      tiles.on("tileerror", offline);
      window.setTimeout(offline, 8000); // a server that never answers is as unreachable as one that refuses
      tiles.addTo(map);
    } else {
      withoutBaseMap(text.noBaseMap || "");
    }

    const outlines = readJSON("map-areas");
    const layer = outlines && outlines.features && outlines.features.length
      ? L.geoJSON(outlines, { style: { color: "#004b76", weight: 2, fillOpacity: 0.04 }, interactive: false }).addTo(map)
      : null;
    if (layer) map.fitBounds(layer.getBounds());
    else if (container.dataset.lat) map.setView([Number(container.dataset.lat), Number(container.dataset.lon)], 12);
    else map.setView([50.0, 7.6], 10);
    return map;
  };

  const redMarker = (latlng) => L.circleMarker(latlng, { radius: 9, color: "#9b1c1c", weight: 3 });

  // "Use my location": only after the button is pressed (the consent), with a message for every outcome.
  const geolocateButton = (container, map, use) => {
    const text = config().text || {};
    const wrapper = document.createElement("div");
    wrapper.className = "map-geolocate";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kern-btn kern-btn--secondary";
    button.append(textElement("span", text.geolocate || "", "kern-label"));
    const help = textElement("p", text.geolocateHelp || "", "kern-body kern-body--small");
    help.id = `${container.dataset.mapId}-geolocate-help`;
    button.setAttribute("aria-describedby", help.id);
    const status = textElement("p", "", "kern-body kern-body--small map-geolocate__status");
    status.setAttribute("role", "status");
    wrapper.append(button, help, status);
    (container.mapLinesEnd || container).after(wrapper);
    container.mapLinesEnd = wrapper;
    button.addEventListener("click", () => {
      if (!navigator.geolocation) { status.textContent = text.geolocateUnsupported || ""; return; }
      status.textContent = text.geolocating || "";
      navigator.geolocation.getCurrentPosition((position) => {
        const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 17));
        use(latlng);
        status.textContent = text.geolocated || "";
      }, (error) => {
        status.textContent = error.code === 1 ? text.geolocateDenied || "" : text.geolocateFailed || "";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  };

  // A pick map (report form, map ideas, events, surveys): a click or Enter sets latitude and longitude.
  const pick = (container) => {
    const [latField, lonField] = container.dataset.mapPick.split(" ").map((id) => document.getElementById(id));
    if (!latField || !lonField) return;
    const text = config().text || {};
    let marker = null;
    let status = null;
    let map = null;
    const show = (latlng) => {
      if (marker) marker.setLatLng(latlng); else marker = redMarker(latlng).addTo(map);
    };
    const use = (latlng) => {
      show(latlng);
      latField.value = round(latlng.lat).toFixed(6);
      lonField.value = round(latlng.lng).toFixed(6);
      for (const field of [latField, lonField]) field.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = format(text.pointSet || "", { lat: latField.value, lon: lonField.value });
    };
    map = baseMap(container, { onEnter: use });
    status = lineAfter(container, "map-status", { role: "status" });
    if (latField.value && lonField.value) show([Number(latField.value), Number(lonField.value)]);
    map.on("click", (event) => use(event.latlng));
    geolocateButton(container, map, use);
    // An address chosen from the suggestions (address-combobox.js) has filled the fields: show it on the map too.
    (latField.form || document).addEventListener("address:chosen", (event) => {
      const latlng = L.latLng(event.detail.lat, event.detail.lon);
      show(latlng);
      map.setView(latlng, Math.max(map.getZoom(), 17));
    });
  };

  // The statement form: a point, a line or an area drawn on the map (Geoman) by mouse, touch or keyboard
  // (Enter adds a point at the crosshair), or a place found by name. The GeoJSON field behind "Koordinaten
  // eingeben" holds the result and stays the experts' way in.
  const drawInput = (container) => {
    const field = document.getElementById(container.dataset.mapDraw);
    if (!field) return;
    const text = (config().text || {}).draw || {};
    container.hidden = false;
    let drawn = null;
    let mode = null; // null, "Point", "Line" or "Polygon"
    let map = null;
    const toolbar = document.createElement("div");
    toolbar.className = "kern-btn-wrapper map-draw-tools";
    const status = textElement("p", "", "kern-body map-status");
    status.setAttribute("role", "status");
    const button = (label, action, primary) => {
      const element = document.createElement("button");
      element.type = "button";
      element.className = `kern-btn ${primary ? "kern-btn--primary" : "kern-btn--secondary"}`;
      element.append(textElement("span", label, "kern-label"));
      element.addEventListener("click", action);
      return element;
    };
    const shape = () => (map.pm && mode && mode !== "Point" ? map.pm.Draw[mode] : null);
    const vertexCount = () => {
      const active = shape();
      return active && active._layer ? active._layer.getLatLngs().flat().length : 0;
    };
    const describe = () => {
      if (mode === "Point") return text.drawingPoint;
      if (mode === "Line") return format(text.drawingLine, { count: vertexCount() });
      if (mode === "Polygon") return format(text.drawingPolygon, { count: vertexCount() });
      if (!drawn) return text.none;
      const geometry = drawn.toGeoJSON().geometry;
      if (geometry.type === "Point") return text.donePoint;
      if (geometry.type === "LineString") return format(text.doneLine, { count: geometry.coordinates.length });
      return format(text.donePolygon, { count: geometry.coordinates[0].length - 1 });
    };
    const refresh = () => {
      status.textContent = describe();
      for (const element of toolbar.querySelectorAll("[data-when]")) {
        const when = element.dataset.when;
        element.hidden = !(when === "idle" ? !mode : when === "drawn" ? !mode && drawn : when === mode || (when === "drawing" && mode));
      }
    };
    const setDrawn = (layer) => {
      if (drawn) map.removeLayer(drawn);
      drawn = layer;
      if (drawn) {
        drawn.addTo(map);
        const geometry = drawn.toGeoJSON(6).geometry;
        field.value = JSON.stringify(geometry);
      } else {
        field.value = "";
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
      refresh();
    };
    const style = { color: "#9b1c1c", weight: 3, fillOpacity: 0.15 };
    const fromField = () => {
      let geometry = null;
      const expert = () => { const details = field.closest("details"); if (details) details.open = true; };
      try { geometry = JSON.parse(field.value || "null"); } catch (_error) { expert(); return; } // shown as typed
      if (!geometry || !geometry.type) return;
      const layer = L.geoJSON(geometry, { style, pointToLayer: (_feature, latlng) => redMarker(latlng), pmIgnore: true });
      const first = layer.getLayers()[0];
      if (!first) return;
      if (drawn) map.removeLayer(drawn);
      drawn = first.addTo(map);
      if (first.getBounds) map.fitBounds(first.getBounds().pad(0.3), { maxZoom: 17 });
      else map.setView(first.getLatLng(), Math.max(map.getZoom(), 15));
      refresh();
    };
    const stop = () => {
      if (map.pm) map.pm.disableDraw();
      mode = null;
      refresh();
    };
    const start = (kind) => {
      stop();
      mode = kind;
      if (kind !== "Point" && map.pm) {
        map.pm.enableDraw(kind, { snappable: false, allowSelfIntersection: false, templineStyle: style, pathOptions: style, continueDrawing: false });
      }
      refresh();
      container.focus();
    };
    const addAt = (latlng) => {
      if (mode === "Point" || !mode) {
        setDrawn(redMarker(latlng));
        mode = null;
        refresh();
        return;
      }
      const active = shape();
      if (active && active.enabled()) active._createVertex({ latlng });
      refresh();
    };
    const finish = () => {
      const active = shape();
      const needed = mode === "Polygon" ? 3 : 2;
      if (!active || vertexCount() < needed) { status.textContent = `${text.tooFew} ${describe()}`; return; }
      active._finishShape();
    };

    map = baseMap(container, { onEnter: addAt });
    map.on("click", (event) => { if (mode === "Point" || (!mode && !drawn)) addAt(event.latlng); });
    map.on("pm:create", (event) => {
      event.layer.remove();
      const layer = event.layer instanceof L.Polygon ? L.polygon(event.layer.getLatLngs(), style) : L.polyline(event.layer.getLatLngs(), style);
      layer.options.pmIgnore = true;
      mode = null;
      setDrawn(layer);
      container.focus();
    });
    map.on("pm:vertexadded", refresh);
    map.on("pm:drawend", () => { if (mode && mode !== "Point") { mode = null; refresh(); } });
    if (map.pm && map.pm.setLang) map.pm.setLang("de"); // Geoman's own hints (tooltips) in German

    const tools = [
      [text.point, () => start("Point"), "idle"],
      [text.line, () => start("Line"), "idle"],
      [text.polygon, () => start("Polygon"), "idle"],
      [text.finishPolygon, finish, "Polygon", true],
      [text.finishLine, finish, "Line", true],
      [text.undo, () => { const active = shape(); if (active && vertexCount() > 1) active._removeLastVertex(); refresh(); container.focus(); }, "drawing"],
      [text.cancel, stop, "drawing"],
      [text.clear, () => setDrawn(null), "drawn"],
    ];
    for (const [label, action, when, primary] of tools) {
      const element = button(label, action, primary);
      element.dataset.when = when;
      toolbar.append(element);
    }
    (container.mapLinesEnd || container).after(toolbar, status);
    container.mapLinesEnd = status;
    field.addEventListener("change", (event) => { if (event.isTrusted) fromField(); });
    fromField();
    refresh();

    // The keyboard's other way: a place name or address sets a point.
    const search = document.querySelector(`[data-map-search="${container.id}"]`);
    if (search) {
      const input = search.querySelector("input");
      const message = search.querySelector("[role=status]");
      const go = () => {
        const url = new URL(config().locateUrl, window.location.href);
        url.searchParams.set("q", input.value);
        fetch(url).then((response) => response.json()).then((data) => {
          if (data.error) { message.textContent = data.error; return; }
          const latlng = L.latLng(data.lat, data.lon);
          map.setView(latlng, Math.max(map.getZoom(), 16));
          stop();
          setDrawn(redMarker(latlng));
          message.textContent = text.donePoint;
        }).catch(() => { message.textContent = ""; });
      };
      search.hidden = false;
      search.querySelector("button").addEventListener("click", go);
      input.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); go(); } });
    }
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

  // A link to a field inside a closed <details> (the error list of the review links to "#id_location") opens it.
  const openTarget = () => {
    const target = window.location.hash && document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    const details = target && target.closest("details:not([open])");
    if (details) { details.open = true; target.focus(); }
  };
  window.addEventListener("hashchange", openTarget);

  document.addEventListener("DOMContentLoaded", () => {
    openTarget();
    if (typeof L === "undefined") return;
    for (const container of document.querySelectorAll("[data-points-map]")) points(container);
    for (const container of document.querySelectorAll("[data-map-pick]")) pick(container);
    for (const container of document.querySelectorAll("[data-report-map]")) browse(container);
    for (const container of document.querySelectorAll("[data-map-draw]")) drawInput(container);
  });
})();
