// stridelift's service worker: pages from the network, and the last copy of each on this
// phone for when there is none (a gym without signal). Network first, always: the plan
// changes every night, so a kept copy is only ever a fallback, and the page says so.
"use strict";
var KEPT = "stridelift-pages";
// A weak signal neither answers nor fails: the browser waits a minute or more before the
// fetch gives up. A page kept on the phone is shown once the network has not answered in
// this long (a home server answers a page in well under a second; between sets a runner
// will not wait longer), and the network's answer, when it comes, is still kept for next
// time. A page never kept waits for the network as long as the browser does.
var PATIENCE_MS = 4000;
// A form sent on such a signal waits as long, and no page kept can stand in for the server's
// answer: past this long the runner is told that none came yet (Done replans, which takes a
// home server a second or two), while the form goes on its way and may still arrive.
var SEND_PATIENCE_MS = 10000;
// base.html's line "No answer from the server: ...": hidden on the server's page, shown on
// a kept copy
var HIDDEN_LINE = 'id="offline" class="offline" role="status" hidden';
var KEPT_LINE = 'id="offline" class="offline" role="status" data-kept';
// The pages shown as kept copies, by client: what they ask next comes from the phone at
// once, their style sheet and scripts, and the page a kept redirect leads to ("/" to the
// week: a navigation keeps its client through a redirect). Asked of the server that did
// not answer, each would cost the patience again (a weak signal: 8 s and more, not 4).
// The browser may stop the worker between pages, and this with it: then they wait.
var keptPages = new Set();
var fromPhone = new WeakSet();  // the kept copies handed out

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method !== "GET") {
    // Logging out leaves nothing of the athlete's on the phone.
    if (url.pathname === "/logout") { event.waitUntil(forgetPages()); }
    if (request.mode === "navigate") {
      var sent = fetch(request);
      event.waitUntil(sent.catch(function () {}));  // the worker kept alive till it lands
      event.respondWith(Promise.race([sent, waited(SEND_PATIENCE_MS)]).then(
        function (response) { return response || notSent(url.pathname, true); },
        function () { return notSent(url.pathname, false); }));
    }
    return;
  }
  if (url.pathname.endsWith("/report")) { return; }  // large, and never wanted in the gym
  if (keptPages.has(request.mode === "navigate" ? event.resultingClientId : event.clientId)) {
    event.respondWith(keptCopy(request).then(function (kept) { return kept || fetch(request); }));
    return;
  }
  var network = fetch(request).then(function (response) {
    if (url.pathname === "/login") {
      // The login form: no one is logged in here (logged out, or the login expired). A
      // page redirected here reaches the worker only as an opaque redirect, its target
      // unread, so the form itself is the sign; it shows once the copies are gone.
      return forgetPages().then(function () { return response; });
    }
    if (response.ok || response.type === "opaqueredirect") {
      // A redirect is kept too: "/" offline still leads to the week kept.
      var copy = response.clone();
      event.waitUntil(caches.open(KEPT).then(function (kept) { return kept.put(request, copy); }));
    }
    return response;
  });
  event.waitUntil(network.catch(function () {}));  // kept when it answers, even late
  event.respondWith(Promise.race([network, impatient(request)]).catch(function (failure) {
    return keptCopy(request).then(function (kept) {
      if (!kept) { throw failure; }
      return kept;
    });
  }).then(function (response) {
    if (fromPhone.has(response) && event.resultingClientId) {
      keptPages.add(event.resultingClientId);
    }
    return response;
  }));
});

// Every page kept goes. The style sheet and scripts stay: they hold nothing of anyone's, and
// the page saying "Not logged out" without signal is drawn with them (it came bare).
function forgetPages() {
  return caches.open(KEPT).then(function (kept) {
    return kept.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return new URL(request.url).pathname.indexOf("/static/") !== 0;
      }).map(function (request) { return kept.delete(request); }));
    });
  });
}

function waited(ms) {
  return new Promise(function (resolve) { setTimeout(resolve, ms); });
}

// The kept copy once PATIENCE_MS have gone by; if there is none, never (the network's
// answer or failure decides).
function impatient(request) {
  return waited(PATIENCE_MS)
    .then(function () { return keptCopy(request); })
    .then(function (kept) { return kept || new Promise(function () {}); });
}

function keptCopy(request) {
  return caches.match(request, { ignoreVary: true }).then(function (kept) {
    return kept && isPage(kept) ? saying(kept) : kept;
  }).then(function (kept) {
    if (kept) { fromPhone.add(kept); }
    return kept;
  });
}

// A form sent without signal, or not answered yet (`late`): the browser's own error page
// would leave the runner unsure what happened. A session's sets ticked stay on the phone
// until the server has the session settled (static/session.js), so going back and sending
// again loses nothing; a form that lands late shows on the page reloaded. Logging out is
// the exception: the pages and sets kept are gone already (above, and static/app.js),
// while the server, not told, may keep the phone logged in.
function notSent(path, late) {
  var kept = path.indexOf("/session/") >= 0 ?
    " Nothing is lost: the sets you ticked stay on this phone." : "";
  var words = path === "/logout" ?
    "Not logged out: the server has not answered, and may keep this phone logged in. The " +
    "pages and sets kept on it are gone. Log out again when you have signal." : late ?
    "No answer yet: the server may still get this." + kept + " Go back and reload when " +
    "you have signal: send again only if it did not." :
    "Not sent: the server did not answer." + kept + " Go back and send again when you " +
    "have signal.";
  var title = late ? "No answer yet" : "Not sent";
  var page = '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>' + title + ' - stridelift</title><link rel="stylesheet" href="/static/style.css">' +
    '<link rel="icon" href="data:,">' +  // as base.html: no /favicon.ico asked without signal
    '</head><body><main><p class="offline" role="alert">' + words + '</p></main></body></html>';
  return new Response(page, { status: late ? 504 : 503, statusText: title,
                              headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function isPage(response) {
  return (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
}

// A kept page shows its line saying so: the phone may well be online (a server out of
// reach, a signal too weak to carry a page), so navigator.onLine cannot tell. Its one-time
// message ("Session done") was for the moment it was first shown.
function saying(kept) {
  return kept.text().then(function (page) {
    var headers = new Headers(kept.headers);
    headers.delete("Content-Length");  // the page's own, a few characters short now
    page = page.replace(/<p class="flash"[^>]*>[^<]*<\/p>/, "");
    return new Response(page.replace(HIDDEN_LINE, KEPT_LINE),
                        { status: kept.status, statusText: kept.statusText, headers: headers });
  });
}
