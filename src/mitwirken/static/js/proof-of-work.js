// Solves the ALTCHA-style challenge of a page (see core/spam.py): find n with SHA-256(salt + n) == challenge.
// It runs in the background while the person writes. Every form of the page that needs the answer (the
// comment form and its reply forms) waits for it on submit; the status line tells screen readers.
(() => {
  const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  const solve = async (challenge) => {
    const encoder = new TextEncoder();
    for (let number = 0; number <= challenge.maxnumber; number += 1) {
      const digest = hex(await crypto.subtle.digest("SHA-256", encoder.encode(challenge.salt + number)));
      if (digest === challenge.challenge) return number;
    }
    return null;
  };
  // On page load, and again when htmx brings in a form with a challenge (a paragraph's comments opened in place).
  const start = () => {
    const source = document.querySelector("input[data-altcha-challenge]:not([data-altcha-started])");
    if (!source) return;
    source.dataset.altchaStarted = "1";
    const challenge = JSON.parse(source.dataset.altchaChallenge);
    const fields = [source, ...document.querySelectorAll("input[data-altcha-copy]")];
    const solved = solve(challenge).then((number) => {
      if (number === null) return;
      const payload = btoa(JSON.stringify({ algorithm: challenge.algorithm, challenge: challenge.challenge, number, salt: challenge.salt, signature: challenge.signature }));
      for (const field of fields) field.value = payload;
      for (const status of document.querySelectorAll("[data-altcha-status]")) status.textContent = status.dataset.done || "";
    });
    for (const form of new Set(fields.map((field) => field.form).filter(Boolean))) {
      form.addEventListener("submit", (event) => {
        if (fields.every((field) => field.form !== form || field.value)) return;
        event.preventDefault();
        const status = form.querySelector("[data-altcha-status]") || document.querySelector("[data-altcha-status]");
        if (status) status.textContent = status.dataset.waiting || "";
        solved.then(() => form.requestSubmit(event.submitter || undefined));
      });
    }
  };
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
})();
