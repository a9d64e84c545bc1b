// Helpers for the catalog API tests: a server configured with catalog
// locations, a tiny HTTP server for `url` locations, polling, and small
// readers for the example YAML files.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { JSON_TYPE, startServer } from './server.mjs';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/catalog/', import.meta.url));
/** Backstage's own example catalogs (see its README.md). */
export const EXAMPLES = path.join(FIXTURES, 'backstage');

export function fixturePath(name) {
	return path.join(FIXTURES, name);
}

export function readFixture(name) {
	return readFileSync(fixturePath(name), 'utf8');
}

/**
 * Poll fn until it returns a truthy value (errors count as "not yet") and
 * resolve with that value; fail after timeoutMs with the last error.
 */
export async function waitFor(fn, { timeoutMs = 10000, intervalMs = 50, what = 'condition' } = {}) {
	const deadline = performance.now() + timeoutMs;
	let last;
	for (;;) {
		try {
			const v = await fn();
			if (v)
				return v;
			last = null;
		} catch (e) {
			last = e;
		}
		if (performance.now() > deadline)
			assert.fail(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${last.stack ?? last}` : ''}`);
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

/**
 * Start stagehand with a catalog configuration. The configuration is
 * written as JSON (a subset of YAML), so paths need no quoting.
 *   locations  catalog.locations (default [])
 *   rules      catalog.rules (default: not set, so the built-in default)
 *   allow      backend.reading.allow
 *   interval   catalog.processingInterval in seconds (default 3600: tests refresh explicitly)
 */
export function startCatalogServer({ locations = [], rules, allow, interval = 3600, extra = {} } = {}) {
	const catalog = { locations, processingInterval: interval, ...(extra.catalog ?? {}) };
	if (rules)
		catalog.rules = rules;
	const config = { catalog };
	if (allow)
		config.backend = { reading: { allow } };
	for (const [k, v] of Object.entries(extra))
		if (k !== 'catalog')
			config[k] = v;
	return startServer({ config: JSON.stringify(config, null, 2) });
}

/**
 * A server for `url` locations on 127.0.0.1: files live in a Map and can be
 * changed while the test runs. Unknown paths answer 404.
 */
export async function startFileServer(files = {}) {
	const content = new Map(Object.entries(files));
	const hits = new Map();
	const gates = new Map();
	const server = http.createServer(async (req, res) => {
		const p = new URL(req.url, 'http://x').pathname;
		hits.set(p, (hits.get(p) ?? 0) + 1);
		const gate = gates.get(p);
		if (gate) {
			gates.delete(p);
			gate.arrive();
			await gate.opened;
			res.on('finish', gate.sent);
		}
		if (!content.has(p)) {
			res.writeHead(404, { 'content-type': 'text/plain' });
			res.end('not found');
			return;
		}
		const body = Buffer.from(content.get(p));
		res.writeHead(200, { 'content-type': 'text/yaml', 'content-length': body.length });
		res.end(body);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	const host = `127.0.0.1:${port}`;
	return {
		host,
		port,
		base: `http://${host}`,
		url: (p) => `http://${host}${p}`,
		set: (p, text) => content.set(p, text),
		remove: (p) => content.delete(p),
		hits: (p) => hits.get(p) ?? 0,
		/**
		 * Hold the next request for p until open() is called:
		 * { arrived, open(), sent } — arrived resolves when the request comes
		 * in, sent when the held response has been written.
		 */
		hold(p) {
			const g = {};
			g.arrived = new Promise((r) => { g.arrive = r; });
			g.opened = new Promise((r) => { g.open = r; });
			const sent = new Promise((r) => { g.sent = r; });
			gates.set(p, g);
			return { arrived: g.arrived, open: g.open, sent };
		},
		close: () => new Promise((resolve) => {
			server.closeAllConnections?.();
			server.close(() => resolve());
		}),
	};
}

/** A small JSON client for /api/catalog. */
export function catalogApi(baseUrl) {
	const root = `${baseUrl}/api/catalog`;
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
		return { status: res.status, headers: res.headers, text, json };
	}
	return {
		root,
		call,
		get: (p, headers) => call('GET', p, undefined, headers),
		post: (p, body, headers) => call('POST', p, body, headers),
		del: (p) => call('DELETE', p),
		/** GET that must answer 200 with JSON; resolves with the body. */
		async json(p) {
			const r = await call('GET', p);
			assert.equal(r.status, 200, `GET ${p}: ${r.status} ${r.text}`);
			assert.equal(r.headers.get('content-type'), JSON_TYPE, `content type of GET ${p}`);
			return r.json;
		},
		/** The entity with this ref, or null. */
		async entity(ref) {
			const { kind, namespace, name } = parseRef(ref);
			const r = await call('GET', `/entities/by-name/${enc(kind)}/${enc(namespace)}/${enc(name)}`);
			if (r.status === 404)
				return null;
			assert.equal(r.status, 200, `GET ${ref}: ${r.status} ${r.text}`);
			return r.json;
		},
		/** All entities matching filter (query-string form), as an array. */
		async list(filter) {
			const q = filter ? `?filter=${enc(filter)}` : '';
			return this.json(`/entities${q}`);
		},
		async errors() {
			return (await this.json('/errors')).items;
		},
		async refresh(entityRef) {
			const r = await call('POST', '/refresh', { entityRef });
			assert.equal(r.status, 200, `refresh ${entityRef}: ${r.status} ${r.text}`);
		},
		async addLocation(target, query = '') {
			const r = await call('POST', `/locations${query}`, { type: 'url', target });
			assert.equal(r.status, 201, `POST /locations ${target}: ${r.status} ${r.text}`);
			return r.json;
		},
	};
}

export function enc(s) {
	return encodeURIComponent(s);
}

/** Parse a full ref "kind:namespace/name" (as produced by the server). */
export function parseRef(ref) {
	const m = /^([^:/]+):(?:([^/]+)\/)?(.+)$/.exec(ref);
	assert.ok(m, `not an entity ref: ${ref}`);
	return { kind: m[1], namespace: m[2] ?? 'default', name: m[3] };
}

/** The canonical (lower-case) ref of an entity. */
export function refOf(entity) {
	return `${entity.kind}:${entity.metadata.namespace ?? 'default'}/${entity.metadata.name}`.toLowerCase();
}

export function sha1(text) {
	return createHash('sha1').update(text).digest('hex');
}

/** The name of the Location entity the server makes for type:target. */
export function generatedLocationRef(type, target) {
	return `location:default/generated-${sha1(`${type}:${target}`)}`;
}

/** Relations of an entity as "type targetRef" strings. */
export function relationStrings(entity) {
	return (entity.relations ?? []).map((r) => `${r.type} ${r.targetRef}`);
}

/** Assert relations are de-duplicated and sorted by type, then targetRef. */
export function assertRelationsSorted(entity) {
	const rels = entity.relations ?? [];
	for (let i = 1; i < rels.length; i++) {
		const a = rels[i - 1];
		const b = rels[i];
		const ordered = a.type < b.type || (a.type === b.type && a.targetRef < b.targetRef);
		assert.ok(ordered, `${refOf(entity)}: relations not sorted and unique at ${i}: ${JSON.stringify(a)} then ${JSON.stringify(b)}`);
	}
	for (const r of rels) {
		assert.deepEqual(Object.keys(r).sort(), ['targetRef', 'type'], `${refOf(entity)}: relation keys`);
		assert.match(r.type, /^\w+$/);
		assert.equal(r.targetRef, r.targetRef.toLowerCase(), 'targetRef is lower-case');
		assert.match(r.targetRef, /^[^:/]+:[^/]+\/.+$/, 'targetRef is a full ref');
	}
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Base64 JSON of a cursor. */
export function decodeCursor(cursor) {
	return JSON.parse(Buffer.from(cursor, 'base64').toString('utf8'));
}

// ---- reading the example YAML without a YAML library ---------------------------------
//
// The example files are simple: documents separated by `---`, top-level
// `kind:`, a `metadata:` block with `name:`/`namespace:` at two spaces, and
// Location targets listed as `- ./file.yaml` under `targets:` (or one
// `target:`). This reader handles exactly that, so the expected catalog is
// derived from the files themselves rather than from the server.

function documents(text) {
	return text.split(/^---[ \t]*$/m).filter((d) => /^kind:/m.test(d));
}

function metadataField(doc, field) {
	const lines = doc.split('\n');
	let inMeta = false;
	for (const line of lines) {
		if (/^metadata:\s*$/.test(line)) {
			inMeta = true;
			continue;
		}
		if (inMeta && /^\S/.test(line))
			break;
		const m = inMeta && new RegExp(`^  ${field}:\\s*(.+?)\\s*$`).exec(line);
		if (m)
			return m[1].replace(/^['"]|['"]$/g, '');
	}
	return null;
}

function locationTargets(doc) {
	const out = [];
	const single = /^  target:\s*(\S+)/m.exec(doc);
	if (single)
		out.push(single[1]);
	const block = /^  targets:\s*\n((?:    - .*\n?)+)/m.exec(doc);
	if (block)
		for (const m of block[1].matchAll(/^    - (\S+)/gm))
			out.push(m[1]);
	return out;
}

/**
 * Every entity document reachable from the given files, following Location
 * targets relative to the file that names them:
 * [{ kind, namespace, name, ref, file, line, text }].
 */
export function readEntityFiles(files) {
	const out = [];
	const seen = new Set();
	const visit = (file) => {
		if (seen.has(file))
			return;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		for (const doc of documents(text)) {
			const kind = /^kind:\s*(\S+)/m.exec(doc)[1];
			const name = metadataField(doc, 'name');
			const namespace = metadataField(doc, 'namespace') ?? 'default';
			out.push({ kind, namespace, name, ref: `${kind}:${namespace}/${name}`.toLowerCase(), file, text: doc });
			if (kind === 'Location')
				for (const t of locationTargets(doc))
					visit(path.resolve(path.dirname(file), t));
		}
	};
	for (const f of files)
		visit(f);
	return out;
}

/** { kind: count } of a list of entities. */
export function countByKind(entities) {
	const counts = {};
	for (const e of entities)
		counts[e.kind] = (counts[e.kind] ?? 0) + 1;
	return counts;
}
