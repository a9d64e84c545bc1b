// A Location whose targets hold more than a megabyte of YAML: the server
// parses such a round on several threads and writes it in several
// transactions. What a user sees must be the same as for a small one: every
// entity with its relations, a duplicate across files reported where it was
// found (the first copy kept), an invalid entity reported, nothing lost.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { catalogApi, generatedLocationRef, relationStrings, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

const FILES = 8;
const PER_FILE = 1600; // about 250 KB a file: 2 MB in all, 12,800 components
const TEAMS = 16;

function component(f, i, extra = '') {
	const team = `team-${(f * PER_FILE + i) % TEAMS}`;
	return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc-${f}-${i}
  description: Service ${i} of file ${f}, padded so that the files are large enough to be split.
  tags: [generated, file-${f}]
spec:
  type: service
  lifecycle: production
  owner: group:${team}${extra}
`;
}

describe('a location of more than a megabyte', { skip: OWN_PROCESS }, () => {
	let dir;
	let srv;
	let api;
	const targets = [];

	before(async () => {
		dir = mkdtempSync(path.join(tmpdir(), 'stagehand-large-'));
		const teams = [];
		for (let t = 0; t < TEAMS; t++)
			teams.push(`apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-${t}\nspec:\n  type: team\n  children: []\n`);
		writeFileSync(path.join(dir, 'teams.yaml'), teams.join('---\n'));
		targets.push('./teams.yaml');
		for (let f = 0; f < FILES; f++) {
			const docs = [];
			for (let i = 0; i < PER_FILE; i++)
				docs.push(component(f, i));
			if (f === 0)
				docs.push(component(0, 'twice').replace('svc-0-twice', 'twice').replace(/description: .*/, 'description: the first copy'));
			if (f === FILES - 1) {
				docs.push(component(f, 'twice').replace('svc-7-twice', 'twice').replace(/description: .*/, 'description: the second copy'));
				docs.push(component(f, 'bad').replace('name: svc-7-bad', 'name: "not a valid name!"'));
			}
			const name = `part-${f}.yaml`;
			writeFileSync(path.join(dir, name), docs.join('---\n'));
			targets.push(`./${name}`);
		}
		const all = path.join(dir, 'all.yaml');
		writeFileSync(all, JSON.stringify({
			apiVersion: 'backstage.io/v1alpha1', kind: 'Location', metadata: { name: 'large' }, spec: { targets },
		}));
		srv = await startCatalogServer({ locations: [{ type: 'file', target: all }] });
		api = catalogApi(srv.url);
		const want = FILES * PER_FILE + 1;
		// Components appear chunk by chunk; the groups, which get relations
		// from every chunk, when the round ends.
		await waitFor(async () => {
			const r = await api.json('/entities/by-query?filter=kind=component&limit=0');
			const g = await api.json('/entities/by-query?filter=kind=group&limit=0');
			return r.totalItems === want && g.totalItems === TEAMS ? r : null;
		}, { timeoutMs: 120000, intervalMs: 250, what: `${want} components and ${TEAMS} groups` });
	});

	after(async () => {
		await srv?.stop();
		if (dir)
			rmSync(dir, { recursive: true, force: true });
	});

	it('serves every entity of every file, each with its owner relation both ways', async () => {
		const first = await api.entity('component:default/svc-0-0');
		const last = await api.entity(`component:default/svc-${FILES - 1}-${PER_FILE - 1}`);
		assert.ok(first && last, `svc-0-0 ${first ? 'served' : 'missing'}, the last ${last ? 'served' : 'missing'}`);
		for (const e of [first, last])
			assert.ok(relationStrings(e).includes(`ownedBy ${e.spec.owner.replace('group:', 'group:default/')}`), JSON.stringify(e.relations));
		const team = await api.entity('group:default/team-0');
		const owned = relationStrings(team).filter((r) => r.startsWith('ownerOf '));
		assert.equal(owned.length, (FILES * PER_FILE) / TEAMS);
		const page = await api.json(`/entities/by-query?filter=${encodeURIComponent('relations.ownedBy=group:default/team-3')}&limit=0`);
		assert.equal(page.totalItems, (FILES * PER_FILE) / TEAMS);
	});

	it('keeps the first copy of an entity two files hold, and reports the second where it is', async () => {
		const twice = await api.entity('component:default/twice');
		assert.equal(twice.metadata.description, 'the first copy');
		assert.match(twice.metadata.annotations['backstage.io/managed-by-location'], /part-0\.yaml$/);
		const errors = await api.errors();
		const loc = errors.find((x) => x.entityRef === generatedLocationRef('file', path.join(dir, 'all.yaml'))) ??
			errors.find((x) => x.entityRef === 'location:default/large');
		assert.ok(loc, JSON.stringify(errors));
		const messages = loc.errors.map((e) => e.error.message).join('\n');
		assert.match(messages, /part-7\.yaml:\d+: Duplicate nested entity: component:default\/twice/);
		assert.match(messages, /not a valid name!/);
	});

	it('reads the unchanged files again without changing any entity', async () => {
		const before = await api.entity('component:default/svc-3-7');
		await api.refresh('location:default/large');
		await new Promise((r) => setTimeout(r, 500));
		const again = await api.entity('component:default/svc-3-7');
		assert.equal(again.metadata.uid, before.metadata.uid);
		assert.equal(again.metadata.etag, before.metadata.etag);
	});
});
