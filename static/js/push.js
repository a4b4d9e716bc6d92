// "Enable push on this device" on the settings page: register the service worker (/sw.js),
// subscribe with the server's VAPID public key and post the subscription to the API.
// Every string comes from the page's data-msg-* attributes, already translated.
(function () {
  "use strict";

  var box = document.querySelector("[data-push]");
  if (!box) return;
  var enable = box.querySelector("[data-push-enable]");
  var disable = box.querySelector("[data-push-disable]");
  var status = box.querySelector("[data-push-status]");
  var data = box.dataset;

  function say(key) {
    status.textContent = data[key] || "";
  }

  function show(subscribed) {
    enable.hidden = subscribed;
    disable.hidden = !subscribed;
    say(subscribed ? "msgOn" : "msgOff");
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+")
      .replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function send(method, body) {
    return fetch(data.subscriptionsUrl, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrfToken },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok && response.status !== 404) throw new Error(String(response.status));
      return response;
    });
  }

  function busy(on) {
    enable.disabled = on;
    disable.disabled = on;
    if (on) say("msgWorking");
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !window.Notification) {
    say("msgUnsupported");
    return;
  }

  var ready = navigator.serviceWorker.register(data.workerUrl, { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  });

  ready
    .then(function (registration) { return registration.pushManager.getSubscription(); })
    .then(function (subscription) { show(subscription !== null); })
    .catch(function () { say("msgUnsupported"); });

  enable.addEventListener("click", function () {
    busy(true);
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") {
          var denied = new Error("denied");
          denied.denied = true;
          throw denied;
        }
        return ready;
      })
      .then(function (registration) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(data.vapidKey),
        });
      })
      .then(function (subscription) { return send("POST", subscription.toJSON()); })
      .then(function () { show(true); })
      .catch(function (error) { say(error && error.denied ? "msgDenied" : "msgFailed"); })
      .then(function () { busy(false); });
  });

  disable.addEventListener("click", function () {
    busy(true);
    ready
      .then(function (registration) { return registration.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) return null;
        return send("DELETE", { endpoint: subscription.endpoint }).then(function () {
          return subscription.unsubscribe();
        });
      })
      .then(function () { show(false); })
      .catch(function () { say("msgFailed"); })
      .then(function () { busy(false); });
  });
})();
