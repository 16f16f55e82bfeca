// The search box's suggestions: an ARIA combobox over this browser's recent queries (localStorage)
// and popular queries from GET /v1/suggest. Arrow keys move, Enter picks, Escape closes.

import { api } from "./api.js";
import { el } from "./render.js";

const RECENT_KEY = "aisle.recent_queries";
const MAX_RECENT = 8;
const DEBOUNCE_MS = 120;

export function recentQueries() {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) || "[]").filter((q) => typeof q === "string");
  } catch (err) {
    return [];
  }
}

export function rememberQuery(query) {
  const text = query.trim();
  if (!text) return;
  const kept = recentQueries().filter((q) => q.toLowerCase() !== text.toLowerCase());
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify([text, ...kept].slice(0, MAX_RECENT)));
  } catch (err) { /* storage full or disabled: nothing to remember */ }
}

export function attachSuggestions(input, list, onChoose) {
  let items = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  const close = () => {
    clearTimeout(timer);
    asked += 1; // answers still on their way are stale now
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const highlight = (index) => {
    active = index;
    list.querySelectorAll("[role=option]").forEach((option, i) => {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", `suggestion-${index}`);
    else input.removeAttribute("aria-activedescendant");
  };

  const show = (found) => {
    items = found;
    list.replaceChildren(...found.map((item, i) => el("li", {
      id: `suggestion-${i}`, role: "option", "aria-selected": "false", dataset: { query: item.query },
      onmousedown: (event) => { event.preventDefault(); choose(i); },
    }, el("span", {}, item.query), el("span", { class: "kind" }, item.kind))));
    if (!found.length) return close();
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  };

  const choose = (index) => {
    const item = items[index];
    close();
    if (item) {
      input.value = item.query;
      onChoose(item.query);
    }
  };

  const refresh = async () => {
    const prefix = input.value.trim();
    const ticket = ++asked;
    const lower = prefix.toLowerCase();
    const recent = recentQueries().filter((q) => q.toLowerCase().startsWith(lower)).slice(0, 3)
      .map((query) => ({ query, kind: "recent" }));
    let popular = [];
    try {
      const data = await api(`/v1/suggest?prefix=${encodeURIComponent(prefix)}&size=8`);
      popular = data.suggestions.map((s) => ({ query: s.query, kind: "popular" }));
    } catch (err) { /* suggestions are optional */ }
    if (ticket !== asked || document.activeElement !== input) return;
    const seen = new Set(recent.map((r) => r.query.toLowerCase()));
    show([...recent, ...popular.filter((p) => !seen.has(p.query.toLowerCase()))].slice(0, 8));
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  });
  input.addEventListener("focus", () => { if (!input.value) refresh(); });
  input.addEventListener("blur", () => setTimeout(close, 100));
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) { refresh(); return; }
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      let next = active + step; // -1 is "back in the box"
      if (next >= items.length) next = -1;
      if (next < -1) next = items.length - 1;
      highlight(next);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  return { close };
}
