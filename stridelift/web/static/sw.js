// stridelift's service worker: pages from the network, and the last copy of each on this
// phone for when there is none (a gym without signal). Network first, always: the plan
// changes every night, so a kept copy is only ever a fallback, and the page says so.
"use strict";
var KEPT = "stridelift-pages";
// base.html's line "No connection: ...", hidden on the server's page, shown on a kept copy
var HIDDEN_LINE = 'id="offline" class="offline" role="status" hidden';
var KEPT_LINE = 'id="offline" class="offline" role="status" data-kept';

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method !== "GET") {
    // Logging out leaves nothing of the athlete's on the phone.
    if (url.pathname === "/logout") { event.waitUntil(caches.delete(KEPT)); }
    return;
  }
  if (url.pathname.endsWith("/report")) { return; }  // large, and never wanted in the gym
  event.respondWith(fetch(request).then(function (response) {
    if (url.pathname === "/login") {
      // The login form: no one is logged in here (logged out, or the login expired). A
      // page redirected here reaches the worker only as an opaque redirect, its target
      // unread, so the form itself is the sign; it shows once the copies are gone.
      return caches.delete(KEPT).then(function () { return response; });
    }
    if (response.ok || response.type === "opaqueredirect") {
      // A redirect is kept too: "/" offline still leads to the week kept.
      var copy = response.clone();
      event.waitUntil(caches.open(KEPT).then(function (kept) { return kept.put(request, copy); }));
    }
    return response;
  }, function (failure) {
    return caches.match(request, { ignoreVary: true }).then(function (kept) {
      if (!kept) { throw failure; }
      return isPage(kept) ? saying(kept) : kept;
    });
  }));
});

function isPage(response) {
  return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

// A kept page shows its line saying so: the phone may well be online (a server out of
// reach, a signal too weak to carry a page), so navigator.onLine cannot tell.
function saying(kept) {
  return kept.text().then(function (page) {
    var headers = new Headers(kept.headers);
    headers.delete("Content-Length");  // the page's own, a few characters short now
    return new Response(page.replace(HIDDEN_LINE, KEPT_LINE),
                        { status: kept.status, statusText: kept.statusText, headers: headers });
  });
}
