/*
 * Answer suggestions in the Abwägung: "Antwort einsetzen" puts the suggested response into the segment's
 * response field at once (without it, the link reloads the page with the response filled in). It also names
 * the suggestion in the hidden field, so the server can tell a taken suggestion from one typed by hand.
 */
(() => {
  "use strict";
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-answer-target]");
    if (!link) return;
    const field = document.getElementById(link.dataset.answerTarget);
    const segment = field && field.closest("section.segment");
    const marker = segment && segment.querySelector("input[name$='-answer_from']");
    if (!field || !marker) return;
    event.preventDefault();
    field.value = link.dataset.answerText;
    marker.value = link.dataset.answerFrom;
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });
})();
