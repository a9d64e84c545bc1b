// Static files: the frontend, fonts, caching, compression, the SPA fallback
// and path traversal.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';

import {
	OWN_PROCESS, REPO_ROOT, assertErrorBody, rawGet, rawRequest, removeDir, request,
	serverForTests, startServer, tempDir,
} from './lib/server.mjs';

const HTML = 'text/html; charset=utf-8';
const WEB = path.join(REPO_ROOT, 'web');
const FONT = path.join(REPO_ROOT, 'node_modules', '@fontsource', 'inter', 'files', 'inter-latin-400-normal.woff2');
const COMPRESSIBLE = /\.(html|css|js|mjs|json|svg|txt)$/i;

// Requests that try to leave the web root. Sent raw: clients would
// normalise the dot segments away.
const TRAVERSALS = [
	'/../../etc/passwd',
	'/%2e%2e/%2e%2e/etc/passwd',
	'/%2E%2E/%2E%2E/etc/passwd',
	'/css/..%2f..%2fetc/passwd',
	'/css/%2e%2e%2f%2e%2e%2fetc/passwd',
	'/fonts/../../../etc/passwd',
	'/fonts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
	'/fonts/inter/..%2f..%2f..%2f..%2fetc/passwd',
	'/..%5c..%5cetc/passwd',
	'/css\\..\\..\\etc\\passwd',
	'/./index.html/../../etc/passwd',
	'/..',
	'/fonts/..',
];

function listFiles(dir) {
	const out = [];
	const walk = (d) => {
		for (const e of readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory())
				walk(p);
			else if (e.isFile())
				out.push(p);
		}
	};
	if (existsSync(dir))
		walk(dir);
	return out;
}

function assertRefused(r, what) {
	assert.notEqual(r.status, null, `${what}: no HTTP response`);
	assert.ok(r.status === 400 || r.status === 404, `${what}: status ${r.status}, expected 400 or 404`);
	assert.ok(!/root:.*:0:0:/.test(r.text), `${what}: served /etc/passwd`);
	assertErrorBody(r.text, { status: r.status });
}

describe('static files from the shipped frontend (default config)', () => {
	let srv;

	before(async () => {
		srv = await serverForTests();
	});
	after(async () => {
		if (srv?.running)
			await srv.stop('SIGKILL');
	});

	// web/ may change under us while it is being worked on: compare against
	// the file as read right after the response, and retry once.
	async function assertServesFile(urlPath, file, headers = {}) {
		for (let attempt = 0; ; attempt++) {
			const res = await request(srv.url, urlPath, { headers });
			assert.equal(res.status, 200, `GET ${urlPath}`);
			let body = res.body;
			if (res.headers['content-encoding'] === 'gzip')
				body = gunzipSync(body);
			if (body.equals(readFileSync(file)) || attempt > 0) {
				assert.ok(body.equals(readFileSync(file)), `GET ${urlPath} differs from ${file}`);
				return res;
			}
		}
	}

	const index = path.join(WEB, 'index.html');
	const noIndex = existsSync(index) ? false : 'web/index.html does not exist yet';

	it('GET / serves web/index.html as HTML with an ETag and Cache-Control', { skip: noIndex }, async () => {
		const res = await assertServesFile('/', index);
		assert.equal(res.headers['content-type'], HTML);
		assert.match(res.headers.etag, /^"[^"]+"$/);
		assert.ok(res.headers['cache-control']);
		assert.ok(res.headers['x-request-id']);
	});

	it('GET /index.html is the same file', { skip: noIndex }, async () => {
		const res = await assertServesFile('/index.html', index);
		assert.equal(res.headers['content-type'], HTML);
		assert.equal(res.headers.etag, (await request(srv.url, '/')).headers.etag);
	});

	it('gzips the largest compressible file in web/', async (t) => {
		const candidates = listFiles(WEB)
			.filter((f) => COMPRESSIBLE.test(f))
			.map((f) => ({ f, size: statSync(f).size }))
			.filter((c) => c.size >= 512 && c.size < 8 << 20)
			.sort((a, b) => b.size - a.size);
		if (candidates.length === 0) {
			t.skip('no compressible file of 512 bytes or more in web/ yet');
			return;
		}
		const file = candidates[0].f;
		const urlPath = '/' + path.relative(WEB, file).split(path.sep).join('/');
		const res = await assertServesFile(urlPath, file, { 'accept-encoding': 'gzip, deflate, br' });
		assert.equal(res.headers['content-encoding'], 'gzip', `GET ${urlPath} with Accept-Encoding: gzip`);
		assert.match(res.headers.vary ?? '', /Accept-Encoding/i);
		const plain = await assertServesFile(urlPath, file);
		assert.equal(plain.headers['content-encoding'], undefined);
	});

	it('falls back to index.html for app routes (SPA)', { skip: noIndex }, async () => {
		const res = await assertServesFile('/catalog/default/component/foo', index);
		assert.equal(res.headers['content-type'], HTML);
	});

	it('serves the Inter font with a long max-age', { skip: existsSync(FONT) ? false : 'node_modules/@fontsource is not installed' }, async () => {
		const res = await request(srv.url, '/fonts/inter/files/inter-latin-400-normal.woff2', { headers: { 'accept-encoding': 'gzip' } });
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-type'], 'font/woff2');
		assert.equal(res.headers['content-encoding'], undefined, 'woff2 is compressed already');
		const maxAge = Number(/max-age=(\d+)/.exec(res.headers['cache-control'] ?? '')?.[1]);
		assert.ok(maxAge >= 86400, `Cache-Control: ${res.headers['cache-control']}`);
		assert.ok(res.body.equals(readFileSync(FONT)));
	});

	it('404 NotFoundError for a missing font, never the SPA shell', async () => {
		for (const p of ['/fonts/inter/files/no-such-font.woff2', '/fonts/', '/fonts/nope']) {
			const res = await fetch(srv.url + p);
			assert.equal(res.status, 404, p);
			assertErrorBody(await res.json(), { status: 404, name: 'NotFoundError', method: 'GET', url: p });
		}
	});

	for (const p of TRAVERSALS) {
		it(`refuses traversal ${p}`, async () => {
			assertRefused(await rawGet(srv.url, p), p);
		});
	}

	it('refuses a NUL byte escaped in the path', async () => {
		const r = await rawGet(srv.url, '/index.html%00.png');
		assert.equal(r.status, 400);
		assertErrorBody(r.text, { status: 400, name: 'InputError' });
	});

	it('400 for a malformed escape in a static path', async () => {
		const r = await rawGet(srv.url, '/css/%zz.css');
		assert.equal(r.status, 400);
		assertErrorBody(r.text, { status: 400, name: 'InputError' });
	});

	it('exits 0 on SIGTERM with no sanitizer reports', { skip: OWN_PROCESS }, async () => {
		await srv.stopCleanly();
	});
});

describe('static files from a configured app.webRoot', { skip: OWN_PROCESS }, () => {
	let srv;
	let base;
	let root;
	const files = {};

	before(async () => {
		base = tempDir('stagehand-web-');
		root = path.join(base, 'site');
		const outside = path.join(base, 'outside');
		mkdirSync(path.join(root, 'css'), { recursive: true });
		mkdirSync(path.join(root, 'js'), { recursive: true });
		mkdirSync(outside);
		const para = '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>\n';
		files['index.html'] = `<!doctype html>\n<html><head><title>static-test-index</title></head><body>\n${para.repeat(40)}</body></html>\n`;
		files['css/app.css'] = Array.from({ length: 200 }, (_, i) => `.c${i} { margin: ${i}px; color: #${(i * 4099).toString(16).padStart(6, '0').slice(0, 6)}; }\n`).join('');
		files['js/app.js'] = `export const items = ${JSON.stringify(Array.from({ length: 300 }, (_, i) => `item-${i}`))};\n`;
		files['small.txt'] = 'small file\n';
		files['blob.bin'] = 'x'.repeat(600);
		files['img.png'] = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
		files['caf\u00e9 menu.txt'] = 'unicode name\n';
		for (const [name, data] of Object.entries(files))
			writeFileSync(path.join(root, name), data);
		writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET-outside-web-root\n');
		symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'leak.txt'));
		symlinkSync(outside, path.join(root, 'leakdir'));
		symlinkSync('small.txt', path.join(root, 'alias.txt'));
		srv = await startServer({ config: `app:\n  webRoot: ${JSON.stringify(root)}\n` });
	});
	after(async () => {
		if (srv?.running)
			await srv.stop('SIGKILL');
		if (base)
			removeDir(base);
	});

	it('GET / and /index.html serve index.html with ETag and Cache-Control', async () => {
		const a = await request(srv.url, '/');
		const b = await request(srv.url, '/index.html');
		for (const res of [a, b]) {
			assert.equal(res.status, 200);
			assert.equal(res.headers['content-type'], HTML);
			assert.equal(res.text, files['index.html']);
			assert.match(res.headers.etag, /^"[^"]+"$/);
			assert.ok(res.headers['cache-control']);
			assert.equal(Number(res.headers['content-length']), Buffer.byteLength(files['index.html']));
		}
		assert.equal(a.headers.etag, b.headers.etag);
	});

	it('answers If-None-Match with the ETag with 304 and no body', async () => {
		const { headers } = await request(srv.url, '/index.html');
		const res = await request(srv.url, '/index.html', { headers: { 'if-none-match': headers.etag } });
		assert.equal(res.status, 304);
		assert.equal(res.body.length, 0);
		assert.equal(res.headers.etag, headers.etag);
		const list = await request(srv.url, '/index.html', { headers: { 'if-none-match': `"nope", ${headers.etag}` } });
		assert.equal(list.status, 304);
		const raw = await rawGet(srv.url, '/index.html', `If-None-Match: ${headers.etag}\r\n`);
		assert.equal(raw.status, 304);
		assert.match(raw.raw.toString('latin1'), /\r\n\r\n$/, '304 carries no body');
	});

	it('answers a different If-None-Match with 200', async () => {
		const res = await request(srv.url, '/index.html', { headers: { 'if-none-match': '"0-0"' } });
		assert.equal(res.status, 200);
		assert.equal(res.text, files['index.html']);
	});

	for (const [name, ctype] of [['index.html', HTML], ['css/app.css', 'text/css; charset=utf-8'], ['js/app.js', 'text/javascript; charset=utf-8']]) {
		it(`gzips /${name} for Accept-Encoding: gzip`, async () => {
			const res = await request(srv.url, `/${name}`, { headers: { 'accept-encoding': 'gzip' } });
			assert.equal(res.status, 200);
			assert.equal(res.headers['content-type'], ctype);
			assert.equal(res.headers['content-encoding'], 'gzip');
			assert.match(res.headers.vary ?? '', /Accept-Encoding/i);
			assert.ok(res.headers.etag);
			assert.equal(Number(res.headers['content-length']), res.body.length);
			assert.equal(gunzipSync(res.body).toString(), files[name]);
			// a second time comes from the cache and is the same
			const again = await request(srv.url, `/${name}`, { headers: { 'accept-encoding': 'gzip' } });
			assert.equal(gunzipSync(again.body).toString(), files[name]);
		});

		it(`serves /${name} as identity without Accept-Encoding`, async () => {
			const res = await request(srv.url, `/${name}`);
			assert.equal(res.status, 200);
			assert.equal(res.headers['content-type'], ctype);
			assert.equal(res.headers['content-encoding'], undefined);
			assert.match(res.headers.vary ?? '', /Accept-Encoding/i, 'Vary on the identity response too, for shared caches');
			assert.equal(res.text, files[name]);
		});
	}

	it('reads Accept-Encoding lists and q-values', async () => {
		const enc = async (ae) => (await request(srv.url, '/css/app.css', { headers: { 'accept-encoding': ae } })).headers['content-encoding'];
		assert.equal(await enc('br, gzip;q=0.8'), 'gzip');
		assert.equal(await enc('GZIP'), 'gzip');
		assert.equal(await enc('*'), 'gzip');
		assert.equal(await enc('gzip;q=0'), undefined);
		assert.equal(await enc('identity'), undefined);
		assert.equal(await enc('br'), undefined);
		assert.equal(await enc('x-gzip-not'), undefined);
	});

	it('does not gzip small files or already-compressed types', async () => {
		const small = await request(srv.url, '/small.txt', { headers: { 'accept-encoding': 'gzip' } });
		assert.equal(small.status, 200);
		assert.equal(small.headers['content-type'], 'text/plain; charset=utf-8');
		assert.equal(small.headers['content-encoding'], undefined);
		assert.equal(small.text, files['small.txt']);
		const png = await request(srv.url, '/img.png', { headers: { 'accept-encoding': 'gzip' } });
		assert.equal(png.headers['content-type'], 'image/png');
		assert.equal(png.headers['content-encoding'], undefined);
		assert.ok(png.body.equals(files['img.png']));
	});

	it('serves unknown types as application/octet-stream', async () => {
		const res = await request(srv.url, '/blob.bin', { headers: { 'accept-encoding': 'gzip' } });
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-type'], 'application/octet-stream');
		assert.equal(res.text, files['blob.bin']);
	});

	it('decodes escaped file names', async () => {
		const res = await request(srv.url, '/caf%C3%A9%20menu.txt');
		assert.equal(res.status, 200);
		assert.equal(res.text, files['caf\u00e9 menu.txt']);
	});

	it('changes the ETag and the gzipped body when a file changes', async () => {
		const file = path.join(root, 'css', 'app.css');
		const first = await request(srv.url, '/css/app.css', { headers: { 'accept-encoding': 'gzip' } });
		files['css/app.css'] += '.added { color: red; }\n'.repeat(10);
		writeFileSync(file, files['css/app.css']);
		const second = await request(srv.url, '/css/app.css', { headers: { 'accept-encoding': 'gzip', 'if-none-match': first.headers.etag } });
		assert.equal(second.status, 200, 'the old ETag no longer matches');
		assert.notEqual(second.headers.etag, first.headers.etag);
		assert.equal(gunzipSync(second.body).toString(), files['css/app.css']);
	});

	it('falls back to index.html for paths that are not files (SPA)', async () => {
		for (const p of ['/catalog/default/component/foo', '/docs', '/css', '/css/', '/catalog/x%2Fy', '/catalog?filter=kind%3Dcomponent']) {
			const res = await request(srv.url, p);
			assert.equal(res.status, 200, p);
			assert.equal(res.headers['content-type'], HTML, p);
			assert.equal(res.text, files['index.html'], p);
		}
	});

	it('answers 404 for a missing asset with a file extension, not the app', async () => {
		for (const p of ['/no-such.css', '/js/typo.js', '/favicon.ico', '/robots.txt']) {
			const res = await request(srv.url, p);
			assert.equal(res.status, 404, p);
			assertErrorBody(JSON.parse(res.text), { name: 'NotFoundError', status: 404, method: 'GET', url: p });
		}
	});

	it('answers HEAD with the headers of GET and no body', async () => {
		for (const p of ['/', '/css/app.css', '/catalog/default/component/foo']) {
			const get = await request(srv.url, p);
			const r = await rawRequest(srv.url, `HEAD ${p} HTTP/1.1\r\nHost: stagehand.test\r\nConnection: close\r\n\r\n`);
			assert.equal(r.status, 200, `HEAD ${p}`);
			assert.equal(r.headers['content-type'], get.headers['content-type']);
			assert.equal(r.headers.etag, get.headers.etag);
			assert.equal(Number(r.headers['content-length']), get.body.length);
			assert.match(r.raw.toString('latin1'), /\r\n\r\n$/, `HEAD ${p} sent a body`);
		}
	});

	it('refuses a symlink that points out of the web root', async () => {
		for (const p of ['/leak.txt', '/leakdir/secret.txt']) {
			const res = await request(srv.url, p);
			assert.equal(res.status, 404, p);
			assert.ok(!res.text.includes('TOP-SECRET'), `${p} leaked the file`);
			assertErrorBody(res.text, { status: 404, name: 'NotFoundError', method: 'GET', url: p });
		}
	});

	it('serves a symlink that stays inside the web root', async () => {
		const res = await request(srv.url, '/alias.txt');
		assert.equal(res.status, 200);
		assert.equal(res.text, files['small.txt']);
	});

	for (const p of ['/../outside/secret.txt', '/%2e%2e/outside/secret.txt', '/css/..%2f..%2foutside/secret.txt', '/..%5coutside%5csecret.txt', ...TRAVERSALS]) {
		it(`refuses traversal ${p}`, async () => {
			const r = await rawGet(srv.url, p);
			assertRefused(r, p);
			assert.ok(!r.text.includes('TOP-SECRET'), `${p} leaked the file`);
		});
	}

	it('exits 0 on SIGTERM with no sanitizer reports', async () => {
		await srv.stopCleanly();
	});
});

