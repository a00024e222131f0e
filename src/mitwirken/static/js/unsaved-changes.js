/*
 * Warn before leaving a page with unsaved input.
 *
 * Mark a form with `data-warn-unsaved`. The form's state is remembered when the page loads; as soon as it
 * differs (typing, a choice, a file, a value set by another script followed by an input/change event), the
 * browser asks before the page is left. The warning is only registered while a form is dirty, and never
 * after the form is submitted. `data-warn-unsaved-dirty` marks a form that the server re-rendered with input
 * that is not saved yet: it counts as dirty from the start.
 */
(() => {
  "use strict";

  const dirty = new Set();

  function state(form) {
    const parts = [];
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken") continue;
      parts.push(`${name}=${typeof value === "string" ? value : `${value.name}:${value.size}`}`);
    }
    return parts.join("\u0000");
  }

  function warn(event) {
    event.preventDefault();
    event.returnValue = ""; // older browsers need a value to show their own message
    return "";
  }

  function update() {
    if (dirty.size) {
      window.addEventListener("beforeunload", warn);
    } else {
      window.removeEventListener("beforeunload", warn);
    }
  }

  function watch(form) {
    if (form.dataset.warnUnsavedWatched) return;
    form.dataset.warnUnsavedWatched = "1";
    let initial = state(form);
    const startsDirty = form.hasAttribute("data-warn-unsaved-dirty");
    const check = () => {
      if (startsDirty || state(form) !== initial) dirty.add(form);
      else dirty.delete(form);
      update();
    };
    form.addEventListener("input", check);
    form.addEventListener("change", check);
    form.addEventListener("reset", () => window.setTimeout(check, 0));
    form.addEventListener("submit", () => {
      // Leaving the page is what submitting does: no warning for this form any more.
      dirty.delete(form);
      update();
    });
    // After an htmx save of this form (or part of it), its new state is the saved one.
    form.addEventListener("htmx:afterRequest", (event) => {
      if (event.detail && event.detail.successful) {
        initial = state(form);
        check();
      }
    });
    check();
  }

  function scan(root) {
    if (root.matches && root.matches("form[data-warn-unsaved]")) watch(root);
    for (const form of root.querySelectorAll ? root.querySelectorAll("form[data-warn-unsaved]") : []) watch(form);
  }

  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:load", (event) => scan(event.target));
})();
