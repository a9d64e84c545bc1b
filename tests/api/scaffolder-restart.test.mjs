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
import { client, completionOf } from './lib/scaffolder.mjs';

const API_TEMPLATES = path.join(REPO_ROOT, 'tests', 'fixtures', 'scaffolder', 'api', 'templates.yaml');
const ACTION_LOG_RE = /^\u001b\[3\dm(?:info|debug|warn|error)\u001b\[39m: /;

// ---- helpers -------------------------------------------------------------------------


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
