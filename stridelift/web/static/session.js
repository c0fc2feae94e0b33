// The session page keeps the sets ticked so far (and the reps and loads typed) on this device
// until the session is posted: a reload or a locked phone between sets loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("done-form");
  if (!form || !window.localStorage) { return; }
  var key = "stridelift:" + location.pathname;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  var fields = form.querySelectorAll("input[name^='tick:'], input[name^='reps:'], input[name^='load:']");
  fields.forEach(function (el) {
    if (Object.prototype.hasOwnProperty.call(saved, el.name)) {
      if (el.type === "checkbox") { el.checked = saved[el.name] === true; } else { el.value = saved[el.name]; }
    }
    el.addEventListener("change", function () {
      saved[el.name] = el.type === "checkbox" ? el.checked : el.value;
      localStorage.setItem(key, JSON.stringify(saved));
    });
  });
  form.addEventListener("submit", function () { localStorage.removeItem(key); });
})();
