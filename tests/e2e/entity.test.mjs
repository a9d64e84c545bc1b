// The entity page's richer views in a real browser against the real
// server and the example organisation: the relations graph, API
// definitions, and Group and User pages. Expected values come from the
// API itself, so the tests follow the examples.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';

const suite = serverAndBrowser();

const { open, getJson } = suite;
const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const entity = (kind, name) => getJson(`/api/catalog/entities/by-name/${kind}/default/${name}`);
const targets = (e) => [...new Set((e.relations ?? []).map((r) => r.targetRef))];
const nodeRefs = (page) => page.locator('svg.graph .graph-node').evaluateAll((els) => els.map((el) => el.dataset.ref));

describe('relations graph', () => {
  test('shows the related entities as nodes; clicking one navigates', async () => {
    const falco = await entity('component', 'falco');
    const related = targets(falco);
    assert.ok(related.length >= 3, 'falco has relations');
    const { page, done } = await open('/catalog/default/component/falco#graph');
    const tab = page.getByRole('tab', { name: 'Graph' });
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    await page.locator('svg.graph').waitFor();
    assert.deepEqual((await nodeRefs(page)).sort(), ['component:default/falco', ...related].sort());
    await page.getByRole('status').filter({ hasText: `${related.length} related entities` }).waitFor();
    // Each relation pair is one edge, styled by its type.
    const edgeTypes = await page.locator('svg.graph .graph-edge').evaluateAll((els) => els.map((el) => el.dataset.type));
    assert.equal(edgeTypes.length, related.length);
    assert.ok(edgeTypes.includes('ownedBy') && edgeTypes.includes('dependsOn'), edgeTypes.join());
    // The current entity is not a link; the others are, and take focus.
    assert.equal(await page.locator('svg.graph a.graph-node').count(), related.length);
    const owner = page.locator('svg.graph a[data-ref="group:default/platform-team"]');
    assert.equal(await owner.getAttribute('href'), '/catalog/default/group/platform-team');
    await owner.focus();
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.ref), 'group:default/platform-team');
    await owner.click();
    await h1(page, (await entity('group', 'platform-team')).metadata.title).waitFor();
    assert.equal(new URL(page.url()).pathname, '/catalog/default/group/platform-team');
    await done();
  });

  test('depth 2 adds the neighbours\' neighbours with one by-refs request', async () => {
    const falco = await entity('component', 'falco');
    const related = targets(falco);
    const body = await (await fetch(`${suite.server.url}/api/catalog/entities/by-refs`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entityRefs: related, fields: ['relations'] }) })).json();
    const second = new Set([...related, 'component:default/falco', ...body.items.flatMap((e) => targets(e ?? {}))]);
    assert.ok(second.size > related.length + 1 && second.size <= 150, `depth 2 reaches ${second.size}`);

    const { page, done } = await open('/catalog/default/component/falco#graph');
    await page.locator('svg.graph').waitFor();
    const requests = [];
    page.on('request', (r) => { if (r.url().includes('/by-refs')) requests.push(r.postDataJSON()); });
    await page.getByLabel('Depth').selectOption('2');
    await page.waitForFunction((n) => document.querySelectorAll('svg.graph .graph-node').length === n, second.size);
    assert.deepEqual((await nodeRefs(page)).sort(), [...second].sort());
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0].fields, ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'relations']);
    // Names come from the titles now; long ones are cut, with the full ref as tooltip.
    const texts = await page.locator('svg.graph .graph-node text').allTextContents();
    assert.ok(texts.some((t) => t.endsWith('\u2026')), 'some labels are truncated');
    const title = await page.locator('svg.graph a[data-ref="group:default/platform-team"] > title').textContent();
    assert.equal(title, 'group:default/platform-team');
    // Back to depth 1 without another request.
    await page.getByLabel('Depth').selectOption('1');
    await page.waitForFunction((n) => document.querySelectorAll('svg.graph .graph-node').length === n, related.length + 1);
    assert.equal(requests.length, 1);
    await done();
  });
});

describe('API definitions', () => {
  const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

  test('an OpenAPI API shows its operations grouped by tag', async () => {
    const api = await entity('api', 'orders-api');
    assert.equal(api.spec.type, 'openapi');
    // The expected operations, read from the definition text with a
    // regular expression, independently of the page's YAML parser.
    const def = api.spec.definition;
    const ops = [...def.matchAll(/^ {2}(\/\S*):\n|^ {4}(get|put|post|delete|patch|head|options|trace):\n {6}tags: \[(\w+)\]\n {6}operationId: \w+\n {6}summary: (.+)$/gm)];
    const expected = [];
    let path = null;
    for (const m of ops) {
      if (m[1])
        path = m[1];
      else
        expected.push({ tag: m[3], method: m[2], path, summary: m[4] });
    }
    assert.ok(expected.length >= 5, `${expected.length} operations`);
    const { page, done } = await open('/catalog/default/api/orders-api#definition');
    const panel = page.getByRole('tabpanel');
    await panel.locator('.operation').first().waitFor();
    const tags = [...new Set(expected.map((o) => o.tag))];
    assert.deepEqual(await panel.locator('.op-group > h3').allInnerTexts(), tags);
    for (const tag of tags) {
      const group = panel.getByRole('region', { name: `Tag ${tag}` });
      const shown = await group.locator('.operation > summary').evaluateAll((ss) => ss.map((s) => ({
        method: s.querySelector('.method').textContent.toLowerCase(),
        path: s.querySelector('.op-path').textContent,
        summary: s.querySelector('.op-summary').textContent })));
      const want = expected.filter((o) => o.tag === tag).map(({ method, path: p, summary }) => ({ method, path: p, summary }));
      assert.deepEqual(shown, want, tag);
      assert.ok(shown.every((o) => METHODS.includes(o.method)));
    }
    // Operations start collapsed; opening one shows parameters, the
    // request schema, an example and the responses.
    const place = panel.locator('.operation', { has: page.locator('.op-summary', { hasText: 'Place an order' }) });
    assert.equal(await place.locator('.op-body').isVisible(), false);
    await place.locator('summary').first().click();
    await place.getByRole('cell', { name: 'Idempotency-Key *' }).waitFor();
    const schema = place.locator('details', { hasText: 'Request schema (application/json)' });
    assert.equal(await schema.getAttribute('open'), null);
    await schema.locator('summary').click();
    // The $ref is resolved: the schema's properties are shown.
    await schema.getByText('customerId:').first().waitFor();
    await place.getByText('Example: Two items shipped to Berlin').waitFor();
    assert.deepEqual(await place.locator('.responses .status-code').allInnerTexts(), ['201', '400', '401', '409', '422']);
    // The source stays available.
    await panel.getByText('Definition source').click();
    assert.equal((await panel.locator('.source pre').innerText()).trim(), def.trim());
    await done();
  });

  test('GraphQL SDL is highlighted; providers and consumers are listed', async () => {
    const api = await entity('api', 'product-catalog-graphql');
    const { page, done } = await open('/catalog/default/api/product-catalog-graphql#definition');
    const pre = page.locator('pre.graphql');
    await pre.waitFor();
    assert.equal((await pre.innerText()).trim(), api.spec.definition.trim());
    assert.ok(await pre.locator('.tok-keyword', { hasText: /^type$/ }).count() > 3);
    assert.ok(await pre.locator('.tok-type', { hasText: /^Query$/ }).count() >= 1);

    await page.getByRole('tab', { name: 'Overview' }).click();
    const panel = page.getByRole('region', { name: 'Providers and consumers' });
    for (const [type, title] of [['apiProvidedBy', 'Provided by'], ['apiConsumedBy', 'Consumed by']]) {
      const refs = api.relations.filter((r) => r.type === type).map((r) => r.targetRef);
      assert.ok(refs.length > 0, `${title}: ${refs.length}`);
      const list = panel.locator('.api-users', { has: page.getByRole('heading', { name: title }) });
      const hrefs = await list.locator('a').evaluateAll((as) => as.map((a) => a.dataset.ref));
      assert.deepEqual(hrefs.sort(), [...refs].sort(), title);
    }
    await done();
  });

  test('a gRPC definition is highlighted: keywords, types, strings, comments', async () => {
    const api = await entity('api', 'recommendations-grpc');
    assert.equal(api.spec.type, 'grpc');
    const def = api.spec.definition;
    const { page, done } = await open('/catalog/default/api/recommendations-grpc#definition');
    const pre = page.locator('pre.grpc');
    await pre.waitFor();
    // Highlighting only wraps the text: it reads the same.
    assert.equal((await pre.innerText()).trim(), def.trim());
    const count = (cls, text) => pre.locator(cls, { hasText: new RegExp(`^${text}$`) }).count();
    for (const word of ['syntax', 'package', 'service', 'message'])
      assert.ok(await count('.tok-keyword', word) >= 1, word);
    assert.equal(await count('.tok-keyword', 'rpc'), [...def.matchAll(/^\s*rpc\s/gm)].length);
    assert.equal(await count('.tok-keyword', 'returns'), [...def.matchAll(/\breturns\b/g)].length);
    assert.ok(await count('.tok-builtin', 'string') >= 1);
    assert.ok(await count('.tok-type', 'RecommendationService') >= 1);
    assert.ok(await count('.tok-string', '"proto3"') === 1);
    assert.equal(await pre.locator('.tok-comment').count(), [...def.matchAll(/\/\/[^\n]*/g)].length);
    await done();
  });
});

describe('groups and users', () => {
  const card = (page, name) => page.getByRole('region', { name, exact: true });
  const ownedNames = (page) => card(page, 'Owned entities').locator('.owned-link').allInnerTexts();
  const byName = (a, b) => a.localeCompare(b);
  async function refsTitles(refs) {
    const res = await fetch(`${suite.server.url}/api/catalog/entities/by-refs`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ entityRefs: refs, fields: ['metadata.name', 'metadata.title', 'spec.profile.displayName'] }) });
    return (await res.json()).items;
  }
  const ownedBy = async (query) => (await getJson(`/api/catalog/entities?${query}&fields=metadata.name,metadata.title`))
    .map((e) => e.metadata.title || e.metadata.name);

  test('a group lists its members, parent, children and owned entities', async () => {
    const team = await entity('group', 'platform-team');
    const members = team.relations.filter((r) => r.type === 'hasMember').map((r) => r.targetRef);
    assert.ok(members.length > 1);
    const names = (await refsTitles(members)).map((e) => e.spec.profile.displayName);
    const direct = await ownedBy('filter=relations.ownedBy=group:default/platform-team');
    assert.equal(direct.length, team.relations.filter((r) => r.type === 'ownerOf').length);

    const { page, done } = await open('/catalog/default/group/platform-team');
    const list = card(page, 'Members').locator('.member-list > li > a');
    await list.first().waitFor();
    assert.deepEqual(await list.allInnerTexts(), [...names].sort(byName));
    const groups = card(page, 'Groups');
    assert.equal(await groups.locator('a[href="/catalog/default/group/acme"]').count(), 1);
    await groups.getByText('No child groups.').waitFor();
    const owned = card(page, 'Owned entities');
    await owned.getByRole('status').filter({ hasText: `${direct.length} entities` }).waitFor();
    assert.deepEqual((await ownedNames(page)).sort(byName), [...direct].sort(byName));
    await done();
  });

  test('a parent group owns what its sub-groups own', async () => {
    const acme = await entity('group', 'acme');
    const children = acme.relations.filter((r) => r.type === 'parentOf').map((r) => r.targetRef);
    assert.ok(children.length > 1);
    const all = await ownedBy(['group:default/acme', ...children].map((r) => `filter=relations.ownedBy=${r}`).join('&'));
    const direct = await ownedBy('filter=relations.ownedBy=group:default/acme');
    assert.ok(all.length > direct.length);

    const { page, done } = await open('/catalog/default/group/acme');
    const owned = card(page, 'Owned entities');
    await owned.getByRole('status').filter({ hasText: `${direct.length} entities` }).waitFor();
    await card(page, 'Groups').locator('h3 + ul a').first().waitFor();
    assert.deepEqual(await card(page, 'Groups').locator('h3 + ul a').evaluateAll((as) => as.map((a) => a.dataset.ref)), children);
    await owned.getByLabel('Including sub-groups').check();
    await owned.getByRole('status').filter({ hasText: `${all.length} entities` }).waitFor();
    assert.deepEqual((await ownedNames(page)).sort(byName), [...all].sort(byName));
    // Each row says which group owns it.
    assert.ok(await owned.locator('td a[href="/catalog/default/group/ml-team"]').count() > 0);
    await done();
  });

  test('a user page lists their groups and what they own through them', async () => {
    const user = await entity('user', 'priya.raman');
    const groups = user.relations.filter((r) => r.type === 'memberOf').map((r) => r.targetRef);
    assert.ok(groups.length >= 1);
    const owned = await ownedBy('filter=relations.ownedBy=user:default/priya.raman&ownership=transitive');
    assert.ok(owned.length > 0, 'she owns things through her team');

    const { page, done } = await open('/catalog/default/user/priya.raman');
    const groupCard = card(page, 'Groups');
    await groupCard.locator('a').first().waitFor();
    assert.deepEqual(await groupCard.locator('a').evaluateAll((as) => as.map((a) => a.dataset.ref)), groups);
    const ownedCard = card(page, 'Owned entities');
    await ownedCard.getByRole('status').filter({ hasText: `${owned.length} entities` }).waitFor();
    assert.deepEqual((await ownedNames(page)).sort(byName), [...owned].sort(byName));
    await ownedCard.getByLabel('Direct').check();
    await ownedCard.getByRole('status').filter({ hasText: '0 entities' }).waitFor();
    await groupCard.locator('a').first().click();
    await h1(page, 'Platform').waitFor();
    await done();
  });
});
