// Every page: the service worker that keeps the last copy of each page for a gym without
// signal, and a line saying so while the phone is offline or the page is a kept copy.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    // Refused over plain HTTP or an untrusted certificate: the pages work, only not offline.
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }
  // Logging out leaves none of the athlete's sets ticked on this phone either.
  var out = document.querySelector("form[action='/logout']");
  if (out && window.localStorage) {
    out.addEventListener("submit", function () {
      Object.keys(localStorage).filter(function (k) { return k.indexOf("stridelift:") === 0; })
        .forEach(function (k) { localStorage.removeItem(k); });
    });
  }
  var line = document.getElementById("offline");
  if (!line) { return; }
  var kept = line.hasAttribute("data-kept");  // the worker's copy, not the server's page
  function show() { line.hidden = !kept && navigator.onLine; }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
})();
