// Reports what the shopper saw and did to POST /v1/events, tied to the list it happened in.
//
// Every event names the `search_id` of the served list and the 1-based position the product had in it
// (pages included), which is what the ranking-update job joins on. Impressions are reported once per
// (list, product) when at least half the card has been on screen, batched; clicks and add-to-carts are
// sent at once with `keepalive` so they survive the page navigating away. Each event carries a random
// `event_id`, so a retried request is stored once.

import { api, randomId, shopper } from "./api.js";

const FLUSH_MS = 1000;

export class Tracker {
  constructor() {
    this.queue = [];
    this.seen = new Set();
    this.timer = null;
    this.observer = "IntersectionObserver" in window
      ? new IntersectionObserver((entries) => this.onVisible(entries), { threshold: 0.5 })
      : null;
    window.addEventListener("pagehide", () => this.flush(true));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flush(true);
    });
  }

  event(type, { searchId, productId, position }) {
    return {
      type, product_id: productId, search_id: searchId, position, event_id: randomId(),
      user_id: shopper.userId, session_id: shopper.sessionId, timestamp: Date.now() / 1000,
    };
  }

  // Watch a rendered card; its dataset carries searchId, productId and position.
  watch(element) {
    if (this.observer) this.observer.observe(element);
    else this.impression(element.dataset);
  }

  onVisible(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      this.observer.unobserve(entry.target);
      this.impression(entry.target.dataset);
    }
  }

  impression(data) {
    const key = `${data.searchId}|${data.productId}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.queue.push(this.event("impression", { ...data, position: Number(data.position) }));
    if (!this.timer) this.timer = setTimeout(() => this.flush(false), FLUSH_MS);
  }

  flush(leaving) {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.queue.length) return Promise.resolve();
    const batch = this.queue.splice(0, this.queue.length);
    return api("/v1/events", { method: "POST", body: batch, keepalive: leaving }).catch((err) => {
      console.warn("impressions not recorded:", err.message);
    });
  }

  // A click or add-to-cart: the impression first (a click implies the card was seen), then the action.
  action(type, data) {
    this.impression(data);
    const body = [...this.queue.splice(0, this.queue.length), this.event(type, { ...data, position: Number(data.position) })];
    clearTimeout(this.timer);
    this.timer = null;
    return api("/v1/events", { method: "POST", body, keepalive: true }).catch((err) => {
      console.warn(`${type} not recorded:`, err.message);
    });
  }
}
