// catalog.orphanStrategy: keep. An entity no location emits any more stays,
// annotated backstage.io/orphan: "true", until a location emits it again
// or someone deletes it; deleting a location orphans what it emitted.
// (The default, delete, is covered by catalog-rest's refresh tests.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { catalogApi, readFixture, startCatalogServer, startFileServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

const ORPHAN = 'backstage.io/orphan';

describe('catalog.orphanStrategy: keep', { skip: OWN_PROCESS }, () => {
	const p = '/changing.yaml';
	let files;
	let srv;
	let api;
	let loc;

	before(async () => {
		files = await startFileServer({ [p]: readFixture('changing-v1.yaml') });
		srv = await startCatalogServer({ allow: [{ host: files.host }], extra: { catalog: { orphanStrategy: 'keep' } } });
		api = catalogApi(srv.url);
		loc = await api.addLocation(files.url(p));
		await waitFor(async () => (await api.list('kind=component')).length === 3, { what: 'changing-v1.yaml to be ingested' });
	});

	after(async () => {
		await files?.close();
		await srv?.stopCleanly();
	});

	it('an entity its file no longer holds stays, annotated as an orphan; the others are not', async () => {
		const two = await api.entity('component:default/changing-two');
		assert.equal(two.metadata.annotations[ORPHAN], undefined);
		files.set(p, readFixture('changing-v2.yaml'));
		await api.refresh(loc.location.entityRef);
		const orphan = await waitFor(async () => {
			const e = await api.entity('component:default/changing-two');
			return e?.metadata.annotations[ORPHAN] === 'true' ? e : null;
		}, { timeoutMs: 5000, what: 'changing-two to be marked an orphan' });
		assert.equal(orphan.metadata.uid, two.metadata.uid, 'the orphan keeps its uid');
		assert.notEqual(orphan.metadata.etag, two.metadata.etag, 'the annotation changes the etag');
		assert.deepEqual(orphan.spec, two.spec);
		assert.ok(await api.entity('component:default/changing-three'));
		assert.equal((await api.entity('component:default/changing-one')).metadata.annotations[ORPHAN], undefined);
		const found = await api.list(`metadata.annotations.${ORPHAN}=true`);
		assert.deepEqual(found.map((e) => e.metadata.name), ['changing-two']);
	});

	it('an orphan that its file holds again loses the annotation, with the same uid', async () => {
		const orphan = await api.entity('component:default/changing-two');
		files.set(p, readFixture('changing-v1.yaml'));
		await api.refresh(loc.location.entityRef);
		const back = await waitFor(async () => {
			const e = await api.entity('component:default/changing-two');
			return e && e.metadata.annotations[ORPHAN] === undefined ? e : null;
		}, { timeoutMs: 5000, what: 'changing-two to be adopted again' });
		assert.equal(back.metadata.uid, orphan.metadata.uid);
		assert.equal(back.metadata.annotations['backstage.io/managed-by-location'], `url:${files.url(p)}`);
	});

	it('an orphan can be deleted through the API, and then stays deleted', async () => {
		files.set(p, readFixture('changing-v2.yaml'));
		await api.refresh(loc.location.entityRef);
		const orphan = await waitFor(async () => {
			const e = await api.entity('component:default/changing-two');
			return e?.metadata.annotations[ORPHAN] === 'true' ? e : null;
		}, { timeoutMs: 5000, what: 'changing-two to be an orphan again' });
		assert.equal((await api.del(`/entities/by-uid/${orphan.metadata.uid}`)).status, 204);
		await api.refresh(loc.location.entityRef);
		await new Promise((r) => setTimeout(r, 300));
		assert.equal(await api.entity('component:default/changing-two'), null);
	});

	it('deleting the location removes its Location entity and keeps what it emitted as orphans', async () => {
		const before = await api.entity('component:default/changing-one');
		assert.equal((await api.del(`/locations/${loc.location.id}`)).status, 204);
		const kept = await waitFor(async () => {
			const list = await api.list('kind=component');
			return list.length === 3 && list.every((e) => e.metadata.annotations[ORPHAN] === 'true') ? list : null;
		}, { timeoutMs: 5000, what: 'the location\'s components to be orphans' });
		assert.deepEqual(kept.map((e) => e.metadata.name).sort(), ['changing-one', 'changing-still', 'changing-three']);
		assert.equal(await api.entity(loc.location.entityRef), null);
		const one = kept.find((e) => e.metadata.name === 'changing-one');
		assert.equal(one.metadata.uid, before.metadata.uid);
		assert.ok(one.relations.some((r) => r.type === 'ownedBy'), 'an orphan keeps its relations');
	});

	it('registering the location again adopts its orphans', async () => {
		loc = await api.addLocation(files.url(p));
		await waitFor(async () => {
			const list = await api.list('kind=component');
			return list.length === 3 && list.every((e) => e.metadata.annotations[ORPHAN] === undefined) ? list : null;
		}, { timeoutMs: 5000, what: 'the orphans to be adopted' });
	});
});
