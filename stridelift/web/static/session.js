// The session page keeps the sets ticked so far (and the reps and loads typed) on this device
// until the server has the session settled: a reload, a locked phone between sets or a post
// lost in a gym without signal loses nothing.
// Ticking a set starts its exercise's rest (the prescription's, S1) in a timer at the foot of
// the screen; it counts to a clock time, not in ticks, so a locked phone keeps time.
(function () {
  "use strict";
  if (!window.localStorage) { return; }
  var form = document.getElementById("done-form");
  var key = "stridelift:" + location.pathname;
  if (!form || form.hasAttribute("data-settled")) {  // done or skipped: nothing left to keep
    localStorage.removeItem(key);
    return;
  }
  var saved = {};
  // Read again before each change: another tab of this session may have ticked a set since.
  function read() {
    try { saved = JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
  }
  function save() { localStorage.setItem(key, JSON.stringify(saved)); }
  read();

  var timer = document.getElementById("rest");
  var shown = timer && timer.querySelector(".rest-time");
  var what = timer && timer.querySelector(".rest-what");
  var beat = null;

  function clock(seconds) {
    return Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
  }
  function show() {
    var rest = saved["rest"];
    if (!timer || !rest) { return; }
    var left = Math.max(0, Math.ceil((rest.until - Date.now()) / 1000));
    shown.textContent = left > 0 ? clock(left) : "0:00";
    what.textContent = (left > 0 ? "next: " : "rest over · ") + rest.next;
    timer.classList.toggle("over", left === 0);
    if (left === 0 && beat !== null) {
      clearInterval(beat); beat = null;
      if (navigator.vibrate) { navigator.vibrate([200, 100, 200]); }
    }
  }
  function start(rest) {
    saved["rest"] = rest; save();
    timer.hidden = false; document.body.classList.add("resting");
    // a rest over already (a reload after it) is shown, not counted: it buzzed as it ended
    if (beat === null && rest.until > Date.now()) { beat = setInterval(show, 250); }
    show();
  }
  function stop() {
    read(); delete saved["rest"]; save();
    if (beat !== null) { clearInterval(beat); beat = null; }
    timer.hidden = true; document.body.classList.remove("resting");
  }
  // What comes after the set just ticked: the next set of the same exercise, else the next
  // exercise, else the end of the session. The set's number first: a phone's one line cuts
  // a long exercise name.
  function next(tick) {
    var box = tick.closest("fieldset");
    var ticks = Array.prototype.slice.call(box.querySelectorAll("input[name^='tick:']"));
    var open = ticks.filter(function (t) { return !t.checked; });
    if (open.length) { return "set " + (ticks.indexOf(open[0]) + 1) + " · " + box.querySelector("legend").textContent; }
    var boxes = Array.prototype.slice.call(form.querySelectorAll("fieldset.exercise"));
    var after = boxes.slice(boxes.indexOf(box) + 1).filter(function (b) {
      return b.querySelector("input[name^='tick:']:not(:checked)");
    })[0];
    return after ? after.querySelector("legend").textContent : "the session is done";
  }

  var fields = form.querySelectorAll("input[name^='tick:'], input[name^='reps:'], input[name^='load:']");
  function fill() {
    fields.forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(saved, el.name)) { return; }
      if (el.type === "checkbox") { el.checked = saved[el.name] === true; } else { el.value = saved[el.name]; }
    });
  }
  fill();
  window.addEventListener("storage", function (event) {  // a set ticked in another tab
    if (event.key === key) { read(); fill(); }
  });
  fields.forEach(function (el) {
    el.addEventListener("change", function () {
      read();
      saved[el.name] = el.type === "checkbox" ? el.checked : el.value;
      save();
      if (!timer || el.type !== "checkbox") { return; }
      if (el.checked) {
        var rest = parseInt(el.closest("fieldset").getAttribute("data-rest"), 10) || 0;
        if (rest > 0) { start({ until: Date.now() + rest * 1000, next: next(el), after: el.name }); }
      } else if (saved["rest"] && saved["rest"].after === el.name) {
        stop();  // the set taken back (a tap on the wrong one): so is its rest
      }
    });
  });
  if (timer) {
    timer.querySelector("button").addEventListener("click", stop);
    if (saved["rest"]) { start(saved["rest"]); }  // a reload mid-rest keeps its clock
  }
})();
