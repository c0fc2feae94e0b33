// stridelift's service worker: pages from the network, and the last copy of each on this
// phone for when there is none (a gym without signal). Network first, always: the plan
// changes every night, so a kept copy is only ever a fallback, and the page says so.
"use strict";
var KEPT = "stridelift-pages";

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
    if (response.redirected && new URL(response.url).pathname === "/login") {
      caches.delete(KEPT);  // logged out elsewhere, or the login expired
    } else if (response.ok) {
      var copy = response.clone();
      caches.open(KEPT).then(function (kept) { kept.put(request, copy); });
    }
    return response;
  }, function (failure) {
    return caches.match(request, { ignoreVary: true }).then(function (kept) {
      if (kept) { return kept; }
      throw failure;
    });
  }));
});
