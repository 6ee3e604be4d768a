// The public /v1 API with the reader's key, and its error envelope as ApiError.
const KEY_NAME = "novel-engine-api-key";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function storedKey() {
  return sessionStorage.getItem(KEY_NAME) || localStorage.getItem(KEY_NAME) || "";
}

export function keyRemembered() {
  return Boolean(localStorage.getItem(KEY_NAME));
}

export function storeKey(key, remember) {
  sessionStorage.setItem(KEY_NAME, key);
  if (remember) localStorage.setItem(KEY_NAME, key);
  else localStorage.removeItem(KEY_NAME);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_NAME);
  localStorage.removeItem(KEY_NAME);
}

export function authHeaders(accept = "application/json") {
  return { Authorization: `Bearer ${storedKey()}`, Accept: accept };
}

// One line naming the problem, from {"error": {"code", "message"}} or the status.
export async function errorOf(response) {
  let code = "error";
  let message = response.statusText || `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.error === "object" && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // Not JSON: keep the status text.
  }
  return new ApiError(response.status, code, message);
}

export async function api(path, { method = "GET", body, accept = "application/json" } = {}) {
  const headers = authHeaders(accept);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return null;
  return accept === "application/json" ? response.json() : response.text();
}

// Every item of a paged list.
export async function allPages(path) {
  const items = [];
  let token = "";
  do {
    const query = new URLSearchParams({ page_size: "100", page_token: token });
    const page = await api(`${path}?${query}`);
    items.push(...page.items);
    token = page.next_page_token || "";
  } while (token);
  return items;
}
