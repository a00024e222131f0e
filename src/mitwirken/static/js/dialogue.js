// Text review: a paragraph's comments open in place (htmx loads them into the box after the paragraph). The
// focus moves into the opened thread (its comment field, else its heading) and back to the link on closing
// (the button or Escape). Without JavaScript the link opens the paragraph's own page.
(() => {
  const toggleFor = (panelBox) => document.querySelector(`[data-paragraph-toggle][aria-controls="${panelBox.id}"]`);
  const close = (panelBox) => {
    panelBox.replaceChildren();
    const toggle = toggleFor(panelBox);
    if (toggle) {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  };
  document.addEventListener("htmx:afterSettle", (event) => {
    const box = event.detail.target;
    if (!box || !box.classList || !box.classList.contains("paragraph-comments")) return;
    const toggle = toggleFor(box);
    if (toggle) toggle.setAttribute("aria-expanded", "true");
    const field = box.querySelector("textarea");
    const heading = box.querySelector("h3");
    if (field) field.focus();
    else if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-paragraph-close]");
    if (button) close(button.closest(".paragraph-comments"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const box = event.target.closest && event.target.closest(".paragraph-comments");
    if (box && box.children.length) close(box);
  });
})();
