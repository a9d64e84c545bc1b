// Dry runs of a generated template with N skeleton files against a real
// release server: latency of one at a time, and throughput with two in
// flight. Usage: node bench/scaffolder.mjs FILES RUNS (bench/scaffolder.sh).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const FILES = Number(process.argv[2] || 200);
const RUNS = Number(process.argv[3] || 50);
const BIN = process.env.STAGEHAND_BIN;
const dir = mkdtempSync(path.join(tmpdir(), 'stagehand-scaffolder-bench-'));

function skeletonFile(i) {
  let text = `# file ${i} of \${{ values.name }}\n`;
  while (text.length < 2000) {
    text += 'owner: ${{ values.owner | lower }}\n'
      + '{% if values.useDb %}database: ${{ values.name }}-db{% endif %}\n'
      + '{% for t in values.tags %}- ${{ loop.index }} ${{ t | upper }}\n{% endfor %}'
      + 'Plain text that is copied as it is, as most of a real file is: lorem ipsum dolor sit amet.\n';
  }
  return text;
}

function writeTemplate() {
  const tdir = path.join(dir, 'template');
  for (let i = 0; i < FILES; i++) {
    const sub = path.join(tdir, 'skeleton', `dir${i % 10}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `file-${i}-\${{ values.name }}.md`), skeletonFile(i));
  }
  const template = {
    apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template',
    metadata: { name: 'bench', title: 'Bench' },
    spec: {
      type: 'service', owner: 'group:default/platform',
      parameters: [{ properties: { name: { type: 'string' } } }],
      steps: [{ id: 'fetch', action: 'fetch:template', input: {
        url: './skeleton', values: { name: '${{ parameters.name }}', owner: 'Group:Platform',
          useDb: true, tags: ['go', 'web', 'api'] } } }],
    },
  };
  writeFileSync(path.join(tdir, 'template.yaml'), JSON.stringify(template));
  return { template, file: path.join(tdir, 'template.yaml') };
}

async function start(file) {
  const config = path.join(dir, 'config.yaml');
  writeFileSync(config, JSON.stringify({
    backend: { listen: { port: 0 }, dataDir: path.join(dir, 'var'), log: { access: false } },
    catalog: { locations: [{ type: 'file', target: file }] },
  }));
  const child = spawn(BIN, ['serve', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      log += d;
      const m = /listening on (http:\/\/[^ ]+)/.exec(log);
      if (m) resolve(m[1]);
    });
    child.on('exit', () => reject(new Error(`server exited: ${log}`)));
  });
  return { child, url };
}

async function waitForTemplate(url) {
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${url}/api/catalog/entities/by-name/template/default/bench`);
    if (r.ok) return;
    await new Promise((r2) => setTimeout(r2, 50));
  }
  throw new Error('template not ingested');
}

async function dryRun(url, template) {
  const t0 = performance.now();
  const r = await fetch(`${url}/api/scaffolder/v2/dry-run`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ template, values: { name: 'svc' }, directoryContents: [] }),
  });
  const body = await r.json();
  if (!r.ok || body.directoryContents.length !== FILES)
    throw new Error(`dry run: HTTP ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  return performance.now() - t0;
}

const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const { template, file } = writeTemplate();
const { child, url } = await start(file);
try {
  await waitForTemplate(url);
  await dryRun(url, template);
  const times = [];
  for (let i = 0; i < RUNS; i++) times.push(await dryRun(url, template));
  console.log(`one at a time: median ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms, `
    + `min ${Math.min(...times).toFixed(1)} ms (${FILES} files rendered and returned base64, ${RUNS} runs)`);
  const t0 = performance.now();
  let done = 0;
  await Promise.all([0, 1].map(async () => {
    while (done < RUNS) { done++; await dryRun(url, template); }
  }));
  const secs = (performance.now() - t0) / 1000;
  console.log(`two in flight: ${(done / secs).toFixed(1)} dry runs/s`);
} finally {
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
