// Runs before the page is drawn (not deferred): marks that JavaScript runs, so the phone menu can start
// folded without first flashing open. Everything else is in mitwirken.js.
document.documentElement.classList.add("js");
