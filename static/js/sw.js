// The service worker, served at /sw.js (rehab.notifications.views.service_worker) so its
// scope is the whole site; the server puts `self.REHAB` in front of this file: the version
// (a hash of our static files), the app shell and the offline page's addresses.
//
// - Push: shows a reminder pushed by the server (a title and a link, never health data)
//   and opens the link when the notification is tapped.
// - Offline: the app shell is kept on install; this week and its session players (the
//   runner's own pages, listed by /week/offline.json) are kept when the runner opens them.
//   Pages: network first, then the kept copy, then the offline page. Nothing else (no API
//   answer, no other page) is ever stored. Signing out clears it all (Clear-Site-Data).
// - Outbox: a session log posted without a connection is kept, keyed by its submission
//   token, and sent again (online, next page load, Background Sync) until the server
//   answers; the token makes a second arrival write nothing.
"use strict";

var CONFIG = self.REHAB || { version: "dev", shell: [], offline: "/offline/", queued: "/offline/?queued=1", week: "/week/offline.json" };
var SHELL = "rehab-shell-" + CONFIG.version;
var PAGES = "rehab-pages-" + CONFIG.version;
var OUTBOX = "rehab-outbox"; // kept across versions: a queued log is never dropped
var KEPT_PAGE = /^\/(week|sessions\/[^/]+)\/$/;
var PLAYER = /^\/sessions\/[^/]+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL).then(function (cache) {
      return cache.addAll(CONFIG.shell.map(function (url) {
        return new Request(url, { credentials: "same-origin", cache: "reload" });
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== SHELL && name !== PAGES && name !== OUTBOX;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

function pageKey(url) {
  return url.origin + url.pathname;
}

// Network first; a good answer to one of the kept pages refreshes its copy.
function navigate(request, url) {
  return fetch(request).then(function (response) {
    if (KEPT_PAGE.test(url.pathname) && !url.search && keepable(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { return cache.put(pageKey(url), copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(pageKey(url), { cacheName: PAGES, ignoreVary: true }).then(function (kept) {
      return kept || offlinePage(CONFIG.offline);
    });
  });
}

function offlinePage(address) {
  return caches.match(address, { cacheName: SHELL, ignoreVary: true }).then(function (page) {
    return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

// Keep this week's pages: the list comes from the server (never stored itself).
function keepWeek(list) {
  return fetch(list, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
    if (!response.ok || response.redirected) return [];
    return response.json().then(function (body) { return body.urls || []; });
  }).then(function (urls) {
    // One page after the other: a gentle load on the server, never a burst.
    return caches.open(PAGES).then(function (cache) {
      return urls.reduce(function (chain, path) {
        return chain.then(function (count) {
          var url = new URL(path, self.location.origin);
          if (url.origin !== self.location.origin || !KEPT_PAGE.test(url.pathname)) return count;
          return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
            if (!keepable(response)) return count;
            return cache.put(pageKey(url), response).then(function () { return count + 1; });
          }).catch(function () { return count; });
        });
      }, Promise.resolve(0));
    });
  });
}

// --- Outbox: session logs posted without a connection ------------------------------------

function outboxKey(token) {
  return self.location.origin + "/__outbox/" + encodeURIComponent(token);
}

function queue(url, body) {
  var token = new URLSearchParams(body).get("submission_token") || String(Date.now());
  var entry = new Response(body, { headers: { "X-Rehab-Url": url.pathname, "X-Rehab-State": "pending" } });
  return caches.open(OUTBOX).then(function (cache) {
    return cache.put(outboxKey(token), entry);
  }).then(function () {
    if (self.registration.sync) return self.registration.sync.register("outbox").catch(function () {});
  });
}

// A posted session log: sent if the network answers, kept on the device if not.
function postLog(request, url) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      if (!new URLSearchParams(body).get("submission_token")) return offlinePage(CONFIG.offline);
      return queue(url, body).then(function () {
        return offlinePage(CONFIG.queued);
      });
    });
  });
}

var sending = null;

// Send every kept log once; sent (a redirect that is not to the sign-in page) or refused
// (a form error, which the runner is shown): out of the outbox; no answer: kept.
function flush() {
  if (sending) return sending;
  sending = caches.open(OUTBOX).then(function (cache) {
    return cache.keys().then(function (keys) {
      var sent = 0;
      return keys.reduce(function (chain, key) {
        return chain.then(function () {
          return cache.match(key).then(function (entry) {
            if (!entry || entry.headers.get("X-Rehab-State") !== "pending") return null;
            var path = entry.headers.get("X-Rehab-Url");
            return entry.text().then(function (body) {
              return fetch(path, {
                method: "POST",
                body: body,
                credentials: "same-origin",
                headers: { "Content-Type": "application/x-www-form-urlencoded" }
              }).then(function (response) {
                var landed = new URL(response.url);
                if (response.redirected && landed.pathname.indexOf("/accounts/login") !== 0) {
                  sent += 1;
                  return cache.delete(key);
                }
                if (response.status >= 500 || landed.pathname.indexOf("/accounts/login") === 0) return null;
                return cache.put(key, new Response(body, { headers: { "X-Rehab-Url": path, "X-Rehab-State": "failed" } }));
              }, function () { return null; });
            });
          });
        });
      }, Promise.resolve()).then(function () { return sent; });
    });
  }).then(function (sent) {
    sending = null;
    return status(sent);
  }, function (error) {
    sending = null;
    throw error;
  });
  return sending;
}

// Tell every open page how the outbox stands; a failed log is shown once, then dropped
// (the player's answers are still in the page's own autosave).
function status(sent) {
  return caches.open(OUTBOX).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.map(function (key) { return cache.match(key).then(function (e) { return [key, e]; }); }));
    }).then(function (entries) {
      var message = { type: "outbox", pending: 0, failed: "", sent: sent };
      var shown = [];
      entries.forEach(function (pair) {
        var state = pair[1] && pair[1].headers.get("X-Rehab-State");
        if (state === "pending") message.pending += 1;
        if (state === "failed") {
          message.failed = pair[1].headers.get("X-Rehab-Url");
          shown.push(cache.delete(pair[0]));
        }
      });
      return self.clients.matchAll({ type: "window" }).then(function (tabs) {
        tabs.forEach(function (tab) { tab.postMessage(message); });
        return Promise.all(shown).then(function () { return message; });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && request.method === "POST" && PLAYER.test(url.pathname)) {
    event.respondWith(postLog(request, url));
  } else if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(navigate(request, url));
  } else if (request.method === "GET" && CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname, { cacheName: SHELL, ignoreVary: true }).then(function (kept) {
      return kept || fetch(request);
    }));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var source = event.source;
  if (data.type === "keep" && data.list) {
    event.waitUntil(keepWeek(data.list).then(function (count) {
      if (source) source.postMessage({ type: "kept", count: count });
    }));
  } else if (data.type === "flush") {
    event.waitUntil(flush());
  }
});

self.addEventListener("sync", function (event) {
  // Still waiting: fail the sync, so that the browser tries again later.
  if (event.tag === "outbox") {
    event.waitUntil(flush().then(function (outbox) {
      if (outbox.pending) throw new Error("session logs still waiting");
    }));
  }
});

// Only ever open a page of this site: a link to elsewhere keeps just its path.
function sameOrigin(link) {
  try {
    var url = new URL(link, self.location.origin);
    return self.location.origin + url.pathname + url.search;
  } catch (e) {
    return self.location.origin + "/";
  }
}

self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (e) {
    message = {};
  }
  var title = message.title || "Hip Rehab";
  var link = sameOrigin(message.link || "/");
  event.waitUntil(
    self.registration.showNotification(title, {
      data: { link: link },
      icon: "/static/img/favicon.svg",
      tag: link,
    })
  );
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var link = sameOrigin((event.notification.data || {}).link || "/");
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
      for (var i = 0; i < tabs.length; i++) {
        if (tabs[i].url === link && "focus" in tabs[i]) return tabs[i].focus();
      }
      return self.clients.openWindow(link);
    })
  );
});
