// Address suggestions while typing, as the WAI-ARIA 1.2 combobox pattern (list autocomplete, manual selection) on any
// <input data-address-suggest="URL of core:address_suggestions">. Without JavaScript the field stays a plain text
// field and the server finds the typed address itself (core.geo.locate).
//
// Optional data attributes: data-address-lat / data-address-lon name the ids of fields that receive the chosen
// address's coordinates. Choosing a suggestion fires "address:chosen" (bubbling) with detail {label, lat, lon}, for
// a map that moves its marker.
(() => {
  const english = (document.documentElement.lang || "de").toLowerCase().startsWith("en");
  const words = english
    ? { listbox: "Address suggestions", none: "No suggestions.", one: "1 suggestion. Choose with the arrow keys and Enter.", many: (n) => `${n} suggestions. Choose with the arrow keys and Enter.`, chosen: (label) => `Address chosen: ${label}` }
    : { listbox: "Adressvorschläge", none: "Keine Vorschläge.", one: "1 Vorschlag. Auswahl mit den Pfeiltasten und der Eingabetaste.", many: (n) => `${n} Vorschläge. Auswahl mit den Pfeiltasten und der Eingabetaste.`, chosen: (label) => `Adresse übernommen: ${label}` };
  const MIN_CHARS = 3;
  const DELAY_MS = 120;
  let counter = 0;

  const attach = (input) => {
    if (input.dataset.addressComboboxReady) return;
    input.dataset.addressComboboxReady = "1";
    if (!input.id) input.id = `address-input-${++counter}`;
    input.removeAttribute("list");

    const wrapper = document.createElement("div");
    wrapper.className = "address-combobox";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    const listbox = document.createElement("ul");
    listbox.id = `${input.id}-suggestions`;
    listbox.className = "address-combobox__listbox";
    listbox.setAttribute("role", "listbox");
    // Its own name, not the field's label: "get by label" (people's and tests') then finds the field alone.
    listbox.setAttribute("aria-label", words.listbox);
    listbox.hidden = true;
    wrapper.appendChild(listbox);
    const status = document.createElement("div");
    status.className = "kern-sr-only";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");

    const coordinate = (name) => (input.dataset[name] ? document.getElementById(input.dataset[name]) : null);
    const latField = coordinate("addressLat");
    const lonField = coordinate("addressLon");
    let results = [];
    let active = -1;
    let timer = null;
    let pending = null;
    let filled = false;
    let lastQuery = "";

    const options = () => Array.from(listbox.children);
    const open = () => {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };
    const close = () => {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      for (const option of options()) option.setAttribute("aria-selected", "false");
    };
    const activate = (index) => {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((option, position) => {
        option.setAttribute("aria-selected", position === active ? "true" : "false");
        option.classList.toggle("is-active", position === active);
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    };
    const setField = (field, value) => {
      if (!field) return;
      field.value = value;
      field.dispatchEvent(new Event("change", { bubbles: true }));
    };
    const choose = (index) => {
      const result = results[index];
      if (!result) return;
      input.value = result.label;
      lastQuery = result.label;
      setField(latField, Number(result.lat).toFixed(6));
      setField(lonField, Number(result.lon).toFixed(6));
      filled = Boolean(latField || lonField);
      close();
      status.textContent = words.chosen(result.label);
      input.dispatchEvent(new CustomEvent("address:chosen", { bubbles: true, detail: { label: result.label, lat: Number(result.lat), lon: Number(result.lon) } }));
    };
    const render = (found) => {
      results = found;
      listbox.replaceChildren(...found.map((result, index) => {
        const option = document.createElement("li");
        option.id = `${listbox.id}-${index}`;
        option.className = "address-combobox__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.label;
        option.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the field
        option.addEventListener("click", () => choose(index));
        return option;
      }));
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (found.length) open(); else close();
      status.textContent = found.length === 0 ? words.none : found.length === 1 ? words.one : words.many(found.length);
    };
    const load = () => {
      const query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < MIN_CHARS) {
        results = [];
        listbox.replaceChildren();
        close();
        return;
      }
      const url = new URL(input.dataset.addressSuggest, window.location.href);
      url.searchParams.set("q", query);
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(url, { signal: pending.signal, headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => { if (input.value.trim() === query) render(data.results || []); })
        .catch(() => { /* aborted or offline: the field still works as plain text */ });
    };

    input.addEventListener("input", () => {
      if (filled) {
        // The typed text no longer is the chosen address: its coordinates must not stay behind.
        setField(latField, "");
        setField(lonField, "");
        filled = false;
      }
      clearTimeout(timer);
      timer = setTimeout(load, DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      const count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!count) return;
        event.preventDefault();
        if (listbox.hidden) open();
        const down = event.key === "ArrowDown";
        activate(active === -1 ? (down ? 0 : count - 1) : active + (down ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!listbox.hidden && active >= 0) {
          event.preventDefault(); // choosing a suggestion must not submit the form
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!listbox.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  };

  const attachAll = (root) => {
    for (const input of root.querySelectorAll("input[data-address-suggest]")) attach(input);
  };
  document.addEventListener("DOMContentLoaded", () => attachAll(document));
  document.addEventListener("htmx:afterSwap", (event) => attachAll(event.target));
})();
