// Browser timings for the web frontend, driven by bench/web.sh: Debian's
// chromium (playwright-core) against a running stagehand with a catalog.
//
//   node bench/web.mjs BASE_URL ENTITY_PATH [RUNS]
//
// Prints, for RUNS fresh page loads each (a new browser context, so no
// cache): the time from navigation start to the first catalog rows, to an
// entity page's header, and for an in-app navigation from the catalog to an
// entity; then the size of the app (web/ minus fonts) gzip-compressed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const [base, entityPath, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg ?? 10);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function appBytes(dir) {
  let raw = 0;
  let gz = 0;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      const sub = appBytes(p);
      raw += sub.raw;
      gz += sub.gz;
    } else if (/\.(html|js|css|svg)$/.test(name)) {
      const data = readFileSync(p);
      raw += data.length;
      gz += gzipSync(data, { level: 9 }).length;
    }
  }
  return { raw, gz };
}

async function timed(browser, url, selector) {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector(selector, { state: 'visible', timeout: 30_000 });
  const ms = performance.now() - t0;
  await context.close();
  return ms;
}

async function inApp(browser) {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto('/catalog');
  await page.waitForSelector('table.entity-table tbody tr a.entity-link');
  const link = page.locator('table.entity-table tbody tr a.entity-link').nth(3);
  const name = (await link.textContent()).trim();
  const t0 = performance.now();
  await link.click();
  await page.waitForFunction((n) => document.querySelector('.entity-header h1')?.textContent.includes(n), name);
  const ms = performance.now() - t0;
  await context.close();
  return ms;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const results = { catalog: [], entity: [], click: [] };
for (let i = 0; i < RUNS; i++) {
  results.catalog.push(await timed(browser, '/catalog', 'table.entity-table tbody tr'));
  results.entity.push(await timed(browser, entityPath, '.entity-header h1'));
  results.click.push(await inApp(browser));
}
await browser.close();

const row = (label, xs, target) => `| ${label} | ${median(xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${target} |`;
const size = appBytes(path.join(ROOT, 'web'));
console.log(`| measure (${RUNS} runs, fresh context each) | median ms | max ms | target |`);
console.log('|---|---:|---:|---:|');
console.log(row('catalog page: navigation to first rows', results.catalog, '≤ 500 ms'));
console.log(row('entity page: navigation to header', results.entity, '≤ 300 ms'));
console.log(row('catalog row clicked to entity header (in the app)', results.click, ''));
console.log();
console.log(`app (web/ without fonts): ${(size.raw / 1024).toFixed(1)} KB, ${(size.gz / 1024).toFixed(1)} KB gzip (target ≤ 300 KB)`);
