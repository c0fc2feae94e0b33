// Inlined into the report page by render.py; the double-underscored names are
// placeholders it fills with JSON (chart ids, the report's range, the day that the week
// buttons count back from).
// Zooming one chart zooms them all (the charts share one time axis); a double click resets
// every chart to the report's range. On touch screens the charts do not capture drags, so
// the page scrolls, and a tap still shows the hover label.
(function () {
  var ids = __IDS__, home = __RANGE__, anchor = __ANCHOR__, busy = false;
  function charts() {
    return ids.map(function (id) { return document.getElementById(id); })
      .filter(function (gd) { return gd && gd.on; });
  }
  function setup() {
    var all = charts();
    if (window.matchMedia && window.matchMedia('(pointer: coarse)').matches) {
      all.forEach(function (gd) { Plotly.relayout(gd, {dragmode: false}); });
    }
    all.forEach(function (gd) {
      gd.on('plotly_relayout', function (ev) {
        if (busy) { return; }
        var range = null;
        Object.keys(ev).forEach(function (key) {
          var m = /^xaxis\d*\.(range|autorange)(\[(0|1)\])?$/.exec(key);
          if (!m) { return; }
          if (m[1] === 'autorange') { range = home.slice(); return; }
          range = range || [null, null];
          if (m[3] === undefined) { range = ev[key].slice(); } else { range[+m[3]] = ev[key]; }
        });
        if (!range || range[0] === null || range[1] === null) { return; }
        pressed(range[0] === home[0] && range[1] === home[1] ? 0 : -1);
        busy = true;
        var jobs = all.map(function (other) {
          return Plotly.relayout(other, {'xaxis.range': range});
        });
        Promise.all(jobs).then(function () { busy = false; }, function () { busy = false; });
      });
    });
  }
  function show(all, weeks) {
    var range = home.slice();
    if (weeks > 0) {
      var t = Date.parse(anchor + 'T12:00:00Z') - weeks * 7 * 86400000;
      var from = new Date(t).toISOString().slice(0, 10) + ' 12:00';
      range[0] = from > home[0] ? from : home[0];
    }
    busy = true;
    Promise.all(all.map(function (gd) { return Plotly.relayout(gd, {'xaxis.range': range}); }))
      .then(function () { busy = false; }, function () { busy = false; });
    pressed(weeks);
  }
  function pressed(weeks) {
    document.querySelectorAll('nav.range button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(+b.dataset.weeks === weeks));
    });
  }
  function start() {
    setup();
    var all = charts();
    document.querySelectorAll('nav.range button').forEach(function (b) {
      b.addEventListener('click', function () { show(all, +b.dataset.weeks); });
    });
    // A phone is too narrow for 18 weeks of daily bars: it starts on the last 8 weeks, when
    // the range is longer (render.py offers the button only then).
    var eight = document.querySelector('nav.range button[data-weeks="8"]');
    show(all, eight && window.matchMedia('(max-width: 600px)').matches ? 8 : 0);
  }
  if (document.readyState === 'complete') { start(); }
  else { window.addEventListener('load', start); }
})();
