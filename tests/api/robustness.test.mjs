// Malformed and hostile requests never take the server down. Each case is
// small and bounded; after each one the server must still answer.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';

import { OWN_PROCESS, assertErrorBody, rawRequest, request, serverForTests } from './lib/server.mjs';

describe('robustness', () => {
	let srv;

	before(async () => {
		srv = await serverForTests();
	});
	after(async () => {
		if (srv?.running)
			await srv.stop('SIGKILL');
	});

	async function assertAlive(what) {
		const res = await request(srv.url, '/healthcheck', { timeoutMs: 5000 });
		assert.equal(res.status, 200, `/healthcheck after ${what}`);
		assert.deepEqual(JSON.parse(res.text), { status: 'ok' });
		if (!srv.remote)
			assert.ok(srv.running, `the server exited after ${what}:\n${srv.stderr}`);
	}

	// Malformed requests: the answer, if any, must be a 4xx/5xx and the
	// connection must end rather than hang.
	const garbage = [
		['an invalid request line', 'GARBAGE\r\n\r\n'],
		['a request line with no version', 'GET /healthcheck\r\n\r\n'],
		['an unknown HTTP version', 'GET /healthcheck HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n'],
		['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
		['a huge header', `GET /healthcheck HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\nConnection: close\r\n\r\n`],
		['thousands of headers', `GET /healthcheck HTTP/1.1\r\nHost: x\r\n${'X-H: v\r\n'.repeat(5000)}Connection: close\r\n\r\n`],
		['a 70 kB URL', `GET /${'a'.repeat(70 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`],
		['a header line without a colon', 'GET /healthcheck HTTP/1.1\r\nHost: x\r\nnonsense\r\nConnection: close\r\n\r\n'],
		['a non-numeric Content-Length', 'POST /api/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n[]'],
		['a negative Content-Length', 'POST /api/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\nConnection: close\r\n\r\n[]'],
		['a broken chunked body', 'POST /api/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n[]\r\n0\r\n\r\n'],
		['binary noise', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))],
		['control characters in the path', 'GET /a\x01\x02\x7f HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
		['non-UTF-8 bytes in the path', Buffer.concat([Buffer.from('GET /api/test/params/k/ns/'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')])],
		['a percent-encoded NUL in a path parameter', 'GET /api/test/params/k/ns/a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
		['an overlong UTF-8 escape', 'GET /api/test/params/k/ns/%C0%AE%C0%AE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'],
	];

	for (const [what, data] of garbage) {
		it(`survives ${what}`, async () => {
			const r = await rawRequest(srv.url, data, { timeoutMs: 3000 });
			assert.equal(r.timedOut, false, `${what}: the connection hung`);
			if (r.status !== null)
				assert.ok(r.status >= 200 && r.status < 600, `${what}: status ${r.status}`);
			await assertAlive(what);
		});
	}

	it('survives a literal NUL byte in the path', async () => {
		const r = await rawRequest(srv.url, 'GET /api/test/params/k/ns/a\0b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { timeoutMs: 3000 });
		assert.equal(r.timedOut, false);
		// Whatever the answer, it must not treat the bytes after the NUL as
		// part of a parameter.
		if (r.status === 200)
			assert.ok(!r.text.includes('a\\u0000b') && !r.text.includes('"a\0b"'), r.text);
		await assertAlive('a NUL in the path');
	});

	it('answers a malformed path parameter escape with an error body', async () => {
		const r = await rawRequest(srv.url, 'GET /api/test/params/k/ns/a%00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
		assertErrorBody(r.text, { status: r.status });
	});

	it('survives clients that go away mid-request', async () => {
		const partial = [
			'GET /healthcheck HTTP/1.1\r\nHost: x\r\n',
			'POST /api/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[1,',
			'POST /api/test/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[1,',
			'GET /api/test/slow?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n',
		];
		await Promise.all(partial.map((data) => new Promise((resolve) => {
			const u = new URL(srv.url);
			const sock = net.connect({ host: u.hostname, port: Number(u.port) }, () => {
				sock.write(data);
				setTimeout(() => sock.destroy(), 20);
			});
			sock.on('error', () => {});
			sock.on('close', resolve);
		})));
		await assertAlive('clients going away');
	});

	it('answers pipelined requests in order', async () => {
		const r = await rawRequest(srv.url,
			'GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n' +
			'GET /api/test/params/a/b/first HTTP/1.1\r\nHost: x\r\n\r\n' +
			'GET /api/test/params/a/b/second HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
		const text = r.raw.toString('utf8');
		assert.equal(text.match(/HTTP\/1\.1 200 /g)?.length, 3, text);
		assert.ok(text.indexOf('"first"') < text.indexOf('"second"'));
	});

	it('serves 200 concurrent requests', async () => {
		const paths = ['/healthcheck', '/.backstage/health/v1/readiness', '/api/test/params/k/ns/n?i=', '/metrics', '/'];
		const results = await Promise.all(Array.from({ length: 200 }, async (_, i) => {
			const p = paths[i % paths.length] + (paths[i % paths.length].endsWith('=') ? i : '');
			const res = i % 10 === 9
				? await fetch(`${srv.url}/api/test/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i }) })
				: await fetch(srv.url + p);
			const body = await res.text();
			return { p, status: res.status, body, i };
		}));
		for (const r of results) {
			if (r.p === '/')
				assert.ok(r.status === 200 || r.status === 404, `${r.p}: ${r.status}`);
			else
				assert.equal(r.status, 200, `${r.p}: ${r.status} ${r.body}`);
			if (r.i % 10 === 9)
				assert.deepEqual(JSON.parse(r.body), { body: { i: r.i } });
		}
		await assertAlive('200 concurrent requests');
	});

	it('serves 200 concurrent connections opened at once', async () => {
		const u = new URL(srv.url);
		const statuses = await Promise.all(Array.from({ length: 200 }, () => rawRequest(srv.url,
			`GET /healthcheck HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`, { timeoutMs: 8000 }).then((r) => r.status)));
		assert.deepEqual([...new Set(statuses)], [200]);
		await assertAlive('200 concurrent connections');
	});

	it('exits 0 on SIGTERM with no sanitizer reports', { skip: OWN_PROCESS }, async () => {
		await srv.stopCleanly();
	});
});
