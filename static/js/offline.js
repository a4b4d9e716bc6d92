// Offline use (signed-in runners): register the service worker (/sw.js), ask it to keep
// this week's sessions on the device, send the session logs it kept while offline as soon
// as the connection returns, and say so. Every word comes from data- attributes.
(function () {
  "use strict";
  var root = document.documentElement;
  var sw = navigator.serviceWorker;
  function meta(name) {
    var tag = document.querySelector("meta[name=" + name + "]");
    return tag && tag.getAttribute("content");
  }
  if (!sw || !meta("rehab-sw")) return;

  function tell(message) {
    return sw.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function flush() {
    tell({ type: "flush" });
  }

  function show(status) {
    var box = document.querySelector("[data-outbox]");
    if (!box) return;
    var text = box.querySelector("[data-outbox-text]");
    var link = box.querySelector("[data-outbox-link]");
    var words = "";
    if (status.failed) {
      words = box.getAttribute("data-msg-failed");
      link.querySelector("a").href = status.failed;
    } else if (status.pending) {
      words = box.getAttribute("data-msg-pending").replace("%(n)s", status.pending);
    } else if (status.sent) {
      words = box.getAttribute("data-msg-sent");
    }
    link.hidden = !status.failed;
    text.textContent = words;
    box.hidden = !words;
    root.setAttribute("data-outbox-state", status.failed ? "failed" : status.pending ? "pending" : status.sent ? "sent" : "empty");
  }

  sw.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type === "outbox") show(data);
    if (data.type === "kept") root.setAttribute("data-offline-ready", String(data.count));
  });
  window.addEventListener("online", flush);

  sw.register(meta("rehab-sw"), { scope: "/" }).then(function () {
    var list = meta("rehab-offline-list");
    if (list && navigator.onLine) tell({ type: "keep", list: list });
    flush();
  }).catch(function () { /* no worker (private mode, an old browser): pages work online */ });
})();
