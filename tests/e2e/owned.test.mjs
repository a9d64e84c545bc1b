// The catalog's "Owned by me" filter (owned=me) against the real server:
// the caller comes from GET /api/auth/v1/userinfo (the guest user, member
// of group:default/platform-team in the example organisation), and the
// list and the counts use relations.ownedBy=<sub> with ownership=transitive.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';
import { expectStatus } from './lib/browser.mjs';

const suite = serverAndBrowser();
const { open, getJson } = suite;

const summary = (page) => page.locator('.results .summary');
const rowNames = (page) => page.locator('.entity-table tbody tr .entity-link').allInnerTexts();
const query = (page) => Object.fromEntries(new URL(page.url()).searchParams);
const ownedBox = (page) => page.getByLabel('Owned by me', { exact: true });
const STARS = 'stagehand.starredEntities';

async function waitRows(page, n) {
  await page.waitForFunction((count) => {
    const r = document.querySelector('.results');
    return r && !r.hasAttribute('aria-busy') && document.querySelectorAll('.entity-table tbody tr').length === count;
  }, n);
}

async function me() {
  const info = await getJson('/api/auth/v1/userinfo');
  assert.equal(typeof info.claims?.sub, 'string');
  return info.claims.sub;
}

// The names the API lists for the caller, sorted like the page.
async function ownedNames(sub, extra = '') {
  const list = await getJson(`/api/catalog/entities?filter=kind=component,relations.ownedBy=${sub}${extra}&ownership=transitive&fields=metadata.name`);
  return list.map((e) => e.metadata.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('catalog: Owned by me', () => {
  test('lists what the caller owns through their groups, with counts; in the URL; reload restores it', async () => {
    const sub = await me();
    const names = await ownedNames(sub);
    const all = (await getJson('/api/catalog/entity-facets?facet=kind')).facets.kind.find((k) => k.value === 'Component').count;
    assert.ok(names.length > 1 && names.length < all, `the guest's teams own ${names.length} of ${all} components`);

    const { page, done } = await open('/catalog?limit=50');
    await waitRows(page, Math.min(all, 50));
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await ownedBox(page).check();
    await page.waitForURL(/owned=me/);
    await waitRows(page, names.length);
    assert.deepEqual(query(page), { owned: 'me', limit: '50' });
    assert.deepEqual(await rowNames(page), names);
    await summary(page).filter({ hasText: `${names.length} components` }).waitFor();

    // The list and every facet request but the kinds' carry the filter.
    const facetUrls = requests.filter((u) => u.includes('/entity-facets?')).map((u) => new URL(u));
    assert.ok(facetUrls.length >= 1);
    for (const u of facetUrls.filter((x) => x.searchParams.get('filter'))) {
      assert.equal(u.searchParams.get('ownership'), 'transitive', u.href);
      assert.match(u.searchParams.get('filter'), new RegExp(`relations\\.ownedBy=${sub}`), u.href);
    }
    const list = requests.filter((u) => u.includes('/entities/by-query?')).map((u) => new URL(u)).at(-1);
    assert.equal(list.searchParams.get('ownership'), 'transitive');
    assert.equal(requests.filter((u) => u.includes('/api/auth/v1/userinfo')).length, 1, 'userinfo asked once');

    // The Type counts are those of the caller's components.
    const types = (await getJson(`/api/catalog/entity-facets?facet=spec.type&filter=kind=component,relations.ownedBy=${sub}&ownership=transitive`)).facets['spec.type'];
    const typeOptions = await page.getByLabel('Type', { exact: true }).locator('option').allInnerTexts();
    assert.deepEqual(typeOptions, ['All', ...types.map((f) => `${f.value} (${f.count})`)]);

    // Combined with Type, like any filter; the cached userinfo is not asked again.
    const service = await ownedNames(sub, ',spec.type=service');
    await page.getByLabel('Type', { exact: true }).selectOption('service');
    await waitRows(page, service.length);
    assert.deepEqual(await rowNames(page), service);
    assert.deepEqual(query(page), { type: 'service', owned: 'me', limit: '50' });
    assert.equal(requests.filter((u) => u.includes('/api/auth/v1/userinfo')).length, 1, 'userinfo cached');

    await page.reload();
    await waitRows(page, service.length);
    assert.equal(await ownedBox(page).isChecked(), true);
    assert.deepEqual(await rowNames(page), service);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitRows(page, Math.min(all, 50));
    assert.deepEqual(query(page), { limit: '50' });
    assert.equal(await ownedBox(page).isChecked(), false);
    await done();
  });

  test('pages with cursors and sorts like the other filters', async () => {
    const sub = await me();
    const names = await ownedNames(sub);
    const { page, done } = await open('/catalog?owned=me&limit=20&sort=name,desc');
    const desc = [...names].reverse();
    await waitRows(page, Math.min(20, names.length));
    assert.deepEqual(await rowNames(page), desc.slice(0, 20));
    if (names.length > 20) {
      await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: /Next/ }).click();
      await waitRows(page, names.length - 20);
      assert.deepEqual(await rowNames(page), desc.slice(20));
      assert.equal(query(page).owned, 'me');
      assert.ok(query(page).cursor);
    }
    await done();
  });

  test('with an Owner: only the chosen owners among the caller\'s', async () => {
    const sub = await me();
    const owners = (await getJson(`/api/catalog/entity-facets?facet=relations.ownedBy&filter=kind=component,relations.ownedBy=${sub}&ownership=transitive`)).facets['relations.ownedBy'];
    const mine = owners[0].value;
    const direct = await getJson(`/api/catalog/entities?filter=kind=component,relations.ownedBy=${mine}&fields=metadata.name`);
    const { page, done } = await open(`/catalog?owned=me&limit=50&owner=${mine}`);
    await waitRows(page, direct.length);
    assert.deepEqual((await rowNames(page)).sort(), direct.map((e) => e.metadata.name).sort());

    // An owner outside the caller's groups: nothing.
    const others = (await getJson('/api/catalog/entity-facets?facet=relations.ownedBy&filter=kind=component')).facets['relations.ownedBy']
      .filter((o) => !owners.some((x) => x.value === o.value));
    assert.ok(others.length > 0);
    await page.goto(`/catalog?owned=me&owner=${others[0].value}`);
    await page.getByRole('heading', { name: 'No matching entities' }).waitFor();
    await summary(page).filter({ hasText: '0 components' }).waitFor();
    await done();
  });

  test('with Starred only: the starred entities the caller owns', async () => {
    const sub = await me();
    const names = await ownedNames(sub);
    const notMine = (await getJson('/api/catalog/entities?filter=kind=component&fields=metadata.name'))
      .map((e) => e.metadata.name).find((n) => !names.includes(n));
    const { page, context, done } = await open(null);
    await context.addInitScript(([key, refs]) => localStorage.setItem(key, JSON.stringify(refs)),
      [STARS, [`component:default/${names[0]}`, `component:default/${notMine}`]]);
    await page.goto('/catalog?starred=1');
    await waitRows(page, 2);
    await ownedBox(page).check();
    await page.waitForURL(/owned=me/);
    await waitRows(page, 1);
    assert.deepEqual(await rowNames(page), [names[0]]);
    await summary(page).filter({ hasText: '1 starred component' }).waitFor();
    await done();
  });

  test('when userinfo fails the checkbox is disabled with an explanation and the list works', async () => {
    const all = (await getJson('/api/catalog/entity-facets?facet=kind')).facets.kind.find((k) => k.value === 'Component').count;
    const { page, done, problems } = await open(null);
    await page.route('**/api/auth/v1/userinfo', (route) => route.fulfill({ status: 500, contentType: 'application/json',
      body: JSON.stringify({ error: { name: 'Error', message: 'boom' }, response: { statusCode: 500 } }) }));
    await page.goto('/catalog?owned=me');
    await page.waitForURL((u) => !u.searchParams.has('owned'));
    await waitRows(page, 20);
    await summary(page).filter({ hasText: `${all} components` }).waitFor();
    const box = ownedBox(page);
    assert.equal(await box.isDisabled(), true);
    assert.equal(await box.isChecked(), false);
    const note = page.locator(`#${await box.getAttribute('aria-describedby')}`);
    assert.equal(await note.innerText(), 'Unavailable: the server answered 500 when asked who you are.');
    assert.ok(await note.isVisible());
    assert.equal(await page.getByRole('alert').count(), 0);

    // 404 (an older server) and 401 get their own words.
    for (const [status, text] of [[404, 'This server does not say who you are.'], [401, 'Sign in to use this filter.']]) {
      await page.unroute('**/api/auth/v1/userinfo');
      await page.route('**/api/auth/v1/userinfo', (route) => route.fulfill({ status, contentType: 'application/json',
        body: JSON.stringify({ error: { name: 'Error', message: 'no' }, response: { statusCode: status } }) }));
      await page.reload();
      await waitRows(page, 20);
      assert.equal(await box.isDisabled(), false, 'asked only once it is ticked');
      // click(), not check(): the failure may untick the box before check() looks.
      await box.click();
      await page.locator('.field-note', { hasText: text }).waitFor();
      assert.equal(await box.isDisabled(), true);
      await page.waitForURL((u) => !u.searchParams.has('owned'));
      await waitRows(page, 20);
      expectStatus(problems, status);
    }
    expectStatus(problems, 500);
    await done();
  });
});
