// Debian's chromium driven by playwright-core, and pages that collect
// console errors, for the e2e tests.
//
//   const browser = await launchBrowser();
//   const { page, done, problems } = await openPage(browser, server.url, '/catalog');
//   ...
//   await done();   // closes the context; fails if the page logged errors
//
// Each page a test opens is saved as a full-page screenshot when done()
// runs, or after the test when it never got there (screenshotHooks()):
// ${E2E_OUTPUT_DIR:-build-test/e2e-output}/<file>/<full test name>[-<n>].png
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, beforeEach } from 'node:test';
import { chromium } from 'playwright-core';

import { repoRoot } from './server.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser() {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page in a fresh context (light scheme, no stored theme). Console
// errors and page errors are collected in problems, which must be empty
// when done() runs; a test that expects an HTTP error removes its line.
export async function openPage(browser, baseURL, path, contextOptions = {}) {
  const context = await browser.newContext({ baseURL, colorScheme: 'light', ...contextOptions });
  const page = await context.newPage();
  const shot = register(page);
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  if (path != null)
    await page.goto(path);
  const done = async () => {
    await shot();
    await context.close();
    assert.deepEqual(problems, [], 'the page logged errors');
  };
  return { page, context, done, problems };
}

// Drop the console lines Chromium writes for an expected HTTP status.
export function expectStatus(problems, status) {
  problems.splice(0, Infinity, ...problems.filter((p) => !p.includes(`status of ${status}`)));
}

/* ---- screenshots ---- */

export const OUTPUT_DIR = path.resolve(process.env.E2E_OUTPUT_DIR ?? path.join(repoRoot, 'build-test/e2e-output'));
const fileDir = () => path.join(OUTPUT_DIR, path.basename(process.argv[1] ?? 'e2e').replace(/\.test\.mjs$|\.m?js$/, ''));

/* The running test: its full name and the shots of its pages. */
let current = { name: null, pages: [] };

const sanitize = (name) => name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 150) || 'test';

/* Registers a page of the running test; the returned function saves its
 * screenshot once (later calls do nothing). A failed screenshot is
 * logged, never thrown. */
function register(page) {
  const test = current;
  const n = test.pages.length + 1;
  let taken = null;
  const shot = () => {
    taken ??= (async () => {
      if (page.isClosed())
        return;
      const file = path.join(fileDir(), `${sanitize(test.name ?? 'outside-a-test')}${n > 1 ? `-${n}` : ''}.png`);
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
      } catch (e) {
        console.error(`screenshot ${file} failed: ${e.message}`);
      }
    })();
    return taken;
  };
  test.pages.push(shot);
  return shot;
}

/* Hooks for a test file (serverAndBrowser() in suite.mjs adds them; a file
 * that opens pages without it calls this once at top level): clear the
 * file's screenshot folder, name each test's pages, and take the
 * screenshots of pages whose test did not reach done(). */
export function screenshotHooks() {
  before(() => rm(fileDir(), { recursive: true, force: true })
    .catch((e) => console.error(`clearing ${fileDir()} failed: ${e.message}`)));
  beforeEach((t) => { current = { name: t.fullName ?? t.name, pages: [] }; });
  afterEach(async () => {
    for (const shot of current.pages)
      await shot();
    current = { name: null, pages: [] };
  });
  after(() => { current = { name: null, pages: [] }; });
}
