// The catalog's wire details that clients hide: status codes and error
// bodies, filter/fields/order syntax, both pagination schemes, facets,
// by-refs, validation, registering locations, and what processing does
// when files change, break, conflict or cannot be read.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
	UUID_RE, catalogApi, decodeCursor, enc, generatedLocationRef, readFixture, refOf, startCatalogServer,
	startFileServer, waitFor,
} from './lib/catalog.mjs';
import { JSON_TYPE, OWN_PROCESS, assertErrorBody, expectError } from './lib/server.mjs';

const ALL_KINDS = ['Component', 'API', 'Resource', 'System', 'Domain', 'Group', 'User', 'Location', 'Template'];

// Refs of the nine components of catalog.yaml in kind:namespace/name order.
const COMPONENTS = [
	'component:default/alpha-service', 'component:default/beta-service', 'component:default/delta-lib',
	'component:default/epsilon-tool', 'component:default/eta-website', 'component:default/gamma-website',
	'component:default/theta-cli', 'component:default/zeta-worker', 'component:other/alpha-service',
];

const refs = (entities) => entities.map(refOf);
const sortedRefs = (entities) => refs(entities).sort();

/** Facet values are sorted, byte-wise or ignoring case (the database's collation decides). */
function assertSortedByValue(list) {
	const values = list.map((x) => x.value);
	const bytewise = values.every((v, i) => i === 0 || values[i - 1] < v);
	const caseless = values.every((v, i) => i === 0 || values[i - 1].toLowerCase() <= v.toLowerCase());
	assert.ok(bytewise || caseless, `facet values are not sorted: ${JSON.stringify(values)}`);
}

/** Parse `Link: </entities?...>; rel="next"` into the plugin-relative path. */
function nextLink(headers) {
	const link = headers.get('link');
	if (!link)
		return null;
	const m = /^<([^>]+)>;\s*rel="next"$/.exec(link);
	assert.ok(m, `Link header: ${link}`);
	return m[1];
}

describe('catalog REST: queries', { skip: OWN_PROCESS }, () => {
	let files;
	let srv;
	let api;
	let dataUrl;

	before(async () => {
		files = await startFileServer({ '/catalog.yaml': readFixture('catalog.yaml') });
		dataUrl = files.url('/catalog.yaml');
		srv = await startCatalogServer({
			locations: [{ type: 'url', target: dataUrl }],
			rules: [{ allow: ALL_KINDS }],
			allow: [{ host: files.host }],
		});
		api = catalogApi(srv.url);
		await waitFor(async () => (await api.list()).length === 15, { what: 'catalog.yaml to be ingested' });
	});

	after(async () => {
		await files?.close();
		await srv?.stopCleanly();
	});

	const matching = async (filterQuery) => sortedRefs(await api.json(`/entities?${filterQuery}`));

	describe('GET /entities', () => {
		it('returns every entity as a JSON array ordered by uid', async () => {
			const all = await api.json('/entities');
			assert.equal(all.length, 15);
			const uids = all.map((e) => e.metadata.uid);
			assert.deepEqual(uids, [...uids].sort());
			assert.deepEqual(sortedRefs(all.filter((e) => e.kind === 'Component')), COMPONENTS);
		});

		it('url locations: annotations name the URL, view-url points at the file', async () => {
			const e = await api.entity('component:default/alpha-service');
			const ann = e.metadata.annotations;
			assert.equal(ann['backstage.io/managed-by-location'], `url:${dataUrl}`);
			assert.equal(ann['backstage.io/managed-by-origin-location'], `url:${dataUrl}`);
			assert.equal(ann['backstage.io/view-url'], dataUrl);
			assert.equal(ann['backstage.io/techdocs-ref'], 'dir:.');
			const root = await api.entity(generatedLocationRef('url', dataUrl));
			assert.deepEqual(root.spec, { type: 'url', target: dataUrl });
		});
	});

	describe('filters', () => {
		it('conditions inside one filter are AND-ed', async () => {
			assert.deepEqual(await matching('filter=kind=component,spec.type=service'), [
				'component:default/alpha-service', 'component:default/beta-service', 'component:default/epsilon-tool',
				'component:default/zeta-worker', 'component:other/alpha-service',
			]);
			assert.deepEqual(await matching('filter=kind=component,spec.type=service,spec.lifecycle=experimental'), [
				'component:default/beta-service', 'component:other/alpha-service',
			]);
		});

		it('repeated filter parameters are OR-ed', async () => {
			assert.deepEqual(await matching('filter=kind=api&filter=kind=system'), ['api:default/alpha-api', 'system:default/shop']);
			assert.deepEqual(await matching('filter=kind=group,metadata.name=team-red&filter=kind=user'), [
				'group:default/team-red', 'user:default/ana',
			]);
		});

		it('a key repeated inside one filter means "any of"', async () => {
			assert.deepEqual(await matching('filter=kind=component,spec.lifecycle=deprecated,spec.lifecycle=experimental'), [
				'component:default/beta-service', 'component:default/delta-lib', 'component:default/eta-website',
				'component:default/theta-cli', 'component:other/alpha-service',
			]);
			assert.deepEqual(await matching(`filter=${enc('kind=api,kind=system')}`), ['api:default/alpha-api', 'system:default/shop']);
		});

		it('a key without a value means the key exists', async () => {
			assert.deepEqual(await matching('filter=kind=component,metadata.title'), [
				'component:default/alpha-service', 'component:default/beta-service', 'component:default/eta-website',
				'component:default/gamma-website', 'component:other/alpha-service',
			]);
			assert.deepEqual(await matching('filter=metadata.labels.tier'), ['component:default/alpha-service']);
		});

		it('array items: metadata.tags.java exists / =true, and metadata.tags=java', async () => {
			const java = ['component:default/alpha-service', 'component:default/gamma-website', 'component:default/zeta-worker'];
			assert.deepEqual(await matching('filter=metadata.tags.java'), java);
			assert.deepEqual(await matching('filter=metadata.tags.java=true'), java);
			assert.deepEqual(await matching('filter=metadata.tags=java'), java);
			assert.deepEqual(await matching('filter=metadata.tags=go'), ['component:default/beta-service', 'component:default/zeta-worker']);
		});

		it('keys and values are case-insensitive', async () => {
			assert.deepEqual(await matching('filter=KIND=Component,Metadata.Name=ALPHA-SERVICE'), [
				'component:default/alpha-service', 'component:other/alpha-service',
			]);
			assert.deepEqual(await matching('filter=metadata.namespace=OTHER'), ['component:other/alpha-service']);
			assert.deepEqual(await matching('filter=kind=component,spec.type=SERVICE,metadata.name=epsilon-tool'), ['component:default/epsilon-tool']);
		});

		it('relations.<type>=<ref>, including dangling targets', async () => {
			assert.deepEqual(await matching('filter=kind=component,relations.ownedby=group:default/team-red'), [
				'component:default/alpha-service', 'component:default/epsilon-tool', 'component:default/gamma-website',
			]);
			assert.deepEqual(await matching(`filter=${enc('relations.ownedBy=Group:Default/Team-Red,kind=API')}`), ['api:default/alpha-api']);
			assert.deepEqual(await matching('filter=relations.ownedby=group:default/ghost-team'), ['component:default/zeta-worker']);
			assert.deepEqual(await matching('filter=relations.hasmember=user:default/ana'), ['group:default/team-red']);
			assert.deepEqual(await matching('filter=relations.apiconsumedby'), ['api:default/alpha-api']);
			assert.deepEqual(await matching('filter=relations.ownedby=group:other/team-red'), ['component:other/alpha-service']);
		});

		it('whitespace around keys and values is trimmed; the split is on the first "="', async () => {
			assert.deepEqual(await matching(`filter=${enc(' kind = component , spec.type = website ')}`), [
				'component:default/eta-website', 'component:default/gamma-website',
			]);
			assert.deepEqual(await matching(`filter=${enc('metadata.annotations.example.com/query=a=b')}`), ['component:default/alpha-service']);
		});

		it('numbers compare as strings; over-long values exist but never match', async () => {
			assert.deepEqual(await matching('filter=spec.replicas=3'), ['component:default/alpha-service']);
			assert.deepEqual(await matching('filter=kind=component,metadata.description'), [
				'component:default/alpha-service', 'component:default/theta-cli',
			]);
			const theta = await api.entity('component:default/theta-cli');
			assert.ok(theta.metadata.description.length > 200);
			assert.deepEqual(await matching(`filter=${enc(`metadata.description=${theta.metadata.description}`)}`), []);
		});

		it('metadata.uid is indexed; metadata.etag, relations and status are not', async () => {
			const e = await api.entity('component:default/gamma-website');
			assert.deepEqual(await matching(`filter=metadata.uid=${e.metadata.uid}`), ['component:default/gamma-website']);
			assert.deepEqual(await api.json(`/entities?filter=metadata.etag=${e.metadata.etag}`), []);
			assert.deepEqual(await api.json('/entities?filter=metadata.etag'), []);
			assert.deepEqual(await api.json('/entities?filter=relations.type'), []);
			assert.deepEqual(await api.json('/entities?filter=relations'), []);
		});

		it('empty statements between commas are ignored', async () => {
			assert.deepEqual(await matching(`filter=${enc(',kind=api,')}`), ['api:default/alpha-api']);
			assert.deepEqual(await matching(`filter=${enc('kind=system, ,')}`), ['system:default/shop']);
		});

		it('no match and unknown keys give an empty array', async () => {
			assert.deepEqual(await api.json('/entities?filter=kind=component,spec.type=nothing'), []);
			assert.deepEqual(await api.json('/entities?filter=spec.nonexistent'), []);
		});

		it('400 for a condition with an empty key', async () => {
			for (const f of ['=x', 'kind=component,=x', ' = x ,kind=api']) {
				const url = `/entities?filter=${enc(f)}`;
				await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', method: 'GET', url });
			}
		});
	});

	describe('fields', () => {
		it('keeps only the listed paths', async () => {
			const list = await api.json('/entities?filter=kind=component&fields=kind,metadata.name');
			assert.equal(list.length, 9);
			for (const e of list) {
				assert.deepEqual(Object.keys(e).sort(), ['kind', 'metadata']);
				assert.deepEqual(Object.keys(e.metadata), ['name']);
			}
		});

		it('annotation keys with dots and slashes: metadata.annotations.backstage.io/managed-by-location', async () => {
			const list = await api.json(`/entities?filter=metadata.name=gamma-website&fields=${enc('metadata.annotations.backstage.io/managed-by-location')}`);
			assert.deepEqual(list, [{ metadata: { annotations: { 'backstage.io/managed-by-location': `url:${dataUrl}` } } }]);
		});

		it('repeated fields parameters are merged; absent paths are skipped', async () => {
			const list = await api.json('/entities?filter=metadata.name=delta-lib&fields=kind&fields=metadata.namespace,spec.nothing,metadata.title');
			assert.deepEqual(list, [{ kind: 'Component', metadata: { namespace: 'default' } }]);
			const [shop] = await api.json('/entities?filter=kind=system&fields=relations,spec');
			assert.deepEqual(shop, {
				spec: { owner: 'team-red' },
				relations: [
					{ type: 'hasPart', targetRef: 'api:default/alpha-api' },
					{ type: 'hasPart', targetRef: 'component:default/alpha-service' },
					{ type: 'hasPart', targetRef: 'component:default/beta-service' },
					{ type: 'ownedBy', targetRef: 'group:default/team-red' },
				],
			});
		});

		it('400 for a path with "["', async () => {
			const url = `/entities?fields=${enc('metadata.tags[0]')}`;
			await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', method: 'GET', url });
		});
	});

	describe('order', () => {
		it('asc:<field> sorts case-insensitively and omits entities without the field', async () => {
			const list = await api.json('/entities?filter=kind=component&order=asc:metadata.title');
			assert.deepEqual(list.map((e) => e.metadata.title), ['Alpha Service', 'Beta Service', 'Eta Website', 'Gamma Website', 'Other Alpha']);
		});

		it('desc:<field>', async () => {
			const list = await api.json('/entities?filter=kind=component&order=desc:metadata.name');
			assert.deepEqual(list.map((e) => e.metadata.name), [
				'zeta-worker', 'theta-cli', 'gamma-website', 'eta-website', 'Epsilon-Tool', 'delta-lib', 'beta-service',
				'alpha-service', 'alpha-service',
			]);
		});

		it('400 for a malformed order', async () => {
			for (const o of ['metadata.name', 'up:metadata.name', 'asc:', 'ASC']) {
				const url = `/entities?order=${enc(o)}`;
				await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', url });
			}
		});
	});

	describe('GET /entities pagination (limit, offset, after, Link)', () => {
		it('pages of limit in kind:namespace/name order, linked with after=', async () => {
			let p = '/entities?filter=kind=component&limit=4';
			const pages = [];
			while (p) {
				const r = await api.get(p);
				assert.equal(r.status, 200, r.text);
				pages.push(refs(r.json));
				const next = nextLink(r.headers);
				if (next) {
					assert.match(next, /^\/entities\?/);
					assert.ok(next.includes('filter=kind%3Dcomponent'), next);
					assert.match(next, /[?&]after=/);
					assert.ok(!/[?&]offset=/.test(next), `no offset in ${next}`);
				}
				p = next;
				assert.ok(pages.length < 10);
			}
			assert.deepEqual(pages.map((x) => x.length), [4, 4, 1]);
			assert.deepEqual(pages.flat(), COMPONENTS);
		});

		it('offset skips; the link continues after the page', async () => {
			const r = await api.get('/entities?filter=kind=component&offset=1&limit=4');
			assert.deepEqual(refs(r.json), COMPONENTS.slice(1, 5));
			const next = nextLink(r.headers);
			const after = new URLSearchParams(next.split('?')[1]).get('after');
			assert.deepEqual(decodeCursor(after), { limit: 4, offset: 5 });
			const r2 = await api.get(next);
			assert.deepEqual(refs(r2.json), COMPONENTS.slice(5, 9));
			assert.equal(r2.headers.get('link'), null);
		});

		it('the Link keeps the other parameters (limit too); only offset is replaced by after',
			async () => {
				const r = await api.get('/entities?filter=kind=component&limit=2&offset=1&fields=metadata.name');
				const q = new URLSearchParams(nextLink(r.headers).split('?')[1]);
				assert.deepEqual([...q.keys()].sort(), ['after', 'fields', 'filter', 'limit']);
				assert.equal(q.get('limit'), '2');
				assert.equal(q.get('filter'), 'kind=component');
			});

		it('with order and paging, entities without the field come last (nulls last, tie on uid)',
			async () => {
				const list = await api.json('/entities?filter=kind=component&order=asc:metadata.title&limit=20');
				assert.equal(list.length, 9);
				assert.deepEqual(list.slice(0, 5).map((e) => e.metadata.title), ['Alpha Service', 'Beta Service', 'Eta Website', 'Gamma Website', 'Other Alpha']);
				const rest = list.slice(5);
				assert.ok(rest.every((e) => e.metadata.title === undefined));
				const uids = rest.map((e) => e.metadata.uid);
				assert.deepEqual(uids, [...uids].sort());
			});

		it('offset alone returns the rest; no link at the end', async () => {
			const r = await api.get('/entities?filter=kind=component&offset=7');
			assert.deepEqual(refs(r.json), COMPONENTS.slice(7));
			assert.equal(r.headers.get('link'), null);
		});

		it('400 for a bad limit, offset or after', async () => {
			for (const q of ['limit=0', 'limit=x', 'offset=-1', 'after=!!', `after=${Buffer.from('{"x":1}').toString('base64')}`]) {
				const url = `/entities?${q}`;
				await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', url });
			}
		});
	});

	describe('GET/POST /entities/by-query', () => {
		const byName = ['alpha-service', 'alpha-service', 'beta-service', 'delta-lib', 'Epsilon-Tool', 'eta-website',
			'gamma-website', 'theta-cli', 'zeta-worker'];

		it('cursor pages forward (GET, then POST) and back, carrying totalItems', async () => {
			const first = await api.json('/entities/by-query?filter=kind=component&orderField=metadata.name,asc&limit=4');
			assert.equal(first.totalItems, 9);
			assert.deepEqual(first.items.map((e) => e.metadata.name), byName.slice(0, 4));
			assert.deepEqual(Object.keys(first.pageInfo), ['nextCursor']);
			const c = decodeCursor(first.pageInfo.nextCursor);
			assert.equal(typeof c, 'object');
			assert.ok('query' in c, `the filter travels under "query": ${JSON.stringify(c)}`);

			// The cursor does not carry the page size: without limit it is the default (200).
			const second = await api.json(`/entities/by-query?cursor=${enc(first.pageInfo.nextCursor)}&limit=4`);
			assert.equal(second.totalItems, 9);
			assert.deepEqual(second.items.map((e) => e.metadata.name), byName.slice(4, 8));
			assert.ok(second.pageInfo.nextCursor && second.pageInfo.prevCursor);

			const third = await api.post('/entities/by-query', { cursor: second.pageInfo.nextCursor, limit: 4 });
			assert.equal(third.status, 200, third.text);
			assert.deepEqual(third.json.items.map((e) => e.metadata.name), byName.slice(8));
			assert.equal(third.json.totalItems, 9);
			assert.equal(third.json.pageInfo.nextCursor, undefined);
			assert.ok(third.json.pageInfo.prevCursor);

			const back = await api.json(`/entities/by-query?cursor=${enc(third.json.pageInfo.prevCursor)}&limit=4`);
			assert.deepEqual(back.items.map((e) => e.metadata.name), byName.slice(4, 8));
			assert.equal(back.totalItems, 9);
			const start = await api.json(`/entities/by-query?cursor=${enc(back.pageInfo.prevCursor)}&limit=4`);
			assert.deepEqual(start.items.map((e) => e.metadata.name), byName.slice(0, 4));
			assert.equal(start.pageInfo.prevCursor, undefined, 'no prevCursor on the first page');
			assert.ok(start.pageInfo.nextCursor);
		});

		it('equal values of the order field are ordered by uid', async () => {
			const r = await api.json('/entities/by-query?filter=kind=component&orderField=spec.lifecycle,asc');
			assert.deepEqual(r.items.map((e) => e.spec.lifecycle), ['deprecated', ...Array(4).fill('experimental'), ...Array(4).fill('production')]);
			for (const group of [r.items.slice(1, 5), r.items.slice(5)]) {
				const uids = group.map((e) => e.metadata.uid);
				assert.deepEqual(uids, [...uids].sort());
			}
		});

		it('paging two at a time through equal values, forwards and back, gives the uid order', async () => {
			const all = await api.json('/entities/by-query?filter=kind=component&orderField=spec.lifecycle,desc&fields=metadata.uid');
			const want = all.items.map((e) => e.metadata.uid);
			const seen = [];
			const cursors = [];
			let page = await api.json('/entities/by-query?filter=kind=component&orderField=spec.lifecycle,desc&fields=metadata.uid&limit=2');
			for (;;) {
				seen.push(...page.items.map((e) => e.metadata.uid));
				if (!page.pageInfo.nextCursor)
					break;
				cursors.push(page.pageInfo.nextCursor);
				page = await api.json(`/entities/by-query?limit=2&cursor=${enc(page.pageInfo.nextCursor)}`);
			}
			assert.deepEqual(seen, want);
			const back = await api.json(`/entities/by-query?limit=2&cursor=${enc(page.pageInfo.prevCursor)}`);
			const lastStart = want.length - (want.length % 2 || 2); // where the last page began
			assert.deepEqual(back.items.map((e) => e.metadata.uid), want.slice(lastStart - 2, lastStart));
		});

		it('a cursor with "+" sent unencoded (read as spaces) is accepted', async () => {
			// ">>>" in the filter puts a '>' at the third byte of some base64 group, which encodes as '+'.
			const first = await api.json(`/entities/by-query?filter=kind=component&filter=${enc('metadata.name=>>>')}&orderField=metadata.name,asc&limit=3`);
			const cursor = first.pageInfo.nextCursor;
			assert.ok(cursor.includes('+'), cursor);
			const encoded = await api.json(`/entities/by-query?cursor=${enc(cursor)}&limit=3`);
			assert.deepEqual(encoded.items.map((e) => e.metadata.name), byName.slice(3, 6));
			const raw = await api.json(`/entities/by-query?cursor=${cursor}&limit=3`);
			assert.deepEqual(raw, encoded);
		});

		it('with a cursor, limit and fields still apply; filter and order come from the cursor', async () => {
			const first = await api.json('/entities/by-query?filter=kind=component&orderField=metadata.name,desc&limit=2');
			assert.deepEqual(first.items.map((e) => e.metadata.name), ['zeta-worker', 'theta-cli']);
			const next = await api.json(`/entities/by-query?cursor=${enc(first.pageInfo.nextCursor)}&limit=3&fields=metadata.name&filter=kind=api&orderField=metadata.uid,asc`);
			assert.deepEqual(next.items, [{ metadata: { name: 'gamma-website' } }, { metadata: { name: 'eta-website' } }, { metadata: { name: 'Epsilon-Tool' } }]);
		});

		it('default order is by uid; pageInfo is {} when everything fits', async () => {
			const r = await api.json('/entities/by-query?filter=kind=component');
			assert.equal(r.totalItems, 9);
			assert.deepEqual(r.pageInfo, {});
			const uids = r.items.map((e) => e.metadata.uid);
			assert.deepEqual(uids, [...uids].sort());
		});

		it('entities without the order field are excluded from items and totalItems', async () => {
			const r = await api.json('/entities/by-query?filter=kind=component&orderField=metadata.title');
			assert.equal(r.totalItems, 5);
			assert.deepEqual(r.items.map((e) => e.metadata.title), ['Alpha Service', 'Beta Service', 'Eta Website', 'Gamma Website', 'Other Alpha']);
		});

		it('offset on the first request; limit=0 counts without items', async () => {
			const r = await api.json('/entities/by-query?filter=kind=component&orderField=metadata.name,asc&offset=7&limit=10');
			assert.deepEqual(r.items.map((e) => e.metadata.name), ['theta-cli', 'zeta-worker']);
			const z = await api.json('/entities/by-query?filter=kind=component&limit=0');
			assert.deepEqual(z.items, []);
			assert.equal(z.totalItems, 9);
		});

		it('fullTextFilterTerm: trimmed, case-insensitive substring over the given fields', async () => {
			let r = await api.json(`/entities/by-query?filter=kind=component&fullTextFilterTerm=${enc('  ALPHA ')}&fullTextFilterFields=metadata.name`);
			assert.deepEqual(sortedRefs(r.items), ['component:default/alpha-service', 'component:other/alpha-service']);
			assert.equal(r.totalItems, 2);
			r = await api.json('/entities/by-query?filter=kind=component&fullTextFilterTerm=website&fullTextFilterFields=metadata.title,spec.type');
			assert.deepEqual(sortedRefs(r.items), ['component:default/eta-website', 'component:default/gamma-website']);
			// Without fields: the order field.
			r = await api.json('/entities/by-query?fullTextFilterTerm=ETA&orderField=metadata.name,asc');
			assert.deepEqual(r.items.map((e) => e.metadata.name), ['beta-service', 'eta-website', 'theta-cli', 'zeta-worker']);
			// Without fields or order: metadata.uid.
			const some = await api.entity('component:default/delta-lib');
			r = await api.json(`/entities/by-query?fullTextFilterTerm=${some.metadata.uid.slice(4, 20).toUpperCase()}`);
			assert.deepEqual(refs(r.items), ['component:default/delta-lib']);
		});

		it('the full-text filter travels in the cursor', async () => {
			const first = await api.json('/entities/by-query?fullTextFilterTerm=a&fullTextFilterFields=metadata.name&filter=kind=component&orderField=metadata.name,asc&limit=3');
			const all = [...first.items];
			let cursor = first.pageInfo.nextCursor;
			while (cursor) {
				const page = await api.json(`/entities/by-query?cursor=${enc(cursor)}`);
				all.push(...page.items);
				cursor = page.pageInfo.nextCursor;
			}
			assert.equal(all.length, first.totalItems);
			assert.deepEqual(all.map((e) => e.metadata.name), byName.filter((n) => n.toLowerCase().includes('a')));
		});

		it('totalItems=exclude gives 0; a bad value is a 400', async () => {
			const r = await api.json('/entities/by-query?filter=kind=component&totalItems=exclude&limit=2');
			assert.equal(r.totalItems, 0);
			assert.equal(r.items.length, 2);
			const url = '/entities/by-query?totalItems=maybe';
			await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', url });
		});

		it('400 "Malformed cursor" for GET and POST; 400 for an empty POST cursor', async () => {
			for (const c of ['!!!', Buffer.from('[1,2]').toString('base64'), Buffer.from('nope').toString('base64')]) {
				const url = `/entities/by-query?cursor=${enc(c)}`;
				await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', url, message: /^Malformed cursor/ });
				const res = await fetch(`${api.root}/entities/by-query`, {
					method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cursor: c }),
				});
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', message: /^Malformed cursor/ });
			}
			const res = await fetch(`${api.root}/entities/by-query`, {
				method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"cursor":""}',
			});
			await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/entities/by-query' });
		});

		it('400 for a malformed orderField', async () => {
			for (const o of [',asc', 'metadata.name,up']) {
				const url = `/entities/by-query?orderField=${enc(o)}`;
				await expectError(await fetch(api.root + url), { status: 400, name: 'InputError', url });
			}
		});

		it('POST with a predicate query, orderBy and limit; the cursor works on GET too', async () => {
			const body = {
				query: { $all: [{ kind: 'component' }, { 'spec.type': { $in: ['website', 'library'] } }] },
				orderBy: [{ field: 'metadata.name', order: 'desc' }],
				limit: 2,
				fields: ['metadata.name'],
			};
			const r = await api.post('/entities/by-query', body);
			assert.equal(r.status, 200, r.text);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			assert.equal(r.json.totalItems, 3);
			assert.deepEqual(r.json.items, [{ metadata: { name: 'gamma-website' } }, { metadata: { name: 'eta-website' } }]);
			assert.ok('query' in decodeCursor(r.json.pageInfo.nextCursor));
			const viaGet = await api.json(`/entities/by-query?cursor=${enc(r.json.pageInfo.nextCursor)}&fields=metadata.name`);
			assert.deepEqual(viaGet.items, [{ metadata: { name: 'delta-lib' } }]);
			const viaPost = await api.post('/entities/by-query', { cursor: r.json.pageInfo.nextCursor, fields: ['metadata.name'] });
			assert.deepEqual(viaPost.json.items, viaGet.items);
		});

		it('POST: fullTextFilter, offset and totalItems in the body', async () => {
			let r = await api.post('/entities/by-query', {
				query: { kind: 'component' }, fullTextFilter: { term: ' WEB ', fields: ['metadata.title'] },
				orderBy: [{ field: 'metadata.name', order: 'asc' }],
			});
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json.items.map((e) => e.metadata.name), ['eta-website', 'gamma-website']);
			assert.equal(r.json.totalItems, 2);
			r = await api.post('/entities/by-query', {
				query: { kind: 'component' }, orderBy: [{ field: 'metadata.name', order: 'asc' }], offset: 7, totalItems: 'exclude',
			});
			assert.deepEqual(r.json.items.map((e) => e.metadata.name), ['theta-cli', 'zeta-worker']);
			assert.equal(r.json.totalItems, 0);
		});

		it('a GET cursor is accepted by POST', async () => {
			const first = await api.json('/entities/by-query?orderField=metadata.name,asc&limit=5&filter=kind=component');
			const viaPost = await api.post('/entities/by-query', { cursor: first.pageInfo.nextCursor });
			assert.deepEqual(viaPost.json.items.map((e) => e.metadata.name), byName.slice(5));
		});

		const predicateCases = [
			['$exists false', { kind: 'component', 'metadata.title': { $exists: false } },
				['component:default/delta-lib', 'component:default/epsilon-tool', 'component:default/theta-cli', 'component:default/zeta-worker']],
			['$not inside $all', { $all: [{ kind: 'component' }, { $not: { 'spec.lifecycle': 'production' } }] },
				['component:default/beta-service', 'component:default/delta-lib', 'component:default/eta-website',
					'component:default/theta-cli', 'component:other/alpha-service']],
			['$hasPrefix, case-insensitive', { 'metadata.name': { $hasPrefix: 'ALPHA' } },
				['api:default/alpha-api', 'component:default/alpha-service', 'component:other/alpha-service']],
			['$any of matchers', { $any: [{ kind: 'system' }, { 'metadata.tags': { $contains: 'go' } }] },
				['component:default/beta-service', 'component:default/zeta-worker', 'system:default/shop']],
			['relations $contains with targetRef $in', {
				relations: { $contains: { type: 'ownedBy', targetRef: { $in: ['group:default/team-blue', 'user:default/ana'] } } },
			}, ['component:default/beta-service', 'component:default/delta-lib', 'component:default/eta-website', 'component:default/theta-cli']],
			['relations $contains with only a type', { relations: { $contains: { type: 'consumesApi' } } }, ['component:default/beta-service']],
			['numbers and booleans as strings', { 'spec.replicas': 3 }, ['component:default/alpha-service']],
			['empty $any matches nothing', { $any: [] }, []],
		];
		for (const [what, query, want] of predicateCases) {
			it(`predicate: ${what}`, async () => {
				const r = await api.post('/entities/by-query', { query });
				assert.equal(r.status, 200, r.text);
				assert.deepEqual(sortedRefs(r.json.items), want);
				assert.equal(r.json.totalItems, want.length);
			});
		}

		it('predicate: empty $all matches everything', async () => {
			const r = await api.post('/entities/by-query', { query: { $all: [] } });
			assert.equal(r.json.totalItems, 15);
		});

		it('400 "Invalid query" for unknown operators and mixed logical keys', async () => {
			for (const query of [{ kind: { $regex: 'x' } }, { $all: [], kind: 'component' }, { $nope: [] }, ['kind']]) {
				const res = await fetch(`${api.root}/entities/by-query`, {
					method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }),
				});
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/entities/by-query', message: /^Invalid query/ });
			}
		});
	});

	describe('facets', () => {
		it('counts per exact value with the original casing, sorted by value',
			async () => {
				const r = await api.json('/entity-facets?facet=spec.type&filter=kind=component');
				assert.deepEqual(Object.keys(r.facets), ['spec.type']);
				const list = r.facets['spec.type'];
				assertSortedByValue(list);
				assert.deepEqual([...list].sort((a, b) => (a.value < b.value ? -1 : 1)), [
					{ value: 'Service', count: 1 }, { value: 'cli', count: 1 }, { value: 'library', count: 1 },
					{ value: 'service', count: 4 }, { value: 'website', count: 2 },
				]);
			});

		it('several facets; array fields count each item; unknown facets are empty; keys echo the request', async () => {
			const r = await api.json('/entity-facets?facet=kind&facet=metadata.tags&facet=spec.nothing&facet=Spec.Lifecycle');
			assert.deepEqual(r.facets.kind, [
				{ value: 'API', count: 1 }, { value: 'Component', count: 9 }, { value: 'Group', count: 2 },
				{ value: 'Location', count: 1 }, { value: 'System', count: 1 }, { value: 'User', count: 1 },
			]);
			assert.deepEqual(r.facets['metadata.tags'], [{ value: 'go', count: 2 }, { value: 'java', count: 3 }, { value: 'web', count: 1 }]);
			assert.deepEqual(r.facets['spec.nothing'], []);
			assert.deepEqual(r.facets['Spec.Lifecycle'], [
				{ value: 'deprecated', count: 1 }, { value: 'experimental', count: 4 }, { value: 'production', count: 5 },
			]);
		});

		it('POST /entity-facets with a predicate', async () => {
			const r = await api.post('/entity-facets', { facets: ['spec.lifecycle'], query: { kind: 'component' } });
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json.facets['spec.lifecycle'], [
				{ value: 'deprecated', count: 1 }, { value: 'experimental', count: 4 }, { value: 'production', count: 4 },
			]);
		});

		it('400 without a facet', async () => {
			await expectError(await fetch(`${api.root}/entity-facets?filter=kind=component`), {
				status: 400, name: 'InputError', url: '/entity-facets?filter=kind=component', message: 'Missing facet parameter',
			});
			const res = await fetch(`${api.root}/entity-facets`, {
				method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"facets":[]}',
			});
			await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/entity-facets' });
		});
	});

	describe('single entities, ancestry, by-refs', () => {
		it('by-uid and by-name (case-insensitive) return the same entity', async () => {
			const e = await api.entity('component:default/epsilon-tool');
			assert.equal(e.metadata.name, 'Epsilon-Tool');
			assert.deepEqual(await api.json(`/entities/by-uid/${e.metadata.uid}`), e);
			assert.deepEqual(await api.json('/entities/by-name/COMPONENT/Default/epsilon-tool'), e);
			const other = await api.json('/entities/by-name/component/other/alpha-service');
			assert.equal(other.metadata.title, 'Other Alpha');
			assert.notEqual(other.metadata.uid, (await api.entity('component:default/alpha-service')).metadata.uid);
		});

		it('404 messages for by-uid, by-name and ancestry', async () => {
			await expectError(await fetch(`${api.root}/entities/by-uid/1234`), {
				status: 404, name: 'NotFoundError', method: 'GET', url: '/entities/by-uid/1234', message: 'No entity with uid 1234',
			});
			await expectError(await fetch(`${api.root}/entities/by-name/component/default/nope`), {
				status: 404, name: 'NotFoundError', url: '/entities/by-name/component/default/nope',
				message: "No entity named 'nope' found, with kind 'component' in namespace 'default'",
			});
			await expectError(await fetch(`${api.root}/entities/by-name/component/default/nope/ancestry`), {
				status: 404, name: 'NotFoundError', message: 'No such entity component:default/nope',
			});
		});

		it('ancestry: the entity first, then its Location, each with its parents', async () => {
			const r = await api.json('/entities/by-name/component/default/alpha-service/ancestry');
			const root = generatedLocationRef('url', dataUrl);
			assert.equal(r.rootEntityRef, 'component:default/alpha-service');
			assert.equal(r.items.length, 2);
			assert.equal(refOf(r.items[0].entity), 'component:default/alpha-service');
			assert.deepEqual(r.items[0].parentEntityRefs, [root]);
			assert.equal(refOf(r.items[1].entity), root);
			assert.deepEqual(r.items[1].parentEntityRefs, []);
			assert.deepEqual(r.items[0].entity, await api.entity('component:default/alpha-service'));
		});

		it('by-refs: same length and order, null for unknown, case-insensitive, refs are not defaulted', async () => {
			const r = await api.post('/entities/by-refs', {
				entityRefs: ['component:default/alpha-service', 'component:default/nope', 'Component:Default/Beta-Service',
					'api:default/alpha-api', 'component:alpha-service', 'component:default/alpha-service'],
			});
			assert.equal(r.status, 200, r.text);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			assert.deepEqual(r.json.items.map((e) => e && refOf(e)), [
				'component:default/alpha-service', null, 'component:default/beta-service', 'api:default/alpha-api', null,
				'component:default/alpha-service',
			]);
		});

		it('by-refs: query-string filter and body query are AND-ed; body and query fields merge', async () => {
			const body = { entityRefs: ['component:default/alpha-service', 'api:default/alpha-api', 'component:default/gamma-website'], fields: ['metadata.name'] };
			let r = await api.post('/entities/by-refs?filter=kind=component&fields=kind', body);
			assert.deepEqual(r.json.items, [{ kind: 'Component', metadata: { name: 'alpha-service' } }, null, { kind: 'Component', metadata: { name: 'gamma-website' } }]);
			r = await api.post('/entities/by-refs?filter=kind=component&fields=metadata.namespace', { ...body, query: { 'spec.type': 'service' } });
			assert.deepEqual(r.json.items, [{ metadata: { name: 'alpha-service', namespace: 'default' } }, null, null]);
		});

		// Its own server: the failure mode is the server aborting.
		it('by-refs: fields only in the body (as the catalog client sends them)',
			async () => {
				const own = await startCatalogServer();
				try {
					const r = await catalogApi(own.url).post('/entities/by-refs', { entityRefs: ['component:default/nope'], fields: ['kind'] });
					assert.equal(r.status, 200);
					assert.deepEqual(r.json, { items: [null] });
				} finally {
					await own.stopCleanly();
				}
			});

		it('by-refs: 400 for a missing entityRefs or bad JSON', async () => {
			for (const body of ['{}', '{"entityRefs":"x"}', '{', '[]']) {
				const res = await fetch(`${api.root}/entities/by-refs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/entities/by-refs' });
			}
		});
	});

	describe('validate-entity', () => {
		const good = {
			apiVersion: 'backstage.io/v1alpha1', kind: 'Component',
			metadata: { name: 'validated-only' }, spec: { type: 'service', lifecycle: 'production', owner: 'team-red' },
		};
		const post = (body) => api.post('/validate-entity', body);
		const LOC = 'url:https://example.com/catalog-info.yaml';

		it('200 with an empty body for a valid entity; nothing is stored', async () => {
			const r = await post({ entity: good, location: LOC });
			assert.equal(r.status, 200);
			assert.equal(r.text, '');
			assert.equal(await api.entity('component:default/validated-only'), null);
		});

		it('400 {"errors":[…]} for invalid entities', async () => {
			const bad = [
				{ ...good, spec: { type: 'service', lifecycle: 'production' } },
				{ ...good, metadata: { name: 'not valid!' } },
				{ ...good, kind: 'Gadget' },
				{ ...good, extra: 1 },
				{ ...good, metadata: { name: 'x', tags: ['Java'] } },
			];
			for (const entity of bad) {
				const r = await post({ entity, location: LOC });
				assert.equal(r.status, 400, JSON.stringify(entity));
				assert.deepEqual(Object.keys(r.json), ['errors']);
				assert.ok(r.json.errors.length >= 1);
				for (const e of r.json.errors) {
					assert.equal(typeof e.name, 'string');
					assert.equal(typeof e.message, 'string');
				}
			}
		});

		const entity = (over) => ({ ...good, ...over });
		const validCases = [
			['tags with : + # and dashes', entity({ metadata: { name: 'x', tags: ['c++', 'c#', 'java:11', 'a-b'] } })],
			['labels with a prefix and an empty value', entity({ metadata: { name: 'x', labels: { 'example.com/tier': '', tier: 'gold' } } })],
			['annotations with any string value', entity({ metadata: { name: 'x', annotations: { 'example.com/empty': '', 'example.com/text': 'a b: c' } } })],
			['a 63-character name with . _ -', entity({ metadata: { name: `a.b_c-${'d'.repeat(57)}` } })],
			['a namespace', entity({ metadata: { name: 'x', namespace: 'team-a' } })],
			['apiVersion backstage.io/v1beta1', entity({ apiVersion: 'backstage.io/v1beta1' })],
			['links with url and title', entity({ metadata: { name: 'x', links: [{ url: 'https://example.com', title: 'Home', icon: 'web' }] } })],
			['dependsOn with kinds', entity({ spec: { ...good.spec, dependsOn: ['resource:db', 'component:other/lib'] } })],
			['a Template', { apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 't' },
				spec: { type: 'service', steps: [{ id: 'a', action: 'fetch:plain' }], parameters: [] } }],
			['an mcp-server API with remotes', { apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: 'm' },
				spec: { type: 'mcp-server', lifecycle: 'production', owner: 'x', remotes: [{ type: 'sse', url: 'https://example.com/mcp' }] } }],
			['a Group with no children', { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'g' }, spec: { type: 'team', children: [] } }],
			['a User in no group', { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'u' }, spec: { memberOf: [] } }],
			['a Location without target', { apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'l' }, spec: {} }],
		];
		for (const [what, e] of validCases) {
			it(`valid: ${what}`, async () => {
				const r = await post({ entity: e, location: LOC });
				assert.equal(r.status, 200, r.text);
				assert.equal(r.text, '');
			});
		}

		const invalidCases = [
			['a 64-character name', entity({ metadata: { name: 'a'.repeat(64) } })],
			['a name starting with -', entity({ metadata: { name: '-abc' } })],
			['an upper-case namespace', entity({ metadata: { name: 'x', namespace: 'Default' } })],
			['a tag with two dashes', entity({ metadata: { name: 'x', tags: ['a--b'] } })],
			['an invalid label value', entity({ metadata: { name: 'x', labels: { tier: 'not valid!' } } })],
			['a link without url', entity({ metadata: { name: 'x', links: [{ title: 'No URL' }] } })],
			['a link with a relative url', entity({ metadata: { name: 'x', links: [{ url: '/relative' }] } })],
			['an empty title', entity({ metadata: { name: 'x', title: '' } })],
			['a kind starting with a digit', entity({ kind: '1Component' })],
			['apiVersion v2 for a built-in kind', entity({ apiVersion: 'backstage.io/v2' })],
			['a Template with backstage.io/v1alpha1', { apiVersion: 'backstage.io/v1alpha1', kind: 'Template', metadata: { name: 't' },
				spec: { type: 'service', steps: [] } }],
			['a Template step without action', { apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 't' },
				spec: { type: 'service', steps: [{ id: 'a' }] } }],
			['an mcp-server API without remotes', { apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: 'm' },
				spec: { type: 'mcp-server', lifecycle: 'production', owner: 'x' } }],
			['an openapi API without definition', { apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: 'm' },
				spec: { type: 'openapi', lifecycle: 'production', owner: 'x' } }],
			['a Group without children', { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'g' }, spec: { type: 'team' } }],
			['a User without memberOf', { apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'u' }, spec: {} }],
			['a Location with presence maybe', { apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'l' }, spec: { presence: 'maybe' } }],
			['dependsOn without a kind', entity({ spec: { ...good.spec, dependsOn: ['db'] } })],
			['an owner that is not a string', entity({ spec: { ...good.spec, owner: ['team-red'] } })],
			['no spec', { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' } }],
		];
		for (const [what, e] of invalidCases) {
			it(`invalid: ${what}`, async () => {
				const r = await post({ entity: e, location: LOC });
				assert.equal(r.status, 400, r.text);
				assert.deepEqual(Object.keys(r.json), ['errors']);
				assert.ok(r.json.errors.length >= 1 && r.json.errors.every((x) => typeof x.name === 'string' && x.message), r.text);
			});
		}

		it('400 without a JSON content type', async () => {
			const res = await fetch(`${api.root}/validate-entity`, {
				method: 'POST', body: JSON.stringify({ entity: good, location: 'url:https://example.com/x.yaml' }),
			});
			assert.equal(res.status, 400);
		});

		it('400 {"errors":[…]} for a location that is not url:, or a missing entity/location', async () => {
			let r = await post({ entity: good, location: 'file:/tmp/catalog-info.yaml' });
			assert.equal(r.status, 400);
			assert.equal(r.json.errors[0].message, "Invalid location ref file:/tmp/catalog-info.yaml, only 'url:<target>' is supported");
			for (const body of [{ entity: good }, { location: 'url:https://example.com/x.yaml' }, {}]) {
				r = await post(body);
				assert.equal(r.status, 400, JSON.stringify(body));
				assert.ok(Array.isArray(r.json.errors), r.text);
			}
		});
	});

	describe('locations (read-only)', () => {
		it('GET /locations lists only API-registered locations', async () => {
			assert.deepEqual(await api.json('/locations'), []);
		});

		it('404 for unknown ids and for entities from configured locations', async () => {
			await expectError(await fetch(`${api.root}/locations/nope`), {
				status: 404, name: 'NotFoundError', url: '/locations/nope', message: 'Found no location with ID nope',
			});
			await expectError(await fetch(`${api.root}/locations/by-entity/component/default/alpha-service`), { status: 404, name: 'NotFoundError' });
			await expectError(await fetch(`${api.root}/locations/by-entity/component/default/nope`), { status: 404, name: 'NotFoundError' });
		});
	});
});

describe('catalog REST: locations and processing', { skip: OWN_PROCESS }, () => {
	let files;
	let srv;
	let api;

	before(async () => {
		files = await startFileServer({
			'/extra.yaml': readFixture('extra.yaml'),
			'/nested/extra-nested.yaml': readFixture('extra-nested.yaml'),
			'/duplicate.yaml': readFixture('duplicate.yaml'),
			'/not-allowed.yaml': readFixture('extra-nested.yaml'),
		});
		srv = await startCatalogServer({ rules: [{ allow: ALL_KINDS }], allow: [{ host: files.host }] });
		api = catalogApi(srv.url);
	});

	after(async () => {
		await files?.close();
		await srv?.stopCleanly();
	});

	/** The Location entity of a registered url, once it has status items. */
	const locationErrors = (target) => waitFor(async () => {
		const e = await api.entity(generatedLocationRef('url', target));
		return e?.status?.items?.length ? e.status.items : null;
	}, { what: `processing errors on the location of ${target}` });

	describe('registering', () => {
		let loc;
		const target = () => files.url('/extra.yaml');

		it('POST /locations: 201 {location, entities: []}', async () => {
			const r = await api.post('/locations', { type: 'url', target: target() });
			assert.equal(r.status, 201, r.text);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			loc = r.json.location;
			assert.deepEqual(r.json.entities, []);
			assert.match(loc.id, UUID_RE);
			assert.equal(loc.type, 'url');
			assert.equal(loc.target, target());
			assert.equal(loc.entityRef, generatedLocationRef('url', target()));
		});

		it('GET /locations wraps each item in {data}; GET /locations/{id}', async () => {
			assert.deepEqual(await api.json('/locations'), [{ data: loc }]);
			assert.deepEqual(await api.json(`/locations/${loc.id}`), loc);
		});

		it('the Location entity and its children appear, nested targets resolved against the URL', async () => {
			const want = ['component:default/extra-one', 'component:default/extra-two', 'location:default/extra-nested',
				'component:default/extra-nested-one'];
			await waitFor(async () => {
				for (const r of want)
					if (!await api.entity(r))
						return false;
				return true;
			}, { what: 'the registered location to be processed' });
			const root = await api.entity(loc.entityRef);
			assert.deepEqual(root.spec, { type: 'url', target: target() });
			assert.equal(root.metadata.annotations['backstage.io/managed-by-location'], `url:${target()}`);
			assert.equal(root.metadata.annotations['backstage.io/managed-by-origin-location'], `url:${target()}`);
			const nested = await api.entity('component:default/extra-nested-one');
			assert.equal(nested.metadata.annotations['backstage.io/managed-by-location'], `url:${files.url('/nested/extra-nested.yaml')}`);
			assert.equal(nested.metadata.annotations['backstage.io/managed-by-origin-location'], `url:${target()}`);
			const anc = await api.json('/entities/by-name/component/default/extra-nested-one/ancestry');
			assert.deepEqual(anc.items.map((i) => refOf(i.entity)), [
				'component:default/extra-nested-one', 'location:default/extra-nested', loc.entityRef,
			]);
			assert.deepEqual(anc.items.map((i) => i.parentEntityRefs), [['location:default/extra-nested'], [loc.entityRef], []]);
		});

		it('GET /locations/by-entity follows managed-by-origin-location', async () => {
			assert.deepEqual(await api.json('/locations/by-entity/component/default/extra-nested-one'), loc);
			assert.deepEqual(await api.json('/locations/by-entity/Component/Default/Extra-One'), loc);
		});

		it('409 when the same location is registered again; onConflict=refresh answers 201 with it', async () => {
			const res = await fetch(`${api.root}/locations`, {
				method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url', target: target() }),
			});
			await expectError(res, { status: 409, name: 'ConflictError', method: 'POST', url: '/locations', message: `Location url:${target()} already exists` });
			const r = await api.post('/locations?onConflict=refresh', { type: 'url', target: target() });
			assert.equal(r.status, 201, r.text);
			assert.deepEqual(r.json.location, loc);
			assert.deepEqual(await api.json('/locations'), [{ data: loc }]);
		});

		it('dryRun=true: nothing stored; the Location entity first, then everything it leads to', async () => {
			for (const [t, exists] of [[target(), true], [files.url('/nested/extra-nested.yaml'), false]]) {
				const r = await api.post('/locations?dryRun=true', { type: 'url', target: t });
				assert.equal(r.status, 201, r.text);
				assert.deepEqual(r.json.location, { id: `url:${t}`, type: 'url', target: t });
				assert.equal(r.json.exists, exists);
				const got = r.json.entities.map(refOf);
				assert.equal(got[0], generatedLocationRef('url', t));
				if (exists) {
					assert.deepEqual(got.slice(1).sort(), ['component:default/extra-nested-one', 'component:default/extra-one',
						'component:default/extra-two', 'location:default/extra-nested']);
					const one = r.json.entities.find((e) => e.metadata.name === 'extra-one');
					assert.equal(one.metadata.annotations['backstage.io/managed-by-location'], `url:${t}`);
				} else {
					assert.deepEqual(got.slice(1), ['component:default/extra-nested-one']);
				}
			}
			assert.equal((await api.json('/locations')).length, 1);
			assert.equal(await api.entity(generatedLocationRef('url', files.url('/nested/extra-nested.yaml'))), null);
		});

		it('dryRun accepts yes/1 and no/0/false', async () => {
			for (const v of ['yes', '1']) {
				const r = await api.post(`/locations?dryRun=${v}`, { type: 'url', target: target() });
				assert.equal(r.status, 201, `${v}: ${r.text}`);
				assert.equal(r.json.exists, true);
			}
			for (const v of ['no', '0', 'false']) {
				const r = await api.post(`/locations?dryRun=${v}`, { type: 'url', target: target() });
				assert.equal(r.status, 409, `dryRun=${v} registers for real: ${r.text}`);
			}
		});

		it('dryRun: 400 for a target that cannot be read or holds duplicates', async () => {
			for (const [p, msg] of [['/missing.yaml', /missing\.yaml/], ['/duplicate.yaml', /Duplicate nested entity: component:default\/twice/]]) {
				const res = await fetch(`${api.root}/locations?dryRun=true`, {
					method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'url', target: files.url(p) }),
				});
				await expectError(res, { status: 400, method: 'POST', url: '/locations?dryRun=true', message: msg });
			}
		});

		it('400 for bodies that are not a url location', async () => {
			const cases = [
				[{ type: 'file', target: '/etc/passwd' }, 'Registered locations must be of an allowed type ["url"]'],
				[{ type: 'url', target: files.url('/x.yaml'), extra: 1 }, undefined],
				[{ type: 'url' }, undefined],
				[{ type: 'url', target: files.url('/x.yaml'), presence: 'maybe' }, undefined],
				[{}, undefined],
				[[], undefined],
			];
			for (const [body, message] of cases) {
				const res = await fetch(`${api.root}/locations`, {
					method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
				});
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/locations', message });
			}
			const noType = await fetch(`${api.root}/locations`, { method: 'POST', body: JSON.stringify({ type: 'url', target: files.url('/x.yaml') }) });
			await expectError(noType, { status: 400, method: 'POST', url: '/locations' });
			const badJson = await fetch(`${api.root}/locations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
			await expectError(badJson, { status: 400, name: 'InputError', method: 'POST', url: '/locations' });
		});

		it('presence: optional tolerates a missing file; required records NotFoundError', async () => {
			const r = await api.post('/locations', { type: 'url', target: files.url('/optional-missing.yaml'), presence: 'optional' });
			assert.equal(r.status, 201, r.text);
			assert.equal((await api.entity(r.json.location.entityRef)).spec.presence, 'optional');
			// A nested optional Location with a missing and a present target: the
			// round has no error, so the present target's entity is applied.
			files.set('/opt/optional.yaml', readFixture('optional.yaml'));
			files.set('/opt/optional-present.yaml', readFixture('optional-present.yaml'));
			await api.addLocation(files.url('/opt/optional.yaml'));
			await waitFor(() => api.entity('component:default/optional-present'), { what: 'the present target of the optional Location' });
			assert.ok(files.hits('/opt/optional-missing.yaml') > 0, 'the missing target was tried');
			assert.deepEqual((await api.entity('location:default/optional-targets')).status?.items ?? [], []);

			const required = files.url('/required-missing.yaml');
			await api.addLocation(required);
			const items = await locationErrors(required);
			assert.equal(items.length, 1, JSON.stringify(items));
			assert.equal(items[0].error.name, 'NotFoundError');
			assert.ok(items[0].message.includes(required), items[0].message);
		});

		it('DELETE /locations/{id}: 204, its entities go away, then 404', async () => {
			const r = await api.del(`/locations/${loc.id}`);
			assert.equal(r.status, 204);
			assert.equal(r.text, '');
			await waitFor(async () => !await api.entity('component:default/extra-one') && !await api.entity('component:default/extra-nested-one'),
				{ what: 'the location\'s entities to be removed' });
			assert.equal(await api.entity(loc.entityRef), null);
			assert.equal(await api.entity('location:default/extra-nested'), null);
			await expectError(await fetch(`${api.root}/locations/${loc.id}`), { status: 404, name: 'NotFoundError', message: `Found no location with ID ${loc.id}` });
			await expectError(await fetch(`${api.root}/locations/${loc.id}`, { method: 'DELETE' }), { status: 404, name: 'NotFoundError', method: 'DELETE' });
			assert.ok(!(await api.json('/locations')).some((l) => l.data.id === loc.id));
		});
	});

	describe('refresh and deletion', () => {
		const p = '/changing.yaml';
		let locRef;
		let before1;

		it('a changed file is visible within seconds of POST /refresh of its Location', async () => {
			files.set(p, readFixture('changing-v1.yaml'));
			locRef = (await api.addLocation(files.url(p))).location.entityRef;
			before1 = await waitFor(async () => {
				const list = await api.list('metadata.name=changing-one,metadata.name=changing-two,metadata.name=changing-still');
				return list.length === 3 ? Object.fromEntries(list.map((e) => [e.metadata.name, e])) : null;
			}, { what: 'changing-v1.yaml to be ingested' });
			files.set(p, readFixture('changing-v2.yaml'));
			const t0 = performance.now();
			await api.refresh(locRef);
			const one = await waitFor(async () => {
				const e = await api.entity('component:default/changing-one');
				return e?.metadata.description === 'second version' ? e : null;
			}, { timeoutMs: 3000, what: 'the new description after a refresh' });
			await waitFor(async () => await api.entity('component:default/changing-three') && !await api.entity('component:default/changing-two'),
				{ timeoutMs: 3000, what: 'changing-three to appear and changing-two to go' });
			assert.ok(performance.now() - t0 < 3000);
			assert.equal(one.metadata.uid, before1['changing-one'].metadata.uid, 'uid is stable across rounds');
			assert.notEqual(one.metadata.etag, before1['changing-one'].metadata.etag, 'etag changes with the content');
			const still = await api.entity('component:default/changing-still');
			assert.equal(still.metadata.uid, before1['changing-still'].metadata.uid);
			assert.equal(still.metadata.etag, before1['changing-still'].metadata.etag, 'etag is unchanged when nothing changed');
			assert.deepEqual(still, before1['changing-still']);
		});

		it('refreshing an entity re-reads its Location ancestors; a re-added entity gets a new uid', async () => {
			files.set(p, readFixture('changing-v1.yaml'));
			await api.refresh('component:default/changing-still');
			const two = await waitFor(() => api.entity('component:default/changing-two'), { timeoutMs: 3000, what: 'changing-two to come back' });
			assert.notEqual(two.metadata.uid, before1['changing-two'].metadata.uid);
			await waitFor(async () => (await api.entity('component:default/changing-one'))?.metadata.description === 'first version',
				{ timeoutMs: 3000, what: 'the first description again' });
		});

		it('DELETE /entities/by-uid: 204; the entity comes back from its Location with a new uid', async () => {
			const e = await api.entity('component:default/changing-still');
			// Read it by uid first: a read served from memory must not outlive the entity.
			assert.equal((await api.get(`/entities/by-uid/${e.metadata.uid}`)).status, 200);
			const r = await api.del(`/entities/by-uid/${e.metadata.uid}`);
			assert.equal(r.status, 204);
			assert.equal(r.text, '');
			const gone = await api.get(`/entities/by-uid/${e.metadata.uid}`);
			assert.equal(gone.status, 404);
			const back = await waitFor(() => api.entity('component:default/changing-still'), { what: 'the deleted entity to reappear' });
			assert.notEqual(back.metadata.uid, e.metadata.uid);
			assert.deepEqual(back.spec, e.spec);
		});

		it('DELETE /entities/by-uid of an unknown uid is 204 too', async () => {
			const r = await api.del('/entities/by-uid/00000000-0000-4000-8000-000000000000');
			assert.equal(r.status, 204);
		});

		it('an entity deleted while its Location is being read still comes back',
			async () => {
				const e = await api.entity('component:default/changing-still');
				const gate = files.hold(p);
				await api.refresh(locRef);
				await gate.arrived; // a round of the Location is now waiting for the file
				assert.equal((await api.del(`/entities/by-uid/${e.metadata.uid}`)).status, 204);
				gate.open();
				await waitFor(() => api.entity('component:default/changing-still'), { timeoutMs: 3000, what: 'the deleted entity to reappear' });
			});

		it('POST /refresh: 200 with an empty body; 404 for an unknown entity; 400 without entityRef', async () => {
			const r = await api.post('/refresh', { entityRef: locRef });
			assert.equal(r.status, 200);
			assert.equal(r.text, '');
			const res = await fetch(`${api.root}/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"entityRef":"component:default/nope"}' });
			await expectError(res, { status: 404, name: 'NotFoundError', method: 'POST', url: '/refresh', message: /component:default\/nope/ });
			const res2 = await fetch(`${api.root}/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			await expectError(res2, { status: 400, name: 'InputError', method: 'POST', url: '/refresh' });
		});

	});

	describe('processing errors', () => {
		it('an invalid entity: error with file and line on the Location and in /errors; the rest is ingested', async () => {
			const text = readFixture('invalid-entity.yaml');
			files.set('/invalid.yaml', text);
			const target = files.url('/invalid.yaml');
			await api.addLocation(target);
			const items = await locationErrors(target);
			const line = text.split('\n').findIndex((l) => l.includes('name: not a valid name!')) + 1;
			assert.equal(items.length, 1, JSON.stringify(items));
			assert.equal(items[0].type, 'backstage.io/catalog-processing');
			assert.equal(items[0].level, 'error');
			assert.equal(items[0].error.name, 'InputError');
			assert.ok(items[0].message.includes(`${target}:${line}`), `names the file and line ${line}: ${items[0].message}`);
			assert.match(items[0].message, /metadata\.name/);
			await waitFor(async () => await api.entity('component:default/valid-before') && await api.entity('component:default/valid-after'),
				{ what: 'the valid entities of the file' });
			const errors = await api.errors();
			const onLoc = errors.find((x) => x.entityRef === generatedLocationRef('url', target));
			assert.ok(onLoc, JSON.stringify(errors));
			assert.ok(onLoc.errors.some((x) => x.message.includes(`${target}:${line}`)));
		});

		it('a conflict: the first location keeps the entity, the second gets a ConflictError', async () => {
			files.set('/conflict-a.yaml', readFixture('conflict-a.yaml'));
			files.set('/conflict-b.yaml', readFixture('conflict-b.yaml'));
			const a = files.url('/conflict-a.yaml');
			const b = files.url('/conflict-b.yaml');
			await api.addLocation(a);
			const first = await waitFor(() => api.entity('component:default/contested'), { what: 'the contested entity from a' });
			await api.addLocation(b);
			const items = await locationErrors(b);
			assert.equal(items.length, 1, JSON.stringify(items));
			assert.equal(items[0].error.name, 'ConflictError');
			assert.match(items[0].message, /^ConflictError: /);
			assert.match(items[0].message, /component:default\/contested/);
			await waitFor(() => api.entity('component:default/uncontested-b'), { what: 'the rest of conflict-b.yaml' });
			const kept = await api.entity('component:default/contested');
			assert.equal(kept.metadata.description, 'from conflict-a.yaml');
			assert.equal(kept.metadata.annotations['backstage.io/managed-by-location'], `url:${a}`);
			assert.equal(kept.metadata.uid, first.metadata.uid);
			assert.equal(kept.metadata.etag, first.metadata.etag);
			assert.deepEqual((await api.entity(generatedLocationRef('url', a))).status?.items ?? [], []);
		});

		it('a YAML syntax error: nothing from that round is applied, the error is recorded, a fix clears it', async () => {
			const p = '/syntax.yaml';
			const target = files.url(p);
			files.set(p, readFixture('syntax-good.yaml'));
			const { location } = await api.addLocation(target);
			const good = await waitFor(async () => {
				const kept = await api.entity('component:default/syntax-kept');
				return kept && await api.entity('component:default/syntax-other') ? kept : null;
			}, { what: 'syntax-good.yaml to be ingested' });
			files.set(p, readFixture('syntax-broken.yaml'));
			await api.refresh(location.entityRef);
			const items = await locationErrors(target);
			assert.equal(items[0].error.name, 'InputError');
			assert.ok(items[0].message.includes(target), items[0].message);
			assert.deepEqual(await api.entity('component:default/syntax-kept'), good);
			assert.ok(await api.entity('component:default/syntax-other'), 'entities of the last good round stay');
			assert.equal(await api.entity('component:default/syntax-new'), null);
			assert.ok((await api.errors()).some((x) => x.entityRef === location.entityRef));

			files.set(p, readFixture('syntax-good.yaml'));
			await api.refresh(location.entityRef);
			await waitFor(async () => !(await api.entity(location.entityRef)).status?.items?.length, { what: 'the error to clear' });
			assert.ok(!(await api.errors()).some((x) => x.entityRef === location.entityRef));
		});

		it('an etag from the source is kept; a uid from the source is replaced', async () => {
				files.set('/source-etag.yaml', readFixture('source-etag.yaml'));
				await api.addLocation(files.url('/source-etag.yaml'));
				const e = await waitFor(() => api.entity('component:default/own-etag'), { what: 'own-etag' });
				assert.match(e.metadata.uid, UUID_RE);
				assert.equal(e.metadata.etag, 'etag-from-the-source');
			});

		it('keys that differ only in case: that entity is refused, the rest of the file is ingested', async () => {
			files.set('/case-keys.yaml', readFixture('case-keys.yaml'));
			const target = files.url('/case-keys.yaml');
			await api.addLocation(target);
			const items = await locationErrors(target);
			assert.equal(items.length, 1, JSON.stringify(items));
			assert.match(items[0].message, /case/i);
			await waitFor(() => api.entity('component:default/case-fine'), { what: 'case-fine' });
			assert.equal(await api.entity('component:default/case-clash'), null);
		});

		it('one missing target fails the whole round of that Location: nothing it read is applied', async () => {
			files.set('/partial/partial.yaml', readFixture('partial.yaml'));
			files.set('/partial/partial-present.yaml', readFixture('partial-present.yaml'));
			await api.addLocation(files.url('/partial/partial.yaml'));
			const loc = await waitFor(async () => {
				const e = await api.entity('location:default/partial');
				return e?.status?.items?.length ? e : null;
			}, { what: 'the error on location:default/partial' });
			assert.equal(loc.status.items[0].error.name, 'NotFoundError');
			assert.ok(loc.status.items[0].message.includes(files.url('/partial/partial-missing.yaml')), loc.status.items[0].message);
			assert.ok(files.hits('/partial/partial-present.yaml') > 0, 'the present target was read');
			assert.equal(await api.entity('component:default/partial-present'), null);
		});

		it('a location deleted while its round is in flight leaves nothing behind',
			async () => {
				files.set('/race.yaml', readFixture('race.yaml'));
				const { location } = await api.addLocation(files.url('/race.yaml'));
				await waitFor(() => api.entity('component:default/race-one'), { what: 'race-one' });
				const gate = files.hold('/race.yaml');
				await api.refresh(location.entityRef);
				await gate.arrived; // the round is now waiting for the file
				assert.equal((await api.del(`/locations/${location.id}`)).status, 204);
				assert.equal(await api.entity('component:default/race-one'), null);
				files.set('/race.yaml', readFixture('race.yaml').replace('owner: team-red', 'owner: team-blue'));
				gate.open();
				await gate.sent;
				// Watch for a while: the late round must not bring anything back.
				const deadline = performance.now() + 1500;
				while (performance.now() < deadline) {
					assert.equal(await api.entity('component:default/race-one'), null, 'race-one came back after its location was deleted');
					await new Promise((r) => setTimeout(r, 50));
				}
			});

		it('a url host not in backend.reading.allow is refused without being fetched', async () => {
			const target = `http://localhost:${files.port}/not-allowed.yaml`;
			await api.addLocation(target);
			const items = await locationErrors(target);
			assert.equal(items[0].error.name, 'NotAllowedError');
			assert.ok(items[0].message.includes(target), items[0].message);
			assert.equal(files.hits('/not-allowed.yaml'), 0);
			assert.equal(await api.entity('component:default/extra-nested-one'), null);
		});
	});
});

describe('catalog REST: locations by query, location updates, analyze-location', { skip: OWN_PROCESS }, () => {
	let files;
	let srv;
	let api;
	const registered = [];

	before(async () => {
		files = await startFileServer({
			'/a.yaml': readFixture('conflict-a.yaml'),
			'/b.yaml': readFixture('extra-nested.yaml'),
			'/c.yaml': readFixture('partial-present.yaml'),
		});
		srv = await startCatalogServer({ rules: [{ allow: ALL_KINDS }], allow: [{ host: files.host }] });
		api = catalogApi(srv.url);
		for (const p of ['/a.yaml', '/b.yaml', '/c.yaml'])
			registered.push((await api.addLocation(files.url(p))).location);
		registered.sort((x, y) => (x.id < y.id ? -1 : 1));
	});

	after(async () => {
		await files?.close();
		await srv?.stopCleanly();
	});

	it('POST /locations/by-query: pages ordered by id with a base64 JSON cursor', async () => {
		const first = await api.post('/locations/by-query', { query: { type: 'url' }, limit: 2 });
		assert.equal(first.status, 200, first.text);
		assert.equal(first.json.totalItems, 3);
		assert.deepEqual(first.json.items, registered.slice(0, 2));
		const c = decodeCursor(first.json.pageInfo.nextCursor);
		assert.equal(c.limit, 2);
		assert.equal(c.afterId, registered[1].id);
		const second = await api.post('/locations/by-query', { cursor: first.json.pageInfo.nextCursor });
		assert.deepEqual(second.json.items, registered.slice(2));
		assert.equal(second.json.pageInfo.nextCursor, undefined);
		const byTarget = await api.post('/locations/by-query', { query: { target: { $hasPrefix: files.url('/B').toUpperCase() } } });
		assert.deepEqual(byTarget.json.items.map((l) => l.target), [files.url('/b.yaml')]);
		const bad = await api.post('/locations/by-query', { query: { owner: 'x' } });
		assert.equal(bad.status, 400);
		const zero = await api.post('/locations/by-query', { limit: 0 });
		assert.equal(zero.status, 400);
	});

	it('PUT /locations/{id}: 200 with the updated location, entityRef unchanged; 409 and 404', async () => {
		const loc = registered.find((l) => l.target === files.url('/c.yaml'));
		const target = files.url('/c-moved.yaml');
		files.set('/c-moved.yaml', readFixture('syntax-good.yaml'));
		const r = await api.call('PUT', `/locations/${loc.id}`, { type: 'url', target });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json, { ...loc, target });
		assert.deepEqual(await api.json(`/locations/${loc.id}`), { ...loc, target });
		await waitFor(() => api.entity('component:default/syntax-kept'), { what: 'the new target to be read' });
		const taken = registered.find((l) => l.target === files.url('/a.yaml')).target;
		assert.equal((await api.call('PUT', `/locations/${loc.id}`, { type: 'url', target: taken })).status, 409);
		assert.equal((await api.call('PUT', '/locations/00000000-0000-4000-8000-000000000000', { type: 'url', target })).status, 404);
		assert.equal((await api.call('PUT', `/locations/${loc.id}`, { type: 'url', target, extra: 1 })).status, 400);
	});

	it('an entity that changes parent but keeps its managed-by-location is moved, not a conflict',
		async () => {
			files.set('/move/move-root.yaml', readFixture('move-root.yaml'));
			files.set('/move/move-leaf.yaml', readFixture('move-leaf.yaml'));
			const { location } = await api.addLocation(files.url('/move/move-root.yaml'));
			const before = await waitFor(() => api.entity('component:default/move-leaf'), { what: 'move-leaf' });
			const r = await api.call('PUT', `/locations/${location.id}`, { type: 'url', target: files.url('/move/move-leaf.yaml') });
			assert.equal(r.status, 200, r.text);
			await waitFor(async () => !await api.entity('location:default/move-root'), { what: 'the old parent to go' });
			const after = await waitFor(() => api.entity('component:default/move-leaf'), { timeoutMs: 2000, what: 'move-leaf under its new parent' });
			assert.equal(after.metadata.uid, before.metadata.uid);
			assert.deepEqual((await api.entity(location.entityRef)).status?.items ?? [], []);
			const anc = await api.json('/entities/by-name/component/default/move-leaf/ancestry');
			assert.deepEqual(anc.items[0].parentEntityRefs, [location.entityRef]);
		});

	it('POST /analyze-location: a skeleton Component named after the repository', async () => {
		const r = await api.post('/analyze-location', { location: { type: 'url', target: 'https://github.com/acme/widget-service' }, catalogFilename: 'catalog-info.yaml' });
		assert.equal(r.status, 200, r.text);
		assert.deepEqual(r.json.existingEntityFiles, []);
		assert.equal(r.json.generateEntities.length, 1);
		const { entity, fields } = r.json.generateEntities[0];
		assert.equal(entity.apiVersion, 'backstage.io/v1alpha1');
		assert.equal(entity.kind, 'Component');
		assert.equal(entity.metadata.name, 'widget-service');
		assert.deepEqual(entity.spec, { type: 'other', lifecycle: 'unknown' });
		assert.ok(Array.isArray(fields));
		const bad = await fetch(`${api.root}/analyze-location`, {
			method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ location: { type: 'url', target: 'not a url' } }),
		});
		await expectError(bad, { status: 400, name: 'InputError', method: 'POST', url: '/analyze-location', message: 'The given location.target is not a URL' });
		const empty = await fetch(`${api.root}/analyze-location`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		assert.equal(empty.status, 400);
	});
});

describe('catalog REST: error bodies', { skip: OWN_PROCESS }, () => {
	let srv;
	let api;

	before(async () => {
		srv = await startCatalogServer();
		api = catalogApi(srv.url);
	});

	after(async () => {
		await srv?.stopCleanly();
	});

	it('request.url is relative to /api/catalog and keeps the query', async () => {
		const res = await fetch(`${api.root}/entities?filter=${enc('=x')}&limit=2`);
		const body = await expectError(res, { status: 400, name: 'InputError', method: 'GET' });
		assert.equal(body.request.url, '/entities?filter=%3Dx&limit=2');
	});

	it('invalid JSON bodies are 400 InputError on every POST route', async () => {
		for (const p of ['/entities/by-refs', '/entities/by-query', '/entity-facets', '/refresh', '/locations']) {
			const res = await fetch(api.root + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
			await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: p });
		}
		const r = await api.post('/validate-entity', '{"a":', { 'content-type': 'application/json' });
		assert.equal(r.status, 400);
		assert.ok(Array.isArray(r.json.errors), r.text);
	});

	it('an unknown catalog route is 404; a known route with another method is 405', async () => {
		const r = await fetch(`${api.root}/nothing-here`);
		assert.equal(r.status, 404);
		const m = await fetch(`${api.root}/entities`, { method: 'PATCH' });
		assert.equal(m.status, 405);
		assertErrorBody(await m.text(), { status: 405, method: 'PATCH' });
	});

	it('an empty catalog: [] and {items: [], totalItems: 0, pageInfo: {}}', async () => {
		assert.deepEqual(await api.json('/entities'), []);
		assert.deepEqual(await api.json('/entities/by-query'), { items: [], totalItems: 0, pageInfo: {} });
		assert.deepEqual(await api.json('/entity-facets?facet=kind'), { facets: { kind: [] } });
		assert.deepEqual(await api.json('/errors'), { items: [] });
	});
});
