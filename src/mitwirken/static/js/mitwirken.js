// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});

// A final submit button marked data-once is disabled after the first click; the server is idempotent anyway.
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (button) window.setTimeout(() => { button.disabled = true; }, 0);
});

// Abwägung helpers. Without JavaScript the same is done by copying text by hand.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-take-selection]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const text = window.getSelection().toString().trim();
      const target = document.getElementById(button.dataset.takeSelection);
      if (text && target) { target.value = text; target.focus(); }
    });
  }
  for (const select of document.querySelectorAll("[data-text-block-target]")) {
    select.addEventListener("change", () => {
      const target = document.getElementById(select.dataset.textBlockTarget);
      if (target && select.value) {
        target.value = target.value ? `${target.value}\n\n${select.value}` : select.value;
        select.value = "";
        target.focus();
      }
    });
  }
});

// #14 ui: the phone menu, focus after submissions and htmx swaps, scrollable tables.

// Phone menu (KERN pattern): a "Menü" button with aria-expanded controls the navigation list. Without
// JavaScript the button stays hidden and the list open; the CSS folds the list only when html.js is set.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".site-nav__toggle, .sidebar-nav__toggle")) {
    const list = document.getElementById(button.getAttribute("aria-controls"));
    if (!list) continue;
    button.hidden = false;
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", String(open));
      list.classList.toggle("is-open", open);
    };
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    // Escape closes the open menu and gives the focus back to its button.
    list.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }
});

// Focus after a form submission. The page that follows a POST (re-rendered with errors, or reached by a
// redirect) gets the focus where the user acted: the error summary (above), else an element the server
// marked with data-focus, else the message that reports the result, else the form that was sent again.
const FOCUS_KEY = "mitwirken:submitted";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
  if ((form.method || "get").toLowerCase() !== "post") return;
  try {
    window.sessionStorage.setItem(FOCUS_KEY, JSON.stringify({ form: form.id || "", path: window.location.pathname }));
  } catch (error) { /* storage may be off: then the browser's default focus stays */ }
});

function focusElement(element) {
  if (!element) return false;
  if (!element.matches("a[href], button, input, select, textarea, [tabindex]")) element.setAttribute("tabindex", "-1");
  element.focus({ preventScroll: true });
  element.scrollIntoView({ block: "center" });
  return document.activeElement === element;
}

document.addEventListener("DOMContentLoaded", () => {
  let submitted = null;
  try {
    submitted = JSON.parse(window.sessionStorage.getItem(FOCUS_KEY) || "null");
    window.sessionStorage.removeItem(FOCUS_KEY);
  } catch (error) { submitted = null; }
  if (document.querySelector(".error-summary")) return; // focused above
  const marked = document.querySelector("[data-focus]");
  if (marked) { focusElement(marked); return; }
  if (!submitted) return;
  const message = document.querySelector(".messages");
  if (message) { focusElement(message); return; }
  const form = submitted.form && document.getElementById(submitted.form);
  if (form) focusElement(form);
});

// Focus after an htmx swap: if the element that had the focus was replaced, the focus goes to the same
// element in the new content (same id), else to the swapped content itself, never back to the page top.
let focusBeforeSwap = null;
document.addEventListener("htmx:beforeSwap", () => {
  const active = document.activeElement;
  focusBeforeSwap = active && active !== document.body ? { element: active, id: active.id } : null;
});
document.addEventListener("htmx:afterSettle", (event) => {
  const before = focusBeforeSwap;
  focusBeforeSwap = null;
  if (!before || before.element.isConnected) return; // the focus was not touched by the swap
  const same = before.id && document.getElementById(before.id);
  if (same) { same.focus({ preventScroll: true }); return; }
  const target = event.detail && (event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : event.detail.target);
  if (target && target.isConnected) focusElement(target);
});

// Tables wider than the screen scroll inside their own box (.kern-table-responsive or .table-scroll). A box
// that scrolls becomes a named, focusable region so that keyboard users can scroll it too.
function labelScrollBoxes() {
  for (const box of document.querySelectorAll(".kern-table-responsive, .table-scroll")) {
    const caption = box.querySelector("caption");
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls) {
      if (caption && !box.hasAttribute("aria-labelledby") && !box.hasAttribute("aria-label")) {
        if (!caption.id) caption.id = `caption-${Math.random().toString(36).slice(2, 9)}`;
        box.setAttribute("aria-labelledby", caption.id);
      }
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      box.classList.add("is-scrolling");
    } else if (box.classList.contains("is-scrolling")) {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.classList.remove("is-scrolling");
    }
  }
}
document.addEventListener("DOMContentLoaded", labelScrollBoxes);
window.addEventListener("resize", labelScrollBoxes);
document.addEventListener("htmx:afterSettle", labelScrollBoxes);
