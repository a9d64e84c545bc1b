// Search in a real browser against the real server, which loads the
// example organisation (examples/all.yaml) and builds its docs: the
// type-ahead box in the header and the /search page. Expected results come
// from the search API itself, so the tests follow the examples.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';
import { expectStatus } from './lib/browser.mjs';

const suite = serverAndBrowser();
const { open, getJson } = suite;

const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const box = (page) => page.getByRole('combobox', { name: 'Search stagehand' });
const listbox = (page) => page.getByRole('listbox', { name: 'Suggestions' });
const options = (page) => listbox(page).getByRole('option');
const summary = (page) => page.locator('.results .summary');
const resultTitles = (page) => page.locator('.search-result-title a').allInnerTexts();
const query = (page) => [...new URL(page.url()).searchParams];
const facet = (page, legend) => page.getByRole('group', { name: legend, exact: true });

const enc = (params) => new URLSearchParams(params).toString();
const search = (params) => getJson(`/api/search/query?${enc(params)}`);

/* The page shows the results of its URL: no request pending, n results listed. */
async function settled(page, n) {
  await page.waitForFunction((count) => {
    const r = document.querySelector('.results');
    return r && !r.hasAttribute('aria-busy') && document.querySelectorAll('.search-result').length === count;
  }, n);
}

/* Both indexes are filled a moment after the server starts, the docs as
 * their sites are built one by one: wait until nothing changes any more
 * (the same total three times, 400 ms apart). */
before(async () => {
  let last = -1, same = 0;
  for (let i = 0; i < 300 && same < 3; i++) {
    try {
      const [cat, docs, all] = await Promise.all([
        search({ term: 'kube', 'types[0]': 'software-catalog' }),
        search({ term: 'kubelet', 'types[0]': 'techdocs' }),
        search({ pageLimit: 1 }),
      ]);
      const ready = cat.results?.length && docs.results?.length;
      same = ready && all.numberOfResults === last ? same + 1 : 0;
      last = all.numberOfResults;
    } catch { /* not ready */ }
    await new Promise((r) => setTimeout(r, same ? 400 : 100));
  }
  if (same < 3)
    throw new Error('the search index did not settle');
});

describe('header search box', () => {
  test('suggests results for "kube" as you type; Enter opens the search page', async () => {
    const api = await search({ term: 'kube', pageLimit: 8 });
    assert.ok(api.results.length === 8 && api.numberOfResults > 8, 'more than 8 hits');
    const { page, done } = await open('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    assert.equal(await box(page).getAttribute('aria-expanded'), 'false');
    await box(page).fill('kube');
    await options(page).nth(8).waitFor();
    assert.equal(await box(page).getAttribute('aria-expanded'), 'true');
    assert.equal(await box(page).getAttribute('aria-controls'), await listbox(page).getAttribute('id'));
    const texts = await options(page).allInnerTexts();
    assert.equal(texts.length, 9, 'eight suggestions and "See all results"');
    api.results.forEach((r, i) => {
      assert.ok(texts[i].includes(r.document.title), `${texts[i]} shows ${r.document.title}`);
      const badge = r.type === 'techdocs' ? 'Docs' : r.document.kind;
      assert.ok(texts[i].startsWith(badge), `${texts[i]} starts with ${badge}`);
      if (r.type === 'techdocs')
        assert.ok(texts[i].includes(r.document.entityTitle || r.document.name), 'docs suggestions name their entity');
    });
    assert.equal(texts[8], `See all ${api.numberOfResults} results for \u201ckube\u201d`);
    assert.ok(await options(page).first().locator('mark').count() > 0, 'the match is marked');

    await box(page).press('Enter');
    await h1(page, 'Search').waitFor();
    assert.deepEqual(query(page), [['query', 'kube']]);
    assert.equal(await page.getByLabel('Search for').inputValue(), 'kube');
    await summary(page).filter({ hasText: `${api.numberOfResults} results for \u201ckube\u201d` }).waitFor();
    assert.equal(await listbox(page).isVisible(), false);
    await done();
  });

  test('keyboard: arrows choose an option, Escape closes, Enter opens the chosen result', async () => {
    const api = await search({ term: 'kube', pageLimit: 8 });
    const { page, done } = await open('/catalog');
    await h1(page, 'Catalog').waitFor();
    await box(page).fill('kube');
    await options(page).nth(8).waitFor();
    const active = () => box(page).getAttribute('aria-activedescendant');
    const selected = () => listbox(page).locator('[aria-selected="true"]').allInnerTexts();
    assert.equal(await active(), null);
    await box(page).press('ArrowDown');
    assert.equal(await active(), await options(page).nth(0).getAttribute('id'));
    await box(page).press('ArrowDown');
    assert.equal(await active(), await options(page).nth(1).getAttribute('id'));
    assert.equal((await selected()).length, 1);
    assert.ok((await selected())[0].includes(api.results[1].document.title));
    await box(page).press('ArrowUp');
    await box(page).press('ArrowUp');
    assert.match((await selected())[0], /^See all/, 'ArrowUp from the first wraps to the last');
    await box(page).press('ArrowDown');
    assert.equal(await active(), await options(page).nth(0).getAttribute('id'), 'and ArrowDown wraps back');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'site-search-input', 'focus stays in the box');

    await box(page).press('Escape');
    assert.equal(await box(page).getAttribute('aria-expanded'), 'false');
    assert.equal(await listbox(page).isVisible(), false);
    assert.equal(await active(), null);
    assert.equal(await box(page).inputValue(), 'kube');
    await box(page).press('ArrowDown');
    assert.equal(await box(page).getAttribute('aria-expanded'), 'true', 'ArrowDown opens it again');
    assert.equal(await active(), await options(page).nth(0).getAttribute('id'));

    await box(page).press('Enter');
    await page.waitForURL((u) => u.pathname === api.results[0].document.location);
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await box(page).inputValue(), '', 'the box is emptied after choosing');
    assert.equal(await listbox(page).isVisible(), false);
    await done();
  });

  test('"/" focuses the box, except while typing in another field', async () => {
    const { page, done } = await open('/catalog');
    await h1(page, 'Catalog').waitFor();
    const focusedId = () => page.evaluate(() => document.activeElement?.id);
    await page.keyboard.press('/');
    assert.equal(await focusedId(), 'site-search-input');
    assert.equal(await box(page).inputValue(), '', 'the slash is not typed');
    assert.equal(await box(page).getAttribute('aria-keyshortcuts'), '/');

    const field = page.getByLabel('Search', { exact: true });
    await field.focus();
    await page.keyboard.type('a/b');
    assert.equal(await field.inputValue(), 'a/b');
    assert.notEqual(await focusedId(), 'site-search-input');

    // From a checkbox (not a text field) it works again.
    await page.getByLabel('Starred only').focus();
    await page.keyboard.press('/');
    assert.equal(await focusedId(), 'site-search-input');
    await done();
  });
});

describe('search page', () => {
  test('shows results with highlighted matches, type badges, meta and the count', async () => {
    const api = await search({ term: 'kube', pageLimit: 10 });
    const { page, done } = await open('/search?query=kube');
    await h1(page, 'Search').waitFor();
    assert.equal(await page.title(), 'Search · stagehand');
    await settled(page, 10);
    await summary(page).filter({ hasText: `${api.numberOfResults} results for \u201ckube\u201d` }).waitFor();
    assert.deepEqual(await resultTitles(page), api.results.map((r) => r.document.title));
    const first = page.locator('.search-result').first();
    assert.equal(await first.getByRole('link').first().getAttribute('href'), api.results[0].document.location);
    const marks = await page.locator('.search-result mark').allInnerTexts();
    const fields = api.results.reduce((n, r) => n + Object.keys(r.highlight?.fields ?? {}).length, 0);
    assert.ok(fields > 0 && marks.length >= fields, `${fields} highlighted fields, marks: ${marks}`);
    assert.ok(marks.every((m) => /kube/i.test(m)), `every mark is a match: ${marks}`);
    const pre = api.results[0].highlight.preTag;
    assert.equal((await page.locator('main').innerText()).includes(pre), false, 'no highlight tag shows');
    const badges = await page.locator('.search-type').allInnerTexts();
    assert.deepEqual(badges, api.results.map((r) => (r.type === 'techdocs' ? 'Docs' : 'Catalog')));
    assert.match(await first.locator('.search-meta').innerText(), new RegExp(`Owner\\s*${api.results[0].document.owner}`));
    const docs = page.locator('.search-result[data-type="techdocs"]').first();
    const doc = api.results.find((r) => r.type === 'techdocs').document;
    assert.match(await docs.locator('.search-result-entity').innerText(), new RegExp(`In ${doc.entityTitle || doc.name}`));
    await page.locator('.page-info', { hasText: `1\u201310 of ${api.numberOfResults}` }).waitFor();
    await done();
  });

  test('facets filter the results, update the URL, and Back restores them', async () => {
    const all = await search({ term: 'kube', pageLimit: 10 });
    const { facets } = await getJson(`/api/search/facets?${enc({ term: 'kube' })}`);
    const resources = facets.kind.find((f) => f.value === 'resource');
    assert.ok(resources && resources.count < 10);
    const filtered = await search({ term: 'kube', 'filters[kind][0]': 'resource', pageLimit: 10 });
    const narrowed = (await getJson(`/api/search/facets?${enc({ term: 'kube', 'filters[kind][0]': 'resource' })}`)).facets;

    const { page, done } = await open('/search?query=kube');
    await settled(page, 10);
    const kind = facet(page, 'Kind');
    assert.deepEqual(await kind.locator('.check').allInnerTexts(),
      facets.kind.map((f) => `${f.value[0].toUpperCase()}${f.value.slice(1)}\n${f.count}`));
    await kind.getByRole('checkbox', { name: 'Resource' }).check();
    await page.waitForURL(/kind=resource/);
    assert.deepEqual(query(page), [['query', 'kube'], ['kind', 'resource']]);
    await settled(page, resources.count);
    assert.deepEqual(await resultTitles(page), filtered.results.map((r) => r.document.title));
    assert.deepEqual([...new Set(await page.locator('.search-meta div:first-child dd').allInnerTexts())], ['Resource']);
    await summary(page).filter({ hasText: `${filtered.numberOfResults} results` }).waitFor();
    // The kind facet still offers the other kinds; the others count within the filter.
    assert.equal(await kind.getByRole('checkbox').count(), facets.kind.length);
    assert.deepEqual(await facet(page, 'Type').locator('.check').allInnerTexts(),
      narrowed.type.map((f) => `${f.value === 'techdocs' ? 'Docs' : 'Catalog'}\n${f.count}`));
    assert.equal(await page.evaluate(() => document.activeElement?.value), 'resource', 'focus stays on the box');

    await page.goBack();
    await settled(page, 10);
    assert.deepEqual(query(page), [['query', 'kube']]);
    assert.equal(await kind.getByRole('checkbox', { name: 'Resource' }).isChecked(), false);
    assert.deepEqual(await resultTitles(page), all.results.map((r) => r.document.title));
    await page.goForward();
    await settled(page, resources.count);
    assert.equal(await kind.getByRole('checkbox', { name: 'Resource' }).isChecked(), true);

    // Type: only docs sections, and a reload keeps both filters.
    await facet(page, 'Type').getByRole('checkbox', { name: 'Catalog' }).check();
    await page.waitForURL(/type=software-catalog/);
    await page.reload();
    await settled(page, resources.count);
    assert.equal(await facet(page, 'Type').getByRole('checkbox', { name: 'Catalog' }).isChecked(), true);
    assert.equal(await kind.getByRole('checkbox', { name: 'Resource' }).isChecked(), true);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await settled(page, 10);
    assert.deepEqual(query(page), [['query', 'kube']]);
    await done();
  });

  test('an empty query lists everything; Next and Previous page with cursors', async () => {
    const first = await search({ term: '', pageLimit: 10 });
    const second = await search({ term: '', pageLimit: 10, pageCursor: first.nextPageCursor });
    assert.ok(first.numberOfResults > 20);
    const { page, done } = await open('/search');
    await settled(page, 10);
    await summary(page).filter({ hasText: new RegExp(`^${first.numberOfResults} results$`) }).waitFor();
    const prev = page.getByRole('button', { name: 'Previous' });
    const next = page.getByRole('button', { name: 'Next' });
    assert.equal(await prev.isDisabled(), true);
    assert.deepEqual(await resultTitles(page), first.results.map((r) => r.document.title));

    await next.click();
    await page.waitForURL(/cursor=/);
    assert.deepEqual(query(page), [['cursor', first.nextPageCursor]]);
    await page.waitForFunction((t) => document.querySelector('.search-result-title a')?.textContent === t,
      second.results[0].document.title);
    await settled(page, 10);
    assert.deepEqual(await resultTitles(page), second.results.map((r) => r.document.title));
    await page.locator('.page-info', { hasText: `11\u201320 of ${first.numberOfResults}` }).waitFor();
    assert.equal(await prev.isDisabled(), false);

    await prev.click();
    await page.waitForURL((u) => u.search === '');
    await page.locator('.page-info', { hasText: `1\u201310 of ${first.numberOfResults}` }).waitFor();
    assert.deepEqual(await resultTitles(page), first.results.map((r) => r.document.title));

    await page.goBack();
    await page.locator('.page-info', { hasText: `11\u201320 of` }).waitFor();
    assert.deepEqual(query(page), [['cursor', first.nextPageCursor]]);
    await page.goBack();
    await page.locator('.page-info', { hasText: `1\u201310 of` }).waitFor();
    await done();
  });

  test('a docs result opens the docs reader at its section', async () => {
    const api = await search({ term: 'kubelet', 'types[0]': 'techdocs', pageLimit: 10 });
    const hit = api.results[0].document;
    const [path, anchor] = hit.location.split('#');
    const { page, done } = await open('/search?query=kubelet&type=techdocs');
    await settled(page, Math.min(10, api.numberOfResults));
    assert.deepEqual([...new Set(await page.locator('.search-type').allInnerTexts())], ['Docs']);
    const link = page.locator('.search-result').first().getByRole('link', { name: hit.title });
    assert.equal(await link.getAttribute('href'), hit.location);
    await link.click();
    await page.waitForURL((u) => u.pathname === path && u.hash === `#${anchor}`);
    const target = page.locator(`[id="${anchor}"]`);
    await target.waitFor();
    assert.equal((await target.innerText()).replace(/\u00b6$/, '').trim(), hit.title);
    await page.waitForFunction((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= 0 && r.top < innerHeight;
    }, anchor);

    await page.goBack();
    await settled(page, Math.min(10, api.numberOfResults));
    assert.deepEqual(query(page), [['query', 'kubelet'], ['type', 'techdocs']]);
    assert.equal(await facet(page, 'Type').getByRole('checkbox', { name: 'Docs' }).isChecked(), true);
    await done();
  });

  test('markup in the term and in documents is shown as text, never run', async () => {
    const term = '<img src=x onerror=alert(1)>';
    const { page, done } = await open('/');
    const dialogs = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
    await h1(page, 'Welcome to stagehand').waitFor();
    await box(page).fill(term);
    await page.locator('.sbox-note', { hasText: `No matches for \u201c${term}\u201d` }).waitFor();
    assert.equal(await options(page).count(), 1, 'only "See all results"');
    await box(page).press('Enter');
    await h1(page, 'Search').waitFor();
    assert.deepEqual(query(page), [['query', term]]);
    await summary(page).filter({ hasText: `0 results for \u201c${term}\u201d` }).waitFor();
    await page.getByRole('heading', { name: 'No results' }).waitFor();
    assert.equal(await page.locator('.search-empty strong').innerText(), term);

    // A document whose text holds markup, with the match tags around it.
    await page.route((u) => u.pathname === '/api/search/query', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({
      results: [{ type: 'software-catalog', rank: 1,
        document: { title: '<b>bold</b>', text: '<script>alert(2)</script> plain', location: '/catalog/default/component/x', kind: 'Component' },
        highlight: { preTag: '<x1>', postTag: '</x1>', fields: {
          title: '<x1><b>bold</b></x1>', text: '<x1><img src=y onerror=alert(3)></x1> and <script>alert(4)</script>' } } }],
      numberOfResults: 1 }) }));
    await page.getByLabel('Search for').fill('bold');
    await page.getByLabel('Search for').press('Enter');
    await settled(page, 1);
    const result = page.locator('.search-result');
    assert.equal(await result.locator('.search-result-title').innerText(), '<b>bold</b>');
    assert.deepEqual(await result.locator('mark').allInnerTexts(), ['<b>bold</b>', '<img src=y onerror=alert(3)>']);
    assert.equal(await result.locator('.search-snippet').innerText(), '<img src=y onerror=alert(3)> and <script>alert(4)</script>');
    assert.equal(await page.locator('main img, main b, main script, .sbox img').count(), 0);
    await page.waitForTimeout(200);
    assert.deepEqual(dialogs, []);
    await done();
  });

  test('a failed search shows the server\'s message; a new query recovers', async () => {
    const long = 'a'.repeat(101);
    const { page, done, problems } = await open(`/search?query=${long}`);
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'The search failed' }).waitFor();
    assert.match(await alert.innerText(), /The server answered 400: Invalid query string: the term is longer than 100 characters/);
    assert.equal(await page.locator('.search-result').count(), 0);
    await page.getByLabel('Search for').fill('runbook');
    await page.getByLabel('Search for').press('Enter');
    await page.waitForURL(/query=runbook/);
    await page.locator('.search-result').first().waitFor();
    assert.equal(await alert.count(), 0);
    expectStatus(problems, 400);
    await done();
  });

  test('in the dark theme and at phone width', async () => {
    const { page, done } = await open('/search?query=crashloop', { colorScheme: 'dark', viewport: { width: 360, height: 800 } });
    await page.locator('.search-result').first().waitFor();
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(14, 17, 22)');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scrolling');
    await box(page).fill('node');
    await options(page).first().waitFor();
    const pop = await page.locator('.sbox-pop').boundingBox();
    assert.ok(pop.x >= 0 && pop.x + pop.width <= 360, `suggestions inside the viewport: ${JSON.stringify(pop)}`);
    await done();
  });
});
