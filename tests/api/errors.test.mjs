// Error responses (Backstage's error body), request bodies, and the router.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';

import {
	JSON_TYPE, OWN_PROCESS, assertErrorBody, expectError, rawGet, rawRequest, serverForTests,
} from './lib/server.mjs';

const MIB = 1024 * 1024;

describe('errors, bodies and routing', () => {
	let srv;

	before(async () => {
		srv = await serverForTests();
	});
	after(async () => {
		if (srv?.running)
			await srv.stop('SIGKILL');
	});

	describe('error responses', () => {
		it('404 NotFoundError for an unknown /api route, with the whole URL', async () => {
			const res = await fetch(`${srv.url}/api/nope/things?x=1`);
			await expectError(res, { status: 404, name: 'NotFoundError', method: 'GET', url: '/api/nope/things?x=1' });
		});

		it('404 for /api itself and for a path under a known plugin with no route', async () => {
			await expectError(await fetch(`${srv.url}/api`), { status: 404, name: 'NotFoundError', url: '/api' });
			await expectError(await fetch(`${srv.url}/api/test/nothing-here`), { status: 404, name: 'NotFoundError' });
		});

		it('404 when a route is matched with too few or too many segments', async () => {
			await expectError(await fetch(`${srv.url}/api/test/params/a/b`), { status: 404, name: 'NotFoundError' });
			await expectError(await fetch(`${srv.url}/api/test/params/a/b/c/d`), { status: 404, name: 'NotFoundError' });
		});

		it('404 for an empty path parameter', async () => {
			await expectError(await fetch(`${srv.url}/api/test/params/a//c`), { status: 404, name: 'NotFoundError' });
		});

		it('405 MethodNotAllowedError with Allow for POST /metrics', async () => {
			const res = await fetch(`${srv.url}/metrics`, { method: 'POST', body: 'x' });
			assert.equal(res.headers.get('allow'), 'GET');
			await expectError(res, { status: 405, name: 'MethodNotAllowedError', method: 'POST', url: '/metrics' });
		});

		it('405 with Allow for DELETE /healthcheck', async () => {
			const res = await fetch(`${srv.url}/healthcheck`, { method: 'DELETE' });
			assert.equal(res.headers.get('allow'), 'GET');
			await expectError(res, { status: 405, name: 'MethodNotAllowedError', method: 'DELETE', url: '/healthcheck' });
		});

		it('405 with Allow for the wrong method on an /api route', async () => {
			const get = await fetch(`${srv.url}/api/test/echo`);
			assert.equal(get.headers.get('allow'), 'POST');
			await expectError(get, { status: 405, name: 'MethodNotAllowedError', method: 'GET' });
			const post = await fetch(`${srv.url}/api/test/fail`, { method: 'POST' });
			assert.equal(post.headers.get('allow'), 'GET');
			await expectError(post, { status: 405, name: 'MethodNotAllowedError', method: 'POST' });
		});

		for (const [method, path] of [['POST', '/'], ['PUT', '/index.html'], ['DELETE', '/catalog/default/component/foo'], ['PATCH', '/fonts/x.woff2']]) {
			it(`405 Allow: GET, HEAD for ${method} ${path} (static)`, async () => {
				const res = await fetch(srv.url + path, { method });
				assert.equal(res.headers.get('allow'), 'GET, HEAD');
				await expectError(res, { status: 405, name: 'MethodNotAllowedError', method, url: path });
			});
		}

		it('400 InputError for a malformed percent-escape in the query', async () => {
			const r = await rawGet(srv.url, '/healthcheck?a=%zz');
			assert.equal(r.status, 400);
			assert.equal(r.headers['content-type'], JSON_TYPE);
			assertErrorBody(r.text, { status: 400, name: 'InputError', method: 'GET', url: '/healthcheck?a=%zz' });
		});

		it('400 for a truncated percent-escape in the query of an /api route', async () => {
			const r = await rawGet(srv.url, '/api/test/params/a/b/c?x=%4');
			assert.equal(r.status, 400);
			assertErrorBody(r.text, { status: 400, name: 'InputError' });
		});

		it('500 hides the detail from the client and logs it', async () => {
			const res = await fetch(`${srv.url}/api/test/fail`);
			const id = res.headers.get('x-request-id');
			assert.ok(id);
			const text = await res.text();
			assert.equal(res.status, 500);
			assert.equal(res.headers.get('content-type'), JSON_TYPE);
			assert.ok(!text.includes('secret-detail-7f3a'), `the detail leaked to the client: ${text}`);
			assert.ok(!/simulated/.test(text));
			assertErrorBody(text, {
				status: 500, name: 'Error', method: 'GET', url: '/fail',
				message: `An internal error occurred logId=${id}`,
			});
		});

		it('500 detail and request id reach the server log', { skip: OWN_PROCESS }, async () => {
			const res = await fetch(`${srv.url}/api/test/fail?again=1`);
			await res.arrayBuffer();
			const id = res.headers.get('x-request-id');
			const esc = id.replace(/[^\w]/g, '\\$&');
			const [line] = await srv.waitForLog(new RegExp(`^.*${esc}.*secret-detail-7f3a.*$`, 'm'));
			assert.match(line, /\berror\b/);
		});

		it('reports request.url relative to the plugin mount, query included', async () => {
			const res = await fetch(`${srv.url}/api/test/fail?x=1&y=2`);
			await expectError(res, { status: 500, name: 'Error', url: '/fail?x=1&y=2' });
		});
	});

	describe('JSON bodies (POST /api/test/echo)', () => {
		const echo = (body, headers = { 'content-type': 'application/json' }) =>
			fetch(`${srv.url}/api/test/echo`, { method: 'POST', headers, body });

		it('echoes valid JSON as {"body": ...}', async () => {
			const doc = { a: 1, b: [true, null, 'x'], c: { 'd é': 'ünïcødé ✓' }, n: -1.5 };
			const res = await echo(JSON.stringify(doc));
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-type'), JSON_TYPE);
			assert.deepEqual(await res.json(), { body: doc });
		});

		it('echoes a top-level array', async () => {
			for (const doc of [[1, 2, 3], [], [{ a: [] }]]) {
				const res = await echo(JSON.stringify(doc));
				assert.equal(res.status, 200);
				assert.deepEqual(await res.json(), { body: doc });
			}
		});

		it('accepts a charset parameter on the content type', async () => {
			const res = await echo('{"x":1}', { 'content-type': 'application/json; charset=utf-8' });
			assert.equal(res.status, 200);
			assert.deepEqual(await res.json(), { body: { x: 1 } });
		});

		it('400 InputError naming line and column for malformed JSON', async () => {
			const res = await echo('{\n  "a": 1,\n  "b": oops\n}');
			const body = await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/echo' });
			assert.match(body.error.message, /line 3/);
			assert.match(body.error.message, /column \d+/);
		});

		it('400 for a truncated JSON document', async () => {
			const res = await echo('{"a": [1, 2');
			const body = await expectError(res, { status: 400, name: 'InputError', url: '/echo' });
			assert.match(body.error.message, /line \d+, column \d+/);
		});

		it('400 for the wrong content type', async () => {
			const res = await echo('{"a":1}', { 'content-type': 'text/plain' });
			const body = await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/echo' });
			assert.match(body.error.message, /application\/json/);
		});

		it('400 for no content type', async () => {
			const res = await echo(new Uint8Array(Buffer.from('{"a":1}')), {});
			await expectError(res, { status: 400, name: 'InputError', url: '/echo' });
		});

		it('400 for an empty body', async () => {
			await expectError(await echo(''), { status: 400, name: 'InputError', url: '/echo' });
		});

		it('accepts a body of exactly 1 MiB', async () => {
			const text = JSON.stringify(['a'.repeat(MIB - 4)]);
			assert.equal(Buffer.byteLength(text), MIB);
			const res = await echo(text);
			assert.equal(res.status, 200);
			const got = await res.json();
			assert.equal(got.body[0].length, MIB - 4);
		});

		it('413 PayloadTooLargeError for Content-Length over 1 MiB, without reading the body', async () => {
			const r = await rawRequest(srv.url,
				'POST /api/test/echo HTTP/1.1\r\nHost: stagehand.test\r\nContent-Type: application/json\r\n' +
				`Content-Length: ${MIB + 1}\r\n\r\n{"a":`);
			assert.equal(r.status, 413, `response: ${r.raw.toString('latin1').slice(0, 500)}`);
			assert.equal(r.timedOut, false, 'the server waited for a body it will not use');
			assert.equal(r.headers['content-type'], JSON_TYPE);
			assert.ok(r.headers['x-request-id']);
			const body = assertErrorBody(r.text, { status: 413, name: 'PayloadTooLargeError', method: 'POST' });
			assert.match(body.error.message, /1048576/);
		});

		it('413 reports request.url relative to the plugin mount, like other errors of the route', async () => {
			const r = await rawRequest(srv.url,
				'POST /api/test/echo HTTP/1.1\r\nHost: stagehand.test\r\nContent-Type: application/json\r\n' +
				`Content-Length: ${MIB + 1}\r\n\r\n`);
			assert.equal(r.status, 413);
			assertErrorBody(r.text, { status: 413, name: 'PayloadTooLargeError', method: 'POST', url: '/echo' });
		});

		it('413 for a huge Content-Length on a route that takes no body', async () => {
			const r = await rawRequest(srv.url,
				'POST /api/test/echo HTTP/1.1\r\nHost: stagehand.test\r\nContent-Type: application/json\r\n' +
				'Content-Length: 99999999999999\r\n\r\n');
			assert.equal(r.status, 413);
			assertErrorBody(r.text, { status: 413, name: 'PayloadTooLargeError' });
		});

		it('413 for a chunked body over 1 MiB', async () => {
			const res = await new Promise((resolve, reject) => {
				const u = new URL(srv.url);
				const req = http.request({
					host: u.hostname, port: u.port, method: 'POST', path: '/api/test/echo', agent: false,
					headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
				}, (r) => {
					const chunks = [];
					r.on('data', (c) => chunks.push(c));
					r.on('end', () => resolve({ status: r.statusCode, headers: r.headers, text: Buffer.concat(chunks).toString() }));
				});
				req.on('error', reject);
				const piece = Buffer.alloc(64 * 1024, 0x20);
				req.write('[');
				for (let sent = 0; sent <= MIB; sent += piece.length)
					req.write(piece);
				req.end('1]');
			});
			assert.equal(res.status, 413);
			assert.equal(res.headers['content-type'], JSON_TYPE);
			assertErrorBody(res.text, { status: 413, name: 'PayloadTooLargeError', method: 'POST' });
		});

		it('still accepts a small chunked body', async () => {
			const body = new ReadableStream({
				start(c) {
					c.enqueue(new TextEncoder().encode('{"chunked":'));
					c.enqueue(new TextEncoder().encode(' true}'));
					c.close();
				},
			});
			const res = await fetch(`${srv.url}/api/test/echo`, {
				method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half',
			});
			assert.equal(res.status, 200);
			assert.deepEqual(await res.json(), { body: { chunked: true } });
		});
	});

	describe('router (GET /api/test/params/:kind/:namespace/:name)', () => {
		const params = async (pathAndQuery) => {
			const res = await fetch(`${srv.url}/api/test/params/${pathAndQuery}`);
			assert.equal(res.status, 200, `GET ${pathAndQuery}: ${res.status}`);
			assert.equal(res.headers.get('content-type'), JSON_TYPE);
			const body = await res.json();
			assert.equal(body.requestId, res.headers.get('x-request-id'));
			return body;
		};

		it('extracts the parameters, with the guest identity and the request id', async () => {
			const body = await params('component/default/my-service');
			assert.equal(body.kind, 'component');
			assert.equal(body.namespace, 'default');
			assert.equal(body.name, 'my-service');
			assert.deepEqual(body.query, []);
			assert.equal(body.identity, 'user:default/guest');
			assert.equal(typeof body.requestId, 'string');
		});

		it('percent-decodes each parameter on its own (%2F stays inside it)', async () => {
			const body = await params('template/ns%2Fx/a%2Fb');
			assert.equal(body.namespace, 'ns/x');
			assert.equal(body.name, 'a/b');
		});

		it('decodes UTF-8 escapes', async () => {
			const body = await params('k/d%C3%A9fault/caf%C3%A9');
			assert.equal(body.namespace, 'défault');
			assert.equal(body.name, 'café');
		});

		it('keeps + in a path parameter (only the query turns + into a space)', async () => {
			const body = await params('k/ns/a+b?x=a+b');
			assert.equal(body.name, 'a+b');
			assert.deepEqual(body.query, [['x', 'a b']]);
		});

		it('keeps repeated query keys in order', async () => {
			const body = await params('k/ns/n?filter=a&filter=b&other=1&filter=c');
			assert.deepEqual(body.query, [['filter', 'a'], ['filter', 'b'], ['other', '1'], ['filter', 'c']]);
		});

		it('decodes the query: + is a space, %XX escapes, = inside values, empty values', async () => {
			const body = await params('k/ns/n?q=hello+world&e=%C3%A9%26%3D&f=a=b&flag&empty=&%2B=plus');
			assert.deepEqual(body.query, [
				['q', 'hello world'], ['e', 'é&='], ['f', 'a=b'], ['flag', ''], ['empty', ''], ['+', 'plus'],
			]);
		});

		it('skips empty query segments', async () => {
			const body = await params('k/ns/n?&a=1&&b=2&');
			assert.deepEqual(body.query, [['a', '1'], ['b', '2']]);
		});

		it('matches with one trailing slash', async () => {
			const body = await params('k/ns/n/?x=1');
			assert.deepEqual([body.kind, body.namespace, body.name], ['k', 'ns', 'n']);
			assert.deepEqual(body.query, [['x', '1']]);
		});

		it('answers HEAD on a GET route', async () => {
			const res = await fetch(`${srv.url}/api/test/params/a/b/c`, { method: 'HEAD' });
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-type'), JSON_TYPE);
			assert.equal((await res.arrayBuffer()).byteLength, 0);
		});
	});

	it('exits 0 on SIGTERM with no sanitizer reports', { skip: OWN_PROCESS }, async () => {
		await srv.stopCleanly();
	});
});
