// Helpers for the black-box API tests: start the real stagehand binary,
// talk to it over HTTP (fetch, node:http, or a raw socket), stop it, and
// run it to completion for command-line tests.
//
// Environment:
//   STAGEHAND_BIN  the binary to test (default: <repo>/build-test/stagehand,
//                  the sanitizer build with the test-only routes)
//   STAGEHAND_URL  test an already running server at this URL instead of
//                  spawning one; tests that need their own process are skipped

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = process.env.STAGEHAND_BIN || path.join(REPO_ROOT, 'build-test', 'stagehand');
export const REMOTE_URL = process.env.STAGEHAND_URL ? process.env.STAGEHAND_URL.replace(/\/+$/, '') : null;

// `{ skip: OWN_PROCESS }` on tests that must start (or signal, or read the
// log of) their own server.
export const OWN_PROCESS = REMOTE_URL ? 'needs its own server process (STAGEHAND_URL is set)' : false;

const START_TIMEOUT_MS = 15000;
const live = new Set();

// Never leave a server behind, whatever happens to the test process.
process.on('exit', () => {
	for (const child of live) {
		try { child.kill('SIGKILL'); } catch { /* already gone */ }
	}
});

export function tempDir(prefix = 'stagehand-test-') {
	return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir) {
	rmSync(dir, { recursive: true, force: true });
}

// Lines that mean a sanitizer (or the allocator) found a bug.
const SANITIZER_RE = /ERROR: (?:AddressSanitizer|LeakSanitizer|ThreadSanitizer)|runtime error:|SUMMARY: (?:Address|Undefined|Leak)/;

export function assertNoSanitizerReport(stderr, what = 'process') {
	const m = SANITIZER_RE.exec(stderr);
	if (m) {
		const from = Math.max(0, m.index - 200);
		assert.fail(`${what} reported a sanitizer error:\n${stderr.slice(from, from + 4000)}`);
	}
}

// The environment of a child: ours plus extra; an undefined value unsets.
function childEnv(extra = {}) {
	const env = { ...process.env, ...extra };
	delete env.STAGEHAND_URL;
	for (const [k, v] of Object.entries(env))
		if (v === undefined)
			delete env[k];
	return env;
}

function hostForUrl(host) {
	return host.includes(':') ? `[${host}]` : host;
}

/**
 * A running stagehand process.
 */
export class Server {
	constructor(child, dir, ownsDir) {
		this.child = child;
		this.pid = child.pid;
		this.dataDir = dir;
		this.ownsDir = ownsDir;
		this.remote = false;
		this.stdout = '';
		this.stderrText = '';
		this.logWaiters = [];
		this.signalledAt = null;
		this.exitInfo = null;
		this.exited = new Promise((resolve) => {
			child.on('exit', (code, signal) => {
				live.delete(child);
				this.exitInfo = { code, signal, at: performance.now() };
				resolve(this.exitInfo);
				for (const w of this.logWaiters.splice(0))
					w.reject(new Error(`server exited (code ${code}, signal ${signal}) while waiting for ${w.re}\n${this.stderrText}`));
			});
		});
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (s) => { this.stdout += s; });
		child.stderr.on('data', (s) => {
			this.stderrText += s;
			for (const w of [...this.logWaiters]) {
				const m = w.re.exec(this.stderrText);
				if (m) {
					this.logWaiters.splice(this.logWaiters.indexOf(w), 1);
					clearTimeout(w.timer);
					w.resolve(m);
				}
			}
		});
	}

	/** Everything the server wrote to standard error so far. */
	get stderr() {
		return this.stderrText;
	}

	get running() {
		return this.exitInfo === null;
	}

	/** Resolve with the first match of re in the log, waiting for it. */
	waitForLog(re, timeoutMs = 5000) {
		const m = re.exec(this.stderrText);
		if (m)
			return Promise.resolve(m);
		if (!this.running)
			return Promise.reject(new Error(`server has exited; ${re} not in its log:\n${this.stderrText}`));
		return new Promise((resolve, reject) => {
			const w = { re, resolve, reject };
			w.timer = setTimeout(() => {
				this.logWaiters.splice(this.logWaiters.indexOf(w), 1);
				reject(new Error(`timed out after ${timeoutMs}ms waiting for ${re} in the log:\n${this.stderrText}`));
			}, timeoutMs);
			this.logWaiters.push(w);
		});
	}

	/** Send a signal and note when, so stop() can time the exit. */
	kill(signal = 'SIGTERM') {
		this.signalledAt = performance.now();
		this.child.kill(signal);
	}

	/**
	 * Send signal and wait for the process to exit. Resolves with
	 * { code, signal, ms, stderr }: ms counts from the signal to the exit.
	 * After timeoutMs the process is killed and timedOut is set.
	 */
	async stop(signal = 'SIGTERM', timeoutMs = 10000) {
		if (this.running && this.signalledAt === null)
			this.kill(signal);
		const sentAt = this.signalledAt ?? performance.now();
		let timer;
		const timeout = new Promise((resolve) => {
			timer = setTimeout(() => resolve(null), timeoutMs);
		});
		let info = await Promise.race([this.exited, timeout]);
		let timedOut = false;
		if (info === null) {
			timedOut = true;
			this.child.kill('SIGKILL');
			info = await this.exited;
		}
		clearTimeout(timer);
		if (this.ownsDir)
			removeDir(this.dataDir);
		return { code: info.code, signal: info.signal, ms: info.at - sentAt, stderr: this.stderrText, timedOut };
	}

	/** Stop, and assert a clean exit: status 0, in time, no sanitizer report. */
	async stopCleanly(signal = 'SIGTERM', maxMs = 3000) {
		const r = await this.stop(signal, maxMs + 5000);
		assertNoSanitizerReport(r.stderr, 'server');
		assert.equal(r.timedOut, false, `server did not exit within ${maxMs + 5000}ms of ${signal}`);
		assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null },
			`server exit after ${signal}; log:\n${r.stderr}`);
		assert.ok(r.ms < maxMs, `server took ${r.ms.toFixed(0)}ms to exit after ${signal}`);
		return r;
	}
}

/**
 * Start `stagehand serve` in a fresh temporary directory (cwd and data dir).
 *
 * options:
 *   config    YAML text, written to a file in the directory and passed
 *             with --config
 *   configFile  an existing file to pass with --config
 *   port      value for --port (default '0'; null to leave it out)
 *   host      value for --host (default: none)
 *   dataDir   reuse this directory instead of making one (it is not removed)
 *   args      more arguments after `serve`
 *   env       extra environment variables (undefined unsets one)
 */
export async function startServer(options = {}) {
	const ownsDir = !options.dataDir;
	const dir = options.dataDir ?? tempDir();
	const args = ['serve'];
	if (options.config !== undefined) {
		const file = path.join(dir, 'test-config.yaml');
		writeFileSync(file, options.config);
		args.push('--config', file);
	} else if (options.configFile) {
		args.push('--config', options.configFile);
	}
	const port = options.port === undefined ? '0' : options.port;
	if (port !== null)
		args.push('--port', String(port));
	if (options.host)
		args.push('--host', options.host);
	args.push('--data-dir', dir, ...(options.args ?? []));

	const child = spawn(BIN, args, { cwd: dir, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
	live.add(child);
	const spawnError = new Promise((_, reject) => child.on('error', reject));
	const srv = new Server(child, dir, ownsDir);
	let m;
	try {
		m = await Promise.race([
			srv.waitForLog(/listening on http:\/\/(\S+):(\d+) /, START_TIMEOUT_MS),
			spawnError,
		]);
	} catch (e) {
		child.kill('SIGKILL');
		await srv.exited;
		if (ownsDir)
			removeDir(dir);
		throw new Error(`${BIN} ${args.join(' ')} did not start: ${e.message}`);
	}
	srv.host = m[1];
	srv.port = Number(m[2]);
	srv.url = `http://${hostForUrl(srv.host)}:${srv.port}`;
	return srv;
}

/**
 * The server a test file talks to: STAGEHAND_URL when set, otherwise a
 * server of its own (options as for startServer). The remote stand-in has
 * no log and nothing to stop.
 */
export async function serverForTests(options = {}) {
	if (REMOTE_URL) {
		const u = new URL(REMOTE_URL);
		return {
			remote: true,
			url: REMOTE_URL,
			host: u.hostname.replace(/^\[|\]$/g, ''),
			port: Number(u.port || 80),
			stderr: '',
			running: true,
			async stop() { return null; },
			async stopCleanly() { return null; },
		};
	}
	return startServer(options);
}

/**
 * Run the binary to completion. Resolves with
 * { code, signal, stdout, stderr, timedOut }.
 */
export function runCli(args, options = {}) {
	const ownsDir = !options.cwd;
	const cwd = options.cwd ?? tempDir();
	const timeoutMs = options.timeoutMs ?? 10000;
	return new Promise((resolve, reject) => {
		const child = spawn(BIN, args, { cwd, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		live.add(child);
		child.stdout.setEncoding('utf8');
		child.stderr.setEncoding('utf8');
		child.stdout.on('data', (s) => { stdout += s; });
		child.stderr.on('data', (s) => { stderr += s; });
		const timer = setTimeout(() => {
			timedOut = true;
			child.kill('SIGKILL');
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			live.delete(child);
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			live.delete(child);
			if (ownsDir)
				removeDir(cwd);
			resolve({ code, signal, stdout, stderr, timedOut });
		});
	});
}

// ---- HTTP ---------------------------------------------------------------------

/**
 * One request with node:http and no connection reuse, no automatic
 * Accept-Encoding and no decompression. Resolves with
 * { status, headers, body: Buffer, text }. options: method, headers, body,
 * timeoutMs, onSent (called once the whole request is written).
 */
export function request(baseUrl, pathAndQuery, options = {}) {
	const u = new URL(baseUrl);
	return new Promise((resolve, reject) => {
		const req = http.request({
			host: u.hostname.replace(/^\[|\]$/g, ''),
			port: u.port,
			method: options.method ?? 'GET',
			path: pathAndQuery,
			headers: options.headers ?? {},
			agent: false,
			timeout: options.timeoutMs ?? 10000,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const body = Buffer.concat(chunks);
				resolve({ status: res.statusCode, headers: res.headers, body, text: body.toString('utf8') });
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`request ${pathAndQuery} timed out`)));
		if (options.onSent)
			req.on('finish', options.onSent);
		req.on('error', reject);
		if (options.body !== undefined)
			req.write(options.body);
		req.end();
	});
}

/**
 * Write bytes to a fresh connection and read until the server closes it
 * (send `Connection: close`), an error, or timeoutMs. Resolves with
 * { raw, status, statusLine, headers, body, text, timedOut, error }; status
 * is null when the server answered nothing that looks like HTTP.
 */
export function rawRequest(baseUrl, data, options = {}) {
	const u = new URL(baseUrl);
	const timeoutMs = options.timeoutMs ?? 5000;
	return new Promise((resolve, reject) => {
		const chunks = [];
		let done = false;
		let timedOut = false;
		let connected = false;
		const sock = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) });
		const timer = setTimeout(() => {
			timedOut = true;
			sock.destroy();
		}, timeoutMs);
		const finish = (error) => {
			if (done)
				return;
			done = true;
			clearTimeout(timer);
			if (!connected && error) {
				reject(error);
				return;
			}
			resolve({ ...parseResponse(Buffer.concat(chunks), options.head), timedOut, error: error ?? null });
		};
		sock.on('connect', () => {
			connected = true;
			sock.write(data);
			if (options.endAfterWrite)
				sock.end();
		});
		sock.on('data', (c) => chunks.push(c));
		sock.on('error', (e) => finish(e));
		sock.on('close', () => finish(null));
	});
}

function dechunk(buf) {
	const out = [];
	let i = 0;
	while (i < buf.length) {
		const eol = buf.indexOf('\r\n', i);
		if (eol < 0)
			break;
		const size = parseInt(buf.subarray(i, eol).toString('latin1'), 16);
		if (!Number.isFinite(size) || size === 0)
			break;
		out.push(buf.subarray(eol + 2, eol + 2 + size));
		i = eol + 2 + size + 2;
	}
	return Buffer.concat(out);
}

export function parseResponse(raw, head = false) {
	const end = raw.indexOf('\r\n\r\n');
	const result = { raw, status: null, statusLine: null, headers: {}, body: Buffer.alloc(0), text: '' };
	if (end < 0 || !raw.subarray(0, 5).equals(Buffer.from('HTTP/')))
		return result;
	const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
	result.statusLine = lines[0];
	result.status = Number(lines[0].split(' ')[1]);
	for (const line of lines.slice(1)) {
		const colon = line.indexOf(':');
		const name = line.slice(0, colon).trim().toLowerCase();
		const value = line.slice(colon + 1).trim();
		result.headers[name] = name in result.headers ? `${result.headers[name]}, ${value}` : value;
	}
	let body = raw.subarray(end + 4);
	if (head)
		body = Buffer.alloc(0);
	else if (/chunked/i.test(result.headers['transfer-encoding'] ?? ''))
		body = dechunk(body);
	else if (result.headers['content-length'] !== undefined)
		body = body.subarray(0, Number(result.headers['content-length']));
	result.body = body;
	result.text = body.toString('utf8');
	return result;
}

/** A raw GET for path with Connection: close. */
export function rawGet(baseUrl, pathAndQuery, extraHeaders = '') {
	return rawRequest(baseUrl, `GET ${pathAndQuery} HTTP/1.1\r\nHost: stagehand.test\r\n${extraHeaders}Connection: close\r\n\r\n`);
}

// ---- assertions ---------------------------------------------------------------

export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Assert body is Backstage's error body:
 * {"error":{"name","message"},"request":{"method","url"},"response":{"statusCode"}}.
 * expect: { status, name, method, url, message (string or RegExp) }.
 */
export function assertErrorBody(body, expect) {
	const obj = typeof body === 'string' ? JSON.parse(body) : body;
	assert.deepEqual(Object.keys(obj).sort(), ['error', 'request', 'response'], `error body keys: ${JSON.stringify(obj)}`);
	assert.equal(typeof obj.error.name, 'string');
	assert.equal(typeof obj.error.message, 'string');
	assert.ok(obj.error.message.length > 0, 'error message is empty');
	assert.equal(typeof obj.request.method, 'string');
	assert.equal(typeof obj.request.url, 'string');
	assert.equal(typeof obj.response.statusCode, 'number');
	if (expect.status !== undefined)
		assert.equal(obj.response.statusCode, expect.status);
	if (expect.name !== undefined)
		assert.equal(obj.error.name, expect.name);
	if (expect.method !== undefined)
		assert.equal(obj.request.method, expect.method);
	if (expect.url !== undefined)
		assert.equal(obj.request.url, expect.url);
	if (expect.message instanceof RegExp)
		assert.match(obj.error.message, expect.message);
	else if (expect.message !== undefined)
		assert.equal(obj.error.message, expect.message);
	return obj;
}

/** fetch, then assert an error response with Backstage's body. */
export async function expectError(res, expect) {
	assert.equal(res.status, expect.status, `status of ${expect.method ?? 'GET'} ${expect.url}`);
	assert.equal(res.headers.get('content-type'), JSON_TYPE);
	assert.ok(res.headers.get('x-request-id'), 'X-Request-Id on an error response');
	return assertErrorBody(await res.json(), expect);
}

/** A port that was free a moment ago. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/** Resolve with the error code of a connection attempt, or 'connected'. */
export function tryConnect(host, port, timeoutMs = 2000) {
	return new Promise((resolve) => {
		const sock = net.connect({ host, port });
		const timer = setTimeout(() => {
			sock.destroy();
			resolve('timeout');
		}, timeoutMs);
		sock.on('connect', () => {
			clearTimeout(timer);
			sock.destroy();
			resolve('connected');
		});
		sock.on('error', (e) => {
			clearTimeout(timer);
			resolve(e.code);
		});
	});
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
