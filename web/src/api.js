// The API client: the token lives in sessionStorage (this tab only) and goes in the
// Authorization header of every call. Errors carry the server's code, message and field.

const KEY = 'concord.token';

export class ApiError extends Error {
	constructor(status, code, message, field) {
		super(message);
		this.status = status;
		this.code = code;
		this.field = field;
	}
}

export function getToken() {
	return sessionStorage.getItem(KEY);
}

export function setToken(t) {
	if (t) sessionStorage.setItem(KEY, t);
	else sessionStorage.removeItem(KEY);
}

export function authHeaders(extra) {
	const h = Object.assign({}, extra || {});
	const t = getToken();
	if (t) h.Authorization = 'Bearer ' + t;
	return h;
}

// GET (or another method with a JSON body) of path; resolves to the parsed JSON answer.
export async function api(path, opts = {}) {
	const init = { method: opts.method || 'GET', headers: authHeaders({ Accept: 'application/json' }) };
	if (opts.body !== undefined) {
		init.body = JSON.stringify(opts.body);
		init.headers['Content-Type'] = 'application/json';
	}
	if (opts.headers) Object.assign(init.headers, opts.headers);
	const r = await fetch(path, init);
	let j = null;
	try {
		j = await r.json();
	} catch (e) {
		j = null;
	}
	if (!r.ok) {
		const e = (j && j.error) || {};
		throw new ApiError(r.status, e.code || 'HTTP' + r.status, e.message || r.statusText, e.field || null);
	}
	return j;
}

// Whether the server has a route (the OpenAPI document lists them): other parts of the
// dashboard appear only when the server offers them.
let routes = null;
export async function hasRoute(path) {
	if (!routes) {
		try {
			routes = (await api('/api/openapi.json')).paths || {};
		} catch (e) {
			routes = {};
		}
	}
	return Object.prototype.hasOwnProperty.call(routes, path);
}
