// Single-key shortcuts of the back-office inboxes (documented on the page; switched off per person, WCAG 2.1.4).
// Only where the page carries data-shortcuts, i.e. the person has not switched them off.
(() => {
  const scope = document.querySelector("[data-shortcuts]");
  if (!scope) return;
  const typing = (target) =>
    target instanceof Element && (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]"));
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target)) return;
    const link = scope.querySelector(`a[data-shortcut="${CSS.escape(event.key)}"]`);
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
      return;
    }
    // In a list: j/k move the focus from row to row; Enter then opens the row as any link does.
    if (event.key !== "j" && event.key !== "k") return;
    const rows = Array.from(document.querySelectorAll("[data-row-link]"));
    if (!rows.length) return;
    event.preventDefault();
    const current = rows.indexOf(document.activeElement);
    let next;
    if (current === -1) next = event.key === "j" ? 0 : rows.length - 1;
    else next = Math.min(rows.length - 1, Math.max(0, current + (event.key === "j" ? 1 : -1)));
    rows[next].focus();
    rows[next].closest("tr")?.scrollIntoView({ block: "nearest" });
  });
})();

// The project's address proposed from its title while typing (the server does the same where it stays empty),
// until the person edits the address by hand.
(() => {
  const letters = { "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS" };
  const slug = (text) =>
    text.replace(/[äöüÄÖÜßẞ]/g, (c) => letters[c]).normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\w\s-]/g, "").replace(/[-\s]+/g, "-").replace(/^[-_]+|[-_]+$/g, "").slice(0, 70)
      .replace(/-+$/g, "");
  for (const field of document.querySelectorAll("[data-slug-from]")) {
    const source = document.getElementById(field.dataset.slugFrom);
    if (!source) continue;
    let byHand = field.value !== "" && field.value !== slug(source.value);
    field.addEventListener("input", () => { byHand = field.value !== ""; });
    source.addEventListener("input", () => { if (!byHand) field.value = slug(source.value); });
  }
})();
