// Search analytics on the admin page: searches over time (bars, clicked part darker), click-through and
// conversion by ranker version, top queries and zero-result queries, from GET /v1/admin/analytics.
// Runs beside admin.js: same key (sessionStorage), loads when the key is submitted or already known.

import { api } from "./api.js";
import { el } from "./render.js";

const KEY = "aisle.api_key";
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
const pct = (value) => `${(100 * value).toFixed(1)}%`;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

function label(start, bucket) {
  const date = new Date(start * 1000);
  return bucket === "day" ? date.toLocaleDateString() : date.toLocaleString([], { dateStyle: "short", timeStyle: "short" });
}

// Searches per bucket as columns; the clicked searches fill the lower part of each column.
function timeChart(data) {
  const rows = data.over_time;
  const width = 640, height = 180, pad = 28;
  const peak = Math.max(1, ...rows.map((r) => r.searches));
  const step = rows.length ? (width - pad) / rows.length : 0;
  const bar = Math.min(48, Math.max(2, step * 0.7));
  const y = (v) => height - pad - (v / peak) * (height - 2 * pad);
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img",
    "aria-label": `Searches per ${data.bucket}: ${rows.map((r) => `${label(r.start, data.bucket)} ${r.searches}`).join(", ") || "none"}`,
  });
  chart.append(svg("line", { x1: pad, y1: height - pad, x2: width, y2: height - pad, class: "axis" }));
  chart.append(svg("text", { x: 0, y: y(peak) + 4, class: "tick" }, String(peak)));
  rows.forEach((r, i) => {
    const x = pad + i * step + (step - bar) / 2;
    const title = `${label(r.start, data.bucket)}: ${r.searches} searches, ${r.clicked} clicked, ${r.zero_results} without results`;
    chart.append(svg("rect", { x, y: y(r.searches), width: bar, height: height - pad - y(r.searches), class: "bar", "data-searches": r.searches }, svg("title", {}, title)));
    chart.append(svg("rect", { x, y: y(r.clicked), width: bar, height: height - pad - y(r.clicked), class: "bar clicked" }));
  });
  if (rows.length) {
    chart.append(svg("text", { x: pad, y: height - 8, class: "tick" }, label(rows[0].start, data.bucket)));
    chart.append(svg("text", { x: width, y: height - 8, class: "tick end" }, label(rows[rows.length - 1].start, data.bucket)));
  }
  return chart;
}

// A bar of `share` (0..1); its width is set through the CSSOM: the page's CSP forbids style attributes.
function meter(share, kind = "") {
  const fill = el("span");
  fill.style.width = pct(share);
  return el("span", { class: `meter ${kind}`.trim(), "aria-hidden": "true" }, fill);
}

// A table whose rate columns carry proportional bars, so it reads as a chart and as numbers.
function rateTable(id, rows, first, name) {
  const table = el("table", { id },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, first), el("th", { scope: "col" }, "Searches"),
      el("th", { scope: "col" }, "Click-through"), el("th", { scope: "col" }, "Conversion"),
      el("th", { scope: "col" }, "No results"))),
    el("tbody", {}, rows.map((r) => el("tr", { dataset: { searches: r.searches } },
      el("th", { scope: "row" }, name(r)),
      el("td", {}, String(r.searches)),
      el("td", {}, meter(r.ctr), ` ${pct(r.ctr)}`),
      el("td", {}, meter(r.conversion_rate, "conv"), ` ${pct(r.conversion_rate)}`),
      el("td", {}, String(r.zero_results))))));
  return el("div", { class: "table-wrap" }, table);
}

export async function loadAnalytics() {
  const key = sessionStorage.getItem(KEY) || "";
  const box = $("analytics");
  if (!key || !box) return;
  const bucket = $("analytics-bucket").value;
  try {
    const data = await api(`/v1/admin/analytics?bucket=${bucket}&limit=10`, { key });
    const t = data.total;
    $("analytics-total").textContent =
      `${t.searches} searches, ${pct(t.ctr)} clicked, ${pct(t.conversion_rate)} converted, ${t.zero_results} without results`;
    $("analytics-time").replaceChildren(timeChart(data));
    $("analytics-versions").replaceChildren(
      rateTable("analytics-by-version", data.by_ranker_version, "Ranker version", (r) => (r.ranker_version ? `v${r.ranker_version}` : "external (UBI)")));
    $("analytics-queries").replaceChildren(rateTable("analytics-top", data.top_queries, "Query", (r) => r.query || "(empty)"));
    $("analytics-zero").replaceChildren(data.zero_result_queries.length
      ? rateTable("analytics-zero-table", data.zero_result_queries, "Query", (r) => r.query || "(empty)")
      : el("p", {}, "No search came back empty."));
  } catch (err) {
    $("analytics-total").textContent = `Analytics unavailable: ${err.message}`;
  }
}

$("key-form").addEventListener("submit", () => loadAnalytics());
$("analytics-bucket").addEventListener("change", () => loadAnalytics());
if (sessionStorage.getItem(KEY)) loadAnalytics();
