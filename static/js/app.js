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

  // Pain answers: eleven radio buttons (0-10) drawn as a scale. Until one is chosen the
  // question says "not answered yet" (CSS does this too, for browsers without this file);
  // once chosen it shows the number in its zone's colour (green 0-2, amber 3-5, red above 5,
  // or the plan's own limits when the question carries them: data-green-max, data-amber-max).
  function zoneOf(value, box) {
    var green = parseInt(box.getAttribute("data-green-max"), 10);
    var amber = parseInt(box.getAttribute("data-amber-max"), 10);
    if (value <= (isNaN(green) ? 2 : green)) return "green";
    if (value <= (isNaN(amber) ? 5 : amber)) return "amber";
    return "red";
  }

  function painScales() {
    document.querySelectorAll("[data-pain-question]").forEach(function (box) {
      var output = box.querySelector("[data-pain-output]");
      var radios = box.querySelectorAll("input[type=radio]");
      function update() {
        var chosen = box.querySelector("input[type=radio]:checked");
        box.classList.toggle("answered", chosen !== null);
        if (!output) return;
        output.textContent = chosen ? chosen.value : "";
        output.className = chosen
          ? "pain-value zone-" + zoneOf(parseInt(chosen.value, 10), box)
          : "pain-value";
      }
      radios.forEach(function (radio) {
        radio.addEventListener("change", update);
        radio.addEventListener("input", update);
      });
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
      if (!id) return;
      store.removeItem(PREFIX + "session-" + id);
      store.removeItem("rehab:player:" + id); // the session player's timers (player.js)
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

  document.addEventListener("DOMContentLoaded", function () {
    guessTimezone();
    painScales();
    autosave();
    submitOnce();
  });
})();

// Sliders (templates/components/slider.html): show the chosen value beside the label.
(function () {
  "use strict";
  function sliders() {
    document.querySelectorAll("[data-slider]").forEach(function (box) {
      var input = box.querySelector("input[type=range]");
      var output = box.querySelector("[data-slider-output]");
      if (!input || !output) return;
      input.addEventListener("input", function () { output.textContent = input.value; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sliders);
  else sliders();
})();

// The error summary (components/error_summary.html) takes focus when the page loads, so a
// screen reader reads it first; its links move focus to the field itself (an input of a
// group of radio buttons is scrolled to with its question in view).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href*='#']");
      if (!link || link.pathname !== window.location.pathname) return;
      var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input) return;
      event.preventDefault();
      var question = input.closest("fieldset") || input.closest("div") || input;
      question.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  });
})();
