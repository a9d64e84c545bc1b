// The catalog pages in a real browser against the real server, which
// loads the example organisation (examples/all.yaml). Expected numbers
// come from the API itself, so the tests follow the examples.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';
import { expectStatus } from './lib/browser.mjs';

const suite = serverAndBrowser();

const { open, getJson } = suite;

const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const summary = (page) => page.locator('.results .summary');
const rowNames = (page) => page.locator('.entity-table tbody tr .entity-link').allInnerTexts();
const query = (page) => Object.fromEntries(new URL(page.url()).searchParams);
const select = (page, label) => page.getByLabel(label, { exact: true });

async function componentNames(order = 'asc') {
  const body = await getJson(`/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name&limit=500&orderField=metadata.name,${order}`);
  return body.items.map((e) => e.metadata.name);
}

// Wait for the list to show n rows and settle.
async function waitRows(page, n) {
  await page.waitForFunction((count) => {
    const r = document.querySelector('.results');
    return r && !r.hasAttribute('aria-busy') && document.querySelectorAll('.entity-table tbody tr').length === count;
  }, n);
}

describe('catalog list', () => {
  test('lists the example organisation\'s components with counts', async () => {
    const names = await componentNames();
    const facets = (await getJson('/api/catalog/entity-facets?facet=kind&facet=spec.type')).facets;
    const components = facets.kind.find((k) => k.value === 'Component').count;
    assert.equal(components, names.length);
    assert.ok(components > 20, 'the examples fill more than one page');

    const { page, done } = await open('/catalog');
    await h1(page, 'Catalog').waitFor();
    assert.equal(await page.title(), 'Catalog · stagehand');
    await summary(page).filter({ hasText: `${components} components` }).waitFor();
    await waitRows(page, 20);
    assert.deepEqual(await rowNames(page), names.slice(0, 20), 'sorted by name, 20 per page');
    assert.equal(await select(page, 'Kind').inputValue(), 'component');
    assert.ok((await select(page, 'Kind').locator('option').allInnerTexts()).includes(`Component (${components})`));
    const typeFacet = (await getJson('/api/catalog/entity-facets?facet=spec.type&filter=kind=component')).facets['spec.type'];
    const typeOptions = await select(page, 'Type').locator('option').allInnerTexts();
    assert.deepEqual(typeOptions, ['All', ...typeFacet.map((f) => `${f.value} (${f.count})`)]);
    const headers = await page.locator('.entity-table thead th').allInnerTexts();
    assert.deepEqual(headers.map((t) => t.replace(/[^\w ]/g, '').trim()),
      ['Name', 'System', 'Owner', 'Type', 'Lifecycle', 'Description', 'Tags']);
    await page.locator('.page-info').filter({ hasText: `Page 1 of ${Math.ceil(components / 20)}` }).waitFor();
    await done();
  });

  test('a filter changes the rows and the URL; reload and Back restore the state', async () => {
    const tools = await getJson('/api/catalog/entities/by-query?filter=kind=component,spec.type=tool&fields=metadata.name&orderField=metadata.name,asc');
    assert.ok(tools.totalItems > 0 && tools.totalItems < 20);
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);

    await select(page, 'Type').selectOption('tool');
    await waitRows(page, tools.totalItems);
    assert.deepEqual(query(page), { type: 'tool' });
    assert.deepEqual(await rowNames(page), tools.items.map((e) => e.metadata.name));
    assert.deepEqual([...new Set(await page.locator('td[data-label="Type"]').allInnerTexts())], ['tool']);
    await summary(page).filter({ hasText: `${tools.totalItems} components` }).waitFor();
    // The other facets count within the filter; the type facet still offers every type.
    const lifecycles = (await getJson('/api/catalog/entity-facets?facet=spec.lifecycle&filter=kind=component,spec.type=tool')).facets['spec.lifecycle'];
    assert.deepEqual(await select(page, 'Lifecycle').locator('option').allInnerTexts(),
      ['All', ...lifecycles.map((f) => `${f.value} (${f.count})`)]);
    assert.ok((await select(page, 'Type').locator('option').count()) > 2);

    await page.reload();
    await waitRows(page, tools.totalItems);
    assert.equal(await select(page, 'Type').inputValue(), 'tool');
    assert.deepEqual(await rowNames(page), tools.items.map((e) => e.metadata.name));

    await page.goBack();
    await waitRows(page, 20);
    assert.deepEqual(query(page), {});
    assert.equal(await select(page, 'Type').inputValue(), '');
    await page.goForward();
    await waitRows(page, tools.totalItems);
    assert.equal(await select(page, 'Type').inputValue(), 'tool');
    await done();
  });

  test('tags and owners are multiple choices: any of the ticked values', async () => {
    const either = await getJson('/api/catalog/entities/by-query?filter=kind=component,metadata.tags=aws,metadata.tags=argo&fields=metadata.name&orderField=metadata.name,asc');
    const tagFacet = (await getJson('/api/catalog/entity-facets?facet=metadata.tags&filter=kind=component')).facets['metadata.tags'];
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);
    const tags = page.locator('details', { has: page.locator('summary', { hasText: 'Tags' }) });
    await tags.locator('summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await tags.getAttribute('open'), '');
    await tags.getByRole('group', { name: 'Tags' }).waitFor();
    assert.equal(await tags.getByRole('checkbox').count(), tagFacet.length);
    await tags.getByRole('checkbox', { name: 'aws' }).check();
    await page.waitForURL(/tag=aws/);
    assert.equal(await page.evaluate(() => document.activeElement?.value), 'aws', 'focus stays on the box');
    await page.keyboard.press('Tab');
    await tags.getByRole('checkbox', { name: 'argo' }).check();
    await waitRows(page, either.totalItems);
    assert.deepEqual(new URL(page.url()).searchParams.getAll('tag').sort(), ['argo', 'aws']);
    assert.deepEqual(await rowNames(page), either.items.map((e) => e.metadata.name));
    await tags.locator('summary', { hasText: '2 selected' }).waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await tags.getAttribute('open'), null);

    await page.reload();
    await waitRows(page, either.totalItems);
    await page.locator('summary', { hasText: '2 selected' }).waitFor();
    await done();
  });

  test('the text filter searches names and titles and is kept in the URL', async () => {
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);
    await page.getByLabel('Search', { exact: true }).fill('argo');
    await page.waitForURL(/q=argo/);
    await page.waitForFunction(() => !document.querySelector('.results[aria-busy]') &&
      [...document.querySelectorAll('.entity-link')].every((a) => a.textContent.includes('argo')));
    const names = await rowNames(page);
    assert.ok(names.length >= 3, names.join());
    await page.reload();
    await waitRows(page, names.length);
    assert.equal(await page.getByLabel('Search', { exact: true }).inputValue(), 'argo');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitRows(page, 20);
    assert.deepEqual(query(page), {});
    await done();
  });

  test('paging forward and back with cursors, and 50 per page', async () => {
    const names = await componentNames();
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);
    const pager = page.getByRole('navigation', { name: 'Pages' });
    assert.equal(await pager.getByRole('button', { name: /Previous/ }).isDisabled(), true);

    await pager.getByRole('button', { name: /Next/ }).click();
    await waitRows(page, names.length - 20);
    assert.deepEqual(await rowNames(page), names.slice(20));
    assert.ok(query(page).cursor, 'the cursor is in the URL');
    assert.equal(query(page).page, '2');
    await page.locator('.page-info').filter({ hasText: 'Page 2 of 2' }).waitFor();
    assert.equal(await pager.getByRole('button', { name: /Next/ }).isDisabled(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), '\u2039 Previous',
      'focus moves to Previous when Next is disabled');

    await pager.getByRole('button', { name: /Previous/ }).click();
    await waitRows(page, 20);
    assert.deepEqual(await rowNames(page), names.slice(0, 20));
    assert.deepEqual(query(page), {});

    await page.goBack();
    await waitRows(page, names.length - 20);
    assert.deepEqual(await rowNames(page), names.slice(20));
    await page.reload();
    await waitRows(page, names.length - 20);

    await select(page, 'Rows per page').selectOption('50');
    await waitRows(page, names.length);
    assert.deepEqual(query(page), { limit: '50' });
    await done();
  });

  test('sorting by name descending, by mouse and by keyboard', async () => {
    const desc = await componentNames('desc');
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);
    await page.getByRole('button', { name: 'Name, sort descending' }).click();
    await page.waitForURL(/sort=name%2Cdesc|sort=name,desc/);
    await page.waitForFunction((first) => document.querySelector('.entity-link')?.textContent === first &&
      !document.querySelector('.results[aria-busy]'), desc[0]);
    assert.deepEqual(await rowNames(page), desc.slice(0, 20));
    assert.equal(await page.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');

    // Enter on the focused header sorts back and keeps the focus there.
    await page.getByRole('button', { name: 'Name, sort ascending' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('sort'));
    await page.waitForFunction(() => document.querySelector('th[aria-sort]')?.getAttribute('aria-sort') === 'ascending');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.col), 'name');
    assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'solid');
    await done();
  });

  test('the kind selector switches columns; Users get user columns', async () => {
    const users = (await getJson('/api/catalog/entity-facets?facet=kind')).facets.kind.find((k) => k.value === 'User').count;
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);
    await select(page, 'Kind').selectOption('user');
    await summary(page).filter({ hasText: `${users} users` }).waitFor();
    assert.equal(query(page).kind, 'user');
    const headers = await page.locator('.entity-table thead th').allInnerTexts();
    assert.deepEqual(headers.map((t) => t.replace(/[^\w ]/g, '').trim()), ['Name', 'Display name', 'Email', 'Groups']);
    assert.ok(await page.locator('td[data-label="Groups"] a[href^="/catalog/default/group/"]').count() > 0);
    await done();
  });

  test('entities with processing errors are marked in the list', async () => {
    const { page, done } = await open(null);
    await page.route('**/api/catalog/entities/by-query?**', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.items[0].status = { items: [{ type: 'backstage.io/catalog-processing', level: 'error',
        message: 'InputError: spec.owner is missing', error: { name: 'InputError', message: 'spec.owner is missing' } }] };
      await route.fulfill({ response: res, json: body });
    });
    await page.goto('/catalog');
    await waitRows(page, 20);
    const marked = page.locator('.entity-table tbody tr.has-error');
    assert.equal(await marked.count(), 1);
    assert.equal(await marked.locator('.badge-error').innerText(), '1 error');
    await done();
  });

  test('a failing API shows Retry, which recovers', async () => {
    const { page, done, problems } = await open(null);
    await page.route('**/api/catalog/entities/by-query?**', (route) => route.fulfill({
      status: 500, contentType: 'application/json',
      body: JSON.stringify({ error: { name: 'Error', message: 'An internal error occurred' }, response: { statusCode: 500 } }),
    }));
    await page.goto('/catalog');
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'The server answered 500: An internal error occurred' }).waitFor();
    await page.unroute('**/api/catalog/entities/by-query?**');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await waitRows(page, 20);
    assert.equal(await page.getByRole('alert').count(), 0);
    expectStatus(problems, 500);
    await done();
  });

  test('every control has a label; a stale cursor starts over at page 1', async () => {
    const { page, done, problems } = await open('/catalog?type=service&cursor=bm90LWEtY3Vyc29y&page=3');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('cursor'));
    await waitRows(page, 20);
    assert.deepEqual(query(page), { type: 'service' });
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input, main select, main button, main a, main [tabindex="0"]')]
      .filter((el) => {
        if (el.labels?.length)
          return false;
        return !(el.getAttribute('aria-label') || el.textContent.trim());
      }).map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);
    expectStatus(problems, 400);
    await done();
  });

  test('at phone width (375px) only the table scrolls sideways', async () => {
    const { page, done } = await open('/catalog', { viewport: { width: 375, height: 740 } });
    await waitRows(page, 20);
    const sizes = await page.evaluate(() => {
      const t = document.querySelector('.table-scroll');
      return { page: document.documentElement.scrollWidth, table: t.scrollWidth, box: t.clientWidth };
    });
    assert.ok(sizes.page <= 375, `page scrollWidth ${sizes.page}`);
    assert.ok(sizes.table > sizes.box, 'the table scrolls inside its box');
    for (const label of ['Kind', 'Search', 'Type', 'Rows per page']) {
      const box = await page.getByLabel(label, { exact: true }).boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 375, `${label} inside the viewport`);
    }
    await page.goto('/catalog/default/component/falco');
    await h1(page, 'Falco').waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'entity page fits');
    await done();
  });
});

describe('entity page', () => {
  test('clicking a row opens the entity page', async () => {
    const { page, done } = await open('/catalog');
    await waitRows(page, 20);
    await page.locator('.entity-table').getByRole('link', { name: 'falco', exact: true }).click();
    await h1(page, 'Falco').waitFor();
    assert.equal(new URL(page.url()).pathname, '/catalog/default/component/falco');
    assert.equal(await page.title(), 'Falco · stagehand');
    await page.goBack();
    await waitRows(page, 20);
    await done();
  });

  test('shows owner, system, relations, links and the raw YAML', async () => {
    const entity = await getJson('/api/catalog/entities/by-name/component/default/falco');
    const { page, done } = await open('/catalog/default/Component/falco');
    await h1(page, entity.metadata.title).waitFor();
    const header = page.locator('.entity-header');
    assert.equal(await header.getByRole('link', { name: 'platform-team' }).getAttribute('href'),
      '/catalog/default/group/platform-team');
    assert.equal(await header.getByRole('link', { name: 'security-policy' }).getAttribute('href'),
      '/catalog/default/system/security-policy');
    const relations = page.getByRole('region', { name: 'Relations' });
    for (const r of entity.relations) {
      const [kind, rest] = r.targetRef.split(':');
      const [ns, name] = rest.split('/');
      assert.equal(await relations.locator(`a[href="/catalog/${ns}/${kind}/${name}"]`).count(), 1, r.targetRef);
    }
    await relations.getByText('Depends on').waitFor();
    const about = page.getByRole('region', { name: 'About' });
    await about.getByText(entity.metadata.description).waitFor();
    assert.equal(await about.getByRole('link', { name: entity.metadata.links[0].title }).getAttribute('href'),
      entity.metadata.links[0].url);
    await about.getByText(entity.metadata.annotations['backstage.io/managed-by-location']).waitFor();

    const tabs = page.getByRole('tablist', { name: 'Entity views' });
    assert.deepEqual(await tabs.getByRole('tab').allInnerTexts(), ['Overview', 'Graph', 'Raw YAML']);
    await tabs.getByRole('tab', { name: 'Raw YAML' }).click();
    const yaml = await page.getByRole('tabpanel').innerText();
    assert.match(yaml, /^apiVersion: backstage\.io\/v1alpha1$/m);
    assert.match(yaml, /^kind: Component$/m);
    assert.match(yaml, /^ {2}name: falco$/m);
    assert.match(yaml, /^ {2}- type: ownedBy\n {4}targetRef: group:default\/platform-team$/m);
    assert.equal(new URL(page.url()).hash, '#yaml');

    // Arrow keys move between tabs.
    await tabs.getByRole('tab', { name: 'Raw YAML' }).focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await tabs.getByRole('tab', { name: 'Graph' }).getAttribute('aria-selected'), 'true');
    assert.equal(new URL(page.url()).hash, '#graph');
    await page.keyboard.press('Home');
    assert.equal(await tabs.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Overview');
    await relations.waitFor();
    await done();
  });

  test('relations: titles of related entities, missing ones, and Show all', async () => {
    const group = await getJson('/api/catalog/entities/by-name/group/default/platform-team');
    const owned = group.relations.filter((r) => r.type === 'ownerOf').length;
    assert.ok(owned > 12, `platform-team owns ${owned}`);
    const { page, done } = await open(null);
    await page.route('**/api/catalog/entities/by-name/**', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.relations.push({ type: 'dependsOn', targetRef: 'resource:default/no-such-database' });
      await route.fulfill({ response: res, json: body });
    });
    await page.goto('/catalog/default/group/platform-team');
    const relations = page.getByRole('region', { name: 'Relations' });
    await relations.getByText('resource:no-such-database (not in the catalog)').waitFor();
    assert.equal(await relations.locator('a[href="/catalog/default/resource/no-such-database"]').count(), 0);
    // The parent group's title is fetched through by-refs.
    const parent = relations.locator('a[href="/catalog/default/group/acme"]');
    await parent.filter({ hasText: '\u2013 Acme' }).waitFor();

    const ownerOf = relations.locator('dt', { hasText: 'Owner of' }).locator('xpath=following-sibling::dd[1]');
    const visible = () => ownerOf.locator('li:visible').count();
    assert.equal(await visible(), 10);
    await ownerOf.getByRole('button', { name: `Show all ${owned}` }).click();
    assert.equal(await visible(), owned);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.previousElementSibling != null), true,
      'focus moves to the first newly shown entity');
    await done();
  });

  test('an API gets a Definition tab', async () => {
    const apis = await getJson('/api/catalog/entities/by-query?filter=kind=api,spec.type=grpc&limit=1&fields=metadata.name,spec.definition');
    const api = apis.items[0];
    const { page, done } = await open(`/catalog/default/api/${api.metadata.name}#definition`);
    const tab = page.getByRole('tab', { name: 'Definition' });
    await tab.waitFor();
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    const text = await page.getByRole('tabpanel').innerText();
    assert.equal(text.trim(), api.spec.definition.trim());
    await done();
  });

  test('processing errors are shown at the top', async () => {
    const { page, done } = await open(null);
    await page.route('**/api/catalog/entities/by-name/**', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      body.status = { items: [{ type: 'backstage.io/catalog-processing', level: 'error',
        message: 'InputError: bad spec', error: { name: 'InputError', message: 'Policy check failed for component:default/falco' } }] };
      await route.fulfill({ response: res, json: body });
    });
    await page.goto('/catalog/default/component/falco');
    const banner = page.getByRole('region', { name: 'This entity has a processing error' });
    await banner.getByText('Policy check failed for component:default/falco').waitFor();
    const order = await page.evaluate(() => {
      const b = document.querySelector('.alert').getBoundingClientRect().top;
      return b < document.querySelector('h1').getBoundingClientRect().top;
    });
    assert.ok(order, 'the errors come before the header');
    await done();
  });

  test('About shows the view, edit and source links from the annotations', async () => {
    const { page, done } = await open(null);
    await page.route('**/api/catalog/entities/by-name/**', async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      Object.assign(body.metadata.annotations, {
        'backstage.io/source-location': 'url:https://git.example.com/acme/falco/tree/main/',
        'backstage.io/view-url': 'https://git.example.com/acme/falco/blob/main/catalog-info.yaml',
        'backstage.io/edit-url': 'https://git.example.com/acme/falco/edit/main/catalog-info.yaml',
      });
      body.metadata.links.push({ url: 'javascript:alert(1)', title: 'Sneaky' });
      await route.fulfill({ response: res, json: body });
    });
    await page.goto('/catalog/default/component/falco');
    const about = page.getByRole('region', { name: 'About' });
    assert.equal(await about.getByRole('link', { name: 'View source' }).getAttribute('href'),
      'https://git.example.com/acme/falco/blob/main/catalog-info.yaml');
    assert.equal(await about.getByRole('link', { name: 'Edit' }).getAttribute('href'),
      'https://git.example.com/acme/falco/edit/main/catalog-info.yaml');
    assert.equal(await about.getByRole('link', { name: 'https://git.example.com/acme/falco/tree/main/' }).getAttribute('href'),
      'https://git.example.com/acme/falco/tree/main/');
    assert.equal(await about.getByText('Sneaky').count(), 0, 'only http(s) links are shown');
    await done();
  });

  test('a Location shows its targets', async () => {
    const loc = await getJson('/api/catalog/entities/by-name/location/default/example-organisation');
    const { page, done } = await open('/catalog/default/location/example-organisation');
    await h1(page, loc.metadata.title).waitFor();
    const about = page.getByRole('region', { name: 'About' });
    assert.equal(await about.locator('.plain-list li').count(), loc.spec.targets.length);
    await done();
  });

  test('an unknown entity shows the not-found page', async () => {
    const { page, done, problems } = await open('/catalog/default/component/no-such-thing');
    await h1(page, 'Entity not found').waitFor();
    assert.equal(await page.title(), 'Entity not found · stagehand');
    assert.equal(await page.locator('main code').innerText(), 'component:default/no-such-thing');
    await page.getByRole('main').getByRole('link', { name: 'Go to the catalog' }).click();
    await h1(page, 'Catalog').waitFor();
    expectStatus(problems, 404);
    await done();
  });

  test('a server error shows Retry, which loads the entity', async () => {
    const { page, done, problems } = await open(null);
    await page.route('**/api/catalog/entities/by-name/**', (route) => route.fulfill({ status: 503,
      contentType: 'application/json', body: JSON.stringify({ error: { name: 'ServiceUnavailableError', message: 'Database is busy' } }) }));
    await page.goto('/catalog/default/component/falco');
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Database is busy' }).waitFor();
    await page.unroute('**/api/catalog/entities/by-name/**');
    await alert.getByRole('button', { name: 'Retry' }).click();
    await h1(page, 'Falco').waitFor();
    await page.getByRole('region', { name: 'Relations' }).waitFor();
    expectStatus(problems, 503);
    await done();
  });
});

describe('yaml.js', () => {
  test('quotes strings YAML would misread and keeps multi-line text exact', async () => {
    const { page, done } = await open('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    const out = await page.evaluate(async () => {
      const { toYaml } = await import('/js/yaml.js');
      return toYaml({
        plain: 'service', bool: 'yes', no: 'no', num: '1.0', octal: '0o17', date: '2024-01-01', nul: 'null',
        empty: '', colon: 'a: b', hash: 'a #b', lead: ' x', dash: '- x', star: '*ref', flow: '[x]',
        url: 'url:https://x.example/y#z', n: 3, /* a YAML 1.1 boolean as a key */ t: true, z: null,
        block: 'line 1\nline 2\n', noEnd: 'a\nb', list: ['a', { k: 'v', m: [] }], obj: {},
      });
    });
    assert.equal(out, [
      'plain: service', 'bool: "yes"', '"no": "no"', 'num: "1.0"', 'octal: "0o17"', 'date: "2024-01-01"',
      'nul: "null"', 'empty: ""', 'colon: "a: b"', 'hash: "a #b"', 'lead: " x"', 'dash: "- x"',
      'star: "*ref"', 'flow: "[x]"', 'url: url:https://x.example/y#z', '"n": 3', 't: true', 'z: null',
      'block: |', '  line 1', '  line 2', 'noEnd: |-', '  a', '  b',
      'list:', '  - a', '  - k: v', '    m: []', 'obj: {}', ''].join('\n'));
    await done();
  });
});
