// The search page: state lives in the URL (?q=&page=&sort=&cat=&brand=&color=&size=&pmin=&pmax=&stock=),
// so the back button, reloads and shared links all work; every list shown is reported through the Tracker.
// Its attribute facets are the gateway's AISLE_PAGE_FACETS (GET /v1/page/settings), each picked value a
// URL parameter named after the attribute ("attr." before a name the page uses itself).

import { AVAILABILITY, ApiError, api, formatPrice, imageUrl, shopper } from "./api.js";
import { card, el, facetButton, pager, picture, priceLine, priceRange } from "./render.js";
import { attachSuggestions, rememberQuery } from "./suggest.js";
import { Tracker } from "./tracker.js";

const PAGE_SIZE = 12;
// Colour and size as a Google feed names them (the sample catalog too), until the gateway says otherwise;
// each is shown where the results have values of it. `key`: its list in the state, `param`: in the URL.
const OWN_PARAMS = new Set(["q", "page", "sort", "cat", "brand", "pmin", "pmax", "stock", "product"]);
let ATTRIBUTE_FACETS = attributeFacets([{ name: "color", title: "Colour" }, { name: "size", title: "Size" }]);
const SEP = " > ";
// Attributes that keep a product's sale (engine.schema_sale): the price line shows what they mean, so the
// product's facts leave them out.
const PRICE_KEPT = new Set(["regular_price", "sale_ends", "sale_starts", "scheduled_sale_price"]);
const $ = (id) => document.getElementById(id);
const tracker = new Tracker();
const ui = {
  form: $("search-form"), q: $("q"), sort: $("sort"), debug: $("debug"), facets: $("facets"),
  filters: $("filters"), results: $("results"), summary: $("summary"), notice: $("notice"),
  debugInfo: $("debug-info"), hits: $("hits"), pager: $("pager"), forYou: $("for-you"),
  forYouList: $("for-you-list"), product: $("product-dialog"), productBody: $("product-body"),
  addToCart: $("add-to-cart"), productSimilar: $("product-similar"), similar: $("similar-dialog"),
  similarTitle: $("similar-title"), similarList: $("similar-list"),
};
let requestNo = 0;
let refocus = null; // {facet, value} of the facet button to focus again after re-rendering
let current = null; // the product open in the dialog: {hit, data}

function readState() {
  const p = new URLSearchParams(location.search);
  const num = (name) => (p.get(name) === null || p.get(name) === "" ? null : Number(p.get(name)));
  return {
    q: p.get("q") || "", page: Math.max(1, Number(p.get("page")) || 1), sort: p.get("sort") || "relevance",
    category: (p.get("cat") || "").split(SEP).filter(Boolean), brands: p.getAll("brand"),
    ...Object.fromEntries(ATTRIBUTE_FACETS.map(({ key, param }) => [key, p.getAll(param)])),
    pmin: num("pmin"), pmax: num("pmax"), stock: p.get("stock") === "1", product: p.get("product"),
  };
}

function writeState(state, replace = false) {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  if (state.page > 1) p.set("page", state.page);
  if (state.sort !== "relevance") p.set("sort", state.sort);
  if (state.category.length) p.set("cat", state.category.join(SEP));
  state.brands.forEach((b) => p.append("brand", b));
  ATTRIBUTE_FACETS.forEach(({ param, key }) => state[key].forEach((v) => p.append(param, v)));
  if (state.pmin !== null) p.set("pmin", state.pmin);
  if (state.pmax !== null) p.set("pmax", state.pmax);
  if (state.stock) p.set("stock", "1");
  const url = p.toString() ? `/?${p}` : "/";
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
}

// Change the state (a new filter goes back to page 1) and search again.
function update(changes, { keepPage = false } = {}) {
  const state = { ...readState(), ...changes };
  if (!keepPage) state.page = 1;
  writeState(state);
  run(state);
}

function showNotice(text, error = false) {
  ui.notice.hidden = !text;
  ui.notice.textContent = text || "";
  ui.notice.classList.toggle("error", error);
}

async function run(state, { focusResults = false } = {}) {
  ui.q.value = state.q;
  ui.sort.value = state.sort;
  if (!state.q.trim()) {
    ui.summary.textContent = "Search the catalog";
    ui.hits.replaceChildren();
    ui.pager.replaceChildren();
    ui.facets.replaceChildren();
    ui.debugInfo.hidden = true;
    showNotice("");
    return;
  }
  const ticket = ++requestNo;
  const filters = { category: state.category, brand: state.brands, available_only: state.stock, attributes: {} };
  ATTRIBUTE_FACETS.forEach(({ name, key }) => { if (state[key].length) filters.attributes[name] = state[key]; });
  if (state.pmin !== null || state.pmax !== null) filters.price = { min: state.pmin, max: state.pmax };
  const body = {
    query: state.q, page: state.page, size: PAGE_SIZE, sort: state.sort, filters,
    facets: [state.category.length ? "category_path" : "category", "brand", "price", "availability",
      ...ATTRIBUTE_FACETS.map(({ name }) => `attr.${name}`)],
    // A picked brand, colour, size, price range or stock choice leaves the others to switch to or add.
    disjunctive_facets: ["brand", "price", "availability", ...ATTRIBUTE_FACETS.map(({ name }) => `attr.${name}`)],
    user_id: shopper.userId, session_id: shopper.sessionId, debug: ui.debug.checked,
  };
  ui.results.setAttribute("aria-busy", "true");
  try {
    const data = await api("/v1/search", { method: "POST", body });
    if (ticket !== requestNo) return;
    render(state, data);
    if (focusResults) ui.results.focus();
  } catch (err) {
    if (ticket !== requestNo) return;
    showNotice(err instanceof ApiError ? err.message : String(err), true);
  } finally {
    if (ticket === requestNo) ui.results.removeAttribute("aria-busy");
  }
}

function render(state, data) {
  const first = (data.page - 1) * data.size + 1;
  const shown = data.hits.length;
  const range = shown > 1 ? `${first}–${first + shown - 1}` : `${first}`;
  ui.summary.textContent = data.total === 1
    ? `1 result for “${state.q}”`
    : data.total
    ? `${data.total} results for “${state.q}”${shown ? ` (showing ${range})` : ""}`
    : `No results for “${state.q}”`;
  if (!data.total && data.suggestion) {
    const next = { ...state, q: data.suggestion, page: 1 };
    const link = el("a", { href: `/?q=${encodeURIComponent(data.suggestion)}`, class: "suggestion", onclick: (event) => {
      event.preventDefault();
      writeState(next);
      run(next);
    } }, data.suggestion);
    ui.summary.append(el("span", { class: "did-you-mean" }, " · Did you mean ", link, "?"));
  }
  showNotice(data.degraded.length ? `Some results may be missing (${data.degraded.join(", ")} unavailable).` : "");
  ui.debugInfo.hidden = !ui.debug.checked;
  if (ui.debug.checked) {
    const timings = Object.entries(data.timings_ms || {}).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(", ");
    const rules = (data.rules || []).map((r) => `${r.rule_id} (${r.action} ${r.product_ids.length})`).join(", ");
    ui.debugInfo.textContent = `ranker version ${data.ranker_version ?? "none"} · pipeline ${data.pipeline} · `
      + `search ${data.search_id}${timings ? ` · ${timings}` : ""}${rules ? ` · rules: ${rules}` : ""}`;
  }
  ui.hits.replaceChildren(...data.hits.map((hit, i) => card(hit, first + i, data.search_id, {
    onOpen: openProduct, onSimilar: openSimilar, debug: ui.debug.checked,
  })));
  ui.hits.querySelectorAll(".card").forEach((node) => tracker.watch(node));
  const pages = Math.min(Math.ceil(data.total / data.size), 1000);
  ui.pager.replaceChildren(...pager(data.page, pages, (page) => {
    const next = { ...readState(), page };
    writeState(next);
    run(next, { focusResults: true });
  }));
  renderFacets(state, data.facets, data.currency || data.hits[0]?.currency);
}

// A facet's element id: its name where that is a plain word ("facet-color"), else with the rest as "_".
function facetId(name) {
  return `facet-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

function facetGroup(name, title, children) {
  return el("section", { class: "facet", "aria-labelledby": facetId(name) },
    el("h3", { id: facetId(name) }, title), children);
}

function categoryFacet(state, facets) {
  const depth = state.category.length;
  let children;
  if (!depth) {
    children = (facets.category || []).map((f) => [f.value, f.count]);
  } else {
    const sums = new Map();
    for (const f of facets.category_path || []) {
      const parts = f.value.split(SEP);
      if (parts.length <= depth || parts.slice(0, depth).join(SEP) !== state.category.join(SEP)) continue;
      sums.set(parts[depth], (sums.get(parts[depth]) || 0) + f.count);
    }
    children = [...sums.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }
  const crumbs = depth ? el("ol", { class: "crumbs", "aria-label": "Selected category" },
    el("li", {}, el("button", { type: "button", class: "link", onclick: () => update({ category: [] }) }, "All")),
    state.category.map((part, i) => el("li", {}, "› ", i === depth - 1 ? el("strong", {}, part)
      : el("button", { type: "button", class: "link", onclick: () => update({ category: state.category.slice(0, i + 1) }) }, part)))) : null;
  const list = el("ul", {}, children.map(([value, count]) => facetButton(value, count, false, () => {
    refocus = { facet: "category" };
    update({ category: [...state.category, value] });
  })));
  return facetGroup("category", "Category", [crumbs, list]);
}

// A facet whose picked values add up (brand, colour, size): `key` is its list in the state; null when the
// results have no value of it and none is picked.
function pickFacet(state, values, name, title, key) {
  const counts = new Map((values || []).map((f) => [f.value, f.count]));
  state[key].forEach((v) => { if (!counts.has(v)) counts.set(v, 0); });
  if (!counts.size) return null;
  const list = el("ul", {}, [...counts.entries()].map(([value, count]) => {
    const on = state[key].includes(value);
    return facetButton(value, count, on, () => {
      refocus = { facet: name, value };
      update({ [key]: on ? state[key].filter((v) => v !== value) : [...state[key], value] });
    });
  }));
  return facetGroup(name, title, list);
}

// Price buckets are labelled in the catalog's currency (the response says which; else the hits').
function priceFacet(state, facets, currency) {
  const buckets = (facets.price || []).map((f) => ({ ...f, range: priceRange(f.value) })).filter((f) => f.range)
    .sort((a, b) => (a.range.min ?? -1) - (b.range.min ?? -1));
  const list = el("ul", {}, buckets.map((f) => {
    const on = state.pmin === f.range.min && state.pmax === f.range.max;
    const label = f.range.max === null ? `${formatPrice(f.range.min, currency)} and up`
      : `${formatPrice(f.range.min ?? 0, currency)} – ${formatPrice(f.range.max, currency)}`;
    return facetButton(f.value, f.count, on, () => {
      refocus = { facet: "price", value: f.value };
      update(on ? { pmin: null, pmax: null } : { pmin: f.range.min, pmax: f.range.max });
    }, label);
  }));
  const input = (name, value) => el("label", {}, name === "pmin" ? "Min" : "Max",
    el("input", { type: "number", name, min: 0, step: "0.01", inputmode: "decimal", value: value ?? "" }));
  const form = el("form", { class: "price-form", onsubmit: (event) => {
    event.preventDefault();
    const read = (name) => (event.target[name].value === "" ? null : Number(event.target[name].value));
    update({ pmin: read("pmin"), pmax: read("pmax") });
  } }, input("pmin", state.pmin), input("pmax", state.pmax), el("button", { type: "submit", class: "secondary" }, "Apply"));
  return facetGroup("price", "Price", [list, form]);
}

function stockFacet(state, facets) {
  const counts = Object.fromEntries((facets.availability || []).map((f) => [f.value, f.count]));
  const available = (counts.in_stock || 0) + (counts.preorder || 0) + (counts.backorder || 0);
  const box = el("input", { type: "checkbox", id: "in-stock", checked: state.stock, onchange: (event) => {
    refocus = { facet: "stock" };
    update({ stock: event.target.checked });
  } });
  return facetGroup("availability", "Availability", el("label", { for: "in-stock" }, box,
    `${AVAILABILITY.in_stock} or on order`, el("span", { class: "count" }, state.stock ? "" : ` ${available}`)));
}

function renderFacets(state, facets, currency) {
  const picks = ATTRIBUTE_FACETS.map(({ name, title, key }) => pickFacet(state, facets[`attr.${name}`], name, title, key));
  ui.facets.replaceChildren(...[categoryFacet(state, facets), pickFacet(state, facets.brand, "brand", "Brand", "brands"),
    ...picks, priceFacet(state, facets, currency), stockFacet(state, facets)].filter(Boolean));
  if (!refocus) return;
  const group = ui.facets.querySelector(`[aria-labelledby="${facetId(refocus.facet === "stock" ? "availability" : refocus.facet)}"]`);
  const target = refocus.facet === "stock" ? $("in-stock")
    : (refocus.value && group?.querySelector(`button[data-value="${CSS.escape(refocus.value)}"]`)) || group?.querySelector("button");
  refocus = null;
  target?.focus();
}

async function openProduct(hit, data) {
  if (data.searchId) tracker.action("click", data);
  current = { hit, data };
  ui.addToCart.disabled = false;
  ui.addToCart.textContent = "Add to cart";
  ui.productBody.replaceChildren(el("h2", { id: "product-title" }, hit.title || hit.id));
  if (!ui.product.open) ui.product.showModal();
  try {
    const p = await api(`/v1/products/${encodeURIComponent(hit.id)}`);
    const src = imageUrl(p);
    const attrs = Object.entries(p.attributes || {}).filter(([name]) => !PRICE_KEPT.has(name));
    ui.productBody.replaceChildren(el("div", { class: "product-detail" },
      picture(src, { alt: p.title, width: 128, height: 128 }),
      el("div", {}, el("h2", { id: "product-title" }, p.title),
        el("p", { class: "meta" }, [p.brand, p.category.join(SEP)].filter(Boolean).join(" · ")),
        priceLine(p),
        el("p", { class: `avail ${p.availability}` }, AVAILABILITY[p.availability] || p.availability),
        el("p", {}, p.description),
        attrs.length ? el("dl", { class: "facts" }, attrs.map(([k, v]) => [el("dt", {}, k), el("dd", {}, Array.isArray(v) ? v.join(", ") : String(v))])) : null)));
  } catch (err) {
    ui.productBody.append(el("p", { class: "notice error" }, err.message));
  }
}

async function openSimilar(hit) {
  ui.similarTitle.textContent = `Similar to ${hit.title}`;
  ui.similarList.replaceChildren(el("li", {}, "Loading…"));
  if (ui.product.open) ui.product.close();
  if (!ui.similar.open) ui.similar.showModal();
  try {
    const data = await api(`/v1/products/${encodeURIComponent(hit.id)}/similar?size=8`);
    ui.similarList.replaceChildren(...data.hits.map((h, i) => card(h, i + 1, data.search_id, {
      onOpen: (h2, d) => { ui.similar.close(); openProduct(h2, d); }, onSimilar: null,
    })));
    if (!data.hits.length) ui.similarList.replaceChildren(el("li", {}, "No similar items found."));
    ui.similarList.querySelectorAll(".card").forEach((node) => tracker.watch(node));
  } catch (err) {
    ui.similarList.replaceChildren(el("li", { class: "notice error" }, err.message));
  }
}

async function loadForYou() {
  try {
    const data = await api(`/v1/recommendations?user_id=${encodeURIComponent(shopper.userId)}&size=10`);
    ui.forYouList.replaceChildren(...data.hits.map((h, i) => card(h, i + 1, data.search_id, {
      onOpen: openProduct, onSimilar: null,
    })));
    ui.forYou.hidden = !data.hits.length;
    ui.forYouList.querySelectorAll(".card").forEach((node) => tracker.watch(node));
  } catch (err) {
    ui.forYou.hidden = true; // recommendations are optional on this page
  }
}

function attributeFacets(list) {
  return list.map(({ name, title }) => ({
    name, title, key: `attr:${name}`, param: OWN_PARAMS.has(name) ? `attr.${name}` : name,
  }));
}

// The facets the gateway names; the defaults above where it cannot be asked (an older gateway).
async function loadPageSettings() {
  try {
    const settings = await api("/v1/page/settings");
    ATTRIBUTE_FACETS = attributeFacets(settings.attribute_facets);
  } catch (err) { /* keep the defaults */ }
}

async function start() {
  await loadPageSettings();
  $("user-id").textContent = shopper.userId.slice(0, 8);
  const wide = window.matchMedia("(min-width: 701px)");
  ui.filters.open = wide.matches;
  wide.addEventListener("change", (event) => { ui.filters.open = event.matches; });
  const suggestions = attachSuggestions(ui.q, $("suggestions"), (query) => {
    rememberQuery(query);
    update({ q: query });
  });
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    suggestions.close();
    rememberQuery(ui.q.value);
    update({ q: ui.q.value.trim() });
  });
  ui.sort.addEventListener("change", () => update({ sort: ui.sort.value }));
  ui.debug.addEventListener("change", () => {
    try { localStorage.setItem("aisle.debug", ui.debug.checked ? "1" : ""); } catch (err) { /* ignore */ }
    run(readState());
  });
  ui.addToCart.addEventListener("click", () => {
    if (!current) return;
    tracker.action("add_to_cart", current.data);
    ui.addToCart.disabled = true;
    ui.addToCart.textContent = "Added to cart";
  });
  ui.productSimilar.addEventListener("click", () => current && openSimilar(current.hit));
  document.querySelectorAll("dialog [data-close]").forEach((b) => b.addEventListener("click", () => b.closest("dialog").close()));
  window.addEventListener("popstate", () => run(readState()));
  try { ui.debug.checked = localStorage.getItem("aisle.debug") === "1"; } catch (err) { /* ignore */ }
  const state = readState();
  run(state);
  if (state.product) openProduct({ id: state.product, title: "" }, { productId: state.product });
  loadForYou();
}

start();
