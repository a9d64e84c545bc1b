// TechDocs against a real release server: builds of a generated site of
// PAGES Markdown pages (sync request to its "finish" event), syncs over
// unchanged sources, the stored size, and the first page served after a
// cold start on a database that holds the built site.
// Usage: node bench/techdocs.mjs PAGES RUNS COLD (bench/techdocs.sh).
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const PAGES = Number(process.argv[2] || 1000);
const RUNS = Number(process.argv[3] || 5);
const COLD = Number(process.argv[4] || 5);
const BIN = process.env.STAGEHAND_BIN;
const dir = mkdtempSync(path.join(tmpdir(), 'stagehand-techdocs-bench-'));
const ENTITY = 'bench-docs';
const DOCS = `/api/techdocs/static/docs/default/component/${ENTITY}`;

// ---- the site ---------------------------------------------------------------------------

// Pages in nested folders, ten to a topic, ten topics to an area; the
// last slot is the site's own index.md.
function pagePaths() {
	const out = [];
	for (let i = 0; out.length < PAGES - 1; i++) {
		const a = Math.floor(i / 100), t = Math.floor(i / 10) % 10, p = i % 10;
		out.push(`area-${a}/topic-${t}/${p === 0 ? 'index' : `page-${p}`}.md`);
	}
	return ['index.md', ...out];
}

const WORDS = ('service deploy cluster token request cache schema owner release rollout metric alert '
	+ 'queue worker config secret endpoint latency replica region backup index migration quota').split(' ');

function sentence(seed, n) {
	const w = [];
	for (let k = 0; k < n; k++)
		w.push(WORDS[(seed * 7 + k * 13 + (k * k) % 5) % WORDS.length]);
	const s = w.join(' ');
	return s[0].toUpperCase() + s.slice(1) + '.';
}

function paragraph(seed, sentences = 4) {
	const out = [];
	for (let k = 0; k < sentences; k++)
		out.push(sentence(seed + k, 9 + (seed + k) % 7));
	return out.join(' ');
}

function rel(from, to) {
	return path.posix.relative(path.posix.dirname(from), to) || path.posix.basename(to);
}

function page(paths, i) {
	const me = paths[i];
	const other = (k) => paths[(i * 31 + k * 97 + 1) % paths.length];
	const title = i === 0 ? 'Bench handbook' : `${WORDS[i % WORDS.length]} guide ${i}`.replace(/^./, (c) => c.toUpperCase());
	return `# ${title}

${paragraph(i)} See [the overview](${rel(me, other(1))}) and the
[usage notes](${rel(me, other(2))}#usage) before you start; \`stagehand\` reads
**every** file here, and _most_ of them change each release.

## Overview

${paragraph(i + 1, 5)}

- ${sentence(i + 2, 6)}
- ${sentence(i + 3, 8)} See [related page](${rel(me, other(3))}).
- ${sentence(i + 4, 5)}
    - ${sentence(i + 5, 4)}
    - ${sentence(i + 6, 4)}

## Usage

1. Install the \`cli-${i}\` tool.
2. ${sentence(i + 7, 7)}
3. Run the command below and check its output.

\`\`\`bash
export SERVICE=svc-${i}
stagehand deploy --service "$SERVICE" --region eu-west-1 \\
  --replicas 3 --wait
curl -fsS "https://svc-${i}.example.com/healthcheck" | jq .status
\`\`\`

!!! note "Before a release"
    ${sentence(i + 8, 10)}
    ${sentence(i + 9, 8)}

### Settings

| Setting | Default | Description |
|---|---:|---|
| \`replicas\` | 3 | ${sentence(i + 10, 6)} |
| \`timeout\` | 30s | ${sentence(i + 11, 6)} |
| \`region\` | eu-west-1 | ${sentence(i + 12, 5)} |
| \`cache\` | on | ${sentence(i + 13, 5)} |

## Troubleshooting

${paragraph(i + 14, 3)}

> ${sentence(i + 15, 9)}

${paragraph(i + 16, 4)} Back to [the start](${rel(me, 'index.md')}).
`;
}

// Nav for the first three areas (nested sections); the rest are built
// after it, in MkDocs' default order.
function mkdocsYml(paths) {
	const lines = ['site_name: Bench handbook', 'site_description: A generated site for bench/techdocs.sh',
		'repo_url: https://github.com/example/bench', 'edit_uri: edit/main/docs/',
		'plugins:', '  - techdocs-core', 'markdown_extensions:', '  - admonition',
		'  - toc:', '      permalink: true', '  - pymdownx.superfences', 'nav:', '  - Home: index.md'];
	for (let a = 0; a < 3; a++) {
		lines.push(`  - Area ${a}:`);
		for (let t = 0; t < 10; t++) {
			const inTopic = paths.filter((p) => p.startsWith(`area-${a}/topic-${t}/`));
			if (inTopic.length === 0)
				continue;
			lines.push(`      - Topic ${t}:`);
			inTopic.forEach((p, k) => lines.push(k % 2 ? `          - ${p}` : `          - Page ${a}.${t}.${k}: ${p}`));
		}
	}
	return lines.join('\n') + '\n';
}

function writeSite() {
	const root = path.join(dir, 'site');
	const paths = pagePaths();
	let bytes = 0;
	paths.forEach((p, i) => {
		const file = path.join(root, 'docs', p);
		const text = page(paths, i);
		mkdirSync(path.dirname(file), { recursive: true });
		writeFileSync(file, text);
		bytes += Buffer.byteLength(text);
	});
	writeFileSync(path.join(root, 'mkdocs.yml'), mkdocsYml(paths));
	const entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component',
		metadata: { name: ENTITY, annotations: { 'backstage.io/techdocs-ref': 'dir:.' } },
		spec: { type: 'service', lifecycle: 'production', owner: 'group:default/platform' } };
	writeFileSync(path.join(root, 'catalog-info.yaml'), JSON.stringify(entity));
	return { root, paths, bytes };
}

// ---- the server -------------------------------------------------------------------------

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function writeConfig(site, port) {
	const file = path.join(dir, 'config.yaml');
	writeFileSync(file, JSON.stringify({
		backend: { listen: { host: '127.0.0.1', port }, dataDir: path.join(dir, 'var'), log: { access: false } },
		catalog: { processingInterval: 3600, locations: [{ type: 'file', target: path.join(site.root, 'catalog-info.yaml') }] },
		techdocs: { recheckSeconds: 0 },
	}));
	return file;
}

function spawnServer(config) {
	const t0 = performance.now();
	const child = spawn(BIN, ['serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
	const srv = { child, t0, log: '' };
	child.stderr.setEncoding('utf8');
	child.stderr.on('data', (d) => { srv.log += d; });
	srv.exited = new Promise((resolve) => child.on('exit', resolve));
	return srv;
}

async function stopServer(srv) {
	srv.child.kill('SIGTERM');
	await srv.exited;
}

// One GET on a fresh connection: { status, body, ms }.
function get(port, p) {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const req = http.request({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms: performance.now() - t0 }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end();
	});
}

function connects(port) {
	return new Promise((resolve) => {
		const s = net.connect({ host: '127.0.0.1', port });
		s.on('connect', () => { s.destroy(); resolve(true); });
		s.on('error', () => resolve(false));
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForEntity(port) {
	for (let i = 0; i < 400; i++) {
		try {
			if ((await get(port, `/api/catalog/entities/by-name/component/default/${ENTITY}`)).status === 200)
				return;
		} catch { /* not listening yet */ }
		await sleep(25);
	}
	throw new Error('the entity was not ingested');
}

// A sync stream read until its finish event: { ms, updated, wall }.
function sync(port) {
	return new Promise((resolve, reject) => {
		const wall = Date.now();
		const t0 = performance.now();
		const req = http.request({ host: '127.0.0.1', port, path: `/api/techdocs/sync/default/component/${ENTITY}`, agent: false }, (res) => {
			let text = '';
			res.setEncoding('utf8');
			res.on('data', (d) => {
				text += d;
				const m = /event: (finish|error)\ndata: (.*)\n/.exec(text);
				if (m) {
					const ms = performance.now() - t0;
					req.destroy();
					if (m[1] === 'error')
						reject(new Error(`sync failed: ${m[2]}`));
					else
						resolve({ ms, updated: JSON.parse(m[2]).updated, wall, text });
				}
			});
			res.on('end', () => reject(new Error(`sync ended without finish: ${text.slice(-500)}`)));
		});
		req.on('error', reject);
		req.end();
	});
}

function dbFile() {
	return path.join(dir, 'var', 'stagehand.db');
}

function sql(query) {
	return execFileSync('sqlite3', ['-readonly', dbFile(), query], { encoding: 'utf8' }).trim();
}

// ---- figures ----------------------------------------------------------------------------

const median = (xs) => {
	const s = xs.slice().sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => x.toFixed(1);
const range = (xs) => `median ${fmt(median(xs))} ms (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))}, ${xs.length} runs)`;
const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;

function dirSize(d) {
	let n = 0;
	for (const e of readdirSync(d, { withFileTypes: true }))
		n += e.isDirectory() ? dirSize(path.join(d, e.name)) : statSync(path.join(d, e.name)).size;
	return n;
}

// The build's own timestamps: metadata.build_timestamp is taken once every
// page is rendered and ordered, built_at when the store transaction starts.
function stamps() {
	const [built, rendered] = sql("SELECT built_at, json_extract(metadata, '$.build_timestamp') FROM techdocs_sites "
		+ `WHERE entity_ref = 'component:default/${ENTITY}'`).split('|').map(Number);
	return { built, rendered };
}

// Wait until no job is due (e.g. search indexing after a build): ms waited.
async function quiet() {
	const t0 = performance.now();
	while (Number(sql(`SELECT count(*) FROM jobs WHERE run_at <= ${Date.now()}`)) > 0 && performance.now() - t0 < 10000)
		await sleep(5);
	return performance.now() - t0;
}

const site = writeSite();
const port = await freePort();
const config = writeConfig(site, port);
let srv = spawnServer(config);
try {
	await waitForEntity(port);
	console.log(`site: ${site.paths.length} pages (${mb(site.bytes)} of Markdown, ${Math.round(site.bytes / site.paths.length)} bytes a page), `
		+ `nested folders, mkdocs.yml nav over ${site.paths.filter((p) => /^area-[012]\//.test(p)).length + 1} of them`);

	// 1. builds
	const first = await sync(port);
	if (!first.updated)
		throw new Error('the first build did not store the site');
	const pageRes = await get(port, `${DOCS}/index.html`);
	if (pageRes.status !== 200)
		throw new Error(`index.html: HTTP ${pageRes.status}`);
	console.log(`first build (empty database): ${fmt(first.ms)} ms from sync request to finish`);

	const builds = [], render = [], prepare = [], store = [], after = [];
	await quiet();
	const changing = path.join(site.root, 'docs', site.paths[Math.floor(site.paths.length / 2)]);
	for (let r = 0; r < RUNS; r++) {
		appendFileSync(changing, `\nRevision ${r} of this page.\n`);
		const s = await sync(port);
		if (!s.updated)
			throw new Error(`run ${r}: the changed site was not rebuilt`);
		const st = stamps();
		builds.push(s.ms);
		render.push(st.rendered - s.wall);
		prepare.push(st.built - st.rendered);
		store.push(s.wall + s.ms - st.built);
		after.push(await quiet());
	}
	console.log(`rebuild after one page changed, sync request to finish: **${range(builds)}** (aim ≤ 2,000 ms)`);
	console.log(`  of which queue, read, hash, render and nav (request to build_timestamp): median ${median(render).toFixed(0)} ms`);
	console.log(`  site.json, search index prep, BEGIN IMMEDIATE (build_timestamp to built_at): median ${median(prepare).toFixed(0)} ms`);
	console.log(`  storing ${site.paths.length}+ rows, commit, notify, stream (built_at to finish): median ${median(store).toFixed(0)} ms`);

	const same = [];
	for (let r = 0; r < RUNS; r++) {
		const s = await sync(port);
		if (s.updated)
			throw new Error('unchanged sources were stored again');
		same.push(s.ms);
		await quiet();
	}
	console.log(`background jobs still due after the finish event (search indexing), waited out before the next run: ${range(after)}`);
	console.log(`sync over unchanged sources (every file read and hashed; nothing rendered or stored): ${range(same)}`);
	const buildLog = srv.log.split('\n').filter((l) => /techdocs:|build/i.test(l) && !/listening on/.test(l));
	console.log(`server log about builds: ${buildLog.length ? buildLog.join(' / ') : 'none (the server logs no build timings)'}`);

	// 3. stored size
	const [files, body, html] = sql(`SELECT count(*), sum(length(body)), sum(CASE WHEN path LIKE '%.html' THEN length(body) END) FROM techdocs_files`).split('|').map(Number);
	const big = sql(`SELECT path || ' ' || length(body) FROM techdocs_files WHERE path IN ('site.json', 'search/search_index.json') ORDER BY path`).split('\n').join(', ');
	let pages = '';
	try { /* dbstat: only when sqlite3 was built with it */
		const [all, over, unused] = sql("SELECT sum(pgsize), sum(CASE WHEN pagetype = 'overflow' THEN 1 END), sum(unused) "
			+ "FROM dbstat WHERE name = 'techdocs_files'").split('|').map(Number);
		pages = `; the table takes ${mb(all)} of database pages, ${over} of them overflow pages, ${mb(unused)} unused`;
	} catch { /* no dbstat */ }
	console.log(`stored: ${files} rows in techdocs_files, ${mb(body)} of bodies (${mb(html)} HTML pages; ${big} bytes)${pages}`);

	// warm page latency, for comparison with the cold ones
	const warm = [];
	for (let r = 0; r < 50; r++)
		warm.push((await get(port, `${DOCS}/index.html`)).ms);
	console.log(`warm: GET .../index.html (${pageRes.body.length} bytes), new connection each: ${range(warm)}`);

	await stopServer(srv);
	srv = null;
	console.log(`database after the builds: ${mb(dirSize(path.join(dir, 'var')))} in the data dir`);

	// 2. cold starts
	const toFirst = [], firstReq = [], ready = [];
	for (let r = 0; r < COLD; r++) {
		srv = spawnServer(config);
		while (!(await connects(port)))
			await sleep(1);
		let res = await get(port, `${DOCS}/index.html`);
		firstReq.push(res.ms);
		while (res.status !== 200)
			res = await get(port, `${DOCS}/index.html`);
		toFirst.push(performance.now() - srv.t0);
		const m = /ready in ([\d.]+)ms/.exec(srv.log);
		if (m)
			ready.push(Number(m[1]));
		await stopServer(srv);
		srv = null;
	}
	console.log(`cold start, process spawn to the first 200 of .../index.html: **${range(toFirst)}** (aim ≤ 50 ms)`);
	console.log(`  the first page request once the port answers: ${range(firstReq)}`);
	if (ready.length)
		console.log(`  the server's own "ready in": ${range(ready)}`);
} finally {
	if (srv)
		await stopServer(srv);
	if (process.env.KEEP_DB)
		console.error(`kept ${dir}`);
	else
		rmSync(dir, { recursive: true, force: true });
}
