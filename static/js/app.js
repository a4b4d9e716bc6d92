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

  document.addEventListener("DOMContentLoaded", guessTimezone);
})();
