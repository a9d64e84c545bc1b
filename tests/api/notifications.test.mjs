// Notifications sent by templates (notification:send) and read through
// /api/notifications: recipients resolved through the catalog (a group's
// members and sub-groups, an entity's owner), broadcasts, scope updates,
// read/saved state and the list filters.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { catalogApi, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/scaffolder/notify/', import.meta.url));

describe('notifications', { skip: OWN_PROCESS }, () => {
	let srv;

	async function send(values) {
		const res = await fetch(`${srv.url}/api/scaffolder/v2/tasks`, { method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ templateRef: 'template:default/notify', values }) });
		assert.equal(res.status, 201);
		const { id } = await res.json();
		const events = await (await fetch(`${srv.url}/api/scaffolder/v2/tasks/${id}/events?after=999999`)).json();
		const done = events.find((e) => e.type === 'completion');
		assert.equal(done.body.message, 'Run completed with status: completed', JSON.stringify(done.body));
	}

	async function get(p) {
		const res = await fetch(`${srv.url}/api/notifications${p}`);
		return { status: res.status, body: await res.json() };
	}

	before(async () => {
		srv = await startCatalogServer({ locations: [
			{ type: 'file', target: path.join(FIXTURES, 'template.yaml') },
			{ type: 'file', target: path.join(FIXTURES, 'org.yaml') },
		] });
		const api = catalogApi(srv.url);
		await waitFor(async () => (await api.entity('template:default/notify')) !== null
			&& (await api.entity('component:default/owned-thing')) !== null, { what: 'the fixtures' });
	});

	after(async () => {
		await srv?.stopCleanly();
	});

	it('starts empty', async () => {
		assert.deepEqual((await get('/notifications')).body, { totalCount: 0, notifications: [] });
		assert.deepEqual((await get('/status')).body, { unread: 0, read: 0 });
	});

	it('a notification to a group reaches its members; the shape is Backstage\'s', async () => {
		await send({ title: 'Deploy finished', recipients: 'entity', entityRefs: ['group:default/team-a'],
			severity: 'high', scope: 'deploy-1' });
		const { body } = await get('/notifications');
		assert.equal(body.totalCount, 1);
		const n = body.notifications[0];
		assert.match(n.id, /^[0-9a-f-]{36}$/);
		assert.equal(n.user, 'user:default/guest');
		assert.equal(n.origin, 'plugin:scaffolder');
		assert.match(n.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		assert.equal(n.updated, null);
		assert.equal(n.read, null);
		assert.equal(n.saved, null);
		assert.deepEqual(n.payload, { title: 'Deploy finished', description: 'Sent by user:default/guest',
			link: '/catalog', severity: 'high', topic: 'scaffolder', scope: 'deploy-1', icon: null });
		assert.deepEqual((await get(`/${n.id}`)).body, n);
		assert.deepEqual((await get('/status')).body, { unread: 1, read: 0 });
	});

	it('the same scope updates the notification in place and makes it unread again', async () => {
		const before1 = (await get('/notifications')).body.notifications[0];
		const upd = await fetch(`${srv.url}/api/notifications/notifications/update`, { method: 'POST',
			headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [before1.id], read: true, saved: true }) });
		assert.equal(upd.status, 200);
		const [updated] = await upd.json();
		assert.match(updated.read, /Z$/);
		assert.match(updated.saved, /Z$/);
		assert.deepEqual((await get('/status')).body, { unread: 0, read: 1 });
		await send({ title: 'Deploy finished again', recipients: 'entity', entityRefs: ['group:default/team-a'],
			scope: 'deploy-1' });
		const { body } = await get('/notifications');
		assert.equal(body.totalCount, 1);
		assert.equal(body.notifications[0].id, before1.id);
		assert.equal(body.notifications[0].payload.title, 'Deploy finished again');
		assert.equal(body.notifications[0].payload.severity, 'normal');
		assert.equal(body.notifications[0].read, null);
		assert.match(body.notifications[0].updated, /Z$/);
	});

	it('an entity notifies its owner; someone else\'s notifications are not listed', async () => {
		await send({ title: 'For the owners of owned-thing', recipients: 'entity',
			entityRefs: ['component:default/owned-thing'] });
		// team-a-sub owns it: bob gets it, the guest does not.
		const { body } = await get('/notifications?search=owners');
		assert.equal(body.totalCount, 0);
	});

	it('broadcasts reach everyone, with read state per user', async () => {
		await send({ title: 'Maintenance tonight', recipients: 'broadcast', severity: 'critical' });
		const { body } = await get('/notifications?orderField=created,desc');
		assert.equal(body.totalCount, 2);
		const b = body.notifications.find((n) => n.payload.title === 'Maintenance tonight');
		assert.equal(b.user, null);
		const res = await fetch(`${srv.url}/api/notifications/update`, { method: 'POST',
			headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [b.id], read: true }) });
		const [seen] = await res.json();
		assert.match(seen.read, /Z$/);
		assert.equal(seen.user, null);
	});

	it('filters: read, search, topic, minimumSeverity, createdAfter, paging', async () => {
		assert.equal((await get('/notifications?read=false')).body.totalCount, 1);
		assert.equal((await get('/notifications?read=true')).body.totalCount, 1);
		assert.equal((await get('/notifications?saved=true')).body.totalCount, 1);
		assert.equal((await get('/notifications?search=MAINTENANCE')).body.totalCount, 1);
		assert.equal((await get('/notifications?topic=scaffolder')).body.totalCount, 2);
		assert.equal((await get('/notifications?minimumSeverity=critical')).body.totalCount, 1);
		assert.equal((await get('/notifications?minimumSeverity=low')).body.totalCount, 2);
		assert.equal((await get('/notifications?createdAfter=2000-01-01T00:00:00.000Z')).body.totalCount, 2);
		assert.equal((await get('/notifications?createdAfter=2999-01-01')).body.totalCount, 0);
		const page = (await get('/notifications?limit=1&offset=1&orderField=title,asc')).body;
		assert.equal(page.totalCount, 2);
		assert.deepEqual(page.notifications.map((n) => n.payload.title), ['Maintenance tonight']);
		assert.deepEqual((await get('/topics')).body, { topics: ['scaffolder'] });
		const bad = await get('/notifications?createdAfter=yesterday');
		assert.equal(bad.status, 400);
		assert.equal(bad.body.error.message, 'Unexpected date format');
		assert.equal((await get('/notifications?orderField=nope,asc')).status, 400);
		assert.equal((await get('/notifications?read=maybe')).status, 400);
	});

	it('an unknown id is 404', async () => {
		const { status, body } = await get('/00000000-0000-4000-8000-000000000000');
		assert.equal(status, 404);
		assert.equal(body.error.name, 'NotFoundError');
	});
});
