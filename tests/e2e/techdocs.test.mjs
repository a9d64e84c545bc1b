// TechDocs in a real browser against the real server: the docs index
// (/docs), the reader (/docs/:namespace/:kind/:name/*) on the fixture site
// tests/fixtures/techdocs/site (entity component:default/payments), and the
// Docs tab of entity pages.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serverAndBrowser } from './lib/suite.mjs';
import { repoRoot } from './lib/server.mjs';
import { expectStatus } from './lib/browser.mjs';

const suite = serverAndBrowser({ files: { '/unused.txt': 'x' }, locations: [
  { type: 'file', target: path.join(repoRoot, 'tests/fixtures/techdocs/catalog-info.yaml') },
  { type: 'file', target: path.join(repoRoot, 'examples/all.yaml') },
  { type: 'file', target: path.join(repoRoot, 'tests/fixtures/scaffolder/ui/widgets.yaml') },
] });
const { open, getJson } = suite;

const READER = '/docs/default/component/payments/';
const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const rows = (page) => page.locator('.docs-index tbody th a').allInnerTexts();
const pathOf = (page) => new URL(page.url()).pathname;

async function noOverflow(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${what}: page is ${scroll}px wide in a ${client}px viewport`);
}

/* The fixtures in the catalog (once, before each describe's tests). */
let loaded = null;
const fixturesLoaded = () => (loaded ??= (async () => {
  for (let i = 0; i < 100; i++) {
    const res = await suite.api('/api/catalog/entities/by-name/template/default/all-widgets');
    const docs = await suite.api('/api/catalog/entities/by-name/component/default/payments');
    if (res.ok && docs.ok)
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the catalog did not load the fixtures');
})());

describe('docs index', () => {
  before(fixturesLoaded);
  test('lists every entity with docs and filters them in the URL', async () => {
    const withDocs = '/api/catalog/entities/by-query?filter=metadata.annotations.backstage.io/techdocs-ref&fields=kind,metadata.name';
    let { items } = await getJson(withDocs);
    let { page, done } = await open('/docs');
    await h1(page, 'Documentation').waitFor();
    assert.equal(await page.title(), 'Docs · stagehand');
    // The catalog may still be reading the fixtures' other files: the page
    // and the API must agree once both have the same catalog.
    for (let i = 0; i < 20 && !(await page.locator('.summary', { hasText: `${items.length} documents` }).isVisible()); i++) {
      await new Promise((r) => setTimeout(r, 250));
      await done();
      items = (await getJson(withDocs)).items;
      ({ page, done } = await open('/docs'));
      await h1(page, 'Documentation').waitFor();
    }
    await page.locator('.summary', { hasText: `${items.length} documents` }).waitFor();
    assert.ok(items.length >= 3);
    const row = page.locator('.docs-index tbody tr', { has: page.getByRole('link', { name: 'Payments', exact: true }) });
    assert.equal(await row.getByRole('link', { name: 'Payments', exact: true }).getAttribute('href'), READER);
    assert.match(await row.innerText(), /Takes payments, with its docs next to the code\.\s+payments-team\s+Component\s+service/);
    assert.equal(await row.getByRole('link', { name: 'payments-team' }).getAttribute('href'), '/catalog/default/group/payments-team');

    await page.getByLabel('Search', { exact: true }).fill('takes pay');
    await page.waitForURL(/q=takes\+pay/);
    await page.locator('.summary', { hasText: '1 document' }).waitFor();
    assert.deepEqual(await rows(page), ['Payments']);
    await page.getByLabel('Search', { exact: true }).fill('nothing-like-this');
    await page.getByRole('heading', { name: 'No matching docs' }).waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('.summary', { hasText: `${items.length} documents` }).waitFor();

    await page.getByLabel('Owner').selectOption('group:default/payments-team');
    await page.waitForURL(/owner=group/);
    await page.locator('.summary', { hasText: '1 document' }).waitFor();
    assert.deepEqual(await rows(page), ['Payments']);
    await page.getByLabel('Kind').selectOption('template');
    await page.getByRole('heading', { name: 'No matching docs' }).waitFor();
    await page.goBack();
    await page.locator('.summary', { hasText: '1 document' }).waitFor();
    assert.equal(await page.getByLabel('Kind').inputValue(), '');

    // A shared URL shows the same view.
    const templates = items.filter((e) => e.kind === 'Template').length;
    const again = await open('/docs?kind=template');
    await again.page.locator('.summary', { hasText: `${templates} document` }).waitFor();
    assert.ok((await rows(again.page)).includes('Every widget'));
    assert.equal(await again.page.getByLabel('Kind').inputValue(), 'template');
    await again.done();
    await done();
  });
});

describe('reader', () => {
  before(fixturesLoaded);
  test('builds the site on open and shows the home page with nav, image and links', async () => {
    const { page, done, problems } = await open(null);
    const image = page.waitForResponse((r) => r.url().endsWith('/img/arch.png'));
    const sync = page.waitForResponse((r) => r.url().includes('/api/techdocs/sync/default/component/payments'));
    await page.goto(READER);
    assert.equal((await sync).status(), 200);
    await h1(page, 'Payments').waitFor({ timeout: 20_000 });
    assert.equal(await page.title(), 'Payments · Payments service · stagehand');
    assert.equal((await image).status(), 200);
    assert.equal(await page.locator('.docs-content img').getAttribute('src'),
      `${suite.server.url}/api/techdocs/static/docs/default/component/payments/img/arch.png`);
    assert.equal(await page.locator('.docs-site').innerText(), 'Payments service');
    assert.match(await page.locator('.docs-desc').innerText(), /How payments work/);
    const nav = page.getByRole('navigation', { name: 'Docs pages' });
    assert.equal(await nav.getByRole('link', { name: 'Home' }).getAttribute('aria-current'), 'page');
    const status = nav.getByRole('link', { name: /Status page/ });
    assert.equal(await status.getAttribute('href'), 'https://status.example.com');
    assert.equal(await status.getAttribute('target'), '_blank');
    assert.match(await status.innerText(), /↗/);
    // The nav's section is folded (the page is not in it) and unfolds.
    const guides = nav.getByRole('button', { name: 'Guides' });
    assert.equal(await guides.getAttribute('aria-expanded'), 'false');
    assert.equal(await nav.getByRole('link', { name: 'Setting up' }).isVisible(), false);
    await guides.focus();
    await page.keyboard.press('Enter');
    assert.equal(await guides.getAttribute('aria-expanded'), 'true');
    // The relative link in the page goes to the anchor of another page.
    assert.equal(await page.locator('.docs-content').getByRole('link', { name: 'setup' }).getAttribute('href'),
      `${READER}guides/setup/#install`);
    assert.deepEqual(await page.getByRole('navigation', { name: 'On this page' }).getByRole('link').allInnerTexts(), ['Contacts']);
    expectStatus(problems, 404); /* site.json before the first build */
    await done();
  });

  test('shows Building the docs until the build finishes', async () => {
    const { page, done, problems } = await open(null);
    let release;
    const released = new Promise((r) => { release = r; });
    let built = false;
    await page.route('**/api/techdocs/static/docs/default/component/payments/site.json', (route) => (built ? route.continue()
      : route.fulfill({ status: 404, json: { error: { name: 'NotFoundError', message: 'Page not found.' } } })));
    await page.route('**/api/techdocs/sync/**', async (route) => {
      await released;
      built = true;
      await route.fulfill({ status: 200, contentType: 'text/event-stream',
        body: 'event: log\ndata: "\\u001b[32minfo\\u001b[39m: Step 1 of 3"\n\nevent: finish\ndata: {"updated":true}\n\n' });
    });
    await page.goto(READER);
    await h1(page, 'Building the docs\u2026').waitFor();
    await page.getByRole('status').filter({ hasText: 'being built' }).waitFor();
    assert.equal(await page.title(), 'Docs: payments · stagehand');
    release();
    await h1(page, 'Payments').waitFor();
    assert.equal(await page.title(), 'Payments · Payments service · stagehand');
    assert.equal(await page.locator('.docs-notice').innerText(), '');
    expectStatus(problems, 404);
    await done();
  });

  test('offers a newer version when a build finishes after the page is shown', async () => {
    const { page, done } = await open(null);
    let release;
    const released = new Promise((r) => { release = r; });
    let calls = 0;
    await page.route('**/api/techdocs/metadata/techdocs/**', async (route) => {
      const res = await route.fetch();
      const json = await res.json();
      if (++calls > 1)
        json.build_timestamp += 1;
      await route.fulfill({ response: res, json });
    });
    await page.route('**/api/techdocs/sync/**', async (route) => {
      await released;
      await route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'event: finish\ndata: {"updated":true}\n\n' });
    });
    await page.goto(`${READER}guides/setup/`);
    await h1(page, 'Setting up').waitFor();
    release();
    await page.getByText('A newer version of these docs is available.').waitFor();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('A newer version of these docs is available.').waitFor({ state: 'detached' });
    for (let i = 0; i < 100 && calls < 3; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(calls, 3, 'Refresh loads the site again');
    await h1(page, 'Setting up').waitFor();
    await done();
  });

  test('a failed rebuild while a page is shown is reported above it, with Retry', async () => {
    const { page, done } = await open(null);
    let syncs = 0;
    await page.route('**/api/techdocs/sync/**', (route) => route.fulfill({ status: 200, contentType: 'text/event-stream',
      body: ++syncs === 1 ? 'event: error\ndata: "git clone failed"\n\n' : 'event: finish\ndata: {"updated":false}\n\n' }));
    await page.goto(READER);
    await h1(page, 'Payments').waitFor();
    const alert = page.locator('.docs-notice .alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Building a newer version of these docs failed[\s\S]*git clone failed/);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await alert.waitFor({ state: 'detached' });
    assert.equal(syncs, 2);
    await h1(page, 'Payments').waitFor();
    await done();
  });

  test('nav, TOC, previous/next, relative links, edit link, back and forward', async () => {
    const { page, done } = await open(READER, { viewport: { width: 1280, height: 500 } });
    await h1(page, 'Payments').waitFor();
    const nav = page.getByRole('navigation', { name: 'Docs pages' });
    await nav.getByRole('button', { name: 'Guides' }).click();
    await nav.getByRole('link', { name: 'Setting up' }).click();
    await h1(page, 'Setting up').waitFor();
    assert.equal(pathOf(page), `${READER}guides/setup/`);
    assert.equal(await page.title(), 'Setting up · Payments service · stagehand');
    assert.equal(await nav.getByRole('link', { name: 'Setting up' }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.getByRole('button', { name: 'Guides' }).getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('.admonition.note .admonition-title').innerText(), 'Before you start');
    const toc = page.getByRole('navigation', { name: 'On this page' });
    assert.equal(await toc.getByRole('link', { name: 'Install' }).getAttribute('href'), `${READER}guides/setup/#install`);
    assert.equal(await page.getByRole('link', { name: /Edit this page/ }).getAttribute('href'),
      'https://github.com/acme/payments/edit/main/docs/guides/setup.md');
    const pager = page.getByRole('navigation', { name: 'Previous and next page' });
    assert.equal(await pager.getByRole('link', { name: /Previous\s+Payments/ }).getAttribute('href'), READER);

    // Next goes to the page that is not in the nav (its title becomes the heading).
    await pager.getByRole('link', { name: /Next\s+Unlisted/ }).click();
    await h1(page, 'Unlisted').waitFor();
    assert.equal(pathOf(page), `${READER}unlisted/`);
    assert.equal(await nav.locator('[aria-current]').count(), 0);
    await page.goBack();
    await h1(page, 'Setting up').waitFor();
    await page.goForward();
    await h1(page, 'Unlisted').waitFor();
    await page.goBack();
    await h1(page, 'Setting up').waitFor();

    // A relative link between pages, then one with an anchor: scrolled to it.
    await page.locator('.docs-content').getByRole('link', { name: 'home' }).click();
    await h1(page, 'Payments').waitFor();
    assert.equal(pathOf(page), READER);
    await page.locator('.docs-content').getByRole('link', { name: 'setup' }).click();
    await h1(page, 'Setting up').waitFor();
    assert.equal(new URL(page.url()).hash, '#install');
    await page.waitForFunction(() => {
      const top = document.getElementById('install').getBoundingClientRect().top;
      return window.scrollY > 0 && top >= 0 && top < 120;
    });
    await done();
  });

  test('page markup: tabs by keyboard, code with copy and colours, tables; scripts never run', async () => {
    const { page, done, problems } = await open(null, { permissions: ['clipboard-read', 'clipboard-write'] });
    await page.route('**/guides/setup/index.html', async (route) => {
      const res = await route.fetch();
      const extra = '<div class="tabbed-set"><div class="tabbed-block" data-tab="Python"><pre><code class="language-python">' +
        'print("hi")  # greet\n</code></pre></div><div class="tabbed-block" data-tab="Shell"><pre><code class="language-bash">echo hi\n' +
        '</code></pre></div></div><table><thead><tr><th>Key</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>' +
        '<script>window.__ran = 1</script><img src="../../img/arch.png" onerror="window.__ran = 2" alt="x">' +
        '<a href="javascript:window.__ran = 3">bad</a><p onclick="window.__ran = 4">click me</p>';
      await route.fulfill({ response: res, body: (await res.text()).replace('</article>', `${extra}</article>`) });
    });
    await page.goto(`${READER}guides/setup/`);
    await h1(page, 'Setting up').waitFor();
    const python = page.getByRole('tab', { name: 'Python' });
    const shell = page.getByRole('tab', { name: 'Shell' });
    assert.equal(await python.getAttribute('aria-selected'), 'true');
    assert.equal(await page.getByRole('tabpanel', { name: 'Shell' }).isVisible(), false);
    await python.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await shell.getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Shell');
    await page.getByRole('tabpanel', { name: 'Shell' }).waitFor();
    await page.keyboard.press('ArrowLeft');
    const code = page.getByRole('tabpanel', { name: 'Python' });
    assert.equal(await code.locator('.tok-string').innerText(), '"hi"');
    assert.equal(await code.locator('.tok-comment').innerText(), '# greet');
    await code.getByRole('button', { name: 'Copy code' }).click();
    await code.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'print("hi")  # greet\n');
    await page.getByRole('region', { name: 'Table' }).getByRole('cell', { name: '1' }).waitFor();
    await page.getByText('click me').click();
    assert.equal(await page.locator('.docs-content script').count(), 0);
    assert.equal(await page.locator('.docs-content a', { hasText: 'bad' }).getAttribute('href'), null);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    // Chromium checks the page's CSP on the handlers while DOMParser reads them (and blocks them).
    problems.splice(0, Infinity, ...problems.filter((p) => !p.includes('Content Security Policy')));
    await done();
  });

  test('a deep link scrolls to its heading; the TOC follows the scrolling', async () => {
    const { page, done, problems } = await open('/docs/default/component/stagehand/quick-start/#checking-it-runs', { viewport: { width: 1280, height: 500 } });
    await h1(page, 'Quick start').waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => window.scrollY > 0 &&
      Math.abs(document.getElementById('checking-it-runs').getBoundingClientRect().top) < 120);
    const toc = page.getByRole('navigation', { name: 'On this page' });
    const current = () => toc.locator('a[aria-current]').innerText();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => document.querySelector('.docs-toc a[aria-current]') === document.querySelector('.docs-toc a'));
    const links = await toc.getByRole('link').allInnerTexts();
    assert.ok(links.length >= 3, links.join(', '));
    assert.equal(await current(), links[0]);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForFunction(() => {
      const all = document.querySelectorAll('.docs-toc a');
      return all[all.length - 1].getAttribute('aria-current') === 'location';
    });
    // Code blocks get a copy button.
    assert.ok(await page.getByRole('button', { name: 'Copy code' }).count() > 0);
    expectStatus(problems, 404);
    await done();
  });

  test('in-site search finds a word and jumps to it', async () => {
    const { page, done } = await open(READER);
    await h1(page, 'Payments').waitFor();
    const box = page.getByRole('searchbox', { name: 'Search these docs' });
    await box.fill('aws');
    const hit = page.locator('.docs-results a').first();
    await hit.waitFor();
    assert.equal(await page.locator('.docs-found').innerText(), '1 result');
    assert.equal(await hit.getAttribute('href'), `${READER}guides/setup/#install`);
    assert.match(await hit.innerText(), /Install\s+Setting up\s+.*AWS/s);
    await hit.click();
    await h1(page, 'Setting up').waitFor();
    assert.equal(new URL(page.url()).hash, '#install');

    // By keyboard: type, arrow down, Enter.
    await box.fill('payments team');
    await page.locator('.docs-results a', { hasText: 'Contacts' }).waitFor();
    await box.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.closest('.docs-results') !== null), true);
    await page.keyboard.press('Enter');
    await h1(page, 'Payments').waitFor();
    assert.equal(new URL(page.url()).hash, '#contacts');
    await box.fill('zzzz-nothing');
    await page.locator('.docs-found', { hasText: 'No results' }).waitFor();
    await done();
  });

  test('an unknown page shows Page not found inside the reader', async () => {
    const { page, done } = await open(`${READER}no/such/page/`);
    await h1(page, 'Page not found').waitFor();
    assert.match(await page.locator('.docs-main').innerText(), /These docs have no page no\/such\/page\//);
    await page.getByRole('navigation', { name: 'Docs pages' }).getByRole('link', { name: 'Home' }).waitFor();
    await page.getByRole('link', { name: 'Go to the docs home' }).click();
    await h1(page, 'Payments').waitFor();
    await done();
  });

  test('the template gallery Docs link lands on the reader; a failed build shows its message and Retry', async () => {
    const { page, done, problems } = await open('/create');
    await page.locator('.tpl-card a[href="/docs/default/template/all-widgets"]').click();
    await page.waitForURL('**/docs/default/template/all-widgets');
    // That template's folder has no mkdocs.yml: the build fails.
    await h1(page, 'The docs could not be built').waitFor({ timeout: 20_000 });
    assert.match(await page.locator('.docs-main .alert').innerText(), /Failed to build the docs page for entity template:default\/all-widgets/);
    await page.locator('.docs-logs summary').click();
    assert.match(await page.getByRole('list', { name: 'Build log' }).innerText(), /^info: Building the docs of template:default\/all-widgets$/m);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('heading', { level: 1, name: 'Building the docs…' }).or(h1(page, 'The docs could not be built')).first().waitFor();
    await h1(page, 'The docs could not be built').waitFor({ timeout: 20_000 });
    expectStatus(problems, 404);
    await done();
  });
});

describe('entity page', () => {
  before(fixturesLoaded);
  test('has a Docs tab that embeds the reader', async () => {
    const { page, done } = await open('/catalog/default/component/payments');
    await h1(page, 'Payments').waitFor();
    const tab = page.getByRole('tab', { name: 'Docs' });
    await tab.click();
    assert.equal(new URL(page.url()).hash, '#docs');
    const panel = page.getByRole('tabpanel', { name: 'Docs' });
    await panel.getByRole('heading', { level: 1, name: 'Payments' }).waitFor({ timeout: 20_000 });
    assert.equal(await panel.locator('.docs-site').innerText(), 'Payments service');
    await panel.getByRole('button', { name: 'Guides' }).click();
    await panel.getByRole('link', { name: 'Setting up', exact: true }).click();
    await panel.getByRole('heading', { level: 1, name: 'Setting up' }).waitFor();
    assert.equal(pathOf(page), '/catalog/default/component/payments');
    assert.equal(new URL(page.url()).hash, '#docs');
    const full = panel.getByRole('link', { name: 'Open in the docs reader' });
    assert.equal(await full.getAttribute('href'), `${READER}guides/setup/`);
    await full.click();
    await h1(page, 'Setting up').waitFor();
    assert.equal(pathOf(page), `${READER}guides/setup/`);
    await done();
  });

  test('an entity without docs has no Docs tab', async () => {
    const { items } = await getJson('/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name,metadata.annotations');
    const plain = items.find((e) => !e.metadata.annotations?.['backstage.io/techdocs-ref']);
    const { page, done } = await open(`/catalog/default/component/${plain.metadata.name}`);
    await page.getByRole('tab', { name: 'Overview' }).waitFor();
    assert.equal(await page.getByRole('tab', { name: 'Docs' }).count(), 0);
    await done();
  });
});

describe('look', () => {
  before(fixturesLoaded);
  test('dark theme at a phone width', async () => {
    const { page, done } = await open(`${READER}guides/setup/`, { colorScheme: 'dark', viewport: { width: 375, height: 800 } });
    await h1(page, 'Setting up').waitFor();
    await noOverflow(page, 'the reader at 375px');
    const menu = page.getByRole('button', { name: 'Pages and contents' });
    const nav = page.getByRole('navigation', { name: 'Docs pages' });
    assert.equal(await nav.isVisible(), false);
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await nav.getByRole('link', { name: 'Setting up' }).waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(14, 17, 22)');
    const index = await open('/docs', { colorScheme: 'dark', viewport: { width: 375, height: 800 } });
    await index.page.locator('.docs-index tbody tr').first().waitFor();
    await noOverflow(index.page, '/docs at 375px');
    await index.done();
    await done();
  });

  test('a wide screen in light theme', async () => {
    const { page, done } = await open(`${READER}guides/setup/`, { viewport: { width: 1280, height: 800 } });
    await h1(page, 'Setting up').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Pages and contents' }).isVisible(), false);
    await page.getByRole('navigation', { name: 'Docs pages' }).getByRole('link', { name: 'Setting up' }).waitFor();
    await done();
  });
});
