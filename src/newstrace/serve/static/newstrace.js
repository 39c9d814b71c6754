// Draws each page's chart with plotly.js from the JSON the page carries in data-chart.
"use strict";
const DAY_MS = 86400000;
document.querySelectorAll("div.chart[data-chart]").forEach(function (element) {
  const spec = JSON.parse(element.dataset.chart);
  const kinds = {
    timeline: { type: "scatter", mode: "markers", marker: { size: 12 } },
    spread: { type: "bar" },
    claims: { type: "scatter", mode: "markers", marker: { size: 10 } },
  };
  const trace = Object.assign({ x: spec.x, y: spec.y, text: spec.text || [], hoverinfo: "x+y+text" }, kinds[spec.kind]);
  // Dates are days: ticks name days, a short span gets one tick a day, and a bar is most of a day wide.
  const xaxis = { type: "date", tickformat: "%Y-%m-%d" };
  if (spec.x_range) {
    xaxis.range = spec.x_range;
    if (Date.parse(spec.x_range[1]) - Date.parse(spec.x_range[0]) <= 14 * DAY_MS) xaxis.dtick = DAY_MS;
  }
  if (trace.type === "bar") trace.width = 0.8 * DAY_MS;
  const layout = { margin: { l: 140, r: 20, t: 10, b: 40 }, height: 260, xaxis: xaxis };
  Plotly.newPlot(element, [trace], layout, { displayModeBar: false, responsive: true });
});
