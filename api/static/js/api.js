// The public API, as the pages call it: JSON in, JSON out, errors as ApiError with the server's message.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, { method = "GET", body, key, keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (key) headers.Authorization = `Bearer ${key}`;
  let response;
  try {
    response = await fetch(path, {
      method, headers, keepalive, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = data && data.error ? data.error : { code: "error", message: response.statusText };
    throw new ApiError(response.status, error.code, error.message || `HTTP ${response.status}`);
  }
  return data;
}

// Random ids work on plain http too (crypto.randomUUID needs a secure context).
export function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function stored(storage, name) {
  try {
    let value = storage.getItem(name);
    if (!value) {
      value = randomId();
      storage.setItem(name, value);
    }
    return value;
  } catch (err) {
    return randomId(); // storage disabled: an id for this page view only
  }
}

// The shopper: a random id kept in localStorage (user) and one per tab (session).
export const shopper = {
  userId: stored(window.localStorage, "aisle.user_id"),
  sessionId: stored(window.sessionStorage, "aisle.session_id"),
};

export function imageUrl(hit) {
  if (!hit.image) return null;
  if (/^https?:\/\//i.test(hit.image)) return hit.image;
  return `/v1/products/${encodeURIComponent(hit.id)}/image`;
}

export function formatPrice(price, currency) {
  if (price === null || price === undefined) return "Price on request";
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "USD" }).format(price);
  } catch (err) {
    return `${price.toFixed(2)} ${currency || ""}`.trim();
  }
}

export const AVAILABILITY = {
  in_stock: "In stock", preorder: "Pre-order", backorder: "Back-order", out_of_stock: "Out of stock",
  discontinued: "Discontinued",
};
