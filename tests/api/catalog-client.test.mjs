// The real @backstage/catalog-client against stagehand: every method of
// CatalogClient, with the request shapes the client actually sends (query
// encoding, GET vs POST routing of cursors, chunked by-refs, Location
// wrapping) and assertions on what comes back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CATALOG_FILTER_EXISTS, CatalogClient } from '@backstage/catalog-client';

import {
	UUID_RE, catalogApi, decodeCursor, generatedLocationRef, readFixture, refOf, startCatalogServer, startFileServer,
	waitFor,
} from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

const ALL_KINDS = ['Component', 'API', 'Resource', 'System', 'Domain', 'Group', 'User', 'Location', 'Template'];
const COMPONENTS = [
	'component:default/alpha-service', 'component:default/beta-service', 'component:default/delta-lib',
	'component:default/epsilon-tool', 'component:default/eta-website', 'component:default/gamma-website',
	'component:default/theta-cli', 'component:default/zeta-worker', 'component:other/alpha-service',
];
const BY_NAME = ['alpha-service', 'alpha-service', 'beta-service', 'delta-lib', 'Epsilon-Tool', 'eta-website',
	'gamma-website', 'theta-cli', 'zeta-worker'];

const refs = (entities) => entities.map((e) => (e ? refOf(e) : e));
const names = (entities) => entities.map((e) => e.metadata.name);

function clientFor(url) {
	return new CatalogClient({
		discoveryApi: { getBaseUrl: async () => `${url}/api/catalog` },
		fetchApi: { fetch },
	});
}

/** Await a rejected client call and check the ResponseError it throws. */
async function rejectsWith(promise, status, name) {
	await assert.rejects(promise, (err) => {
		assert.equal(err.name, 'ResponseError', String(err));
		assert.equal(err.statusCode, status);
		assert.equal(err.body?.error?.name, name, JSON.stringify(err.body));
		return true;
	});
}

describe('@backstage/catalog-client against stagehand', { skip: OWN_PROCESS }, () => {
	let files;
	let srv;
	let api;
	let client;
	let dataUrl;

	before(async () => {
		files = await startFileServer({
			'/catalog.yaml': readFixture('catalog.yaml'),
			'/extra.yaml': readFixture('extra.yaml'),
			'/nested/extra-nested.yaml': readFixture('extra-nested.yaml'),
			'/changing.yaml': readFixture('changing-v1.yaml'),
		});
		dataUrl = files.url('/catalog.yaml');
		srv = await startCatalogServer({
			locations: [{ type: 'url', target: dataUrl }],
			rules: [{ allow: ALL_KINDS }],
			allow: [{ host: files.host }],
		});
		api = catalogApi(srv.url);
		client = clientFor(srv.url);
		await waitFor(async () => (await api.list()).length === 15, { what: 'catalog.yaml to be ingested' });
	});

	after(async () => {
		await files?.close();
		await srv?.stopCleanly();
	});

	describe('getEntities', () => {
		it('everything, as {items}', async () => {
			const { items } = await client.getEntities();
			assert.equal(items.length, 15);
			for (const e of items)
				assert.match(e.metadata.uid, UUID_RE);
		});

		it('filter: keys AND-ed, array values OR-ed, filter sets OR-ed, CATALOG_FILTER_EXISTS', async () => {
			let r = await client.getEntities({ filter: { kind: 'Component', 'spec.type': ['service', 'website'] } });
			assert.deepEqual(refs(r.items).sort(), [
				'component:default/alpha-service', 'component:default/beta-service', 'component:default/epsilon-tool',
				'component:default/eta-website', 'component:default/gamma-website', 'component:default/zeta-worker',
				'component:other/alpha-service',
			]);
			r = await client.getEntities({ filter: [{ kind: 'API' }, { kind: 'system', 'metadata.name': 'shop' }] });
			assert.deepEqual(refs(r.items).sort(), ['api:default/alpha-api', 'system:default/shop']);
			r = await client.getEntities({ filter: { kind: 'component', 'metadata.title': CATALOG_FILTER_EXISTS } });
			assert.equal(r.items.length, 5);
			r = await client.getEntities({ filter: { 'relations.ownedBy': 'group:default/team-blue', 'metadata.tags': 'go' } });
			assert.deepEqual(refs(r.items), ['component:default/beta-service']);
		});

		it('fields and order', async () => {
			const r = await client.getEntities({
				filter: { kind: 'component' }, fields: ['kind', 'metadata.name'], order: [{ field: 'metadata.name', order: 'desc' }],
			});
			assert.deepEqual(r.items.map((e) => e.metadata.name), [...BY_NAME].reverse());
			for (const e of r.items)
				assert.deepEqual(Object.keys(e).sort(), ['kind', 'metadata']);
			const asc = await client.getEntities({ filter: { kind: 'component' }, order: { field: 'metadata.title', order: 'asc' } });
			assert.deepEqual(asc.items.map((e) => e.metadata.title), ['Alpha Service', 'Beta Service', 'Eta Website', 'Gamma Website', 'Other Alpha']);
		});

		it('limit, offset and after', async () => {
			const r = await client.getEntities({ filter: { kind: 'component' }, limit: 3, offset: 2 });
			assert.deepEqual(refs(r.items), COMPONENTS.slice(2, 5));
			// The client exposes no Link header: take `after` from the raw response.
			const raw = await fetch(`${api.root}/entities?filter=kind%3Dcomponent&limit=3`);
			const link = raw.headers.get('link');
			const after = new URLSearchParams(/<[^?]*\?([^>]*)>/.exec(link)[1]).get('after');
			const next = await client.getEntities({ filter: { kind: 'component' }, after });
			assert.deepEqual(refs(next.items), COMPONENTS.slice(3, 6));
		});
	});

	describe('getEntitiesByRefs', () => {
		it('same order and length, undefined where not found, case-insensitive', async () => {
			const r = await client.getEntitiesByRefs({
				entityRefs: ['component:default/gamma-website', 'component:default/missing', 'API:default/Alpha-API', 'component:other/alpha-service'],
			});
			assert.deepEqual(refs(r.items), ['component:default/gamma-website', undefined, 'api:default/alpha-api', 'component:other/alpha-service']);
			assert.equal(r.items[1], undefined);
		});

		it('filter and query narrow the result', async () => {
			const entityRefs = ['component:default/gamma-website', 'api:default/alpha-api', 'component:default/beta-service'];
			let r = await client.getEntitiesByRefs({ entityRefs, filter: { kind: 'component' } });
			assert.deepEqual(refs(r.items), ['component:default/gamma-website', undefined, 'component:default/beta-service']);
			r = await client.getEntitiesByRefs({ entityRefs, query: { 'spec.lifecycle': 'production' } });
			assert.deepEqual(refs(r.items), ['component:default/gamma-website', 'api:default/alpha-api', undefined]);
			r = await client.getEntitiesByRefs({ entityRefs, query: { 'spec.lifecycle': 'production' }, filter: { kind: 'api' } });
			assert.deepEqual(refs(r.items), [undefined, 'api:default/alpha-api', undefined]);
		});

		it('more refs than one request carries are split into chunks and joined in order', async () => {
			const many = [];
			for (let i = 0; i < 1100; i++)
				many.push(i % 100 === 7 ? COMPONENTS[(i / 100) % 9 | 0] : `component:default/nothing-${i}`);
			const r = await client.getEntitiesByRefs({ entityRefs: many });
			assert.equal(r.items.length, many.length);
			for (let i = 0; i < many.length; i++)
				assert.equal(r.items[i] ? refOf(r.items[i]) : undefined, i % 100 === 7 ? many[i] : undefined, `item ${i}`);
		});

		// Its own server: the failure mode is the server aborting.
		it('fields (sent in the body)',
			async () => {
				const own = await startCatalogServer({ locations: [{ type: 'url', target: dataUrl }], rules: [{ allow: ALL_KINDS }], allow: [{ host: files.host }] });
				try {
					const c = clientFor(own.url);
					await waitFor(async () => (await c.getEntities()).items.length === 15, { what: 'the second server to ingest' });
					const r = await c.getEntitiesByRefs({ entityRefs: ['component:default/delta-lib', 'component:default/nope'], fields: ['metadata.name'] });
					assert.deepEqual(r.items, [{ metadata: { name: 'delta-lib' } }, undefined]);
				} finally {
					await own.stopCleanly();
				}
			});
	});

	describe('queryEntities', () => {
		it('filter form: pages forward with nextCursor and back with prevCursor', async () => {
			const first = await client.queryEntities({
				filter: { kind: 'component' }, orderFields: { field: 'metadata.name', order: 'asc' }, limit: 4,
			});
			assert.equal(first.totalItems, 9);
			assert.deepEqual(names(first.items), BY_NAME.slice(0, 4));
			assert.equal(first.pageInfo.prevCursor, undefined);
			const second = await client.queryEntities({ cursor: first.pageInfo.nextCursor, limit: 4 });
			assert.deepEqual(names(second.items), BY_NAME.slice(4, 8));
			assert.equal(second.totalItems, 9);
			const third = await client.queryEntities({ cursor: second.pageInfo.nextCursor, limit: 4 });
			assert.deepEqual(names(third.items), BY_NAME.slice(8));
			assert.equal(third.pageInfo.nextCursor, undefined);
			const back = await client.queryEntities({ cursor: third.pageInfo.prevCursor, limit: 4 });
			assert.deepEqual(names(back.items), BY_NAME.slice(4, 8));
			const start = await client.queryEntities({ cursor: back.pageInfo.prevCursor, limit: 4 });
			assert.deepEqual(names(start.items), BY_NAME.slice(0, 4));
			assert.equal(start.pageInfo.prevCursor, undefined);
		});

		it('fullTextFilter, fields, offset and totalItems', async () => {
			let r = await client.queryEntities({
				filter: { kind: 'component' }, fullTextFilter: { term: ' Alpha ', fields: ['metadata.name', 'metadata.title'] },
				fields: ['metadata.namespace'],
			});
			assert.equal(r.totalItems, 2);
			assert.deepEqual(r.items.map((e) => e.metadata.namespace).sort(), ['default', 'other']);
			assert.deepEqual(Object.keys(r.items[0]), ['metadata']);
			r = await client.queryEntities({ filter: { kind: 'component' }, orderFields: [{ field: 'metadata.name', order: 'asc' }], offset: 6, totalItems: 'exclude' });
			assert.deepEqual(names(r.items), BY_NAME.slice(6));
			assert.equal(r.totalItems, 0);
		});

		it('query (predicate) form, through POST; cursor pages follow through POST', async () => {
			const first = await client.queryEntities({
				query: { $all: [{ kind: 'component' }, { 'spec.lifecycle': 'experimental' }] },
				orderFields: { field: 'metadata.name', order: 'desc' },
				limit: 2,
			});
			assert.equal(first.totalItems, 4);
			assert.deepEqual(names(first.items), ['theta-cli', 'eta-website']);
			assert.ok('query' in decodeCursor(first.pageInfo.nextCursor));
			const next = await client.queryEntities({ cursor: first.pageInfo.nextCursor, limit: 2 });
			assert.deepEqual(refs(next.items), ['component:default/beta-service', 'component:other/alpha-service']);
			assert.equal(next.pageInfo.nextCursor, undefined);
			const prev = await client.queryEntities({ cursor: next.pageInfo.prevCursor, limit: 2 });
			assert.deepEqual(names(prev.items), ['theta-cli', 'eta-website']);
		});

		it('filter and query together are AND-ed', async () => {
			const r = await client.queryEntities({
				filter: [{ 'spec.type': 'website' }, { 'spec.type': 'library' }],
				query: { 'spec.owner': 'team-blue' },
			});
			assert.deepEqual(refs(r.items).sort(), ['component:default/delta-lib', 'component:default/eta-website']);
			assert.equal(r.totalItems, 2);
		});

		it('no arguments: everything, ordered by uid', async () => {
			const r = await client.queryEntities();
			assert.equal(r.totalItems, 15);
			const uids = r.items.map((e) => e.metadata.uid);
			assert.deepEqual(uids, [...uids].sort());
		});
	});

	it('streamEntities: every matching entity once, page by page', async () => {
		const pages = [];
		for await (const page of client.streamEntities({ filter: { kind: 'component' }, pageSize: 2 }))
			pages.push(page);
		assert.deepEqual(pages.map((p) => p.length), [2, 2, 2, 2, 1]);
		assert.deepEqual(refs(pages.flat()).sort(), COMPONENTS);
		const ordered = [];
		for await (const page of client.streamEntities({ query: { kind: 'component' }, orderFields: { field: 'metadata.name', order: 'asc' }, pageSize: 4 }))
			ordered.push(...page);
		assert.deepEqual(names(ordered), BY_NAME);
	});

	it('getEntityAncestors', async () => {
		const r = await client.getEntityAncestors({ entityRef: 'component:default/beta-service' });
		assert.equal(r.rootEntityRef, 'component:default/beta-service');
		assert.deepEqual(r.items.map((i) => refOf(i.entity)), ['component:default/beta-service', generatedLocationRef('url', dataUrl)]);
		assert.deepEqual(r.items.map((i) => i.parentEntityRefs), [[generatedLocationRef('url', dataUrl)], []]);
		await rejectsWith(client.getEntityAncestors({ entityRef: 'component:default/nope' }), 404, 'NotFoundError');
	});

	it('getEntityByRef (string and compound) and getEntityByName', async () => {
		const e = await client.getEntityByRef('component:default/beta-service');
		assert.equal(e.metadata.title, 'Beta Service');
		assert.deepEqual(await client.getEntityByRef('Component:beta-service'), e);
		assert.deepEqual(await client.getEntityByRef({ kind: 'component', namespace: 'default', name: 'beta-service' }), e);
		assert.equal((await client.getEntityByRef({ kind: 'Component', namespace: 'other', name: 'alpha-service' })).metadata.title, 'Other Alpha');
		assert.equal(await client.getEntityByRef('component:default/nope'), undefined);
		assert.deepEqual(await client.getEntityByName({ kind: 'Component', namespace: 'default', name: 'beta-service' }), e);
		assert.equal(await client.getEntityByName({ kind: 'Component', name: 'nope' }), undefined);
	});

	it('getEntityFacets, with filter and with query', async () => {
		let r = await client.getEntityFacets({ facets: ['spec.lifecycle', 'kind'], filter: { kind: 'component' } });
		assert.deepEqual(r.facets['spec.lifecycle'], [
			{ value: 'deprecated', count: 1 }, { value: 'experimental', count: 4 }, { value: 'production', count: 4 },
		]);
		assert.deepEqual(r.facets.kind, [{ value: 'Component', count: 9 }]);
		r = await client.getEntityFacets({ facets: ['metadata.tags'], query: { 'spec.type': 'service' } });
		assert.deepEqual(r.facets['metadata.tags'], [{ value: 'go', count: 2 }, { value: 'java', count: 2 }, { value: 'web', count: 1 }]);
		r = await client.getEntityFacets({ facets: ['spec.lifecycle'], query: { kind: 'component' }, filter: { 'spec.type': 'website' } });
		assert.deepEqual(r.facets['spec.lifecycle'], [{ value: 'experimental', count: 1 }, { value: 'production', count: 1 }]);
	});

	it('getEntityFacets keeps values that differ in case apart',
		async () => {
			const r = await client.getEntityFacets({ facets: ['spec.type'], query: { kind: 'component' }, filter: { 'spec.lifecycle': 'production' } });
			const byValue = Object.fromEntries(r.facets['spec.type'].map((f) => [f.value, f.count]));
			assert.deepEqual(byValue, { Service: 1, service: 2, website: 1 });
		});

	it('validateEntity', async () => {
		const entity = {
			apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'to-validate' },
			spec: { type: 'service', lifecycle: 'production', owner: 'team-red' },
		};
		assert.deepEqual(await client.validateEntity(entity, 'url:https://example.com/catalog-info.yaml'), { valid: true });
		let r = await client.validateEntity({ ...entity, spec: { type: 'service' } }, 'url:https://example.com/catalog-info.yaml');
		assert.equal(r.valid, false);
		assert.ok(r.errors.length >= 1);
		assert.equal(typeof r.errors[0].message, 'string');
		r = await client.validateEntity(entity, 'file:/tmp/catalog-info.yaml');
		assert.equal(r.valid, false);
		assert.match(r.errors[0].message, /only 'url:<target>' is supported/);
		assert.equal(await client.getEntityByRef('component:default/to-validate'), undefined);
	});

	it('analyzeLocation: a skeleton Component for a repository URL', async () => {
		const r = await client.analyzeLocation({ location: { type: 'url', target: 'https://github.com/acme/payments-api' } });
		assert.deepEqual(r.existingEntityFiles, []);
		assert.equal(r.generateEntities.length, 1);
		const { entity } = r.generateEntities[0];
		assert.equal(entity.kind, 'Component');
		assert.equal(entity.metadata.name, 'payments-api');
		await rejectsWith(client.analyzeLocation({ location: { type: 'url', target: 'nope' } }), 400, 'InputError');
	});

	describe('locations', () => {
		let loc;
		const target = () => files.url('/extra.yaml');

		it('getLocations: configured locations are not listed', async () => {
			assert.deepEqual(await client.getLocations(), { items: [] });
		});

		it('addLocation with dryRun: the entities it would produce; nothing is stored', async () => {
			const r = await client.addLocation({ target: target(), dryRun: true });
			assert.equal(r.exists, false);
			assert.deepEqual(r.location, { id: `url:${target()}`, type: 'url', target: target() });
			assert.equal(refOf(r.entities[0]), generatedLocationRef('url', target()));
			assert.deepEqual(refs(r.entities.slice(1)).sort(), [
				'component:default/extra-nested-one', 'component:default/extra-one', 'component:default/extra-two',
				'location:default/extra-nested',
			]);
			assert.deepEqual(await client.getLocations(), { items: [] });
			assert.equal(await client.getEntityByRef('component:default/extra-one'), undefined);
		});

		it('addLocation registers; again is a ConflictError; onConflict: refresh returns it', async () => {
			const r = await client.addLocation({ target: target() });
			loc = r.location;
			assert.deepEqual(r.entities, []);
			assert.match(loc.id, UUID_RE);
			assert.deepEqual(loc, { id: loc.id, type: 'url', target: target(), entityRef: generatedLocationRef('url', target()) });
			await rejectsWith(client.addLocation({ target: target() }), 409, 'ConflictError');
			assert.deepEqual((await client.addLocation({ target: target(), onConflict: 'refresh' })).location, loc);
			assert.equal((await client.addLocation({ target: target(), dryRun: true })).exists, true);
			await rejectsWith(client.addLocation({ type: 'file', target: '/etc/hosts' }), 400, 'InputError');
		});

		it('getLocations, getLocationById, getLocationByRef', async () => {
			assert.deepEqual(await client.getLocations(), { items: [loc] });
			assert.deepEqual(await client.getLocationById(loc.id), loc);
			assert.equal(await client.getLocationById('00000000-0000-4000-8000-000000000000'), undefined);
			assert.deepEqual(await client.getLocationByRef(`url:${target()}`), loc);
			assert.equal(await client.getLocationByRef('url:https://example.com/none.yaml'), undefined);
		});

		it('getLocationByEntity: the registered origin, or undefined', async () => {
			await waitFor(() => client.getEntityByRef('component:default/extra-nested-one'), { what: 'the registered location to be processed' });
			assert.deepEqual(await client.getLocationByEntity('component:default/extra-nested-one'), loc);
			assert.deepEqual(await client.getLocationByEntity({ kind: 'Component', namespace: 'default', name: 'extra-one' }), loc);
			assert.equal(await client.getLocationByEntity('component:default/alpha-service'), undefined);
			assert.equal(await client.getLocationByEntity('component:default/nope'), undefined);
		});

		it('queryLocations and streamLocations', async () => {
			const second = await client.addLocation({ target: files.url('/changing.yaml') });
			const all = [loc, second.location].sort((a, b) => (a.id < b.id ? -1 : 1));
			const first = await client.queryLocations({ limit: 1 });
			assert.equal(first.totalItems, 2);
			assert.deepEqual(first.items, [all[0]]);
			const next = await client.queryLocations({ cursor: first.pageInfo.nextCursor });
			assert.deepEqual(next.items, [all[1]]);
			assert.equal(next.pageInfo.nextCursor, undefined);
			const q = await client.queryLocations({ query: { target: { $hasPrefix: files.url('/CHANGING') } } });
			assert.deepEqual(q.items, [second.location]);
			const pages = [];
			for await (const page of client.streamLocations({ limit: 1 }))
				pages.push(page);
			assert.deepEqual(pages, [[all[0]], [all[1]]]);
		});

		it('refreshEntity: a changed file shows up; an unknown entity is a NotFoundError', async () => {
			await waitFor(() => client.getEntityByRef('component:default/changing-two'), { what: 'changing.yaml to be ingested' });
			files.set('/changing.yaml', readFixture('changing-v2.yaml'));
			await client.refreshEntity('component:default/changing-one');
			await waitFor(async () => (await client.getEntityByRef('component:default/changing-one'))?.metadata.description === 'second version',
				{ timeoutMs: 3000, what: 'the change after refreshEntity' });
			await waitFor(async () => !await client.getEntityByRef('component:default/changing-two'), { timeoutMs: 3000, what: 'changing-two to go' });
			await rejectsWith(client.refreshEntity('component:default/nope'), 404, 'NotFoundError');
		});

		it('updateLocation: new target, same entityRef; entities follow the new target', async () => {
			const newTarget = files.url('/moved.yaml');
			files.set('/moved.yaml', readFixture('syntax-good.yaml'));
			const updated = await client.updateLocation(loc.id, { target: newTarget });
			assert.deepEqual(updated, { ...loc, target: newTarget });
			assert.deepEqual(await client.getLocationById(loc.id), updated);
			await waitFor(async () => !await client.getEntityByRef('component:default/extra-one'), { what: 'entities of the old target to go' });
			const root = await client.getEntityByRef(loc.entityRef);
			assert.equal(root.spec.target, newTarget);
			await waitFor(() => client.getEntityByRef('component:default/syntax-kept'), { what: 'entities of the new target' });
			assert.equal(await client.getEntityByRef('component:default/extra-nested-one'), undefined);
			loc = updated;
			await rejectsWith(client.updateLocation('00000000-0000-4000-8000-000000000000', { target: newTarget }), 404, 'NotFoundError');
		});

		it('removeLocationById: the location and its entities go away', async () => {
			await client.removeLocationById(loc.id);
			assert.equal(await client.getLocationById(loc.id), undefined);
			await waitFor(async () => !await client.getEntityByRef('component:default/syntax-kept'), { what: 'the entities to be removed' });
			assert.equal(await client.getEntityByRef(loc.entityRef), undefined);
			await rejectsWith(client.removeLocationById(loc.id), 404, 'NotFoundError');
		});
	});

	it('removeEntityByUid: gone at once, back from its location with a new uid', async () => {
		const e = await client.getEntityByRef('component:default/delta-lib');
		await client.removeEntityByUid(e.metadata.uid);
		const list = await client.getEntities({ filter: { 'metadata.uid': e.metadata.uid } });
		assert.deepEqual(list.items, []);
		const back = await waitFor(() => client.getEntityByRef('component:default/delta-lib'), { what: 'delta-lib to come back' });
		assert.notEqual(back.metadata.uid, e.metadata.uid);
		await client.removeEntityByUid('00000000-0000-4000-8000-000000000000');
	});
});
