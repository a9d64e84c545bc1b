// Debian's chromium driven by playwright-core, and pages that collect
// console errors, for the e2e tests.
//
//   const browser = await launchBrowser();
//   const { page, done, problems } = await openPage(browser, server.url, '/catalog');
//   ...
//   await done();   // closes the context; fails if the page logged errors
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

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
  page.setDefaultTimeout(10_000);
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  if (path != null)
    await page.goto(path);
  const done = async () => {
    await context.close();
    assert.deepEqual(problems, [], 'the page logged errors');
  };
  return { page, context, done, problems };
}

// Drop the console lines Chromium writes for an expected HTTP status.
export function expectStatus(problems, status) {
  problems.splice(0, Infinity, ...problems.filter((p) => !p.includes(`status of ${status}`)));
}
