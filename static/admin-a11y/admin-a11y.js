/* Accessible names for the admin's controls that Django and select2 leave unnamed.
 *
 * - A tabular inline labels its columns with <th>, not <label>: each control in a row
 *   is named by its column's heading (aria-labelledby).
 * - select2 (the autocomplete widgets) builds a combobox, a search field and a list that
 *   carry no name and, for an optional multiple choice, a clear button inside the <ul>:
 *   they take the name of the <select> they stand for, and the button moves beside the
 *   list. select2 rebuilds parts of itself on every change, so a MutationObserver repeats
 *   the work whenever the admin's DOM changes.
 * Loaded by templates/admin/base_site.html; no framework, no text of its own.
 */
(function () {
  "use strict";

  let counter = 0;
  function idOf(element) {
    if (!element.id) {
      counter += 1;
      element.id = "a11y-name-" + counter;
    }
    return element.id;
  }

  function hasName(control) {
    if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) {
      return true;
    }
    if (control.closest("label")) {
      return true;
    }
    return Boolean(control.id && document.querySelector('label[for="' + CSS.escape(control.id) + '"]'));
  }

  // The element that names a form control: its <label>, or its tabular column's <th>.
  function namer(control) {
    if (control.id) {
      const label = document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
      if (label && label.textContent.trim()) {
        return label;
      }
    }
    const cell = control.closest("td");
    const table = cell && cell.closest("table");
    const head = table && table.tHead && table.tHead.rows[0];
    if (head && cell.parentElement.parentElement !== table.tHead) {
      const th = head.cells[cell.cellIndex];
      if (th && th.textContent.trim()) {
        return th;
      }
    }
    return null;
  }

  function nameTabularControls(root) {
    root.querySelectorAll(".tabular td input, .tabular td select, .tabular td textarea").forEach((control) => {
      if (control.type === "hidden" || hasName(control)) {
        return;
      }
      const th = namer(control);
      if (th) {
        control.setAttribute("aria-labelledby", idOf(th));
      }
    });
  }

  function nameSelect2(root) {
    root.querySelectorAll("select.select2-hidden-accessible").forEach((select) => {
      const container = select.nextElementSibling;
      if (!container || !container.classList.contains("select2")) {
        return;
      }
      const source = namer(select);
      if (!source) {
        return;
      }
      const nameId = idOf(source);
      const combobox = container.querySelector(".select2-selection[role=combobox]");
      const rendered = container.querySelector(".select2-selection__rendered");
      if (combobox) {
        // The name of the field, then the current choice (a single select's rendered text).
        const parts = [nameId];
        if (rendered && rendered.id && combobox.classList.contains("select2-selection--single")) {
          parts.push(rendered.id);
        }
        combobox.setAttribute("aria-labelledby", parts.join(" "));
      }
      if (rendered && rendered.getAttribute("role") === "textbox") {
        rendered.removeAttribute("role"); // a display of the choice, not a text input
        rendered.removeAttribute("aria-readonly");
      }
      container.querySelectorAll(".select2-search__field").forEach((field) => {
        field.setAttribute("aria-labelledby", nameId);
      });
      if (rendered && rendered.tagName === "UL") {
        // A <ul> holds only <li>: select2's clear button goes beside it, where select2
        // still finds it. select2 adds a new one on every change and never removes the
        // moved one, so only the newest stays, and none once nothing is chosen.
        const fresh = rendered.querySelector(":scope > .select2-selection__clear");
        const moved = rendered.parentElement.querySelectorAll(":scope > .select2-selection__clear");
        if (fresh || !rendered.querySelector(".select2-selection__choice")) {
          moved.forEach((button) => button.remove());
        }
        if (fresh) {
          rendered.before(fresh);
        }
      }
      // The search field of an open single select sits in a dropdown at the end of <body>.
      const owns = combobox && combobox.getAttribute("aria-owns");
      const list = owns && document.getElementById(owns);
      const dropdown = list && list.closest(".select2-dropdown");
      if (dropdown) {
        dropdown.querySelectorAll(".select2-search__field").forEach((field) => {
          field.setAttribute("aria-labelledby", nameId);
        });
      }
    });
  }

  function run() {
    nameTabularControls(document);
    nameSelect2(document);
  }

  let queued = false;
  const observer = new MutationObserver(() => {
    if (!queued) {
      queued = true;
      queueMicrotask(() => {
        queued = false;
        run();
      });
    }
  });
  observer.observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", run);
})();
