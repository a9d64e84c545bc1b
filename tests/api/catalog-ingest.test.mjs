// Ingesting Backstage's own example catalogs from file locations: entity
// counts per kind (derived from the YAML files), relations in both
// directions, server-set annotations, uid/etag, defaults, sorting, catalog
// rules, and the errors for what cannot be ingested.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	EXAMPLES, UUID_RE, assertRelationsSorted, catalogApi, countByKind, fixturePath, generatedLocationRef,
	readEntityFiles, refOf, relationStrings, startCatalogServer, waitFor,
} from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

const MODEL = path.join(EXAMPLES, 'packages/catalog-model/examples');
const APP = path.join(EXAMPLES, 'packages/create-app/templates/default-app/examples');
const BUILTIN = new Set(['Component', 'API', 'Resource', 'System', 'Domain', 'Group', 'User', 'Location', 'Template']);

/** Entities read from each entry file, tagged with the entry they came through. */
function expectedFrom(entries) {
	const out = [];
	for (const entry of entries)
		for (const e of readEntityFiles([entry]))
			out.push({ ...e, origin: entry });
	return out;
}

/** APIs whose definition is a $text placeholder pointing at a remote URL. */
function remotePlaceholder(e) {
	return e.kind === 'API' && /\$text:\s*https?:/.test(e.text);
}

/** The visible entities, keyed by ref. */
async function entitiesByRef(api) {
	const map = new Map();
	for (const e of await api.list())
		map.set(refOf(e), e);
	return map;
}

function hasRelation(entity, type, targetRef) {
	return relationStrings(entity).includes(`${type} ${targetRef}`);
}

function assertRelation(byRef, source, type, target) {
	const e = byRef.get(source);
	assert.ok(e, `${source} is in the catalog`);
	assert.ok(hasRelation(e, type, target), `${source} has ${type} ${target}; it has:\n  ${relationStrings(e).join('\n  ')}`);
}

describe('ingesting the catalog-model examples', { skip: OWN_PROCESS }, () => {
	const entries = [
		path.join(MODEL, 'all.yaml'),
		path.join(MODEL, 'acme-corp.yaml'),
		// Present upstream but referenced by no Location file.
		path.join(MODEL, 'ai-resources/company-ai-marketplace.yaml'),
	];
	let srv;
	let api;
	let expected;
	let byRef;

	before(async () => {
		expected = expectedFrom(entries);
		srv = await startCatalogServer({
			locations: entries.map((target) => ({ type: 'file', target })),
			rules: [{ allow: [...BUILTIN, 'AiResource'] }],
		});
		api = catalogApi(srv.url);
		const wanted = expected.filter((e) => BUILTIN.has(e.kind) && !remotePlaceholder(e)).map((e) => e.ref);
		const aiRefs = expected.filter((e) => e.kind === 'AiResource').map((e) => e.ref);
		byRef = await waitFor(async () => {
			const errors = await api.errors();
			const m = await entitiesByRef(api);
			if (!wanted.every((r) => m.has(r)))
				return null;
			return aiRefs.every((r) => errors.some((x) => x.entityRef === r)) ? m : null;
		}, { what: 'the examples to be ingested' });
	});

	after(async () => {
		await srv?.stopCleanly();
	});

	it('the files hold the entities the upstream examples are known to have', () => {
		// A check of the YAML reader above, so the derived expectations are right.
		assert.deepEqual(countByKind(expected), {
			Location: 9, AiResource: 4, API: 10, Component: 13, Domain: 3, Resource: 1, System: 3, Group: 9, User: 17,
		});
	});

	it('every built-in entity of the files is ingested, and nothing else', async () => {
		// APIs whose definition is a remote $text placeholder fail: github.com is not in backend.reading.allow.
		const want = [...expected.filter((e) => BUILTIN.has(e.kind) && !remotePlaceholder(e)).map((e) => e.ref),
			...entries.map((t) => generatedLocationRef('file', t))].sort();
		assert.deepEqual([...byRef.keys()].sort(), want);
	});

	it('entity counts per kind (kind facet)', async () => {
		const { facets } = await api.json('/entity-facets?facet=kind');
		const counts = Object.fromEntries(facets.kind.map((f) => [f.value, f.count]));
		const want = countByKind(expected.filter((e) => BUILTIN.has(e.kind) && !remotePlaceholder(e)));
		want.Location += entries.length; // the generated root of each configured location
		assert.deepEqual(counts, want);
		assert.deepEqual(counts, { API: 7, Component: 13, Domain: 3, Group: 9, Location: 12, Resource: 1, System: 3, User: 17 });
	});

	it('the generated root Location of each configured location', async () => {
		for (const target of entries) {
			const e = byRef.get(generatedLocationRef('file', target));
			assert.ok(e, `root location for ${target}`);
			assert.equal(e.apiVersion, 'backstage.io/v1alpha1');
			assert.equal(e.metadata.namespace, 'default');
			assert.equal(e.spec.type, 'file');
			assert.equal(e.spec.target, target);
			assert.equal(e.metadata.annotations['backstage.io/managed-by-location'], `file:${target}`);
			assert.equal(e.metadata.annotations['backstage.io/managed-by-origin-location'], `file:${target}`);
		}
	});

	it('managed-by-location names the file, managed-by-origin-location the configured entry', async () => {
		for (const x of expected.filter((e) => BUILTIN.has(e.kind))) {
			const e = byRef.get(x.ref);
			if (!e)
				continue; // a remote-placeholder API; see the placeholder test
			const ann = e.metadata.annotations;
			assert.equal(ann['backstage.io/managed-by-location'], `file:${x.file}`, x.ref);
			assert.equal(ann['backstage.io/managed-by-origin-location'], `file:${x.origin}`, x.ref);
		}
	});

	it('metadata.uid is a unique UUID v4, etag is set, namespace is defaulted, name kept as written', async () => {
		const uids = new Set();
		for (const e of byRef.values()) {
			assert.match(e.metadata.uid, UUID_RE, refOf(e));
			assert.ok(!uids.has(e.metadata.uid), `uid of ${refOf(e)} is unique`);
			uids.add(e.metadata.uid);
			assert.equal(typeof e.metadata.etag, 'string');
			assert.ok(e.metadata.etag.length > 0);
			assert.equal(typeof e.metadata.namespace, 'string');
			assert.ok(Array.isArray(e.relations), `${refOf(e)} has a relations array`);
		}
		for (const x of expected.filter((e) => BUILTIN.has(e.kind) && byRef.has(e.ref))) {
			const e = byRef.get(x.ref);
			assert.equal(e.kind, x.kind);
			assert.equal(e.metadata.name, x.name);
			assert.equal(e.metadata.namespace, x.namespace);
		}
		assert.equal(byRef.get('user:development/guest').metadata.namespace, 'development');
		assert.equal(byRef.get('user:default/guest').metadata.namespace, 'default');
	});

	it('entities are returned by uid and by name with the same content', async () => {
		const e = byRef.get('component:default/artist-lookup');
		assert.deepEqual(await api.json(`/entities/by-uid/${e.metadata.uid}`), e);
		assert.deepEqual(await api.json('/entities/by-name/Component/default/Artist-Lookup'), e);
		assert.deepEqual(e.metadata.tags, ['java', 'data']); // tags keep their order
		assert.equal(e.metadata.links.length, 7);
		assert.deepEqual(e.spec, { type: 'service', lifecycle: 'experimental', owner: 'team-a', system: 'artist-engagement-portal' });
	});

	it('ownedBy / ownerOf', () => {
		assertRelation(byRef, 'component:default/artist-lookup', 'ownedBy', 'group:default/team-a');
		assertRelation(byRef, 'group:default/team-a', 'ownerOf', 'component:default/artist-lookup');
		assertRelation(byRef, 'component:default/searcher', 'ownedBy', 'user:default/guest');
		assertRelation(byRef, 'user:default/guest', 'ownerOf', 'component:default/searcher');
		assertRelation(byRef, 'domain:default/playback', 'ownedBy', 'user:default/frank.tiernan');
		assertRelation(byRef, 'user:default/frank.tiernan', 'ownerOf', 'domain:default/playback');
		assertRelation(byRef, 'domain:default/audio', 'ownedBy', 'group:default/acme-corp');
		assertRelation(byRef, 'group:default/acme-corp', 'ownerOf', 'domain:default/audio');
		assertRelation(byRef, 'resource:default/artists-db', 'ownedBy', 'group:default/team-a');
		assertRelation(byRef, 'group:default/team-a', 'ownerOf', 'resource:default/artists-db');
		assertRelation(byRef, 'group:default/team-b', 'ownerOf', 'api:default/starwars-graphql');
		assertRelation(byRef, 'group:default/team-b', 'ownerOf', 'system:default/podcast');
	});

	it('partOf / hasPart: Component.system, subcomponentOf, System.domain, Domain.subdomainOf, Resource.system', () => {
		assertRelation(byRef, 'component:default/artist-lookup', 'partOf', 'system:default/artist-engagement-portal');
		assertRelation(byRef, 'system:default/artist-engagement-portal', 'hasPart', 'component:default/artist-lookup');
		assertRelation(byRef, 'system:default/artist-engagement-portal', 'hasPart', 'component:default/www-artist');
		assertRelation(byRef, 'resource:default/artists-db', 'partOf', 'system:default/artist-engagement-portal');
		assertRelation(byRef, 'system:default/artist-engagement-portal', 'hasPart', 'resource:default/artists-db');
		assertRelation(byRef, 'component:default/wayback-archive-ingestion', 'partOf', 'component:default/wayback-archive');
		assertRelation(byRef, 'component:default/wayback-archive-storage', 'partOf', 'component:default/wayback-archive');
		assertRelation(byRef, 'component:default/wayback-archive', 'hasPart', 'component:default/wayback-archive-ingestion');
		assertRelation(byRef, 'component:default/wayback-archive', 'hasPart', 'component:default/wayback-archive-storage');
		assertRelation(byRef, 'system:default/audio-playback', 'partOf', 'domain:default/playback');
		assertRelation(byRef, 'system:default/podcast', 'partOf', 'domain:default/playback');
		assertRelation(byRef, 'domain:default/playback', 'hasPart', 'system:default/audio-playback');
		assertRelation(byRef, 'domain:default/playback', 'hasPart', 'system:default/podcast');
		assertRelation(byRef, 'domain:default/artists', 'partOf', 'domain:default/audio');
		assertRelation(byRef, 'domain:default/audio', 'hasPart', 'domain:default/artists');
		assertRelation(byRef, 'domain:default/audio', 'ownedBy', 'group:default/acme-corp');
	});

	it('providesApi / apiProvidedBy and consumesApi / apiConsumedBy', () => {
		for (const a of ['hello-world', 'petstore', 'streetlights']) {
			assertRelation(byRef, 'component:default/petstore', 'providesApi', `api:default/${a}`);
			assertRelation(byRef, `api:default/${a}`, 'apiProvidedBy', 'component:default/petstore');
		}
		assertRelation(byRef, 'component:default/wayback-search', 'providesApi', 'api:default/wayback-search');
		assertRelation(byRef, 'component:default/wayback-search', 'consumesApi', 'api:default/wayback-archive');
		assertRelation(byRef, 'component:default/wayback-archive', 'providesApi', 'api:default/wayback-archive');
		// The wayback APIs are remote-placeholder APIs (not ingested here); when visible they carry the inverses.
		if (byRef.has('api:default/wayback-archive')) {
			assertRelation(byRef, 'api:default/wayback-archive', 'apiConsumedBy', 'component:default/wayback-search');
			assertRelation(byRef, 'api:default/wayback-archive', 'apiProvidedBy', 'component:default/wayback-archive');
		}
	});

	it('memberOf / hasMember from User.memberOf, across namespaces', () => {
		assertRelation(byRef, 'user:default/breanna.davison', 'memberOf', 'group:default/team-a');
		assertRelation(byRef, 'group:default/team-a', 'hasMember', 'user:default/breanna.davison');
		assertRelation(byRef, 'user:development/guest', 'memberOf', 'group:default/team-a');
		assertRelation(byRef, 'group:default/team-a', 'hasMember', 'user:development/guest');
		const members = relationStrings(byRef.get('group:default/team-a')).filter((r) => r.startsWith('hasMember '));
		assert.deepEqual(members, [
			'hasMember user:default/breanna.davison', 'hasMember user:default/guest', 'hasMember user:default/janelle.dawe',
			'hasMember user:default/nigel.manning', 'hasMember user:development/guest',
		]);
		const dMembers = relationStrings(byRef.get('group:default/team-d')).filter((r) => r.startsWith('hasMember '));
		assert.deepEqual(dMembers, ['hasMember user:default/eva.macdowell', 'hasMember user:default/lucy.sheehan']);
	});

	it('parentOf / childOf from Group.parent and Group.children, each pair once', () => {
		assertRelation(byRef, 'group:default/acme-corp', 'parentOf', 'group:default/infrastructure');
		assertRelation(byRef, 'group:default/infrastructure', 'childOf', 'group:default/acme-corp');
		assertRelation(byRef, 'group:default/infrastructure', 'parentOf', 'group:default/backstage');
		assertRelation(byRef, 'group:default/infrastructure', 'parentOf', 'group:default/boxoffice');
		// team-e names boxoffice as parent, but boxoffice does not list it as a child.
		assertRelation(byRef, 'group:default/team-e', 'childOf', 'group:default/boxoffice');
		assertRelation(byRef, 'group:default/boxoffice', 'parentOf', 'group:default/team-e');
		const teamA = relationStrings(byRef.get('group:default/team-a'));
		assert.equal(teamA.filter((r) => r === 'childOf group:default/backstage').length, 1, 'declared twice, listed once');
		assert.deepEqual(relationStrings(byRef.get('group:default/boxoffice')).filter((r) => /^(parentOf|childOf) /.test(r)), [
			'childOf group:default/infrastructure', 'parentOf group:default/team-c', 'parentOf group:default/team-d',
			'parentOf group:default/team-e',
		]);
	});

	it('relations are de-duplicated and sorted by type, then targetRef, on every entity', () => {
		for (const e of byRef.values())
			assertRelationsSorted(e);
	});

	it('the complete relations of some entities', () => {
		assert.deepEqual(relationStrings(byRef.get('component:default/petstore')), [
			'ownedBy group:default/team-c',
			'providesApi api:default/hello-world',
			'providesApi api:default/petstore',
			'providesApi api:default/streetlights',
		]);
		assert.deepEqual(relationStrings(byRef.get('system:default/audio-playback')), [
			'hasPart component:default/playback-order',
			'hasPart component:default/playback-sdk',
			'hasPart component:default/shuffle-api',
			'ownedBy group:default/team-c',
			'partOf domain:default/playback',
		]);
		assert.deepEqual(relationStrings(byRef.get('user:default/frank.tiernan')), [
			'memberOf group:default/team-c',
			'ownerOf domain:default/playback',
		]);
	});

	it('list fields are returned sorted; other lists keep their order', () => {
		assert.deepEqual(byRef.get('component:default/petstore').spec.providesApis, ['hello-world', 'petstore', 'streetlights']);
		assert.deepEqual(byRef.get('group:default/infrastructure').spec.children, ['backstage', 'boxoffice']);
		assert.deepEqual(byRef.get('location:default/example-apis').spec.targets[0], './apis/backstage-mcp-server-api.yaml');
	});

	it('nested Locations keep their spec and are read relative to their own file', () => {
		const all = byRef.get('location:default/example-all');
		assert.deepEqual(all.spec.targets, [
			'./all-ai-resources.yaml', './all-apis.yaml', './all-components.yaml', './all-domains.yaml',
			'./all-resources.yaml', './all-systems.yaml',
		]);
		assert.equal(all.metadata.annotations['backstage.io/managed-by-location'], `file:${path.join(MODEL, 'all.yaml')}`);
		const groups = byRef.get('location:default/example-groups');
		assert.equal(groups.metadata.annotations['backstage.io/managed-by-location'], `file:${path.join(MODEL, 'acme/org.yaml')}`);
		assert.equal(byRef.get('group:default/team-a').metadata.annotations['backstage.io/managed-by-location'],
			`file:${path.join(MODEL, 'acme/team-a-group.yaml')}`);
	});

	it('an API of type mcp-server with remotes and no definition is valid', () => {
		const e = byRef.get('api:default/backstage-mcp-server');
		assert.ok(e);
		assert.deepEqual(e.spec.remotes, [{ type: 'streamable-http', url: 'http://localhost:7007/api/mcp/v1' }]);
	});

	it('AiResource is not a built-in kind: reported on its Location, not ingested', async () => {
		const ai = expected.filter((e) => e.kind === 'AiResource');
		for (const x of ai)
			assert.equal(await api.entity(x.ref), null, `${x.ref} is not served`);
		assert.deepEqual(await api.list('kind=airesource'), []);
		const loc = await api.entity('location:default/example-ai-resources');
		assert.ok(loc, 'the Location that names the AiResource files is visible');
		const items = loc.status?.items ?? [];
		assert.equal(items.length, 3, JSON.stringify(items));
		for (const item of items) {
			assert.equal(item.type, 'backstage.io/catalog-processing');
			assert.equal(item.level, 'error');
			assert.equal(typeof item.error.name, 'string');
			assert.equal(item.message, `${item.error.name}: ${item.error.message}`);
			assert.match(item.message, /AiResource/);
		}
		for (const x of ai.filter((e) => e.origin === entries[0]))
			assert.ok(items.some((i) => i.message.includes(x.file)), `an error names ${x.file}`);
		// The unreferenced file, configured directly: the error is on its root Location.
		const root = await api.entity(generatedLocationRef('file', entries[2]));
		assert.ok(root.status?.items?.some((i) => /AiResource/.test(i.message) && i.message.includes(entries[2])),
			JSON.stringify(root.status));
		const errors = await api.errors();
		for (const x of ai) {
			const item = errors.find((e) => e.entityRef === x.ref);
			assert.ok(item, `${x.ref} in /errors`);
			assert.equal(item.visible, false);
			assert.match(item.errors[0].message, /AiResource/);
		}
	});

	it('no processing errors but for the AiResource files and the remote placeholders', async () => {
		const remote = expected.filter(remotePlaceholder);
		const known = (msg) => /AiResource/.test(msg) || remote.some((x) => msg.includes(`file:${x.file}`));
		for (const item of await api.errors())
			for (const err of item.errors)
				assert.ok(known(err.message), `unexpected processing error on ${item.entityRef}: ${err.message}`);
		for (const e of byRef.values())
			for (const item of e.status?.items ?? [])
				assert.ok(known(item.message), `unexpected status on ${refOf(e)}: ${item.message}`);
		assert.deepEqual(byRef.get('component:default/petstore').status?.items ?? [], []);
	});

	it('$text placeholders are resolved relative to the file; unreadable remote ones are errors', async () => {
		const hook = byRef.get('api:default/petstore-webhook');
		assert.equal(hook.spec.definition, readFileSync(path.join(MODEL, 'apis/petstore-webhook.oas.yaml'), 'utf8'));
		// github.com is not in backend.reading.allow: those APIs fail to process.
		const errors = await api.errors();
		const remote = expected.filter(remotePlaceholder);
		assert.deepEqual(remote.map((x) => x.ref).sort(), ['api:default/spotify', 'api:default/wayback-archive', 'api:default/wayback-search']);
		for (const x of remote) {
			assert.equal(await api.entity(x.ref), null, `${x.ref} is not visible`);
			const item = errors.find((e) => e.entityRef === x.ref);
			assert.ok(item, `${x.ref} has a processing error`);
			assert.equal(item.visible, false);
			assert.match(item.errors[0].message, /backend\.reading\.allow/);
		}
	});
});

describe('ingesting the create-app examples with per-location rules', { skip: OWN_PROCESS }, () => {
	const files = {
		entities: path.join(APP, 'entities.yaml'),
		org: path.join(APP, 'org.yaml'),
		template: path.join(APP, 'template/template.yaml'),
		content: path.join(APP, 'template/content/catalog-info.yaml'),
		relations: fixturePath('relations.yaml'),
		denied: fixturePath('rules-denied.yaml'),
		glob: fixturePath('glob/*.yaml'),
	};
	let srv;
	let api;
	let byRef;

	before(async () => {
		srv = await startCatalogServer({
			// As the generated app config: software kinds everywhere, people and
			// templates only from their own files.
			rules: [{ allow: ['Component', 'System', 'API', 'Resource', 'Location'] }],
			locations: [
				{ type: 'file', target: files.entities },
				{ type: 'file', target: files.org, rules: [{ allow: ['User', 'Group'] }] },
				{ type: 'file', target: files.template, rules: [{ allow: ['Template'] }] },
				{ type: 'file', target: files.content },
				{ type: 'file', target: files.relations, rules: [{ allow: ['Group', 'User', 'Domain'] }] },
				{ type: 'file', target: files.denied },
				{ type: 'file', target: files.glob },
			],
		});
		api = catalogApi(srv.url);
		const wanted = [...readEntityFiles([files.entities, files.org, files.template, files.relations]).map((e) => e.ref),
			'component:default/rules-allowed', 'component:default/glob-one', 'component:default/glob-two'];
		byRef = await waitFor(async () => {
			const m = await entitiesByRef(api);
			if (!wanted.every((r) => m.has(r)))
				return null;
			const errs = await api.errors();
			const roots = [files.content, files.denied].map((f) => generatedLocationRef('file', f));
			return roots.every((r) => errs.some((e) => e.entityRef === r)) ? m : null;
		}, { what: 'the create-app examples and fixtures to be ingested' });
	});

	after(async () => {
		await srv?.stopCleanly();
	});

	it('every entity of the files is ingested', () => {
		const want = [
			...readEntityFiles([files.entities, files.org, files.template, files.relations]).map((e) => e.ref),
			'component:default/rules-allowed', 'component:default/glob-one', 'component:default/glob-two',
			...Object.values(files).map((f) => generatedLocationRef('file', f)),
		].sort();
		assert.deepEqual([...byRef.keys()].sort(), want);
		assert.deepEqual(countByKind([...byRef.values()]), {
			Location: 7, System: 2, Component: 9, API: 4, User: 4, Group: 3, Template: 1, Domain: 1, Resource: 1,
		});
	});

	it('a glob file location reads every matching file', () => {
		for (const n of ['one', 'two']) {
			const e = byRef.get(`component:default/glob-${n}`);
			assert.equal(e.metadata.annotations['backstage.io/managed-by-location'], `file:${fixturePath(`glob/${n}.yaml`)}`);
			assert.equal(e.metadata.annotations['backstage.io/managed-by-origin-location'], `file:${files.glob}`);
		}
		assert.equal(byRef.get(generatedLocationRef('file', files.glob)).spec.target, files.glob);
	});

	it('the Template is ingested with its apiVersion and owner relation', () => {
		const t = byRef.get('template:default/example-nodejs-template');
		assert.equal(t.apiVersion, 'scaffolder.backstage.io/v1beta3');
		assert.equal(t.metadata.title, 'Example Node.js Template');
		assert.equal(t.spec.steps.length, 4);
		assert.equal(t.spec.parameters.length, 2);
		assert.deepEqual(relationStrings(t), ['ownedBy user:default/guest']);
		assertRelation(byRef, 'user:default/guest', 'ownerOf', 'template:default/example-nodejs-template');
	});

	it('the example app entities and their relations', () => {
		assert.deepEqual(relationStrings(byRef.get('component:default/example-website')), [
			'ownedBy group:default/guests',
			'partOf system:default/examples',
			'providesApi api:default/example-grpc-api',
		]);
		assert.deepEqual(relationStrings(byRef.get('api:default/example-grpc-api')), [
			'apiProvidedBy component:default/example-website',
			'ownedBy group:default/guests',
			'partOf system:default/examples',
		]);
		assert.deepEqual(relationStrings(byRef.get('system:default/examples')), [
			'hasPart api:default/example-grpc-api',
			'hasPart component:default/example-website',
			'ownedBy group:default/guests',
		]);
		assert.deepEqual(relationStrings(byRef.get('group:default/guests')), [
			'hasMember user:default/guest',
			'ownerOf api:default/example-grpc-api',
			'ownerOf component:default/example-website',
			'ownerOf component:default/glob-one',
			'ownerOf component:default/glob-two',
			'ownerOf component:default/rules-allowed',
			'ownerOf system:default/examples',
		]);
		assert.deepEqual(relationStrings(byRef.get('user:default/guest')), [
			'memberOf group:default/guests',
			'ownerOf template:default/example-nodejs-template',
		]);
	});

	it('the scaffolder skeleton catalog-info.yaml is not an entity: error on its Location with file and line', async () => {
		const root = byRef.get(generatedLocationRef('file', files.content));
		const items = root.status?.items ?? [];
		assert.equal(items.length, 1, JSON.stringify(items));
		assert.equal(items[0].level, 'error');
		assert.equal(items[0].type, 'backstage.io/catalog-processing');
		assert.ok(items[0].message.includes(`${files.content}:4`), items[0].message); // the metadata.name line
		assert.match(items[0].message, /metadata\.name/);
		const fromFile = [...byRef.values()].filter((e) =>
			e.metadata.annotations['backstage.io/managed-by-location'] === `file:${files.content}`);
		assert.deepEqual(fromFile.map(refOf), [refOf(root)], 'only the root Location comes from that file');
	});

	it('catalog rules: a kind the location may not emit is refused, the rest is ingested', async () => {
		assert.ok(byRef.has('component:default/rules-allowed'));
		assert.equal(await api.entity('group:default/rules-refused'), null);
		const root = byRef.get(generatedLocationRef('file', files.denied));
		const items = root.status?.items ?? [];
		assert.equal(items.length, 1, JSON.stringify(items));
		assert.equal(items[0].error.name, 'NotAllowedError');
		assert.match(items[0].message, /^NotAllowedError: /);
		assert.match(items[0].message, /group:default\/rules-refused/i);
		assert.ok(items[0].message.includes(files.denied), items[0].message);
	});

	it('no other processing errors', async () => {
		const allowed = new Set([files.content, files.denied].map((f) => generatedLocationRef('file', f)));
		for (const item of await api.errors()) {
			// The skeleton's own (invalid) entity may be listed with its error.
			if (!allowed.has(item.entityRef))
				assert.equal(item.location, `file:${files.content}`, `unexpected processing error: ${JSON.stringify(item)}`);
		}
		for (const e of byRef.values())
			if (!allowed.has(refOf(e)))
				assert.deepEqual(e.status?.items ?? [], [], `${refOf(e)} status`);
	});

	describe('every relation type, both directions (fixture relations.yaml)', () => {
		const cases = {
			'component:default/rel-service': [
				'consumesApi api:default/rel-api-c',
				'dependencyOf component:default/rel-frontend',
				'dependencyOf component:ops/rel-ops-job',
				'dependsOn component:default/rel-lib',
				'dependsOn resource:default/rel-db',
				'hasPart component:default/rel-lib',
				'ownedBy group:default/rel-team',
				'partOf system:default/rel-system',
				'providesApi api:default/rel-api-a',
				'providesApi api:default/rel-api-b',
			],
			'group:default/rel-team': [
				'childOf group:default/rel-org',
				'hasMember user:default/rel-alice',
				'hasMember user:default/rel-bob',
				'hasMember user:default/rel-carol',
				'ownerOf api:default/rel-api-a',
				'ownerOf api:default/rel-api-b',
				'ownerOf api:default/rel-api-c',
				'ownerOf component:default/rel-frontend',
				'ownerOf component:default/rel-service',
				'ownerOf domain:default/rel-domain',
				'ownerOf resource:default/rel-db',
				'ownerOf system:default/rel-system',
			],
			'group:default/rel-org': ['parentOf group:default/rel-team'],
			'user:default/rel-alice': ['memberOf group:default/rel-team', 'ownerOf component:default/rel-lib'],
			'user:default/rel-bob': ['memberOf group:default/rel-team'],
			'user:default/rel-carol': ['memberOf group:default/rel-team'],
			'component:default/rel-lib': [
				'dependencyOf component:default/rel-service',
				'ownedBy user:default/rel-alice',
				'partOf component:default/rel-service',
			],
			'component:default/rel-frontend': [
				'consumesApi api:default/rel-api-a',
				'dependsOn component:default/rel-service',
				'dependsOn resource:default/rel-db',
				'ownedBy group:default/rel-team',
			],
			'resource:default/rel-db': [
				'dependencyOf component:default/rel-frontend',
				'dependencyOf component:default/rel-service',
				'ownedBy group:default/rel-team',
				'partOf system:default/rel-system',
			],
			'api:default/rel-api-a': [
				'apiConsumedBy component:default/rel-frontend',
				'apiProvidedBy component:default/rel-service',
				'ownedBy group:default/rel-team',
			],
			'api:default/rel-api-b': ['apiProvidedBy component:default/rel-service', 'ownedBy group:default/rel-team'],
			'api:default/rel-api-c': ['apiConsumedBy component:default/rel-service', 'ownedBy group:default/rel-team'],
			'system:default/rel-system': [
				'hasPart component:default/rel-service',
				'hasPart resource:default/rel-db',
				'ownedBy group:default/rel-team',
				'partOf domain:default/rel-domain',
			],
			'domain:default/rel-domain': ['hasPart system:default/rel-system', 'ownedBy group:default/rel-team'],
			// The owner defaults to the entity's own namespace; the target need not exist.
			'component:ops/rel-ops-job': ['dependsOn component:default/rel-service', 'ownedBy group:ops/rel-team'],
			'component:default/rel-odd-owner': ['ownedBy group:ops/odd:name'],
		};
		for (const [ref, want] of Object.entries(cases)) {
			it(ref, () => {
				const e = byRef.get(ref);
				assert.ok(e, `${ref} is ingested`);
				assert.deepEqual(relationStrings(e), want);
			});
		}

		it('relations are de-duplicated and sorted on every entity', () => {
			for (const e of byRef.values())
				assertRelationsSorted(e);
		});

		it('a dangling relation target is not an entity, but the relation is kept and filterable', async () => {
			assert.equal(await api.entity('group:ops/rel-team'), null);
			const hits = await api.list('relations.ownedby=group:ops/rel-team');
			assert.deepEqual(hits.map(refOf), ['component:ops/rel-ops-job']);
		});

		it('list fields are sorted; references keep their spelling', () => {
			const svc = byRef.get('component:default/rel-service');
			assert.deepEqual(svc.spec.providesApis, ['rel-api-a', 'rel-api-b']);
			assert.deepEqual(svc.spec.dependsOn, ['component:rel-lib', 'resource:rel-db']);
			assert.deepEqual(svc.spec.consumesApis, ['API:Rel-Api-C']);
			assert.deepEqual(byRef.get('group:default/rel-team').spec.members, ['rel-alice', 'rel-bob']);
			assert.deepEqual(byRef.get('user:default/rel-alice').spec.memberOf, []);
		});
	});
});
