// SPBE Inventory pages: charts drawn from JSON the server put in the page (no inline scripts,
// so the Content-Security-Policy can forbid them). Chart.js is loaded by the pages that draw.
(function () {
  "use strict";
  var palette = ["#1b5e9b", "#e07b00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f", "#795548", "#546e7a"];

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof window.Chart === "undefined") return;
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    spec.data.datasets.forEach(function (set, i) {
      var colour = set.color || palette[i % palette.length];
      set.backgroundColor = set.backgroundColor || colour;
      set.borderColor = set.borderColor || colour;
    });
    // numbers as the pages write them (1,71 and 1.250), whatever the browser's language
    spec.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false, locale: "id-ID" }, spec.options || {});
    new window.Chart(canvas, spec);
    canvas.dataset.drawn = "1";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
