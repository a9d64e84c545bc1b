// Who the server thinks the caller is. Until sign-in providers exist every
// caller is the guest user; /api/auth/v1/userinfo answers in Backstage's
// shape, which the web frontend reads for "Owned by me".
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { JSON_TYPE, OWN_PROCESS, startServer } from './lib/server.mjs';

describe('GET /api/auth/v1/userinfo', { skip: OWN_PROCESS }, () => {
	let srv;

	before(async () => {
		srv = await startServer();
	});

	after(async () => {
		await srv?.stopCleanly();
	});

	it('answers the guest user\'s claims: sub and ent', async () => {
		const res = await fetch(`${srv.url}/api/auth/v1/userinfo`);
		assert.equal(res.status, 200);
		assert.equal(res.headers.get('content-type'), JSON_TYPE);
		assert.deepEqual(await res.json(), { claims: { sub: 'user:default/guest', ent: ['user:default/guest'] } });
	});

	it('is read-only: other methods are 405', async () => {
		const res = await fetch(`${srv.url}/api/auth/v1/userinfo`, { method: 'POST' });
		assert.equal(res.status, 405);
	});
});
