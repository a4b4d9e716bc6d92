// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Sign-up: fill the time zone from the browser unless the person typed one.
  function guessTimezone() {
    var field = document.querySelector("input[data-guess-timezone]");
    if (!field || field.dataset.edited === "1") return;
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) field.value = zone;
    } catch (e) {
      /* keep the server default */
    }
    field.addEventListener("input", function () { field.dataset.edited = "1"; });
  }

  // Pain sliders: show the number and its zone (green 0-2, amber 3-5, red above 5).
  function zoneOf(value) {
    if (value <= 2) return "green";
    if (value <= 5) return "amber";
    return "red";
  }

  function painSliders() {
    document.querySelectorAll("input.pain-range").forEach(function (input) {
      var output = input.parentNode.querySelector("[data-pain-output]");
      function update() {
        var value = parseInt(input.value, 10) || 0;
        var zone = zoneOf(value);
        if (output) {
          output.textContent = String(value);
          output.className = "pain-value zone-" + zone;
        }
        input.setAttribute("aria-valuetext", value + " (" + zone + ")");
      }
      input.addEventListener("input", update);
      update();
    });
  }

  // One submission per form: a double tap cannot send the same log twice.
  function submitOnce() {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-once]")) return;
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitted === "1") {
          event.preventDefault();
          return;
        }
        form.dataset.submitted = "1";
        form.querySelectorAll("[data-once]").forEach(function (button) {
          button.disabled = true;
          button.setAttribute("aria-disabled", "true");
        });
      });
    });
  }

  // Keep a form's answers on this device until the server confirms the save, so a
  // dropped connection mid-session loses nothing.
  var PREFIX = "rehab:autosave:";

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function autosave() {
    var store = storage();
    if (!store) return;
    document.querySelectorAll("[data-clear-autosave]").forEach(function (marker) {
      var id = marker.getAttribute("data-clear-autosave");
      if (id) store.removeItem(PREFIX + "session-" + id);
    });
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var key = PREFIX + form.getAttribute("data-autosave");
      var fields = form.querySelectorAll("input:not([type=hidden]), textarea, select");
      var saved = null;
      try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
      var hasServerErrors = form.querySelector(".errorlist") !== null;
      if (saved && !hasServerErrors) {
        fields.forEach(function (field) {
          if (!(field.name in saved)) return;
          if (field.type === "checkbox" || field.type === "radio") {
            field.checked = saved[field.name].indexOf(field.value) !== -1;
          } else {
            field.value = saved[field.name][0];
          }
          field.dispatchEvent(new Event("input"));
        });
      }
      var note = form.querySelector("[data-autosave-note]");
      if (note) note.hidden = false;
      function save() {
        var data = {};
        fields.forEach(function (field) {
          if (!field.name) return;
          data[field.name] = data[field.name] || [];
          if (field.type === "checkbox" || field.type === "radio") {
            if (field.checked) data[field.name].push(field.value);
          } else {
            data[field.name].push(field.value);
          }
        });
        try { store.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full */ }
      }
      form.addEventListener("input", save);
      form.addEventListener("change", save);
    });
  }

  // Session player: a hold timer and a set counter per exercise.
  function playerTools() {
    document.querySelectorAll(".tools[data-sets]").forEach(function (tools) {
      tools.hidden = false;
      var total = parseInt(tools.getAttribute("data-sets"), 10) || 1;
      var setDisplay = tools.querySelector("[data-set-display]");
      var setButton = tools.querySelector("[data-set-done]");
      var done = 0;
      var article = tools.closest("article");
      var setsField = article ? article.querySelector("input[name$='-sets_done']") : null;
      if (setButton) {
        setButton.addEventListener("click", function () {
          if (done < total) done += 1;
          setDisplay.textContent = setDisplay.getAttribute("data-template")
            .replace("%(done)s", done).replace("%(total)s", total);
          if (setsField) {
            setsField.value = String(Math.max(1, done));
            setsField.dispatchEvent(new Event("input", { bubbles: true }));
          }
        });
      }
      var timer = tools.querySelector(".timer");
      if (!timer) return;
      var hold = parseInt(tools.getAttribute("data-hold"), 10) || 30;
      var display = timer.querySelector("[data-timer-display]");
      var status = timer.querySelector("[data-timer-status]");
      var left = hold;
      var handle = null;
      function show() { display.textContent = left + " s"; }
      function stop() { if (handle) { window.clearInterval(handle); handle = null; } }
      timer.querySelector("[data-timer-start]").addEventListener("click", function () {
        if (handle) return;
        if (left <= 0) left = hold;
        status.textContent = timer.getAttribute("data-msg-started");
        handle = window.setInterval(function () {
          left -= 1;
          show();
          if (left <= 0) {
            stop();
            status.textContent = timer.getAttribute("data-msg-done");
          }
        }, 1000);
      });
      timer.querySelector("[data-timer-pause]").addEventListener("click", function () {
        stop();
        status.textContent = timer.getAttribute("data-msg-paused");
      });
      timer.querySelector("[data-timer-reset]").addEventListener("click", function () {
        stop();
        left = hold;
        show();
        status.textContent = "";
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    guessTimezone();
    painSliders();
    playerTools();
    autosave();
    submitOnce();
  });
})();
