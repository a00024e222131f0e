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
