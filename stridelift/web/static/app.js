// Every page: the service worker that keeps the last copy of each page for a gym without
// signal, and a line saying so while the phone is offline or the page is a kept copy.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js"); }
  var line = document.getElementById("offline");
  if (!line) { return; }
  var kept = line.hasAttribute("data-kept");  // the worker's copy, not the server's page
  function show() { line.hidden = !kept && navigator.onLine; }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
})();
