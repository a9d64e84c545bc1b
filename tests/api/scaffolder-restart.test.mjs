// Scaffolder tasks across a crash (spec: scaffolder.md, sections 5.2-5.3):
// kill -9 the server while a task waits in debug:wait, start it again on
// the same data directory, and the task is failed with a completion event
// saying why (never left processing), and can be retried. With
// concurrentTasksLimit 1 a second task stays open, and cancelling an open
// task answers 200 {status: cancelled}; it never runs a step.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { UUID_RE, waitFor } from './lib/catalog.mjs';
import { JSON_TYPE, OWN_PROCESS, REPO_ROOT, removeDir, startServer, tempDir } from './lib/server.mjs';

const API_TEMPLATES = path.join(REPO_ROOT, 'tests', 'fixtures', 'scaffolder', 'api', 'templates.yaml');
const ACTION_LOG_RE = /^\u001b\[3\dm(?:info|debug|warn|error)\u001b\[39m: /;

// ---- helpers -------------------------------------------------------------------------

function client(baseUrl) {
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

const completionOf = (events) => {
	const c = events.filter((e) => e.type === 'completion');
	assert.equal(c.length, 1, `exactly one completion event: ${JSON.stringify(events)}`);
	return c[0];
};

describe('scaffolder tasks across a server crash', { skip: OWN_PROCESS }, () => {
	let dir;
	let srv;
	let api;
	let running;
	let queued;
	let beforeCrash;
	const config = () => JSON.stringify({
		catalog: { locations: [{ type: 'file', target: API_TEMPLATES }], processingInterval: 3600 },
		scaffolder: { concurrentTasksLimit: 1 },
	}, null, 2);

	before(async () => {
		dir = tempDir('stagehand-scaffolder-restart-');
		srv = await startServer({ config: config(), dataDir: dir });
		api = client(srv.url);
		await waitFor(async () => (await api.get('/templates/default/template/wait/parameter-schema')).status === 200,
			{ what: 'the templates to be in the catalog' });
		running = await api.create('template:default/wait', { seconds: 30 });
		beforeCrash = await api.until(running, (e) => e.body.stepId === 'wait' && ACTION_LOG_RE.test(e.body.message), 'the wait');
		queued = await api.create('template:default/wait', { seconds: 0 });
	});

	after(async () => {
		if (srv?.running)
			await srv.stopCleanly();
		if (dir)
			removeDir(dir);
	});

	it('with one worker busy a second task stays open; cancelling it answers 200 {status: cancelled}', async () => {
		assert.equal((await api.task(running)).status, 'processing');
		await new Promise((r) => setTimeout(r, 200));
		assert.equal((await api.task(queued)).status, 'open');
		const r = await api.post(`/tasks/${queued}/cancel`, {});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.headers.get('content-type'), JSON_TYPE);
		assert.deepEqual(r.json, { status: 'cancelled' });
	});

	it('after kill -9 and a restart on the same data dir the running task is failed, with a completion saying why', async () => {
		srv.kill('SIGKILL');
		await srv.exited;
		srv = await startServer({ config: config(), dataDir: dir });
		api = client(srv.url);
		const t = await api.task(running);
		assert.notEqual(t.status, 'processing', 'never left processing after the restart');
		const events = await api.finished(running, 5000);
		assert.deepEqual(events.slice(0, beforeCrash.length), beforeCrash, 'the events before the crash are kept');
		const done = completionOf(events);
		assert.equal(events.at(-1), done);
		assert.equal(done.body.message, 'Run completed with status: failed');
		assert.deepEqual(Object.keys(done.body.error).sort(), ['message', 'name']);
		assert.match(done.body.error.message, /restart|server (?:stopped|was stopped|shut ?down|crashed)/i);
		assert.equal((await api.task(running)).status, 'failed');
		assert.ok(!events.some((e) => e.body.message === 'Beginning step After'), 'the crashed task does not go on by itself');
	});

	it('the cancelled open task never runs a step and ends cancelled', async () => {
		const events = await api.finished(queued, 5000);
		assert.ok(!events.some((e) => /^Beginning step/.test(e.body.message)), JSON.stringify(events));
		const t = await waitFor(async () => {
			const x = await api.task(queued);
			return ['open', 'processing'].includes(x.status) ? null : x;
		}, { timeoutMs: 5000, what: 'the cancelled task to be final' });
		assert.equal(t.status, 'cancelled');
	});

	it('the crashed task can be retried: 201, it runs again from the interrupted step', async () => {
		const r = await api.post(`/tasks/${running}/retry`, {});
		assert.equal(r.status, 201, r.text);
		assert.deepEqual(r.json, { id: running });
		const events = await api.until(running, (e) => e.type === 'recovered', 'the recovered event');
		const rec = events.find((e) => e.type === 'recovered');
		assert.ok(!events.some((e) => e.type === 'completion'), 'the old completion is gone');
		const again = await api.until(running, (e) => e.id > rec.id && e.body.message === 'Beginning step Wait', 'the wait to begin again');
		assert.equal((await api.task(running)).status, 'processing');
		const fresh = again.filter((e) => e.id > rec.id);
		assert.ok(!fresh.some((e) => e.body.message === 'Beginning step First'), 'the completed first step is not run again');
		const busy = await api.post(`/tasks/${running}/retry`, {});
		assert.equal(busy.status, 409, `retrying a processing task: ${busy.text}`);
		assert.equal(busy.json.error.name, 'ConflictError');
		const c = await api.post(`/tasks/${running}/cancel`, {});
		assert.equal(c.status, 200);
		const all = await api.finished(running, 5000);
		assert.ok(!all.some((e) => e.body.message === 'Beginning step After'));
	});
});
