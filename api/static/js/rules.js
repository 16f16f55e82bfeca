// The admin page's merchandising rules: the list, the "bury unavailable" switch, and a form that adds or
// replaces one rule. The server validates every change (a 422 names the field) and saves it whole.

import { api } from "./api.js";
import { el } from "./render.js";

const $ = (id) => document.getElementById(id);
const PATH = "/v1/admin/rules";

function describe(rule) {
  if (rule.action === "pin") return rule.pins.map((p) => `${p.product_id} at ${p.position}`).join(", ");
  const f = rule.filter || {};
  const parts = [];
  if (f.brand) parts.push(`brand ${f.brand.join(" | ")}`);
  if (f.category) parts.push(`category ${f.category.join(" > ")}`);
  if (f.price_min !== undefined || f.price_max !== undefined) parts.push(`price ${f.price_min ?? 0}–${f.price_max ?? "∞"}`);
  for (const [name, values] of Object.entries(f.attributes || {})) parts.push(`${name} ${values.join(" | ")}`);
  const how = rule.positions ? `${rule.positions} places` : "all the way";
  return `${parts.join(", ")} (${how})`;
}

// "sku-1@1, sku-2@3" -> [{product_id, position}]
function parsePins(text) {
  return text.split(",").map((s) => s.trim()).filter(Boolean).map((item) => {
    const at = item.lastIndexOf("@");
    return { product_id: at > 0 ? item.slice(0, at).trim() : item, position: at > 0 ? Number(item.slice(at + 1)) : NaN };
  });
}

function ruleFromForm(form) {
  const value = (name) => form.elements[name].value.trim();
  const rule = { id: value("rule-id"), action: value("rule-action"), enabled: form.elements["rule-enabled"].checked };
  if (value("rule-query")) rule.query = value("rule-query");
  if (rule.action === "pin") {
    rule.pins = parsePins(value("rule-pins"));
    return rule;
  }
  const filter = {};
  if (value("rule-brand")) filter.brand = value("rule-brand").split("|").map((s) => s.trim());
  if (value("rule-category")) filter.category = value("rule-category");
  if (value("rule-price-min")) filter.price_min = Number(value("rule-price-min"));
  if (value("rule-price-max")) filter.price_max = Number(value("rule-price-max"));
  rule.filter = filter;
  if (value("rule-positions")) rule.positions = Number(value("rule-positions"));
  return rule;
}

export function attachRules({ getKey, notice }) {
  let shown = null;

  function render(data) {
    shown = data;
    $("bury-unavailable").checked = data.bury_unavailable;
    $("rules-generation").textContent = data.generation ? `version ${data.generation}, saved ${data.updated_at}` : "defaults (never saved)";
    $("rules").tBodies[0].replaceChildren(...data.rules.map((rule) => el("tr", { dataset: { rule: rule.id } },
      el("th", { scope: "row" }, rule.id), el("td", {}, rule.action), el("td", {}, rule.query ?? "any query"),
      el("td", {}, describe(rule)), el("td", {}, rule.enabled ? "on" : "off"),
      el("td", {}, el("button", {
        type: "button", class: "secondary", "aria-label": `Delete rule ${rule.id}`,
        onclick: () => change(() => api(`${PATH}/${encodeURIComponent(rule.id)}`, { method: "DELETE", key: getKey() }), `Rule ${rule.id} deleted.`),
      }, "Delete")))));
    if (!data.rules.length) $("rules").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: 6 }, "No rules yet.")));
  }

  async function change(request, done) {
    try {
      render(await request());
      notice(done);
    } catch (err) {
      notice(`Not saved: ${err.message}`, true);
    }
  }

  $("bury-unavailable").addEventListener("change", (event) => {
    const body = { bury_unavailable: event.target.checked, rules: shown ? shown.rules : [] };
    change(() => api(PATH, { method: "PUT", body, key: getKey() }), "Saved.");
  });
  $("rule-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const rule = ruleFromForm(event.target);
    change(() => api(`${PATH}/${encodeURIComponent(rule.id)}`, { method: "PUT", body: rule, key: getKey() }),
      `Rule ${rule.id} saved.`);
  });
  $("rule-action").addEventListener("change", (event) => {
    const pin = event.target.value === "pin";
    $("rule-filter-fields").hidden = pin;
    $("rule-pin-fields").hidden = !pin;
  });

  return async function load(key) {
    render(await api(PATH, { key }));
  };
}
