// The command line and the configuration file: every mistake is reported
// with the file, line and key, and the process exits with status 2.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
	OWN_PROCESS, REPO_ROOT, assertNoSanitizerReport, freePort, removeDir, runCli, startServer, tempDir,
	tryConnect,
} from './lib/server.mjs';

const EXIT_USAGE = 2;

function projectVersion() {
	const m = /^\s*version:\s*'([^']+)'/m.exec(readFileSync(path.join(REPO_ROOT, 'meson.build'), 'utf8'));
	return m ? m[1] : null;
}

describe('command line', { skip: OWN_PROCESS }, () => {
	it('--version prints "stagehand <version>" and exits 0', async () => {
		for (const flag of ['--version', '-V']) {
			const r = await runCli([flag]);
			assertNoSanitizerReport(r.stderr);
			assert.equal(r.code, 0, flag);
			assert.match(r.stdout, /^stagehand \d+\.\d+\.\d+\S*\n$/);
			const v = projectVersion();
			if (v)
				assert.equal(r.stdout, `stagehand ${v}\n`);
		}
	});

	it('--help prints the usage on stdout and exits 0', async () => {
		for (const args of [['--help'], ['-h'], ['help'], ['serve', '--help']]) {
			const r = await runCli(args);
			assertNoSanitizerReport(r.stderr);
			assert.equal(r.code, 0, args.join(' '));
			assert.match(r.stdout, /^usage: stagehand/m);
			assert.match(r.stdout, /serve/);
			assert.match(r.stdout, /--port/);
		}
	});

	it('serve --bogus exits 2 with the usage on stderr', async () => {
		const r = await runCli(['serve', '--bogus']);
		assertNoSanitizerReport(r.stderr);
		assert.equal(r.code, EXIT_USAGE);
		assert.match(r.stderr, /bogus/);
		assert.match(r.stderr, /usage: stagehand/);
		assert.equal(r.stdout, '');
	});

	it('an unknown command exits 2 naming it', async () => {
		const r = await runCli(['frobnicate']);
		assertNoSanitizerReport(r.stderr);
		assert.equal(r.code, EXIT_USAGE);
		assert.match(r.stderr, /frobnicate/);
		assert.match(r.stderr, /usage: stagehand/);
	});

	it('no command exits 2 with the usage', async () => {
		const r = await runCli([]);
		assert.equal(r.code, EXIT_USAGE);
		assert.match(r.stderr, /usage: stagehand/);
	});

	it('a stray argument to serve exits 2', async () => {
		const r = await runCli(['serve', 'extra']);
		assertNoSanitizerReport(r.stderr);
		assert.equal(r.code, EXIT_USAGE);
		assert.match(r.stderr, /extra/);
	});

	it('config-reference prints the keys as Markdown', async () => {
		const r = await runCli(['config-reference']);
		assertNoSanitizerReport(r.stderr);
		assert.equal(r.code, 0);
		assert.match(r.stdout, /^\| key \|/);
		for (const key of ['backend.listen.port', 'backend.listen.host', 'backend.dataDir', 'app.webRoot'])
			assert.ok(r.stdout.includes(`\`${key}\``), key);
	});

	it('serve --port with a bad value exits 2 naming the key and the value', async () => {
		for (const value of ['abc', '70000', '-1']) {
			const dir = tempDir();
			try {
				const r = await runCli(['serve', '--port', value, '--data-dir', dir], { timeoutMs: 5000 });
				assert.equal(r.timedOut, false, `--port ${value}: the server started`);
				assert.match(r.stderr, /backend\.listen\.port/);
				assert.ok(r.stderr.includes(`got ${value}`), r.stderr);
				assertNoSanitizerReport(r.stderr, `serve --port ${value}`);
				assert.equal(r.code, EXIT_USAGE, `--port ${value}: ${r.stderr}`);
			} finally {
				removeDir(dir);
			}
		}
	});
});

describe('configuration file errors', { skip: OWN_PROCESS }, () => {
	let dir;

	before(() => {
		dir = tempDir('stagehand-config-');
	});
	after(() => removeDir(dir));

	let n = 0;
	async function runWithConfig(text, env = {}) {
		const file = path.join(dir, `config-${++n}.yaml`);
		writeFileSync(file, text);
		const r = await runCli(['serve', '--config', file, '--port', '0', '--data-dir', path.join(dir, `data-${n}`)],
			{ env, timeoutMs: 5000 });
		assert.equal(r.timedOut, false, `started despite the bad config:\n${text}`);
		assertNoSanitizerReport(r.stderr);
		return { ...r, file };
	}

	const cases = [
		{
			what: 'an unknown key',
			yaml: 'backend:\n  listen:\n    prot: 1\n',
			line: 3, expect: [/backend\.listen\.prot/, /unknown key/],
		},
		{
			what: 'an unknown top-level key',
			yaml: 'app:\n  title: x\nfrobnicate: true\n',
			line: 3, expect: [/frobnicate/],
		},
		{
			what: 'bad YAML (unclosed flow sequence)',
			yaml: 'backend:\n  listen: [1, 2\n',
			line: null, expect: [],
		},
		{
			what: 'bad YAML (a tab for indentation)',
			yaml: 'backend:\n\tlisten: 1\n',
			line: 2, expect: [],
		},
		{
			what: 'a port that is not a number',
			yaml: 'backend:\n  listen:\n    port: abc\n',
			line: 3, expect: [/backend\.listen\.port/, /abc/, /integer/],
		},
		{
			what: 'a port out of range',
			yaml: 'backend:\n  listen:\n    host: 127.0.0.1\n    port: 70000\n',
			line: 4, expect: [/backend\.listen\.port/, /70000/, /65535/],
		},
		{
			what: 'a negative port',
			yaml: 'backend:\n  listen:\n    port: -5\n',
			line: 3, expect: [/backend\.listen\.port/],
		},
		{
			what: 'a list where a string belongs',
			yaml: 'app:\n  title: [1, 2]\n',
			line: 2, expect: [/app\.title/, /string/],
		},
		{
			what: 'a number where a string belongs',
			yaml: 'backend:\n  listen:\n    host: 12\n',
			line: 3, expect: [/backend\.listen\.host/],
		},
		{
			what: 'a scalar where a section belongs',
			yaml: 'backend: 5\n',
			line: 1, expect: [/backend/],
		},
		{
			what: 'a value that is not one of the choices',
			yaml: 'backend:\n  log:\n    level: loud\n',
			line: 3, expect: [/backend\.log\.level/, /loud/],
		},
		{
			what: 'a boolean that is not true or false',
			yaml: 'backend:\n  log:\n    json: 3\n',
			line: 3, expect: [/backend\.log\.json/],
		},
		{
			what: 'a size below the minimum',
			yaml: 'backend:\n  http:\n    maxBodySize: 10\n',
			line: 3, expect: [/backend\.http\.maxBodySize/],
		},
		{
			what: 'more than one YAML document',
			yaml: 'app:\n  title: a\n---\napp:\n  title: b\n',
			line: null, expect: [/document/],
		},
		{
			what: 'a list at the top',
			yaml: '- a\n- b\n',
			line: 1, expect: [],
		},
		{
			what: 'a malformed ${} reference',
			yaml: 'app:\n  title: "${UNCLOSED"\n',
			line: 2, expect: [/app\.title/],
		},
	];

	for (const c of cases) {
		it(`${c.what} exits 2 naming the file${c.line ? ', line' : ''} and key`, async () => {
			const r = await runWithConfig(c.yaml);
			assert.equal(r.code, EXIT_USAGE, `exit status; stderr:\n${r.stderr}`);
			assert.ok(r.stderr.includes(c.line ? `${r.file}:${c.line}:` : `${r.file}:`),
				`stderr names ${r.file}${c.line ? `:${c.line}` : ''}:\n${r.stderr}`);
			for (const re of c.expect)
				assert.match(r.stderr, re);
			assert.ok(!/listening on/.test(r.stderr));
		});
	}

	it('an unset ${VAR} is an error naming the variable', async () => {
		const r = await runWithConfig('backend:\n  listen:\n    port: ${STAGEHAND_TEST_UNSET_VAR_Q9}\n',
			{ STAGEHAND_TEST_UNSET_VAR_Q9: undefined });
		assert.equal(r.code, EXIT_USAGE, r.stderr);
		assert.ok(r.stderr.includes(`${r.file}:3:`), r.stderr);
		assert.match(r.stderr, /STAGEHAND_TEST_UNSET_VAR_Q9/);
		assert.match(r.stderr, /backend\.listen\.port/);
	});

	it('a ${VAR} that expands to a bad value is reported like the value', async () => {
		const r = await runWithConfig('backend:\n  listen:\n    port: "${STAGEHAND_TEST_PORT_BAD}"\n',
			{ STAGEHAND_TEST_PORT_BAD: 'eighty' });
		assert.equal(r.code, EXIT_USAGE, r.stderr);
		assert.ok(r.stderr.includes(`${r.file}:3:`), r.stderr);
		assert.match(r.stderr, /eighty/);
	});

	it('a missing config file is an error naming it', async () => {
		const file = path.join(dir, 'does-not-exist.yaml');
		const r = await runCli(['serve', '--config', file, '--port', '0', '--data-dir', dir], { timeoutMs: 5000 });
		assertNoSanitizerReport(r.stderr);
		assert.equal(r.code, EXIT_USAGE, r.stderr);
		assert.ok(r.stderr.includes(file), r.stderr);
	});
});

describe('configuration that works', { skip: OWN_PROCESS }, () => {
	const servers = [];
	const start = async (opts) => {
		const s = await startServer(opts);
		servers.push(s);
		return s;
	};
	after(async () => {
		for (const s of servers)
			if (s.running)
				await s.stop('SIGKILL');
	});

	it('substitutes ${VAR} from the environment (the port)', async () => {
		const port = await freePort();
		const srv = await start({
			config: 'backend:\n  listen:\n    port: ${STAGEHAND_TEST_PORT}\n',
			port: null,
			env: { STAGEHAND_TEST_PORT: String(port) },
		});
		assert.equal(srv.port, port);
		const res = await fetch(`http://127.0.0.1:${port}/healthcheck`);
		assert.equal(res.status, 200);
		assert.deepEqual(await res.json(), { status: 'ok' });
		await srv.stopCleanly();
	});

	it('--port overrides backend.listen.port', async () => {
		const inFile = await freePort();
		const onCli = await freePort();
		const srv = await start({ config: `backend:\n  listen:\n    port: ${inFile}\n`, port: onCli });
		assert.equal(srv.port, onCli);
		assert.equal((await fetch(`http://127.0.0.1:${onCli}/healthcheck`)).status, 200);
		assert.notEqual(await tryConnect('127.0.0.1', inFile), 'connected', 'also listening on the port of the file');
		await srv.stopCleanly();
	});

	it('--host overrides backend.listen.host', async () => {
		const srv = await start({ config: 'backend:\n  listen:\n    host: 127.0.0.1\n', host: '127.0.0.2' });
		assert.equal(srv.host, '127.0.0.2');
		assert.equal((await fetch(`http://127.0.0.2:${srv.port}/healthcheck`)).status, 200);
		assert.notEqual(await tryConnect('127.0.0.1', srv.port), 'connected', 'also listening on 127.0.0.1');
		await srv.stopCleanly();
	});

	it('reads ./stagehand.yaml when no --config is given', async () => {
		const dir = tempDir();
		try {
			const port = await freePort();
			writeFileSync(path.join(dir, 'stagehand.yaml'), `backend:\n  listen:\n    port: ${port}\n`);
			const srv = await start({ dataDir: dir, port: null });
			assert.equal(srv.port, port);
			assert.match(srv.stderr, /stagehand\.yaml/);
			await srv.stopCleanly();
		} finally {
			removeDir(dir);
		}
	});

	it('an empty config file means the defaults', async () => {
		const srv = await start({ config: '' });
		assert.equal(srv.host, '127.0.0.1');
		assert.equal((await fetch(`${srv.url}/healthcheck`)).status, 200);
		await srv.stopCleanly();
	});

	it('--data-dir overrides backend.dataDir', async () => {
		const srv = await start({ config: 'backend:\n  dataDir: ./from-config\n' });
		assert.ok(existsSync(path.join(srv.dataDir, 'stagehand.db')));
		assert.ok(!existsSync(path.join(srv.dataDir, 'from-config')));
		await srv.stopCleanly();
	});

	it('a host that is not an address fails start-up with a message', async () => {
		const dir = tempDir();
		try {
			const r = await runCli(['serve', '--host', 'not-an-address', '--port', '0', '--data-dir', dir], { timeoutMs: 5000 });
			assertNoSanitizerReport(r.stderr);
			assert.equal(r.timedOut, false);
			assert.notEqual(r.code, 0);
			assert.match(r.stderr, /backend\.listen\.host/);
			assert.match(r.stderr, /not-an-address/);
		} finally {
			removeDir(dir);
		}
	});

	it('a port in use fails start-up with a message', async () => {
		const first = await start({});
		const dir = tempDir();
		try {
			const r = await runCli(['serve', '--port', String(first.port), '--data-dir', dir], { timeoutMs: 5000 });
			assertNoSanitizerReport(r.stderr);
			assert.equal(r.timedOut, false);
			assert.notEqual(r.code, 0);
			assert.ok(r.stderr.includes(String(first.port)), r.stderr);
		} finally {
			removeDir(dir);
		}
		await first.stopCleanly();
	});
});
