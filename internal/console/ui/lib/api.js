// api talks to the public /api/v1 as any client of the contract: the browser sends the HttpOnly
// session cookie by itself, and every write repeats the session's CSRF token, which lives only in
// this module's memory (read again from GET /me after a reload), never in page storage.
let csrf = '';
let onSignedOut = () => {};

export function setCSRF(token) { csrf = token || ''; }
export function whenSignedOut(fn) { onSignedOut = fn; }

// ApiError is a problem+json answer (or a network failure, status 0).
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || String(status));
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  get type() { return (this.problem.type || '').replace('urn:tcd:problem:', ''); }
  get errors() { return this.problem.errors || []; }
}

// request sends one call. opts.text answers the body as text (format=text, CSV); opts.headers adds
// headers. A 401 on anything but sign-in means the session ended: the console shows the sign-in.
export async function request(method, path, body, opts = {}) {
  const headers = {Accept: opts.text ? 'text/plain, application/problem+json' : 'application/json, application/problem+json', ...(opts.headers || {})};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let r;
  try {
    r = await fetch('/api/v1' + path, {method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    throw new ApiError(0, {title: 'network', detail: String(e)});
  }
  if (r.status === 204) return null;
  if (!r.ok) {
    let problem = {};
    try { problem = await r.json(); } catch { problem = {title: r.statusText}; }
    if (r.status === 401 && path !== '/auth/login') onSignedOut();
    throw new ApiError(r.status, problem, r.headers.get('Retry-After'));
  }
  if (opts.text) return r.text();
  const data = await r.json();
  if (opts.withHeaders) return {data, headers: r.headers};
  return data;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body === undefined ? {} : body, opts);
export const patch = (path, body, opts) => request('PATCH', path, body, opts);

// query makes ?a=1&b=2 from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}
