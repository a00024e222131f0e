// Survey pages: progressive enhancement only. Without JavaScript the ranking buttons post the page and the
// server moves the item (views._apply_move); with it the item moves at once, focus stays on the button pressed
// and a live region says where the item now stands.
(() => {
  const MOVE = "button[name=verschieben]";
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));

  const ranking = (list) => {
    const status = document.getElementById(list.dataset.rankingStatus);
    const ranked = list.parentElement.querySelector("input[data-ranked]");
    const buttons = (item) => item.querySelectorAll(MOVE); // [up, down]
    const refresh = () => {
      const items = Array.from(list.children);
      items.forEach((item, index) => {
        const [up, down] = buttons(item);
        up.disabled = index === 0;
        down.disabled = index === items.length - 1;
      });
    };
    list.addEventListener("click", (event) => {
      const button = event.target.closest(MOVE);
      if (!button || !list.contains(button)) return;
      event.preventDefault();
      const item = button.closest("li");
      const up = button.value.endsWith(":hoch");
      const neighbour = up ? item.previousElementSibling : item.nextElementSibling;
      if (!neighbour) return;
      if (up) list.insertBefore(item, neighbour);
      else list.insertBefore(neighbour, item);
      refresh();
      if (ranked) ranked.value = "1";
      // At the top or bottom the pressed button is disabled now: the item's other button keeps the focus.
      const [upButton, downButton] = buttons(item);
      (button.disabled ? (up ? downButton : upButton) : button).focus();
      if (status) {
        const items = Array.from(list.children);
        const label = item.querySelector(".survey-ranking__label").textContent.trim();
        status.textContent = fill(list.dataset.moved || "", { label, position: items.indexOf(item) + 1, total: items.length });
      }
    });
  };

  document.addEventListener("DOMContentLoaded", () => {
    for (const list of document.querySelectorAll("[data-ranking]")) ranking(list);
    // Typing an "other" answer chooses "Sonstiges" too; the server keeps the text only with that choice.
    for (const text of document.querySelectorAll("input[data-other-choice]")) {
      text.addEventListener("input", () => {
        const choice = document.getElementById(text.dataset.otherChoice);
        if (choice && text.value.trim()) choice.checked = true;
      });
    }
  });
})();
