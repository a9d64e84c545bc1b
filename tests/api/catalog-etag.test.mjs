// Conditional reads of url locations: the catalog sends If-None-Match with
// the ETag a target came with, a 304 costs no body, and a round that still
// has to run (another target changed) reads the 304'd target in full.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';

import { startCatalogServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

function component(name) {
	return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: production
  owner: team-a
`;
}

/** Files with strong ETags (the hash of their content); counts 200s and 304s. */
async function etagServer(files) {
	const content = new Map(Object.entries(files));
	const stats = { full: new Map(), notModified: new Map(), conditional: new Map() };
	const bump = (m, p) => m.set(p, (m.get(p) ?? 0) + 1);
	const server = http.createServer((req, res) => {
		const p = new URL(req.url, 'http://x').pathname;
		if (!content.has(p)) {
			res.writeHead(404).end();
			return;
		}
		const body = content.get(p);
		const etag = `"${createHash('sha1').update(body).digest('hex')}"`;
		if (req.headers['if-none-match'])
			bump(stats.conditional, p);
		if (req.headers['if-none-match'] === etag) {
			bump(stats.notModified, p);
			res.writeHead(304, { etag }).end();
			return;
		}
		bump(stats.full, p);
		res.writeHead(200, { 'content-type': 'text/yaml', etag }).end(body);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const host = `127.0.0.1:${server.address().port}`;
	return {
		host,
		url: (p) => `http://${host}${p}`,
		set: (p, text) => content.set(p, text),
		count: (kind, p) => stats[kind].get(p) ?? 0,
		close: () => new Promise((resolve) => {
			server.closeAllConnections?.();
			server.close(() => resolve());
		}),
	};
}

describe('conditional reads of url locations', { skip: OWN_PROCESS }, () => {
	let files, srv;

	before(async () => {
		files = await etagServer({
			'/all.yaml': `apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: etag-all
spec:
  targets: [./a.yaml, ./b.yaml]
`,
			'/a.yaml': component('etag-a'),
			'/b.yaml': component('etag-b'),
		});
		srv = await startCatalogServer({
			locations: [{ type: 'url', target: files.url('/all.yaml') }],
			allow: [{ host: files.host }],
		});
	});

	after(async () => {
		await srv?.stopCleanly();
		await files?.close();
	});

	const byName = (name) => fetch(`${srv.url}/api/catalog/entities/by-name/component/default/${name}`);
	const refresh = (ref) => fetch(`${srv.url}/api/catalog/refresh`, {
		method: 'POST', headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ entityRef: ref }),
	});

	it('reads every target in full the first time', async () => {
		await waitFor(async () => (await byName('etag-a')).ok && (await byName('etag-b')).ok,
			{ what: 'both components' });
		assert.equal(files.count('full', '/a.yaml'), 1);
		assert.equal(files.count('conditional', '/a.yaml'), 0);
	});

	it('asks again with If-None-Match and gets 304s when nothing changed', async () => {
		assert.equal((await refresh('location:default/etag-all')).status, 200);
		await waitFor(() => files.count('notModified', '/a.yaml') >= 1 && files.count('notModified', '/b.yaml') >= 1,
			{ what: '304 for both targets' });
		assert.equal(files.count('full', '/a.yaml'), 1, 'no second full read of an unchanged target');
		assert.ok((await byName('etag-a')).ok);
		assert.ok((await byName('etag-b')).ok);
	});

	it('reads a 304 target in full when another target changed, and applies both', async () => {
		files.set('/b.yaml', component('etag-b2'));
		const fullA = files.count('full', '/a.yaml');
		assert.equal((await refresh('location:default/etag-all')).status, 200);
		await waitFor(async () => (await byName('etag-b2')).ok, { what: 'the changed target applied' });
		await waitFor(async () => (await byName('etag-b')).status === 404, { what: 'the old entity gone' });
		assert.ok((await byName('etag-a')).ok, 'the unchanged target is still there');
		assert.equal(files.count('full', '/a.yaml'), fullA + 1, 'the 304 target was read in full for the round');
	});
});
