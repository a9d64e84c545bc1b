// Search: GET /api/search/query in Backstage's wire shape (results,
// highlight, rank, cursors), ranking (exact name first, title over
// keywords over text, word prefixes, every word required), the types and
// filters parameters in every form the frontend writes, paging, input
// errors, browse mode, TechDocs sections, the incremental index following
// the catalog and the docs sites, and our own GET /api/search/facets.
//
// The server reads a catalog of its own, written to a temp dir: a main file
// whose entities do not change, and a second file whose entities the
// incremental tests change and remove.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { catalogApi, generatedLocationRef, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { assertErrorBody, JSON_TYPE, OWN_PROCESS, removeDir, tempDir } from './lib/server.mjs';

// ---- the catalog -------------------------------------------------------------------------------

const group = (name, displayName) => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Group',
	metadata: { name, description: `The ${displayName} team` },
	spec: { type: 'team', profile: { displayName }, children: [] } });

const component = (name, { title, description, type = 'service', lifecycle = 'production', owner,
	tags, annotations, system } = {}) => ({
	apiVersion: 'backstage.io/v1alpha1', kind: 'Component',
	metadata: { name, ...(title ? { title } : {}), ...(description ? { description } : {}),
		...(tags ? { tags } : {}), ...(annotations ? { annotations } : {}) },
	spec: { type, lifecycle, owner, ...(system ? { system } : {}) },
});

const MAIN = [
	group('team-pay', 'Pay'),
	group('team-infra', 'Infrastructure'),
	group('team-web', 'Web'),
	{ apiVersion: 'backstage.io/v1alpha1', kind: 'User', metadata: { name: 'jane-roe' },
		spec: { profile: { displayName: 'Jane Roe', email: 'jane@example.com' }, memberOf: ['team-web'] } },
	{ apiVersion: 'backstage.io/v1alpha1', kind: 'System', metadata: { name: 'commerce', description: 'Everything customers buy' },
		spec: { owner: 'team-pay' } },
	// "billing": the exact name, but its title does not say billing; billing-api
	// says it in its name, title and text, so bm25 alone would put it first.
	component('billing', { title: 'Core Ledger', description: 'Keeps the ledger of invoices',
		owner: 'group:team-pay', tags: ['pci'], system: 'commerce' }),
	component('billing-api', { description: 'The billing API: billing endpoints for billing clients',
		owner: 'team-pay', system: 'commerce' }),
	component('invoice-mailer', { description: 'Sends billing reminders by email', lifecycle: 'experimental',
		owner: 'group:default/team-pay' }),
	component('payment-gateway', { description: 'Takes card transactions', owner: 'team-pay' }),
	component('payment-ledger', { description: 'Double entry bookkeeping', lifecycle: 'experimental', owner: 'team-pay' }),
	component('kubernetes-operator', { description: 'Reconciles clusters', owner: 'team-infra' }),
	component('cluster-dashboard', { description: 'Shows kubernetes nodes', type: 'website', lifecycle: 'experimental',
		owner: 'team-web' }),
	component('telemetry-gateway', { description: 'Forwards spans upstream', owner: 'team-infra' }),
	component('metrics-store', { description: 'Stores telemetry samples for a year', type: 'library',
		lifecycle: 'experimental', owner: 'team-infra' }),
	component('geo-svc', { title: 'Atlas Maps', description: 'Serves map tiles', type: 'website',
		lifecycle: 'experimental', owner: 'team-web' }),
	component('tile-renderer', { description: 'Renders tiles for the atlas viewer', type: 'library',
		lifecycle: 'experimental', owner: 'team-web' }),
	component('legacy-portal', { description: 'The old intranet', type: 'website', lifecycle: 'deprecated',
		owner: 'team-web' }),
	component('handbook', { title: 'Engineering Handbook', description: 'How we work', type: 'documentation',
		owner: 'group:team-web', annotations: { 'backstage.io/techdocs-ref': 'dir:./handbook' } }),
	component('Night-Watch', { description: 'Pages whoever is on call', owner: 'team-infra' }),
	component('changelog', { description: `${'Lists every release note of every service we run, newest first, with links to the pull requests, '.repeat(3)}and ends with the word pumpernickel.`,
		type: 'library', owner: 'team-web' }),
	{ apiVersion: 'backstage.io/v1alpha1', kind: 'API', metadata: { name: 'orders-api', description: 'Order placement' },
		spec: { type: 'openapi', lifecycle: 'production', owner: 'team-web', definition: 'openapi: 3.0.0' } },
	{ apiVersion: 'backstage.io/v1alpha1', kind: 'Resource', metadata: { name: 'orders-db', description: 'Order storage' },
		spec: { type: 'database', owner: 'team-infra' } },
];

const WEATHERVANE = (description) => component('weathervane', { description, owner: 'team-infra' });
const DOOMED = component('doomed', { description: 'Soon removed', owner: 'team-infra',
	annotations: { 'backstage.io/techdocs-ref': 'dir:./doomed-docs' } });
const ANCHOR = component('anchor-svc', { description: 'Stays put', owner: 'team-infra' });
const SIDECAR = (annotations) => component('sidecar', { description: 'Rides along', owner: 'team-infra', annotations });
const SIDECAR_DOCS = { 'backstage.io/techdocs-ref': 'dir:./sidecar-docs' };

const yaml = (entities) => entities.map((e) => JSON.stringify(e)).join('\n---\n');

const HANDBOOK_FILES = {
	'mkdocs.yml': 'site_name: Engineering Handbook\nnav:\n  - Home: index.md\n  - Deploying: guides/deploy.md\nplugins:\n  - techdocs-core\n',
	'docs/index.md': '# Handbook\n\nWelcome aboard.\n\n## Onboarding\n\nNew hires get a zephyrine badge.\n\n## Tools & tricks\n\nIn R&D we write `a < b` for the gorgonzola check.\n',
	'docs/guides/deploy.md': '# Deploying\n\nShip it carefully.\n\n## Rollback\n\nPull the quillback lever to roll back.\n',
};
const SIDECAR_FILES = {
	'mkdocs.yml': 'site_name: Sidecar\nnav:\n  - Home: index.md\nplugins:\n  - techdocs-core\n',
	'docs/index.md': '# Sidecar\n\nThe periwinkle protocol.\n',
};
const DOOMED_FILES = {
	'mkdocs.yml': 'site_name: Doomed\nnav:\n  - Home: index.md\nplugins:\n  - techdocs-core\n',
	'docs/index.md': '# Doomed\n\nGoing away.\n\n## Reactor\n\nThe obsidianite reactor hums.\n',
};

function writeTree(root, files) {
	for (const [p, text] of Object.entries(files)) {
		mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
		writeFileSync(path.join(root, p), text);
	}
}

const nameOf = (e) => e.metadata.name;
const components = MAIN.filter((e) => e.kind === 'Component');

// ---- helpers -----------------------------------------------------------------------------------

const b64 = (s) => Buffer.from(s).toString('base64');

describe('search', { skip: OWN_PROCESS }, () => {
	let dir;
	let srv;
	let api;
	let changingFile;
	let catalogCount; // entities in the catalog, Locations included
	const sections = {}; // entity name -> its MkDocs search index entries
	const docSections = () => Object.values(sections).reduce((n, list) => n + list.length, 0);

	/** GET /api/search/<what>?<qs> as { status, body, text }. */
	async function get(qs, what = 'query') {
		const res = await fetch(`${srv.url}/api/search/${what}${qs ? `?${qs}` : ''}`);
		const text = await res.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			body = undefined;
		}
		return { status: res.status, headers: res.headers, body, text };
	}

	/** The 200 body of a query. */
	async function query(qs, what = 'query') {
		const r = await get(qs, what);
		assert.equal(r.status, 200, `GET /api/search/${what}?${qs}: ${r.status} ${r.text}`);
		assert.equal(r.headers.get('content-type'), JSON_TYPE);
		return r.body;
	}

	/** Every result of a query, following nextPageCursor. */
	async function all(qs) {
		const out = [];
		let cursor;
		for (let i = 0; i < 50; i++) {
			const body = await query(`${qs}&pageLimit=100${cursor ? `&pageCursor=${encodeURIComponent(cursor)}` : ''}`);
			out.push(...body.results);
			cursor = body.nextPageCursor;
			if (!cursor)
				return out;
		}
		assert.fail('too many pages');
	}

	/** Names of the software-catalog results of a term, in order. */
	async function catalogNames(qs) {
		const body = await query(`${qs}&types[0]=software-catalog&pageLimit=100`);
		return body.results.map((r) => r.document.location.split('/').at(-1));
	}

	async function expectInputError(qs, message = /^Invalid query string: /, what = 'query') {
		const r = await get(qs, what);
		assert.equal(r.status, 400, `GET /api/search/${what}?${qs}: ${r.status} ${r.text}`);
		assert.equal(r.headers.get('content-type'), JSON_TYPE);
		assertErrorBody(r.body, { status: 400, name: 'InputError', method: 'GET', message });
	}

	before(async () => {
		dir = tempDir('stagehand-search-');
		writeFileSync(path.join(dir, 'catalog-info.yaml'), yaml(MAIN));
		writeTree(path.join(dir, 'handbook'), HANDBOOK_FILES);
		writeTree(path.join(dir, 'doomed-docs'), DOOMED_FILES);
		writeTree(path.join(dir, 'sidecar-docs'), SIDECAR_FILES);
		changingFile = path.join(dir, 'changing.yaml');
		writeFileSync(changingFile, yaml([WEATHERVANE('Reports on the xylophone quota'), DOOMED, ANCHOR, SIDECAR(SIDECAR_DOCS)]));
		srv = await startCatalogServer({ locations: [
			{ type: 'file', target: path.join(dir, 'catalog-info.yaml') },
			{ type: 'file', target: changingFile },
		], extra: { techdocs: { recheckSeconds: 0 } } });
		api = catalogApi(srv.url);
		const names = [...MAIN, WEATHERVANE(''), DOOMED, ANCHOR, SIDECAR()].map(nameOf);
		await waitFor(async () => {
			const list = await api.list();
			const have = new Set(list.map(nameOf));
			if (!names.every((n) => have.has(n)))
				return false;
			catalogCount = list.length;
			return true;
		}, { what: 'the catalog files to be ingested' });
		for (const name of ['handbook', 'doomed', 'sidecar']) {
			sections[name] = await waitFor(async () => {
				const res = await fetch(`${srv.url}/api/techdocs/static/docs/default/component/${name}/search/search_index.json`);
				return res.status === 200 ? (await res.json()).docs : null;
			}, { what: `the ${name} docs site` });
		}
		const docCount = docSections();
		await waitFor(async () => {
			const cat = await query('types[0]=software-catalog&pageLimit=1');
			const docs = await query('types[0]=techdocs&pageLimit=1');
			return cat.numberOfResults === catalogCount && docs.numberOfResults === docCount;
		}, { what: `the index to hold ${catalogCount} entities and ${docCount} doc sections` });
	});

	after(async () => {
		await srv?.stopCleanly();
		if (dir)
			removeDir(dir);
	});

	// ---- the response --------------------------------------------------------------------------

	describe('the response', () => {
		it('has Backstage\'s shape: results of {type, document, highlight, rank} and numberOfResults', async () => {
			const body = await query('term=billing');
			assert.deepEqual(Object.keys(body).sort(), ['numberOfResults', 'results']);
			assert.equal(body.numberOfResults, 3);
			assert.equal(body.results.length, 3);
			const r = body.results.find((x) => x.document.title === 'billing-api');
			assert.ok(r, JSON.stringify(body.results));
			assert.deepEqual(Object.keys(r).sort(), ['document', 'highlight', 'rank', 'type']);
			assert.equal(r.type, 'software-catalog');
			assert.deepEqual(r.document, {
				title: 'billing-api', text: 'The billing API: billing endpoints for billing clients',
				location: '/catalog/default/component/billing-api', kind: 'Component', namespace: 'default',
				type: 'service', componentType: 'service', lifecycle: 'production', owner: 'team-pay',
			});
			for (const x of body.results)
				assert.equal(Number.isInteger(x.rank) && x.rank >= 1, true);
			assert.deepEqual(body.results.map((x) => x.rank), [1, 2, 3]);
		});

		it('a catalog document of a User carries its display name and email in text, kind as written and no owner', async () => {
			const body = await query('term=jane&types[0]=software-catalog');
			assert.equal(body.results.length, 1);
			assert.deepEqual(body.results[0].document, {
				title: 'jane-roe', text: 'Jane Roe : jane@example.com', location: '/catalog/default/user/jane-roe',
				kind: 'User', namespace: 'default', type: 'other', componentType: 'other', lifecycle: '', owner: '',
			});
		});

		it('an entity\'s location is lower-case; its title keeps the name\'s case', async () => {
			const body = await query('term=night-watch&types[0]=software-catalog');
			assert.equal(body.results[0].document.location, '/catalog/default/component/night-watch');
			assert.equal(body.results[0].document.title, 'Night-Watch');
		});

		it('parameters it does not know are ignored', async () => {
			const plain = await query('term=billing');
			assert.deepEqual(await query('term=billing&foo=bar&page=3&filters=x'), plain);
		});

		it('a long text may be highlighted as a snippet of the text around the match', async () => {
			const body = await query('term=pumpernickel&types[0]=software-catalog');
			const r = body.results[0];
			const { preTag, postTag } = r.highlight;
			const hl = r.highlight.fields.text;
			assert.ok(hl.includes(`${preTag}pumpernickel${postTag}`), hl);
			const plain = hl.split(preTag).join('').split(postTag).join('').replace(/^…|…$/g, '');
			assert.ok(r.document.text.includes(plain), `${JSON.stringify(plain)} is a part of the text`);
		});

		it('never returns an authorization field', async () => {
			for (const r of await all('term='))
				assert.equal('authorization' in r.document, false, JSON.stringify(r.document));
		});

		it('highlight wraps the matched word in the title with preTag/postTag', async () => {
			const body = await query('term=billing');
			const r = body.results.find((x) => x.document.title === 'billing-api');
			const { preTag, postTag, fields } = r.highlight;
			assert.equal(typeof preTag, 'string');
			assert.equal(typeof postTag, 'string');
			assert.ok(preTag.length > 0 && postTag.length > 0 && preTag !== postTag);
			assert.equal(fields.title, `${preTag}billing${postTag}-api`);
			// Every result of the response uses the same pair.
			for (const x of body.results)
				assert.deepEqual([x.highlight.preTag, x.highlight.postTag], [preTag, postTag]);
		});

		it('highlight wraps the matched word in the text', async () => {
			const body = await query('term=billing');
			const r = body.results.find((x) => x.document.title === 'invoice-mailer');
			const { preTag, postTag, fields } = r.highlight;
			assert.equal(fields.text, `Sends ${preTag}billing${postTag} reminders by email`);
			assert.equal(fields.title, undefined, 'the title does not say billing');
		});

		it('highlight.fields holds only fields with a match, each (a part of) the field\'s text with the tags added', async () => {
			// billing matches by its name (a keyword): neither its title "Core
			// Ledger" nor its text says billing.
			const body = await query('term=billing');
			const { preTag, postTag } = body.results[0].highlight;
			for (const x of body.results) {
				for (const [field, value] of Object.entries(x.highlight.fields)) {
					assert.ok(value.includes(preTag) && value.includes(postTag),
						`${x.document.title}: highlight.fields.${field} has no match: ${JSON.stringify(value)}`);
					const plain = value.split(preTag).join('').split(postTag).join('').replace(/^…|…$/g, '');
					assert.ok(x.document[field].includes(plain),
						`${x.document.title}: highlight.fields.${field} without the tags is (a part of) the field`);
				}
			}
		});

		it('a prefix match is highlighted as the whole word it matched', async () => {
			const body = await query('term=kube&types[0]=software-catalog');
			const r = body.results.find((x) => x.document.title === 'cluster-dashboard');
			const { preTag, postTag } = r.highlight;
			assert.equal(r.highlight.fields.text, `Shows ${preTag}kubernetes${postTag} nodes`);
		});

		it('rank is 1-based across pages: page*pageSize + index + 1', async () => {
			const first = await query('term=&pageLimit=4');
			assert.deepEqual(first.results.map((r) => r.rank), [1, 2, 3, 4]);
			const second = await query(`term=&pageLimit=4&pageCursor=${encodeURIComponent(first.nextPageCursor)}`);
			assert.deepEqual(second.results.map((r) => r.rank), [5, 6, 7, 8]);
			const third = await query(`term=&pageLimit=4&pageCursor=${encodeURIComponent(b64('2'))}`);
			assert.deepEqual(third.results.map((r) => r.rank), [9, 10, 11, 12]);
		});
	});

	// ---- ranking ---------------------------------------------------------------------------------

	describe('ranking', () => {
		it('an entity named exactly as the term comes first, even when others match more often', async () => {
			assert.deepEqual(await catalogNames('term=billing'), ['billing', 'billing-api', 'invoice-mailer']);
			// Case and surrounding blanks do not matter.
			assert.deepEqual((await catalogNames('term=%20BILLING%20'))[0], 'billing');
			assert.deepEqual((await catalogNames('term=NIGHT-WATCH'))[0], 'night-watch');
		});

		it('a match in the name or title outranks a match in the description only', async () => {
			assert.deepEqual(await catalogNames('term=atlas'), ['geo-svc', 'tile-renderer']);
			assert.deepEqual(await catalogNames('term=telemetry'), ['telemetry-gateway', 'metrics-store']);
			assert.deepEqual(await catalogNames('term=billing'), ['billing', 'billing-api', 'invoice-mailer']);
		});

		it('every word of the term matches as a word prefix: kube finds kubernetes, ubernetes finds nothing', async () => {
			const kube = await catalogNames('term=kube');
			assert.deepEqual(kube, ['kubernetes-operator', 'cluster-dashboard']);
			assert.deepEqual(await catalogNames('term=Kub'), kube);
			assert.deepEqual(await catalogNames('term=ubernetes'), []);
		});

		it('keywords count: a tag, an owner or a lifecycle finds the entity', async () => {
			assert.deepEqual(await catalogNames('term=pci'), ['billing']);
			assert.deepEqual((await catalogNames('term=deprecated')), ['legacy-portal']);
			const pay = await catalogNames('term=team-pay');
			for (const n of ['billing', 'billing-api', 'invoice-mailer', 'payment-gateway', 'payment-ledger', 'commerce', 'team-pay'])
				assert.ok(pay.includes(n), `${n} in ${pay}`);
		});

		it('all words are required: a two-word term finds only what has both, in any order', async () => {
			assert.deepEqual((await catalogNames('term=payment')).sort(), ['payment-gateway', 'payment-ledger']);
			assert.deepEqual((await catalogNames('term=gateway')).sort(), ['payment-gateway', 'telemetry-gateway']);
			assert.deepEqual(await catalogNames('term=payment%20gateway'), ['payment-gateway']);
			assert.deepEqual(await catalogNames('term=gateway+payment'), ['payment-gateway']);
			assert.deepEqual(await catalogNames('term=payment%20nothingatall'), []);
		});

		it('all words are required however many there are: the 17th word of a term still counts', async () => {
			assert.ok((await catalogNames(`term=${encodeURIComponent('api '.repeat(16))}`)).includes('billing-api'));
			// 16 words that match and one that matches nothing (76 characters).
			assert.deepEqual(await catalogNames(`term=${encodeURIComponent(`${'api '.repeat(16)}nothingatall`)}`), []);
		});

		it('a term with FTS syntax characters is read as words, not as a query language', async () => {
			for (const t of ['billing"', 'billing*', 'billing OR kubernetes', '(billing)', 'NEAR(billing', 'billing:api', '-billing']) {
				const r = await get(`term=${encodeURIComponent(t)}`);
				assert.equal(r.status, 200, `${t}: ${r.text}`);
			}
			assert.deepEqual(await catalogNames(`term=${encodeURIComponent('billing OR kubernetes')}`), []);
		});
	});

	describe('routes', () => {
		it('other paths under /api/search are 404, other methods 405', async () => {
			const r = await get('', 'nope');
			assert.equal(r.status, 404);
			assertErrorBody(r.body, { status: 404, name: 'NotFoundError' });
			const post = await fetch(`${srv.url}/api/search/query?term=x`, { method: 'POST' });
			assert.equal(post.status, 405);
		});
	});

	// ---- types --------------------------------------------------------------------------------------

	describe('types', () => {
		it('types[0]=software-catalog returns catalog documents only; types[0]=techdocs only doc sections', async () => {
			const cat = await all('term=&types[0]=software-catalog');
			assert.equal(cat.length, catalogCount);
			assert.ok(cat.every((r) => r.type === 'software-catalog'));
			const docs = await all('term=&types[0]=techdocs');
			assert.equal(docs.length, docSections());
			assert.ok(docs.every((r) => r.type === 'techdocs'));
		});

		it('both types, absent types, types[]=, repeated types= and bracket indexes all agree', async () => {
			const total = catalogCount + docSections();
			for (const qs of ['term=', 'term=&types[0]=software-catalog&types[1]=techdocs',
				'term=&types[]=software-catalog&types[]=techdocs', 'term=&types=software-catalog&types=techdocs',
				'term=&types%5B0%5D=techdocs&types%5B1%5D=software-catalog'])
				assert.equal((await query(qs)).numberOfResults, total, qs);
			for (const qs of ['types[]=techdocs', 'types=techdocs', 'types%5B0%5D=techdocs']) {
				const body = await query(`term=handbook&${qs}`);
				assert.ok(body.results.length > 0 && body.results.every((r) => r.type === 'techdocs'), qs);
			}
		});

		it('an unknown type is 400 InputError, alone or next to a known one', async () => {
			await expectInputError('term=x&types[0]=nope');
			await expectInputError('term=x&types[0]=software-catalog&types[1]=nope');
			await expectInputError('term=x&types=Software-Catalog');
			await expectInputError('types[]=tech');
		});
	});

	// ---- filters ---------------------------------------------------------------------------------

	describe('filters', () => {
		it('filters[kind]=Component keeps components only, case-insensitively', async () => {
			const expected = components.map((e) => nameOf(e).toLowerCase()).concat(['weathervane', 'doomed', 'anchor-svc', 'sidecar']).sort();
			for (const v of ['Component', 'component', 'COMPONENT']) {
				const names = await catalogNames(`term=&filters[kind]=${v}`);
				assert.deepEqual(names.sort(), expected, v);
			}
			assert.deepEqual(await catalogNames('term=order&filters[kind]=api'), ['orders-api']);
		});

		it('filters[owner]=x finds owners written x, group:x and group:default/x', async () => {
			const expected = ['billing', 'billing-api', 'commerce', 'invoice-mailer', 'payment-gateway', 'payment-ledger'];
			assert.deepEqual((await catalogNames('term=&filters[owner]=team-pay')).sort(), expected);
			assert.deepEqual((await catalogNames('term=&filters[owner]=Team-Pay')).sort(), expected);
			// Any way of writing the owner's ref names the same owner.
			assert.deepEqual((await catalogNames('term=&filters[owner]=group:default/team-pay')).sort(), expected);
			assert.deepEqual((await catalogNames('term=&filters[owner]=group:team-pay')).sort(), expected);
		});

		it('filters[owner] applies to doc sections by their owner\'s name', async () => {
			const body = await query('term=&types[0]=techdocs&filters[owner]=team-web&pageLimit=100');
			assert.equal(body.numberOfResults, sections.handbook.length);
			assert.ok(body.results.every((r) => r.document.name === 'handbook'));
		});

		it('filters[lifecycle][0]=…&filters[lifecycle][1]=… is any-of', async () => {
			const exp = MAIN.filter((e) => ['experimental', 'deprecated'].includes(e.spec?.lifecycle)).map(nameOf).sort();
			const names = await catalogNames('term=&filters[lifecycle][0]=experimental&filters[lifecycle][1]=deprecated');
			assert.deepEqual(names.sort(), exp);
			// One element is the scalar.
			assert.deepEqual(await catalogNames('term=&filters[lifecycle][0]=deprecated'), ['legacy-portal']);
			// Repeated keys and [] are any-of too.
			assert.deepEqual((await catalogNames('term=&filters[lifecycle][]=experimental&filters[lifecycle][]=deprecated')).sort(), exp);
		});

		it('filters on several keys combine with AND, and with the term', async () => {
			assert.deepEqual((await catalogNames('term=&filters[kind]=component&filters[lifecycle]=production&filters[owner]=team-pay')).sort(),
				['billing', 'billing-api', 'payment-gateway']);
			assert.deepEqual(await catalogNames('term=payment&filters[kind]=component&filters[lifecycle]=experimental'),
				['payment-ledger']);
			assert.deepEqual(await catalogNames('term=&filters[type]=website&filters[owner]=team-web&filters[lifecycle]=deprecated'),
				['legacy-portal']);
			assert.deepEqual(await catalogNames('term=&filters[kind]=api&filters[owner]=team-pay'), []);
		});

		it('percent-encoded brackets, as Backstage\'s frontend sends them, work like plain ones', async () => {
			const plain = await query('term=billing&types[0]=software-catalog&filters[kind]=Component&filters[lifecycle][0]=production&pageCursor=MA%3D%3D');
			const encoded = await query('term=billing&types%5B0%5D=software-catalog&filters%5Bkind%5D=Component&filters%5Blifecycle%5D%5B0%5D=production&pageCursor=MA%3D%3D');
			assert.deepEqual(encoded, plain);
			assert.deepEqual(encoded.results.map((r) => r.document.title), ['Core Ledger', 'billing-api']);
		});

		it('a filter on a field the documents lack leaves no results', async () => {
			const body = await query('term=&filters[nosuchfield]=x');
			assert.equal(body.numberOfResults, 0);
			assert.deepEqual(body.results, []);
		});
	});

	// ---- paging ----------------------------------------------------------------------------------

	describe('paging', () => {
		it('the default page is 25 results; pageLimit sets it', async () => {
			const body = await query('term=');
			assert.equal(body.results.length, 25);
			assert.ok(body.numberOfResults > 25);
			assert.equal(body.nextPageCursor, b64('1'));
			assert.equal(body.previousPageCursor, undefined);
			assert.equal((await query('term=&pageLimit=7')).results.length, 7);
			assert.equal((await query('term=&pageLimit=100')).results.length, body.numberOfResults);
		});

		it('nextPageCursor walks every result once, then previousPageCursor walks back; numberOfResults stays', async () => {
			const whole = (await query('term=&pageLimit=100')).results;
			const key = (r) => `${r.type} ${r.document.location}`;
			const pages = [];
			let body = await query('term=&pageLimit=4');
			const n = body.numberOfResults;
			for (;;) {
				assert.equal(body.numberOfResults, n);
				assert.ok(body.results.length > 0 && body.results.length <= 4);
				pages.push(body.results);
				assert.equal(body.previousPageCursor === undefined, pages.length === 1, 'previousPageCursor only after the first page');
				if (!body.nextPageCursor)
					break;
				body = await query(`term=&pageLimit=4&pageCursor=${encodeURIComponent(body.nextPageCursor)}`);
			}
			const walked = pages.flat();
			assert.equal(walked.length, n);
			assert.equal(new Set(walked.map(key)).size, n, 'no duplicates');
			assert.deepEqual(walked.map(key), whole.map(key), 'no gaps, same order as one big page');
			assert.deepEqual(walked.map((r) => r.rank), whole.map((_, i) => i + 1));
			// And back.
			const back = [body.results];
			while (body.previousPageCursor) {
				body = await query(`term=&pageLimit=4&pageCursor=${encodeURIComponent(body.previousPageCursor)}`);
				back.unshift(body.results);
			}
			assert.deepEqual(back.flat().map(key), walked.map(key));
		});

		it('pages a term\'s results the same way', async () => {
			const whole = await query('term=gateway&pageLimit=100');
			const first = await query('term=gateway&pageLimit=1');
			assert.equal(first.numberOfResults, whole.numberOfResults);
			const second = await query(`term=gateway&pageLimit=1&pageCursor=${first.nextPageCursor}`);
			assert.deepEqual([...first.results, ...second.results].map((r) => r.document.location),
				whole.results.slice(0, 2).map((r) => r.document.location));
			assert.equal(second.results[0].rank, 2);
		});

		it('a cursor past the end answers an empty page with a way back', async () => {
			const body = await query(`term=&pageLimit=10&pageCursor=${b64('99')}`);
			assert.deepEqual(body.results, []);
			assert.ok(body.numberOfResults > 0);
			assert.equal(body.nextPageCursor, undefined);
			assert.equal(body.previousPageCursor, b64('98'));
		});

		it('pageLimit 0, 101, -1, 1.5 and abc are 400; 1 and 100 are fine', async () => {
			for (const v of ['0', '101', '-1', '1.5', 'abc', '', '1e2'])
				await expectInputError(`term=&pageLimit=${encodeURIComponent(v)}`);
			assert.equal((await query('term=&pageLimit=1')).results.length, 1);
			assert.equal((await query('term=&pageLimit=100')).results.length,
				Math.min(100, catalogCount + docSections()));
		});

		it('a pageCursor the server did not give is 400', async () => {
			for (const c of ['zzz', '!!!', b64('abc'), b64('-1'), b64('1.5'), b64(''), b64('{"page":1}')])
				await expectInputError(`term=&pageCursor=${encodeURIComponent(c)}`);
		});

		it('a term longer than 100 characters is 400; 100 characters are fine, counted as characters', async () => {
			await expectInputError(`term=${'a'.repeat(101)}`);
			assert.deepEqual((await query(`term=${'a'.repeat(100)}`)).results, []);
			// 100 characters that take two bytes each in UTF-8 are still 100 characters.
			const r = await get(`term=${encodeURIComponent('é'.repeat(100))}`);
			assert.equal(r.status, 200, r.text);
		});
	});

	// ---- browse ----------------------------------------------------------------------------------

	describe('browse mode', () => {
		it('an empty term returns every entity and every doc section, ordered by type then title', async () => {
			const total = catalogCount + docSections();
			for (const qs of ['term=', '', 'term=%20%20'])
				assert.equal((await query(qs)).numberOfResults, total, qs);
			const results = await all('term=');
			assert.equal(results.length, total);
			const types = results.map((r) => r.type);
			assert.deepEqual(types, [...types].sort(), 'grouped by type');
			for (let i = 1; i < results.length; i++)
				if (results[i].type === results[i - 1].type)
					assert.ok(results[i - 1].document.title <= results[i].document.title,
						`${results[i - 1].document.title} before ${results[i].document.title}`);
			const locations = new Set(results.filter((r) => r.type === 'software-catalog').map((r) => r.document.location));
			for (const e of MAIN)
				assert.ok(locations.has(`/catalog/default/${e.kind.toLowerCase()}/${e.metadata.name.toLowerCase()}`), e.metadata.name);
		});

		it('browsing is deterministic: the same request answers the same results', async () => {
			const a = await all('term=');
			const b = await all('term=');
			assert.deepEqual(b, a);
		});
	});

	// ---- techdocs -----------------------------------------------------------------------------------

	describe('techdocs', () => {
		it('a section is found by a word only in its text, with the entity\'s fields and its page location', async () => {
			const body = await query('term=quillback');
			assert.equal(body.numberOfResults, 1, JSON.stringify(body));
			const r = body.results[0];
			assert.equal(r.type, 'techdocs');
			const d = r.document;
			assert.equal(d.title, 'Rollback');
			assert.match(d.text, /quillback lever/);
			assert.equal(d.path, 'guides/deploy/#rollback');
			assert.equal(d.location, '/docs/default/component/handbook/guides/deploy/#rollback');
			assert.deepEqual({ kind: d.kind, namespace: d.namespace, name: d.name, entityTitle: d.entityTitle,
				componentType: d.componentType, type: d.type, lifecycle: d.lifecycle, owner: d.owner },
			{ kind: 'component', namespace: 'default', name: 'handbook', entityTitle: 'Engineering Handbook',
				componentType: 'documentation', type: 'documentation', lifecycle: 'production', owner: 'team-web' });
			assert.deepEqual(d.annotations['backstage.io/techdocs-ref'], 'dir:./handbook');
			assert.equal('authorization' in d, false);
			const { preTag, postTag } = r.highlight;
			assert.ok(r.highlight.fields.text.includes(`${preTag}quillback${postTag}`));
		});

		it('every section of the site is a document, as in its MkDocs search index', async () => {
			const docs = await all('term=&types[0]=techdocs&filters[name]=handbook');
			const got = docs.map((r) => [r.document.path, r.document.title]).sort();
			const want = sections.handbook.map((s) => [s.location, s.title]).sort();
			assert.deepEqual(got, want);
			assert.ok(got.some(([p]) => p === 'guides/deploy/#rollback'));
			assert.ok(docs.every((r) => r.document.location === `/docs/default/component/handbook/${r.document.path}`));
		});

		it('a section on the home page is found by its text too', async () => {
			const body = await query('term=zephyrine');
			assert.deepEqual(body.results.map((r) => [r.type, r.document.location]),
				[['techdocs', `/docs/default/component/handbook/${sections.handbook.find((s) => /zephyrine/.test(s.text)).location}`]]);
			assert.match(body.results[0].document.location, /#onboarding$/);
		});

		it('section titles and text are HTML-unescaped', async () => {
			const body = await query('term=gorgonzola');
			assert.equal(body.numberOfResults, 1);
			const d = body.results[0].document;
			assert.equal(d.title, 'Tools & tricks');
			assert.match(d.text, /In R&D we write a < b for the gorgonzola check\./);
			assert.doesNotMatch(`${d.title} ${d.text}`, /&amp;|&lt;|<code>/);
		});

		it('the docs sections of an entity are found by the entity\'s name next to its catalog document, which comes first', async () => {
			const body = await query('term=handbook&pageLimit=100');
			assert.equal(body.results[0].type, 'software-catalog');
			assert.equal(body.results[0].document.location, '/catalog/default/component/handbook');
			assert.ok(body.results.some((r) => r.type === 'techdocs'));
		});
	});

	// ---- facets ----------------------------------------------------------------------------------

	describe('GET /api/search/facets', () => {
		const asMap = (list) => Object.fromEntries(list.map(({ value, count }) => [value, count]));

		it('counts the results by type, kind and owner', async () => {
			const body = await query('term=', 'facets');
			assert.deepEqual(Object.keys(body).sort(), ['facets', 'numberOfResults']);
			assert.deepEqual(Object.keys(body.facets).sort(), ['kind', 'owner', 'type']);
			const total = catalogCount + docSections();
			assert.equal(body.numberOfResults, total);
			assert.deepEqual(asMap(body.facets.type), { 'software-catalog': catalogCount,
				techdocs: docSections() });
			for (const f of Object.values(body.facets))
				for (const x of f) {
					assert.deepEqual(Object.keys(x).sort(), ['count', 'value']);
					assert.ok(Number.isInteger(x.count) && x.count > 0);
				}
			// Each facet's counts are what the query endpoint finds with that value.
			const kinds = asMap(body.facets.kind);
			for (const [kind, count] of Object.entries(kinds))
				assert.equal((await query(`term=&filters[kind]=${encodeURIComponent(kind)}&pageLimit=1`)).numberOfResults, count, kind);
			assert.equal(kinds.group, 3);
			assert.equal(kinds.user, 1);
			const owners = asMap(body.facets.owner);
			for (const [owner, count] of Object.entries(owners))
				assert.equal((await query(`term=&filters[owner]=${encodeURIComponent(owner)}&pageLimit=1`)).numberOfResults, count, owner);
			assert.equal(owners['team-pay'], 6);
			// Sorted by count, most common first.
			for (const f of Object.values(body.facets))
				for (let i = 1; i < f.length; i++)
					assert.ok(f[i - 1].count >= f[i].count);
		});

		it('counts within a term\'s matches', async () => {
			const body = await query('term=billing', 'facets');
			assert.equal(body.numberOfResults, 3);
			assert.deepEqual(asMap(body.facets.type), { 'software-catalog': 3 });
			assert.deepEqual(asMap(body.facets.kind), { component: 3 });
			assert.deepEqual(asMap(body.facets.owner), { 'team-pay': 3 });
		});

		it('a facet\'s own filter does not narrow its own counts; the other facets are narrowed', async () => {
			const all0 = await query('term=', 'facets');
			const body = await query('term=&filters[kind]=component', 'facets');
			assert.deepEqual(asMap(body.facets.kind), asMap(all0.facets.kind), 'the kind facet still lists every kind');
			assert.ok(body.facets.kind.some((x) => x.value === 'group'));
			const onlyComponents = await query('term=&filters[kind]=component&pageLimit=1');
			assert.equal(body.numberOfResults, onlyComponents.numberOfResults);
			// The owner facet only counts components.
			const owners = asMap(body.facets.owner);
			for (const [owner, count] of Object.entries(owners))
				assert.equal((await query(`term=&filters[kind]=component&filters[owner]=${owner}&pageLimit=1`)).numberOfResults, count, owner);
			assert.ok(owners['team-pay'] < asMap(all0.facets.owner)['team-pay'], 'the System commerce is not counted');
			// And types narrows kind and owner, but not type.
			const docs = await query('term=&types[0]=techdocs', 'facets');
			assert.deepEqual(asMap(docs.facets.type), asMap(all0.facets.type));
			assert.deepEqual(asMap(docs.facets.kind), { component: docSections() });
		});

		it('filters[type] (the entity\'s spec.type) narrows the type facet, which counts document types', async () => {
			const body = await query('term=&filters[type]=website', 'facets');
			const websites = MAIN.filter((e) => e.spec?.type === 'website').length;
			assert.equal(body.numberOfResults, websites);
			assert.deepEqual(asMap(body.facets.type), { 'software-catalog': websites });
		});

		it('takes the same parameters, with the same errors', async () => {
			await expectInputError('types[0]=nope', undefined, 'facets');
			await expectInputError(`term=${'x'.repeat(101)}`, undefined, 'facets');
			await expectInputError('filters[kind=x', undefined, 'facets');
		});
	});

	// ---- incremental updates -------------------------------------------------------------------------

	describe('the index follows its sources', () => {
		const refreshChanging = () => api.refresh(generatedLocationRef('file', changingFile));

		it('a changed description is found by its new word, no longer by the old one', async () => {
			assert.deepEqual(await catalogNames('term=xylophone'), ['weathervane']);
			writeFileSync(changingFile, yaml([WEATHERVANE('Reports on the marimba quota'), DOOMED, ANCHOR, SIDECAR(SIDECAR_DOCS)]));
			await refreshChanging();
			await waitFor(async () => (await catalogNames('term=marimba')).join() === 'weathervane',
				{ what: 'the new description to be found' });
			assert.deepEqual(await catalogNames('term=xylophone'), []);
			// The others were left as they were.
			assert.deepEqual(await catalogNames('term=anchor'), ['anchor-svc']);
		});

		it('a changed owner reaches the entity\'s doc sections too', async () => {
			const section = async () => (await query('term=obsidianite')).results[0]?.document;
			assert.equal((await section()).owner, 'team-infra');
			writeFileSync(changingFile, yaml([WEATHERVANE('Reports on the marimba quota'),
				{ ...DOOMED, spec: { ...DOOMED.spec, owner: 'group:default/team-web' } }, ANCHOR, SIDECAR(SIDECAR_DOCS)]));
			await refreshChanging();
			await waitFor(async () => (await section())?.owner === 'team-web', { what: 'the doc section to name the new owner' });
			assert.deepEqual((await query('term=doomed&types[0]=software-catalog')).results[0].document.owner, 'group:default/team-web');
			assert.equal((await query('term=obsidianite&filters[owner]=team-web')).numberOfResults, 1);
			assert.equal((await query('term=obsidianite&filters[owner]=team-infra')).numberOfResults, 0);
		});

		it('an entity that no longer names a docs site loses its doc sections', async () => {
			assert.equal((await query('term=periwinkle')).numberOfResults, 1);
			writeFileSync(changingFile, yaml([WEATHERVANE('Reports on the marimba quota'),
				{ ...DOOMED, spec: { ...DOOMED.spec, owner: 'group:default/team-web' } }, ANCHOR, SIDECAR()]));
			await refreshChanging();
			await waitFor(async () => !(await api.entity('component:default/sidecar')).metadata.annotations?.['backstage.io/techdocs-ref'],
				{ what: 'the annotation to be gone from the catalog' });
			await waitFor(async () => (await query('term=periwinkle')).numberOfResults === 0,
				{ timeoutMs: 3000, what: 'the sidecar doc sections to leave the index' });
			assert.deepEqual(await catalogNames('term=sidecar'), ['sidecar']);
		});

		it('a removed entity leaves the search, its catalog document and its doc sections', async () => {
			assert.deepEqual(await catalogNames('term=doomed'), ['doomed']);
			assert.equal((await query('term=obsidianite')).numberOfResults, 1);
			const before1 = (await query('term=', 'facets')).numberOfResults;
			writeFileSync(changingFile, yaml([WEATHERVANE('Reports on the marimba quota'), ANCHOR, SIDECAR()]));
			await refreshChanging();
			await waitFor(async () => (await query('term=doomed')).numberOfResults === 0 &&
				(await query('term=obsidianite')).numberOfResults === 0, { what: 'doomed to leave the index' });
			assert.equal((await query('term=')).numberOfResults, before1 - 1 - sections.doomed.length);
			assert.deepEqual(await catalogNames('term=anchor'), ['anchor-svc']);
		});

		it('a changed docs page, once synced, is found by its new text and no longer by the old', async () => {
			writeFileSync(path.join(dir, 'handbook/docs/guides/deploy.md'),
				'# Deploying\n\nShip it carefully.\n\n## Rollback\n\nPull the sturgeon lever to roll back.\n');
			const res = await fetch(`${srv.url}/api/techdocs/sync/default/component/handbook`);
			assert.equal(res.status, 200);
			const stream = await res.text();
			assert.match(stream, /event: finish\ndata: \{"updated":true\}/);
			const found = await waitFor(async () => {
				const body = await query('term=sturgeon');
				return body.numberOfResults === 1 ? body.results[0] : null;
			}, { what: 'the new docs text to be found' });
			assert.equal(found.document.location, '/docs/default/component/handbook/guides/deploy/#rollback');
			assert.equal((await query('term=quillback')).numberOfResults, 0);
			assert.equal((await query('term=zephyrine')).numberOfResults, 1, 'the unchanged page is still found');
		});
	});
});
