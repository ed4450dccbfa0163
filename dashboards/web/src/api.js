// Fetch helpers shared by the views. Every answer is read with its federation partial marker
// (X-Meridian-Partial: "us-east (timeout), ap-south (cannot connect)"), never dropped.

// A failed request: `message` is the server's own error text when it sent one.
export class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// The error text of a non-2xx answer: {"error": "..."} JSON, else the body's first line.
async function errorText(res) {
  const body = await res.text();
  try {
    const j = JSON.parse(body);
    if (j && typeof j.error === 'string') return j.error;
  } catch (e) { /* not JSON: the text itself */ }
  const text = body.trim().split('\n')[0] || res.statusText;
  return `${res.status}: ${text.slice(0, 300)}`;
}

// GET `url` as JSON → {data, partial} (partial = the header's text or ""). Throws HttpError.
export async function getJSON(url, {signal} = {}) {
  let res;
  try {
    res = await fetch(url, {signal, headers: {Accept: 'application/json'}});
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new HttpError(0, `cannot reach Meridian (${e.message})`);
  }
  if (!res.ok) {
    const msg = res.status === 401 ? '401: log in (reload the page)' : await errorText(res);
    throw new HttpError(res.status, msg);
  }
  const partial = res.headers.get('X-Meridian-Partial') || '';
  const text = await res.text();
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new HttpError(res.status, `bad JSON from ${url.split('?')[0]}`);
  }
  return {data, partial};
}

// A query string from [key, value] pairs (repeated keys kept in order).
export function query(pairs) {
  const p = new URLSearchParams();
  for (const [k, v] of pairs) if (v !== undefined && v !== null) p.append(k, v);
  return p.toString();
}

// The page's ready hooks (the browser tests' contract): body.dataset.ready = "1" once the view
// has drawn; dataset.refreshes counts the complete redraws after the first; a performance mark
// at the first ready.
let firstReady = true;
export function markReady() {
  const b = document.body.dataset;
  if (firstReady) {
    firstReady = false;
    b.refreshes = '0';
    performance.mark('meridian-ready');
  } else {
    b.refreshes = String(Number(b.refreshes || '0') + 1);
  }
  b.ready = '1';
}
export function markLoading() {
  document.body.dataset.ready = '0';
}
