// Draws each page's chart with plotly.js from the JSON the page carries in data-chart, lists the busiest
// periods of an attention chart as a facet of dates, and suggests speaker names from /api/speakers as one
// types in a speaker field.
"use strict";
const DAY_MS = 86400000;
// the days a bar of an attention bucket covers, and how plotly spreads a month's or a year's bar over it
const BUCKET_DAYS = { day: 1, week: 7, month: 30.4, year: 365.25 };
const BUCKET_PERIODS = { month: "M1", year: "M12" };
const BUCKET_TICKS = { month: "%b %Y", year: "%Y" };

function dayAxis(spec) {
  // Dates are days: ticks name days, a short span gets one tick a day.
  const xaxis = { type: "date", tickformat: BUCKET_TICKS[spec.bucket] || "%Y-%m-%d" };
  if (spec.x_range) {
    xaxis.range = spec.x_range;
    if (Date.parse(spec.x_range[1]) - Date.parse(spec.x_range[0]) <= 14 * DAY_MS) xaxis.dtick = DAY_MS;
  }
  return xaxis;
}

function traces(spec) {
  if (spec.kind === "attention") {
    // one bar series per outlet, stacked; a bar is most of its day (week, month, year) wide; a month's
    // or a year's bar is drawn over its period, which its first day names
    const width = 0.8 * DAY_MS * (BUCKET_DAYS[spec.bucket] || 1);
    const period = BUCKET_PERIODS[spec.bucket];
    return spec.traces.map(function (series) {
      const bar = { type: "bar", name: series.name, x: series.x, y: series.y, width: width, hoverinfo: "x+y+name" };
      if (period) Object.assign(bar, { xperiod: period, xperiodalignment: "middle" });
      return bar;
    });
  }
  const kinds = {
    timeline: { type: "scatter", mode: "markers", marker: { size: 12 } },
    spread: { type: "bar", width: 0.8 * DAY_MS },
  };
  return [Object.assign({ x: spec.x, y: spec.y, text: spec.text || [], hoverinfo: "x+y+text" }, kinds[spec.kind])];
}

function countAxis(tallest, title) {
  // counts are whole: below 10, one tick per count instead of ticks at 0.2, 0.4, ...
  const axis = { rangemode: "tozero", title: { text: title } };
  if (tallest <= 10) axis.dtick = 1;
  return axis;
}

function tallestBar(spec) {
  const stacked = {};
  spec.traces.forEach(function (series) {
    series.x.forEach(function (x, i) { stacked[x] = (stacked[x] || 0) + series.y[i]; });
  });
  return Math.max(1, ...Object.values(stacked));
}

document.querySelectorAll("div.chart[data-chart]").forEach(function (element) {
  const spec = JSON.parse(element.dataset.chart);
  const layout = { margin: { l: spec.kind === "attention" ? 40 : 140, r: 20, t: 10, b: 40 }, height: 260, xaxis: dayAxis(spec) };
  if (spec.kind === "attention") {
    layout.barmode = "stack";
    layout.legend = { orientation: "h", y: -0.2 };
    layout.showlegend = true; // even for one outlet: the legend names it
    layout.yaxis = countAxis(tallestBar(spec), spec.y_title || "articles");
    layout.height = 320;
  } else if (spec.kind === "spread") {
    layout.yaxis = countAxis(Math.max(1, ...spec.y), "renderings");
  } else if (spec.kind === "timeline") {
    // each row's label whole (the margin grows to fit it), and room for every row
    layout.yaxis = { automargin: true };
    layout.height = Math.max(layout.height, 22 * new Set(spec.y).size + 60);
  }
  Plotly.newPlot(element, traces(spec), layout, { displayModeBar: false, responsive: true });
});

document.querySelectorAll("input[data-suggest]").forEach(function (input) {
  const list = document.getElementById(input.getAttribute("list"));
  let asked = "";
  input.addEventListener("input", function () {
    const typed = input.value.trim();
    if (typed.length < 2 || typed === asked) return;
    asked = typed;
    const url = input.dataset.suggest + "?per_page=10&q=" + encodeURIComponent(typed);
    fetch(url).then(function (response) { return response.json(); }).then(function (found) {
      list.replaceChildren();
      (found.rows || []).forEach(function (row) {
        const option = document.createElement("option");
        option.value = row.name;
        list.appendChild(option);
      });
    }).catch(function () { /* no suggestions: the field still takes any name */ });
  });
});

// The busiest periods of the attention chart (its days, weeks, months or years with the most matching
// articles, ties the latest first) as a facet: each a link that narrows the search to that period, within
// its own dates. Counted from the chart, so "≥" where the chart counts a sample. Made here from the chart's
// data, so that it costs the server nothing.
const PERIOD_VALUES = 10;

function periodEnd(first, bucket) {
  const day = new Date(first + "T00:00:00Z");
  if (bucket === "week") day.setUTCDate(day.getUTCDate() + 6);
  if (bucket === "month") { day.setUTCMonth(day.getUTCMonth() + 1, 0); }
  if (bucket === "year") { day.setUTCMonth(11, 31); }
  return day.toISOString().slice(0, 10);
}

function periodLabel(first, bucket) {
  return { day: first, week: "week of " + first, month: first.slice(0, 7), year: first.slice(0, 4) }[bucket];
}

document.querySelectorAll("aside.facets[data-periods-of]").forEach(function (aside) {
  const chart = document.querySelector("div.chart[data-chart]");
  const spec = chart ? JSON.parse(chart.dataset.chart) : null;
  if (!spec || spec.kind !== "attention") return;
  const totals = {};
  spec.traces.forEach(function (series) {
    series.x.forEach(function (x, i) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(x)) totals[x] = (totals[x] || 0) + series.y[i];
    });
  });
  const busiest = Object.keys(totals).sort().reverse()
    .sort(function (a, b) { return totals[b] - totals[a]; }).slice(0, PERIOD_VALUES);
  if (busiest.length === 0) return;
  // the search the facets narrow: this page's own, or (on the overview) a search of everything
  const path = aside.dataset.periodsOf;
  const base = new URL(path + (window.location.pathname === path ? window.location.search : ""), window.location.href);
  const [from, to] = [base.searchParams.get("from"), base.searchParams.get("to")];
  const section = document.createElement("section");
  section.className = "facet facet-period";
  const title = document.createElement("h3");
  title.textContent = "Busiest periods";
  const list = document.createElement("ul");
  busiest.forEach(function (first) {
    const link = new URL(base);
    const end = periodEnd(first, spec.bucket);
    link.searchParams.set("from", from && from > first ? from : first);
    link.searchParams.set("to", to && to < end ? to : end);
    link.searchParams.delete("page");
    const item = document.createElement("li");
    const anchor = document.createElement("a");
    anchor.className = "facet-link";
    anchor.dataset.facet = "period";
    anchor.href = link.pathname + link.search;
    anchor.textContent = periodLabel(first, spec.bucket);
    const count = document.createElement("span");
    count.className = "count";
    count.textContent = (aside.hasAttribute("data-periods-at-least") ? "≥ " : "") + totals[first];
    item.append(anchor, " ", count);
    list.appendChild(item);
  });
  section.append(title, list);
  aside.appendChild(section);
});
