// Draws each page's chart with plotly.js from the JSON the page carries in data-chart.
"use strict";
document.querySelectorAll("div.chart[data-chart]").forEach(function (element) {
  const spec = JSON.parse(element.dataset.chart);
  const kinds = {
    timeline: { type: "scatter", mode: "markers", marker: { size: 12 } },
    spread: { type: "bar" },
    claims: { type: "scatter", mode: "markers", marker: { size: 10 } },
  };
  const trace = Object.assign({ x: spec.x, y: spec.y, text: spec.text || [], hoverinfo: "x+y+text" }, kinds[spec.kind]);
  const layout = { margin: { l: 140, r: 20, t: 10, b: 40 }, height: 260, xaxis: { type: "date" } };
  Plotly.newPlot(element, [trace], layout, { displayModeBar: false, responsive: true });
});
