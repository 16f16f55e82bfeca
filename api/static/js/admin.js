// The admin page: ranker versions with their validation, rollback, the interleaved trials (ranker and query
// tower), event-log counts and the update job.
// Every call sends the API key as a bearer token; the key is kept in sessionStorage (this tab only).

import { ApiError, api } from "./api.js";
import { el } from "./render.js";
import { attachRules } from "./rules.js";
import { attachSynonyms } from "./synonyms.js";

const KEY = "aisle.api_key";
const $ = (id) => document.getElementById(id);
let pending = null; // the version a rollback is waiting to be confirmed for
let validated = {}; // version -> {gate, passed, summary}, for the confirmation

const getKey = () => sessionStorage.getItem(KEY) || "";
const when = (seconds) => (seconds ? new Date(seconds * 1000).toLocaleString() : "-");

function notice(text, error = false) {
  const box = $("admin-notice");
  box.hidden = !text;
  box.textContent = text || "";
  box.classList.toggle("error", error);
}

// Nested validation/metrics objects as "a.b: 0.1234" lines.
function flatten(value, prefix = "", out = []) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    const shown = typeof value === "number" && !Number.isInteger(value) ? value.toFixed(4) : JSON.stringify(value);
    out.push(`${prefix}: ${shown}`);
  }
  return out;
}

function keyValues(value) {
  const lines = flatten(value || {});
  return lines.length ? el("ul", { class: "kv" }, lines.map((line) => el("li", {}, line))) : "-";
}

function facts(id, rows) {
  $(id).replaceChildren(...rows.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, String(value ?? "-"))]));
}

const gateText = (v) => (v ? `${v.gate}: ${v.passed ? "passed" : "did NOT pass"} (${v.summary})` : "unknown");

function askRollback(version) {
  pending = version;
  $("confirm-text").textContent = `Serve ranker version ${version}? Its validation: ${gateText(validated[version])}. `
    + "Searches switch to it within seconds.";
  $("confirm").hidden = false;
  $("confirm-yes").focus();
}

function renderRankers(data) {
  $("serving-version").textContent = data.serving ?? "none";
  $("answering-version").textContent = data.answering ?? "unknown";
  $("previous-version").textContent = data.previous ?? "none";
  validated = Object.fromEntries(data.versions.map((v) => [v.version, v.validated]));
  // Roll back to the newest version that passed its gate, not merely the previous one.
  const target = data.rollback_to;
  $("rollback-version").textContent = target ? `${target.version} (${target.gate}: ${target.summary})` : "none";
  const back = $("rollback-previous");
  back.hidden = !target;
  if (target) {
    back.textContent = `Roll back to version ${target.version}`;
    back.onclick = () => askRollback(target.version);
  }
  $("versions").tBodies[0].replaceChildren(...data.versions.slice().reverse().map((v) => {
    const serving = v.version === data.serving;
    return el("tr", { class: serving ? "serving" : null, dataset: { version: v.version } },
      el("th", { scope: "row" }, `${v.version}${serving ? " (serving)" : ""}`),
      el("td", {}, v.created_at || "-"), el("td", {}, v.kind || "-"), el("td", {}, v.parent ?? "-"),
      el("td", { class: "gate" }, gateText(v.validated)),
      el("td", {}, keyValues(v.validation)),
      el("td", {}, serving ? "" : el("button", {
        type: "button", class: "secondary", onclick: () => askRollback(v.version),
        "aria-label": `Serve version ${v.version}`,
      }, "Serve")));
  }));
}

function renderRollouts(data) {
  $("rollouts").tBodies[0].replaceChildren(...data.rollouts.slice(0, 10).map((r) => {
    const { time, action, version, previous, ...rest } = r;
    return el("tr", {}, el("td", {}, when(time)), el("td", {}, action), el("td", {}, version ?? "-"),
      el("td", {}, previous ?? "-"), el("td", {}, keyValues(rest)));
  }));
}

// The two trialled models: the ranker's trial and the query tower's, each a panel with a stop button.
const TRIALS = [
  { id: "trial", path: "/v1/admin/trial", what: "Ranker trial" },
  { id: "encoder-trial", path: "/v1/admin/encoder-trial", what: "Query-tower trial" },
];

function renderTrial({ id }, data) {
  const t = data.trial;
  $(`${id}-stop`).hidden = !(t && t.active);
  if (!t) {
    facts(id, [["Status", "no trial yet"]]);
    return;
  }
  const c = t.counts;
  facts(id, [
    ["Status", t.reason ? `${t.status}: ${t.reason}` : t.status], ["Candidate", t.candidate],
    ["Against (serving)", t.serving], ["Searches so far", c.searches], ["Wins", c.wins], ["Losses", c.losses],
    ["Ties", c.ties], ["p-value (sign test)", c.p_value.toFixed(4)], ["Share of searches", t.config.share],
    ["Started", when(t.started_at)],
  ]);
}

async function stopTrial({ path, what }) {
  try {
    const record = await api(`${path}/stop`, { method: "POST", key: getKey() });
    await load();
    notice(`${what} of version ${record.version} stopped.`);
  } catch (err) {
    notice(`Stopping the ${what.toLowerCase()} failed: ${err.message}`, true);
  }
}

function renderJob(job) {
  const last = job.last_run;
  facts("update-job", [
    ["Runs recorded", job.checkpoint.runs], ["Checkpoint offset", job.checkpoint.offset],
    ["Checkpoint written", when(job.checkpoint.updated_at)], ["Unread log records", job.unread_records],
    ["Last run", last ? `${last.action} at ${when(last.time)}` : "none yet"],
    ["Last run version", last ? last.version ?? "-" : "-"],
    ["Last run clicks", last ? last.clicks ?? "-" : "-"],
  ]);
}

async function load() {
  const key = getKey();
  if (!key) return;
  try {
    const [rankers, rollouts, events, job, ...trials] = await Promise.all([
      api("/v1/admin/rankers", { key }), api("/v1/admin/rollouts?limit=10", { key }),
      api("/v1/admin/events", { key }), api("/v1/admin/update-job", { key }),
      ...TRIALS.map((trial) => api(trial.path, { key })),
    ]);
    renderRankers(rankers);
    TRIALS.forEach((trial, i) => renderTrial(trial, trials[i]));
    renderRollouts(rollouts);
    facts("event-counts", [...Object.entries(events.counts), ["last offset", events.last_offset]]);
    renderJob(job);
    await loadRules(key);
    await loadSynonyms(key);
    $("admin-content").hidden = false;
    notice("");
  } catch (err) {
    $("admin-content").hidden = true;
    const denied = err instanceof ApiError && (err.status === 401 || err.status === 403);
    notice(denied ? `The key was refused: ${err.message}` : err.message, true);
  }
}

async function confirmRollback() {
  const version = pending;
  $("confirm").hidden = true;
  pending = null;
  try {
    const record = await api("/v1/admin/rankers/rollback", { method: "POST", body: { version }, key: getKey() });
    await load();
    notice(`Now serving version ${record.version} (was ${record.previous ?? "none"}).`);
  } catch (err) {
    notice(`Rollback failed: ${err.message}`, true);
  }
  $("serving-title").focus();
}

const loadRules = attachRules({ getKey, notice });
const loadSynonyms = attachSynonyms({ getKey, notice });
$("serving-title").tabIndex = -1;
$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $("api-key").value);
  load();
});
$("forget-key").addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  $("api-key").value = "";
  $("admin-content").hidden = true;
  notice("Key forgotten.");
});
$("confirm-yes").addEventListener("click", confirmRollback);
for (const trial of TRIALS) $(`${trial.id}-stop`).addEventListener("click", () => stopTrial(trial));
$("confirm-no").addEventListener("click", () => { $("confirm").hidden = true; pending = null; });
if (getKey()) {
  $("api-key").value = getKey();
  load();
}
