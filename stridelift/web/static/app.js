// Every page: the service worker that keeps the last copy of each page for a gym without
// signal, and a line saying so while the phone is offline.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js"); }
  var line = document.getElementById("offline");
  if (!line) { return; }
  function show() { line.hidden = navigator.onLine; }
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
})();
