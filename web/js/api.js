/*
 * Fetch helper for the backend's REST API. Failed requests throw an
 * ApiError whose message comes from Backstage's error body:
 *   {"error": {"name", "message"}, "response": {"statusCode"}}
 */
export class ApiError extends Error {
  constructor(message, { status = 0, name = 'Error', body = null } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;   /* HTTP status, 0 when the backend was not reached */
    this.errorName = name;  /* Backstage's error.name, e.g. NotFoundError */
    this.body = body;
  }
}

async function readBody(res) {
  const type = res.headers.get('content-type') ?? '';
  if (res.status === 204 || res.status === 304)
    return null;
  if (type.includes('json'))
    return res.json().catch(() => null);
  return res.text();
}

function errorFrom(res, body) {
  const err = body && typeof body === 'object' ? body.error : null;
  const message = (err && err.message) || (body && body.message) ||
    `${res.status} ${res.statusText || 'request failed'}`.trim();
  return new ApiError(message, {
    status: (body && body.response && body.response.statusCode) || res.status,
    name: (err && err.name) || 'Error',
    body,
  });
}

/*
 * api(path, { method, body, headers, signal }) -> parsed JSON (or text).
 * A plain-object body is sent as JSON. An abort rethrows the AbortError.
 */
export async function api(path, { method = 'GET', body, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers }, signal };
  if (body !== undefined) {
    const raw = typeof body === 'string' || body instanceof FormData || body instanceof Blob;
    init.body = raw ? body : JSON.stringify(body);
    if (!raw)
      init.headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError')
      throw e;
    throw new ApiError('Cannot reach the backend', { status: 0, name: 'NetworkError' });
  }
  const data = await readBody(res);
  if (!res.ok)
    throw errorFrom(res, data);
  return data;
}
