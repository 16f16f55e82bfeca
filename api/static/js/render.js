// DOM builders for product cards, facets and the pager. Text is always set with textContent.

import { AVAILABILITY, formatPrice, imageUrl } from "./api.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const fmt = (value, digits = 4) => (value === null || value === undefined ? "-" : Number(value).toFixed(digits));

function scores(debug) {
  if (!debug) return null;
  const rows = [
    ["lexical", `${fmt(debug.lexical_score)} (#${debug.lexical_rank ?? "-"})`],
    ["dense", `${fmt(debug.dense_score)} (#${debug.dense_rank ?? "-"})`],
    ["image", fmt(debug.image_score)],
    ["fused", `${fmt(debug.fused_score)} (#${debug.fused_rank})`],
    ["ranker", `${fmt(debug.ranker_score)} v${debug.ranker_version ?? "-"}`],
  ];
  return el("dl", { class: "scores", "aria-label": "Per-stage scores" },
    rows.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
}

// A product picture, or the "No image" placeholder when there is none or it fails to load.
export function picture(src, attrs) {
  const placeholder = () => el("span", { class: "no-image", "aria-hidden": "true" }, "No image");
  if (!src) return placeholder();
  return el("img", { src, ...attrs, onerror: (event) => event.target.replaceWith(placeholder()) });
}

// One product card. `list` = {searchId, first position}; `onOpen(hit, data)` / `onSimilar(hit)`.
export function card(hit, position, searchId, { onOpen, onSimilar, debug = false }) {
  const data = { searchId, productId: hit.id, position: String(position) };
  const image = picture(imageUrl(hit), { alt: "", width: 96, height: 96, loading: "lazy", decoding: "async" });
  const link = el("a", {
    href: `/?product=${encodeURIComponent(hit.id)}`, class: "card-link", dataset: data,
    onclick: (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button === 1) return;
      event.preventDefault();
      onOpen(hit, data);
    },
  }, image, el("h3", { class: "title" }, hit.title));
  const availability = hit.availability || "in_stock";
  const item = el("li", { class: "card", dataset: data },
    link,
    hit.brand ? el("p", { class: "meta brand" }, hit.brand) : null,
    hit.variant ? el("p", { class: "meta variant" }, hit.variant) : null,
    priceLine(hit),
    hit.price_min != null && hit.price_max != null && hit.price_min < hit.price_max
      ? el("p", { class: "meta price-range" },
        `${formatPrice(hit.price_min, hit.currency)} – ${formatPrice(hit.price_max, hit.currency)}`)
      : null,
    el("p", { class: `avail ${availability}` }, AVAILABILITY[availability] || availability),
    hit.variants > 1 ? el("p", { class: "meta variants" }, `${hit.variants} variants`) : null,
    onSimilar ? el("button", {
      type: "button", class: "similar", "aria-label": `Similar items to ${hit.title}`,
      onclick: () => onSimilar(hit, data),
    }, "Similar items") : null,
    debug ? scores(hit.debug) : null);
  return item;
}

// The price, and the price before a sale struck through while the product is on sale, with the sale's
// last day where the catalog gave its end.
export function priceLine(item) {
  const was = item.regular_price ?? item.attributes?.regular_price;
  const onSale = typeof was === "number" && typeof item.price === "number" && was > item.price;
  const ends = onSale ? (item.sale_ends ?? item.attributes?.sale_ends) : null;
  return el("p", { class: "price" }, formatPrice(item.price, item.currency),
    onSale ? el("s", { class: "was" }, formatPrice(was, item.currency)) : null,
    ends ? el("span", { class: "until" }, `until ${lastDay(ends)}`) : null);
}

// A sale's end (the first moment after it, ISO 8601 in UTC) as its last day. Dates the catalog gave
// without a zone are read in UTC, so the day is shown in UTC too: the shop's "December 24" stays the 24th
// wherever the shopper is.
function lastDay(ends) {
  const last = new Date(Date.parse(ends) - 1);
  return last.toLocaleDateString(undefined, { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" });
}

// "lo-hi", "lo+", "*-hi", "lo-*" -> {min, max}; bucket upper bounds are exclusive, filters inclusive,
// so the max is moved one cent down to keep a facet's count equal to what clicking it leaves.
export function priceRange(label) {
  const plus = /^([\d.]+)\+$/.exec(label);
  if (plus) return { min: Number(plus[1]), max: null };
  const range = /^([\d.]+|\*)-([\d.]+|\*)$/.exec(label);
  if (!range) return null;
  return {
    min: range[1] === "*" ? null : Number(range[1]),
    max: range[2] === "*" ? null : Math.round((Number(range[2]) - 0.01) * 100) / 100,
  };
}

export function facetButton(value, count, pressed, onclick, label = value) {
  return el("li", {}, el("button", {
    type: "button", "aria-pressed": pressed ? "true" : "false", dataset: { value }, onclick,
  }, el("span", { class: "value" }, label), el("span", { class: "count" }, String(count))));
}

// Page buttons around the current one: 1 … p-2 p-1 p p+1 p+2 … last.
export function pager(page, pages, go) {
  const nodes = [];
  if (pages <= 1) return nodes;
  const button = (label, target, extra = {}) => el("button", {
    type: "button", onclick: () => go(target), ...extra,
  }, label);
  nodes.push(button("Previous", page - 1, { disabled: page <= 1, "aria-label": "Previous page" }));
  const shown = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((p) => p >= 1 && p <= pages));
  let last = 0;
  for (const p of [...shown].sort((a, b) => a - b)) {
    if (p > last + 1) nodes.push(el("span", { "aria-hidden": "true" }, "…"));
    nodes.push(button(String(p), p, {
      "aria-label": `Page ${p}`, "aria-current": p === page ? "page" : null,
    }));
    last = p;
  }
  nodes.push(button("Next", page + 1, { disabled: page >= pages, "aria-label": "Next page" }));
  return nodes;
}
