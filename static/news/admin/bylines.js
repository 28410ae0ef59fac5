/* The byline's order, by dragging or with "Move up" / "Move down" buttons.

Without this script each byline row has a position number, which works as it always has. With
it, the numbers are hidden and each row gets a drag handle and two buttons; a polite live region
says where a moved author went ("Moved Ann Lee to position 2 of 3"). The position numbers are
written in the rows' order when the form is submitted, and only if the order (or the rows)
changed, so a save that changes nothing still changes nothing.

Django's inlines.js renumbers the rows' field names in page order when an added row is removed:
the rows are put back in their field order while it does, and in the chosen order after.
*/
"use strict";

(function () {
  const GROUP = "#bylines-group";

  function rows(group) {
    return Array.from(group.querySelectorAll("tbody tr.form-row")).filter(
      (row) => !row.classList.contains("empty-form"),
    );
  }

  function index(row) {
    return Number(row.id.split("-").pop());
  }

  function nameOf(row) {
    const select = row.querySelector("select[name$='-author']");
    const chosen = select && select.selectedOptions[0];
    if (chosen && chosen.value) return chosen.textContent.trim();
    const typed = row.querySelector("input[name$='-new_author']");
    if (typed && typed.value.trim()) return typed.value.trim();
    return "This author";
  }

  function inUse(row) {
    const id = row.querySelector("input[name$='-id']");
    const select = row.querySelector("select[name$='-author']");
    const typed = row.querySelector("input[name$='-new_author']");
    return Boolean(
      (id && id.value) || (select && select.value) || (typed && typed.value.trim()),
    );
  }

  // A row moves with the row of its errors just above it.
  function place(row, before) {
    const errors = row.previousElementSibling;
    const tbody = row.parentNode;
    tbody.insertBefore(row, before);
    if (errors && errors.classList.contains("row-form-errors")) tbody.insertBefore(errors, row);
  }

  function button(text, move) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "byline-move";
    b.dataset.move = move;
    b.textContent = text;
    return b;
  }

  function enhance(row) {
    const position = row.querySelector("input[name$='-position']");
    if (!position || row.querySelector(".byline-order")) return;
    position.type = "hidden";
    const controls = document.createElement("span");
    controls.className = "byline-order";
    const handle = document.createElement("span");
    handle.className = "byline-handle";
    handle.draggable = true;
    handle.title = "Drag to change the order";
    handle.setAttribute("aria-hidden", "true");
    handle.textContent = "\u2630";
    controls.append(handle, button("Move up", "-1"), button("Move down", "1"));
    position.after(controls);
  }

  // The author box's search widget (select2) is named by its chosen author, so an empty one
  // has no name: give it the select's. Django starts the widget after this script's events.
  function nameSearchBoxes(group) {
    window.setTimeout(() => {
      group.querySelectorAll("select[name$='-author'][aria-label]").forEach((select) => {
        const box = select.parentNode.querySelector(".select2-selection");
        const shown = box && box.querySelector(".select2-selection__rendered");
        [box, shown].forEach((element) => {
          if (element) element.setAttribute("aria-label", select.getAttribute("aria-label"));
        });
      });
    }, 0);
  }

  function init(group) {
    const form = group.closest("form");
    const status = document.createElement("p");
    status.className = "byline-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    group.append(status);
    group.querySelectorAll("tbody tr.form-row").forEach(enhance);
    nameSearchBoxes(group);
    let changed = false;
    let dragged = null;
    let chosenOrder = null;

    function announce(row) {
      const all = rows(group);
      status.textContent = `Moved ${nameOf(row)} to position ${all.indexOf(row) + 1} of ${all.length}.`;
    }

    group.addEventListener("click", (event) => {
      const move = event.target.closest("button.byline-move");
      if (!move) return;
      const row = move.closest("tr");
      const all = rows(group);
      const target = all.indexOf(row) + Number(move.dataset.move);
      if (target < 0 || target >= all.length) {
        status.textContent = `${nameOf(row)} is already ${target < 0 ? "first" : "last"}.`;
        return;
      }
      const before = Number(move.dataset.move) < 0 ? all[target] : all[target].nextElementSibling;
      place(row, before);
      changed = true;
      move.focus();
      announce(row);
    });

    group.addEventListener("dragstart", (event) => {
      if (!event.target.closest || !event.target.closest(".byline-handle")) return;
      dragged = event.target.closest("tr");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", nameOf(dragged));
      dragged.classList.add("byline-dragging");
    });
    group.addEventListener("dragover", (event) => {
      if (dragged && event.target.closest("tbody tr.form-row:not(.empty-form)")) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
      }
    });
    group.addEventListener("drop", (event) => {
      const over = event.target.closest("tbody tr.form-row:not(.empty-form)");
      if (!dragged || !over) return;
      event.preventDefault();
      if (over !== dragged) {
        // Onto a row: take its place, as the buttons would after enough presses.
        const all = rows(group);
        const down = all.indexOf(dragged) < all.indexOf(over);
        place(dragged, down ? over.nextElementSibling : over);
        changed = true;
        announce(dragged);
      }
    });
    group.addEventListener("dragend", () => {
      if (dragged) dragged.classList.remove("byline-dragging");
      dragged = null;
    });

    group.addEventListener("formset:added", (event) => {
      enhance(event.target);
      nameSearchBoxes(group);
      changed = true;
    });
    // Around inlines.js's removal of an added row: field order while it renumbers, then ours.
    group.addEventListener(
      "click",
      (event) => {
        if (!event.target.closest(".inline-deletelink")) return;
        chosenOrder = rows(group);
        const sorted = chosenOrder.slice().sort((a, b) => index(a) - index(b));
        const end = group.querySelector("tbody tr.empty-form");
        sorted.forEach((row) => place(row, end));
      },
      true,
    );
    group.addEventListener("click", (event) => {
      if (!chosenOrder || !event.target.closest(".inline-deletelink")) return;
      const end = group.querySelector("tbody tr.empty-form");
      chosenOrder.filter((row) => row.isConnected).forEach((row) => place(row, end));
      chosenOrder = null;
    });

    if (form) {
      form.addEventListener("submit", () => {
        if (!changed) return;
        rows(group)
          .filter(inUse)
          .forEach((row, n) => {
            row.querySelector("input[name$='-position']").value = String(n);
          });
      });
    }
  }

  function start() {
    const group = document.querySelector(GROUP);
    if (group) init(group);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
