// Live preview of an exercise figure in the admin (programs/content/admin/figures.py):
// while the figure JSON is edited, ask the staff-only preview endpoint for the SVG and
// show it as a data: image (allowed by the CSP); show the problems when it cannot draw.
(function () {
  "use strict";
  function setup(field) {
    var url = field.getAttribute("data-figure-preview");
    var box = document.querySelector('[data-figure-for="' + field.id + '"]');
    if (!url || !box) return;
    var img = box.querySelector("img");
    var problems = box.querySelector(".figure-problems");
    var timer = null;
    var latest = 0;
    function refresh() {
      var ticket = ++latest;
      var text = field.value.trim();
      if (!text) { img.hidden = true; problems.textContent = ""; return; }
      fetch(url + "?figure=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (ticket !== latest) return;
          if (answer.ok) {
            img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(answer.body);
            img.hidden = false;
            problems.textContent = "";
          } else {
            img.hidden = true;
            problems.textContent = answer.body;
          }
        });
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-figure-preview]").forEach(setup);
  });
})();
