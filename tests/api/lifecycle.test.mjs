// Start-up, graceful shutdown and the data directory.
import assert from 'node:assert/strict';
import { existsSync, openSync, readSync, closeSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import {
	OWN_PROCESS, parseResponse, removeDir, request, runCli, assertNoSanitizerReport, sleep, startServer,
	tempDir, tryConnect,
} from './lib/server.mjs';

const servers = [];
async function start(opts) {
	const s = await startServer(opts);
	servers.push(s);
	return s;
}

// A client on one kept-alive connection: send a request, read one response.
function keepAliveClient(url) {
	const u = new URL(url);
	const sock = net.connect({ host: u.hostname, port: Number(u.port) });
	let buf = Buffer.alloc(0);
	let waiter = null;
	const check = () => {
		if (!waiter)
			return;
		const end = buf.indexOf('\r\n\r\n');
		if (end < 0)
			return;
		const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(buf.subarray(0, end).toString('latin1'))?.[1] ?? 0);
		if (buf.length < end + 4 + len)
			return;
		const one = buf.subarray(0, end + 4 + len);
		buf = buf.subarray(end + 4 + len);
		const w = waiter;
		waiter = null;
		w.resolve(parseResponse(one));
	};
	sock.on('data', (c) => {
		buf = Buffer.concat([buf, c]);
		check();
	});
	sock.on('error', (e) => waiter?.reject(e));
	sock.on('close', () => waiter?.reject(new Error('connection closed')));
	return {
		get(p) {
			return new Promise((resolve, reject) => {
				waiter = { resolve, reject };
				sock.write(`GET ${p} HTTP/1.1\r\nHost: stagehand.test\r\n\r\n`);
			});
		},
		close() {
			sock.destroy();
		},
	};
}

// Start a slow request and resolve once it has been written and the server
// has had a moment to take it, so a signal sent next finds it in flight.
// (Asking /metrics instead is no good: a worker thread busy with the slow
// request may also hold the connection of the scrape.)
async function startSlow(srv, ms) {
	let sent;
	const written = new Promise((resolve) => { sent = resolve; });
	const response = request(srv.url, `/api/test/slow?ms=${ms}`, { onSent: sent });
	response.catch(() => {});
	await written;
	await sleep(150);
	return { response };
}

describe('lifecycle', { skip: OWN_PROCESS }, () => {
	after(async () => {
		for (const s of servers)
			if (s.running)
				await s.stop('SIGKILL');
	});

	it('is ready (readiness 200) as soon as it logs that it listens', async () => {
		const srv = await start();
		const res = await fetch(`${srv.url}/.backstage/health/v1/readiness`);
		assert.equal(res.status, 200);
		assert.deepEqual(await res.json(), { status: 'ok' });
		assert.match(srv.stderr, /listening on http:\/\/127\.0\.0\.1:\d+ /);
		await srv.stopCleanly();
	});

	it('SIGTERM lets an in-flight request finish, refuses new connections, and exits 0 within 2 s', async () => {
		const srv = await start();
		const client = keepAliveClient(srv.url);
		assert.equal((await client.get('/.backstage/health/v1/readiness')).status, 200);

		const t0 = performance.now();
		const { response: slow } = await startSlow(srv, 600);
		srv.kill('SIGTERM');
		await srv.waitForLog(/shutting down/);

		assert.equal(await tryConnect(srv.host, srv.port), 'ECONNREFUSED', 'a new connection after SIGTERM');

		// A connection made before the signal is told the server is going
		// away: 503 and Connection: close. (If its worker thread is the one
		// busy with the slow request, the server may close it unanswered.)
		const draining = await client.get('/.backstage/health/v1/readiness').catch((e) => e);
		client.close();
		if (!(draining instanceof Error)) {
			assert.equal(draining.status, 503);
			assert.equal(JSON.parse(draining.text).status, 'error');
			assert.match(draining.headers.connection ?? '', /close/i);
		}

		const res = await slow;
		assert.equal(res.status, 200, 'the slow request completed');
		assert.deepEqual(JSON.parse(res.text), { sleptMs: 600 });
		assert.ok(performance.now() - t0 >= 590);

		const r = await srv.stopCleanly('SIGTERM', 2000);
		assert.match(r.stderr, /stopped in/);
	});

	it('SIGINT exits 0 too', async () => {
		const srv = await start();
		assert.equal((await fetch(`${srv.url}/healthcheck`)).status, 200);
		const r = await srv.stopCleanly('SIGINT', 2000);
		assert.match(r.stderr, /shutting down/);
	});

	it('SIGTERM on an idle server exits at once', async () => {
		const srv = await start();
		await srv.stopCleanly('SIGTERM', 2000);
	});

	it('a request that outlasts backend.http.shutdownGraceMs does not hold up the exit', async () => {
		const srv = await start({ config: 'backend:\n  http:\n    shutdownGraceMs: 200\n' });
		const { response: slow } = await startSlow(srv, 3000);
		const r = await srv.stop('SIGTERM', 10000);
		await slow.catch(() => {});
		assertNoSanitizerReport(r.stderr, 'server');
		assert.equal(r.code, 0, r.stderr);
		assert.match(r.stderr, /still running/);
		assert.ok(r.ms < 2000, `exit took ${r.ms.toFixed(0)}ms after SIGTERM with shutdownGraceMs 200 (the request sleeps 3000ms)`);
	});

	it('a slow request does not hold up clients that connect while it runs', async () => {
		// A connection accepted while a handler is busy goes to a free
		// thread: a health check must not queue behind a slow request.
		// (Connections the busy thread had already accepted do wait: handlers
		// must never do slow work themselves; slow work goes to the workers.)
		const srv = await start();
		const worst = [];
		for (let round = 0; round < 3; round++) {
			const slow = request(srv.url, '/api/test/slow?ms=800');
			await new Promise((resolve) => setTimeout(resolve, 150));
			const times = [];
			for (let i = 0; i < 4; i++) {
				const t = performance.now();
				const res = await request(srv.url, '/healthcheck');
				assert.equal(res.status, 200);
				times.push(performance.now() - t);
			}
			worst.push(Math.round(Math.max(...times)));
			assert.equal((await slow).status, 200);
		}
		assert.ok(Math.max(...worst) < 400, `slowest /healthcheck next to an 800ms request, per round: ${worst.join(', ')} ms`);
		await srv.stopCleanly();
	});

	describe('data directory', () => {
		it('creates stagehand.db (an SQLite database) under the data dir', async () => {
			const srv = await start();
			const db = path.join(srv.dataDir, 'stagehand.db');
			assert.ok(existsSync(db), `${db} exists`);
			const fd = openSync(db, 'r');
			const head = Buffer.alloc(16);
			readSync(fd, head, 0, 16, 0);
			closeSync(fd);
			assert.equal(head.toString('latin1'), 'SQLite format 3\0');
			assert.ok(srv.stderr.includes(db), 'the log names the database');
			await srv.stopCleanly();
		});

		it('restarts cleanly on the same data dir', async () => {
			const dir = tempDir();
			try {
				for (let round = 1; round <= 3; round++) {
					const srv = await start({ dataDir: dir });
					const res = await fetch(`${srv.url}/.backstage/health/v1/readiness`);
					assert.equal(res.status, 200, `readiness on start ${round}`);
					await res.arrayBuffer();
					const metrics = await (await fetch(`${srv.url}/metrics`)).text();
					assert.match(metrics, /^stagehand_database_size_bytes [1-9]\d*$/m);
					await srv.stopCleanly();
					assert.ok(statSync(path.join(dir, 'stagehand.db')).size > 0);
				}
			} finally {
				removeDir(dir);
			}
		});

		it('creates a missing data dir, parents included', async () => {
			const dir = tempDir();
			try {
				const nested = path.join(dir, 'a', 'b', 'c');
				const srv = await start({ dataDir: dir, args: ['--data-dir', nested] });
				assert.ok(existsSync(path.join(nested, 'stagehand.db')));
				await srv.stopCleanly();
			} finally {
				removeDir(dir);
			}
		});

		it('a data dir that cannot be created fails start-up with a message', async () => {
			const dir = tempDir();
			try {
				const blocker = path.join(dir, 'file');
				writeFileSync(blocker, 'not a directory');
				const r = await runCli(['serve', '--port', '0', '--data-dir', path.join(blocker, 'data')], { cwd: dir, timeoutMs: 5000 });
				assertNoSanitizerReport(r.stderr);
				assert.equal(r.timedOut, false, 'the server started');
				assert.notEqual(r.code, 0);
				assert.match(r.stderr, /backend\.dataDir/);
			} finally {
				removeDir(dir);
			}
		});

		it('a database file that is not SQLite fails start-up with a message', async () => {
			const dir = tempDir();
			try {
				writeFileSync(path.join(dir, 'stagehand.db'), 'this is not a database, just some text. '.repeat(200));
				const r = await runCli(['serve', '--port', '0', '--data-dir', dir], { cwd: dir, timeoutMs: 5000 });
				assertNoSanitizerReport(r.stderr);
				assert.equal(r.timedOut, false, 'the server started');
				assert.notEqual(r.code, 0);
				assert.match(r.stderr, /stagehand\.db|database/i);
			} finally {
				removeDir(dir);
			}
		});
	});
});
