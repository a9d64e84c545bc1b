// The import page (/catalog-import) in a real browser against the real
// server. The catalog files are served by a small HTTP server of the test
// on 127.0.0.1, which the stagehand configuration allows to be read
// (backend.reading.allow); the server starts with no catalog locations.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';
import { expectStatus } from './lib/browser.mjs';

const entity = (kind, name, extra = '') => `apiVersion: backstage.io/v1alpha1
kind: ${kind}
metadata:
  name: ${name}
${extra}spec:
  type: ${kind === 'API' ? 'openapi' : 'service'}
  lifecycle: production
  owner: team-a
${kind === 'API' ? '  definition: "openapi: 3.0.0"\n' : ''}`;

const FILES = {
  '/two/catalog-info.yaml': `${entity('Component', 'imp-one')}---\n${entity('API', 'imp-api', '  namespace: other\n')}`,
  '/again/catalog-info.yaml': entity('Component', 'imp-again'),
  '/race/catalog-info.yaml': entity('Component', 'imp-race'),
  '/narrow/a-rather-long-folder-name-for-a-narrow-screen/catalog-info.yaml':
    entity('Component', 'imp-narrow-with-a-rather-long-name-that-must-wrap-somewhere'),
  '/broken.yaml': 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: [\n  name: x\n',
  '/two-bad.yaml': `${entity('Component', 'bad one!')}---\n${entity('Component', 'bad two!')}`,
};

const suite = serverAndBrowser({ files: FILES, locations: [] });
const { open, api } = suite;
const urlField = (page) => page.getByLabel('URL of the catalog file', { exact: true });
const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const h2 = (page, name) => page.getByRole('heading', { level: 2, name, exact: true });
const rows = (scope) => scope.locator('.import-entities li');

async function analyze(page, url, { keyboard = false } = {}) {
  await urlField(page).fill(url);
  if (keyboard) {
    await urlField(page).focus();
    await page.keyboard.press('Enter');
  } else {
    await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  }
}

async function entityStatus(ref) {
  const [kind, rest] = ref.split(':');
  const [ns, name] = rest.split('/');
  return (await api(`/api/catalog/entities/by-name/${kind}/${ns}/${encodeURIComponent(name)}`)).status;
}

async function register(url) {
  const res = await api('/api/catalog/locations', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'url', target: url }) });
  assert.equal(res.status, 201, await res.text());
}

async function noOverflow(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${what}: page is ${scroll}px wide in a ${client}px viewport`);
}

describe('catalog import', () => {
  test('the catalog page links to the import page', async () => {
    const { page, done } = await open('/catalog');
    await h1(page, 'Catalog').waitFor();
    const link = page.getByRole('link', { name: 'Register existing component', exact: true });
    assert.equal(await link.getAttribute('href'), '/catalog-import');
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/catalog-import$/);
    await h1(page, 'Register an existing component').waitFor();
    assert.equal(await page.title(), 'Register an existing component · stagehand');
    assert.equal(await urlField(page).getAttribute('type'), 'url');
    await done();
  });

  test('analyze lists the entities the file would add, and stores nothing', async () => {
    const { page, done } = await open('/catalog-import');
    await analyze(page, suite.files.url('/two/catalog-info.yaml'), { keyboard: true });
    const review = page.locator('.import-review');
    await h2(page, 'Review').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Review', 'focus moves to the result');
    await review.getByText('These 2 entities will be added to the catalog:').waitFor();
    assert.deepEqual(await rows(review).allInnerTexts(), ['Component\ndefault/imp-one', 'API\nother/imp-api']);
    assert.equal(await review.getByRole('link', { name: 'default/imp-one' }).getAttribute('href'), '/catalog/default/component/imp-one');
    assert.equal(await review.getByRole('link', { name: 'other/imp-api' }).getAttribute('href'), '/catalog/other/api/imp-api');
    assert.match(await review.innerText(), /The location itself is stored as location:default\/generated-[0-9a-f]{40}\./);
    assert.equal(await entityStatus('component:default/imp-one'), 404, 'a dry run stores nothing');
    // Editing the URL drops the stale result.
    await urlField(page).fill(suite.files.url('/again/catalog-info.yaml'));
    assert.equal(await review.count(), 0);
    await done();
  });

  test('import registers the location, links to the new entities, and they appear in the catalog', async () => {
    const { page, done } = await open('/catalog-import');
    await analyze(page, suite.files.url('/two/catalog-info.yaml'));
    await h2(page, 'Review').waitFor();
    // Keyboard: Tab from the heading through the three links to Import.
    for (let i = 0; i < 4; i++)
      await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Import');
    await page.keyboard.press('Enter');
    const box = page.locator('.import-ok');
    await h2(page, 'Registered').waitFor();
    assert.equal(await box.getByRole('link', { name: 'default/imp-one' }).getAttribute('href'), '/catalog/default/component/imp-one');
    assert.equal(await box.getByRole('link', { name: 'other/imp-api' }).getAttribute('href'), '/catalog/other/api/imp-api');
    await box.getByText('All entities are in the catalog.').waitFor();
    assert.deepEqual(await box.locator('.import-state').allInnerTexts(), ['in the catalog', 'in the catalog']);
    assert.equal(await entityStatus('component:default/imp-one'), 200);
    assert.equal(await entityStatus('api:other/imp-api'), 200);

    await box.getByRole('link', { name: 'Go to the catalog' }).click();
    await h1(page, 'Catalog').waitFor();
    await page.locator('.entity-table .entity-link', { hasText: 'imp-one' }).waitFor();
    await done();
  });

  test('a URL answering 404 shows the server\'s error', async () => {
    const { page, done, problems } = await open('/catalog-import');
    const url = suite.files.url('/missing/catalog-info.yaml');
    await analyze(page, url);
    const alert = page.getByRole('alert');
    await alert.getByText('The file cannot be imported').waitFor();
    assert.deepEqual(await alert.locator('.error-list li').allInnerTexts(),
      [`NotFoundError: url:${url} does not exist (HTTP 404)`]);
    assert.equal(await urlField(page).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByRole('button', { name: 'Import' }).count(), 0);
    expectStatus(problems, 400);
    await done();
  });

  test('invalid YAML and invalid entities show each error', async () => {
    const { page, done, problems } = await open('/catalog-import');
    await analyze(page, suite.files.url('/broken.yaml'));
    const alert = page.getByRole('alert');
    await alert.getByText('The file cannot be imported').waitFor();
    const broken = await alert.locator('.error-list li').allInnerTexts();
    assert.equal(broken.length, 1);
    assert.match(broken[0], /broken\.yaml:\d+: /);

    await analyze(page, suite.files.url('/two-bad.yaml'));
    await alert.locator('.error-list li', { hasText: 'bad two!' }).waitFor();
    const two = await alert.locator('.error-list li').allInnerTexts();
    assert.equal(two.length, 2, 'one line per processing error');
    assert.match(two[0], /bad one!/);
    assert.match(two[1], /bad two!/);
    expectStatus(problems, 400);
    await done();
  });

  test('a URL that is not a URL is caught before any request', async () => {
    const { page, done } = await open('/catalog-import');
    let posts = 0;
    page.on('request', (r) => { if (r.method() === 'POST') ++posts; });
    await analyze(page, 'catalog-info.yaml');
    await page.getByText('Enter a full URL that starts with https:// or http://.').waitFor();
    assert.equal(await urlField(page).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.type), 'url', 'focus stays on the field');
    await analyze(page, '');
    await page.getByText('Enter the URL of a catalog-info.yaml file.').waitFor();
    assert.equal(posts, 0);
    await done();
  });

  test('registering the same URL again shows "already exists"', async () => {
    // Already registered when analyzed: the dry run says so; no Import.
    const again = suite.files.url('/again/catalog-info.yaml');
    await register(again);
    const { page, done, problems } = await open('/catalog-import');
    await analyze(page, again);
    const info = page.locator('.import-info');
    await h2(page, 'This location is already registered').waitFor();
    assert.equal(await info.getByRole('link', { name: 'default/imp-again' }).getAttribute('href'),
      '/catalog/default/component/imp-again');
    assert.equal(await page.getByRole('button', { name: 'Import' }).count(), 0);

    // Registered by someone else between Analyze and Import: the 409.
    const race = suite.files.url('/race/catalog-info.yaml');
    await analyze(page, race);
    await h2(page, 'Review').waitFor();
    await register(race);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await h2(page, 'This location already exists').waitFor();
    await info.getByText(`Location url:${race} already exists`).waitFor();
    assert.equal(await info.getByRole('link', { name: 'default/imp-race' }).getAttribute('href'),
      '/catalog/default/component/imp-race');
    expectStatus(problems, 409);

    // Register another: back to an empty, focused field.
    await info.getByRole('button', { name: 'Register another' }).click();
    assert.equal(await urlField(page).inputValue(), '');
    assert.equal(await page.evaluate(() => document.activeElement?.type), 'url');
    await done();
  });

  test('works at 375 px wide without horizontal overflow, light and dark', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const { page, done, problems } = await open('/catalog-import', { viewport: { width: 375, height: 740 }, colorScheme });
      await h1(page, 'Register an existing component').waitFor();
      await noOverflow(page, 'empty form');
      await analyze(page, suite.files.url('/missing/with/a/very/long/path/that/does/not/wrap/by/itself/catalog-info.yaml'));
      await page.getByRole('alert').waitFor();
      await noOverflow(page, 'error');
      const narrow = suite.files.url('/narrow/a-rather-long-folder-name-for-a-narrow-screen/catalog-info.yaml');
      await analyze(page, narrow);
      let panel;
      if (colorScheme === 'light') {
        await h2(page, 'Review').waitFor();
        await noOverflow(page, 'review');
        panel = page.locator('.import-review');
        const surface = await panel.evaluate((el) => getComputedStyle(el).backgroundColor);
        assert.equal(surface, 'rgb(255, 255, 255)', 'light surface');
        await page.getByRole('button', { name: 'Import', exact: true }).click();
        await h2(page, 'Registered').waitFor();
        await page.locator('.import-ok').getByText('All entities are in the catalog.').waitFor();
        await noOverflow(page, 'registered');
      } else {
        // Registered by the light run.
        await h2(page, 'This location is already registered').waitFor();
        await noOverflow(page, 'already registered');
        const surface = await page.locator('.import-form').evaluate((el) => getComputedStyle(el).backgroundColor);
        assert.equal(surface, 'rgb(22, 26, 33)', 'dark surface');
      }
      expectStatus(problems, 400);
      await done();
    }
  });
});
