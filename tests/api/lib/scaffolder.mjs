// A small client for the scaffolder's REST API, shared by the scaffolder's
// API tests: calls return {status, headers, text, json, res}; helpers assert
// the common answers.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { UUID_RE, waitFor } from './catalog.mjs';
import { JSON_TYPE } from './server.mjs';

export function client(baseUrl) {
	const root = `${baseUrl}/api/scaffolder/v2`;
	async function call(method, p, body, headers = {}) {
		const init = { method, headers: { ...headers } };
		if (body !== undefined) {
			init.body = typeof body === 'string' ? body : JSON.stringify(body);
			if (!('content-type' in init.headers))
				init.headers['content-type'] = 'application/json';
		}
		const res = await fetch(root + p, init);
		const text = await res.text();
		let json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		return { status: res.status, headers: res.headers, text, json, res };
	}
	const api = {
		root,
		call,
		get: (p) => call('GET', p),
		post: (p, body) => call('POST', p, body),
		/** GET answering 200 JSON. */
		async json(p) {
			const r = await call('GET', p);
			assert.equal(r.status, 200, `GET ${p}: ${r.status} ${r.text}`);
			assert.equal(r.headers.get('content-type'), JSON_TYPE, `content type of GET ${p}`);
			return r.json;
		},
		/** POST /tasks that must answer 201 {id}; resolves with the id. */
		async create(templateRef, values = {}, secrets) {
			const body = { templateRef, values };
			if (secrets)
				body.secrets = secrets;
			const r = await call('POST', '/tasks', body);
			assert.equal(r.status, 201, `POST /tasks ${templateRef}: ${r.status} ${r.text}`);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			assert.deepEqual(Object.keys(r.json), ['id']);
			assert.match(r.json.id, UUID_RE);
			return r.json.id;
		},
		task: (id) => api.json(`/tasks/${id}`),
		events: (id, afterId) => api.json(`/tasks/${id}/events${afterId === undefined ? '' : `?after=${afterId}`}`),
		/** All events of a task once its completion event exists (long polls). */
		async finished(id, timeoutMs = 15000) {
			const deadline = performance.now() + timeoutMs;
			let all = await api.events(id);
			while (!all.some((e) => e.type === 'completion')) {
				assert.ok(performance.now() < deadline, `task ${id} did not complete in ${timeoutMs}ms: ${JSON.stringify(all)}`);
				const last = all.length ? all[all.length - 1].id : undefined;
				const more = await api.events(id, last);
				const seen = new Set(all.map((e) => e.id));
				all = all.concat(more.filter((e) => !seen.has(e.id)));
			}
			return all;
		},
		/** Wait until an event matching pred exists; resolves with all events. */
		async until(id, pred, what = 'an event') {
			return waitFor(async () => {
				const ev = await api.events(id);
				return ev.some(pred) ? ev : null;
			}, { timeoutMs: 10000, intervalMs: 30, what: `${what} of task ${id}` });
		},
	};
	return api;
}

/** The events of one step. */
export const stepEvents = (events, stepId) => events.filter((e) => e.body.stepId === stepId);

/** The one completion event of a run. */
export const completionOf = (events) => {
	const c = events.filter((e) => e.type === 'completion');
	assert.equal(c.length, 1, `exactly one completion event: ${JSON.stringify(events)}`);
	return c[0];
};

/** { relative path: content } of every file of a directory tree but .git. */
export function treeOf(dir) {
	const out = {};
	const walk = (d, rel) => {
		for (const name of readdirSync(d).sort()) {
			if (name === '.git')
				continue;
			const full = path.join(d, name);
			const r = rel ? `${rel}/${name}` : name;
			if (statSync(full).isDirectory())
				walk(full, r);
			else
				out[r] = readFileSync(full, 'utf8');
		}
	};
	walk(dir, '');
	return out;
}
