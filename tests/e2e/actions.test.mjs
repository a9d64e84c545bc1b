// Actions on entities in a real browser against the real server: starring
// (localStorage, the catalog's "Starred only" filter) and unregistering a
// location or deleting an entity from its page. The server reads the
// example organisation from its configuration (config locations) and the
// files the tests register from a small HTTP server of the test, which
// the configuration allows (backend.reading.allow).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';

const STARS = 'stagehand.starredEntities';
const component = (name) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: experimental
  owner: team-a
`;
const ASYNC3 = `asyncapi: 3.0.0
info:
  title: Lights
  version: 0.1.0
servers:
  broker:
    host: mqtt.acme.example
    protocol: mqtt
channels:
  lightMeasured:
    address: smartylighting/streetlights/{streetlightId}/lighting/measured
    description: The light measured by a streetlight.
    messages:
      lightMeasured:
        $ref: '#/components/messages/LightMeasured'
operations:
  receiveLight:
    action: receive
    channel:
      $ref: '#/channels/lightMeasured'
    summary: Inform about the light measured.
    messages:
      - $ref: '#/channels/lightMeasured/messages/lightMeasured'
components:
  messages:
    LightMeasured:
      name: lightMeasured
      title: Light measured
      summary: Lumens measured by a streetlight.
      payload:
        $ref: '#/components/schemas/Lux'
      examples:
        - name: bright
          payload:
            lumens: 1200
  schemas:
    Lux:
      type: object
      properties:
        lumens:
          type: integer
          minimum: 0
`;
const api3 = `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: lights
spec:
  type: asyncapi
  lifecycle: experimental
  owner: team-a
  definition: |
${ASYNC3.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}`;

const FILES = {
  '/async3/catalog-info.yaml': api3,
  '/unreg/catalog-info.yaml': `${component('unreg-one')}---\n${component('unreg-two')}`,
};

const suite = serverAndBrowser({ files: FILES });
const { open, api } = suite;
const getJson = async (p) => (await api(p)).json();
const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const rowNames = (page) => page.locator('.entity-table tbody tr .entity-link').allInnerTexts();
const stored = (page) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? '[]'), STARS);

async function waitRows(page, n) {
  await page.waitForFunction((count) => {
    const r = document.querySelector('.results');
    return r && !r.hasAttribute('aria-busy') && document.querySelectorAll('.entity-table tbody tr').length === count;
  }, n);
}

async function componentNames() {
  const body = await getJson('/api/catalog/entities/by-query?filter=kind=component&fields=metadata.name,metadata.title,spec.type&limit=500&orderField=metadata.name,asc');
  return body.items;
}

describe('starred entities', () => {
  test('the star toggle is a pressed button, works by keyboard and survives a reload', async () => {
    const [first] = await componentNames();
    const name = first.metadata.title || first.metadata.name;
    const { page, done } = await open(`/catalog/default/component/${first.metadata.name}`);
    const star = page.getByRole('button', { name: `Star ${name}`, exact: true });
    await star.waitFor();
    assert.equal(await star.getAttribute('aria-pressed'), 'false');
    await star.focus();
    await page.keyboard.press('Enter');
    const unstar = page.getByRole('button', { name: `Unstar ${name}`, exact: true });
    assert.equal(await unstar.getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await stored(page), [`component:default/${first.metadata.name}`]);
    await page.reload();
    assert.equal(await unstar.getAttribute('aria-pressed'), 'true');
    await unstar.focus();
    await page.keyboard.press('Space');
    assert.equal(await star.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(await stored(page), []);
    await done();
  });

  test('"Starred only" lists the starred entities of the kind with by-refs, in the URL', async () => {
    const items = await componentNames();
    const picked = [items[3], items[0], items[items.length - 1]];
    const refs = [...picked.map((e) => `component:default/${e.metadata.name}`), 'api:default/order-events', 'component:default/not-there'];
    const { page, context, done } = await open(null);
    await context.addInitScript(([k, v]) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem(k, v);
        sessionStorage.setItem('seeded', '1');
      }
    }, [STARS, JSON.stringify(refs)]);
    await page.goto('/catalog');
    await waitRows(page, 20);
    // Starred rows show a filled star in the name cell.
    assert.equal(await page.locator('.entity-table tbody tr .star-row').count(),
      items.slice(0, 20).filter((e) => picked.includes(e)).length);
    assert.ok(await page.locator('.entity-table tbody tr').first().getByRole('img', { name: 'Starred' }).isVisible());

    const byRefs = [];
    page.on('request', (r) => { if (r.url().endsWith('/api/catalog/entities/by-refs')) byRefs.push(r.postDataJSON()); });
    const box = page.getByLabel('Starred only', { exact: true });
    await box.check();
    await page.waitForURL(/starred=1/);
    await waitRows(page, 3);
    assert.deepEqual(await rowNames(page), picked.map((e) => e.metadata.name).sort());
    await page.locator('.results .summary').filter({ hasText: '3 starred components' }).waitFor();
    assert.ok(byRefs.some((b) => b.entityRefs.length === 4 && !b.entityRefs.includes('api:default/order-events')),
      JSON.stringify(byRefs));
    assert.ok(await page.locator('.pager').isHidden());

    // The text filter still applies.
    await page.getByLabel('Search', { exact: true }).fill(items[0].metadata.name);
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=/);
    await waitRows(page, 1);
    assert.deepEqual(await rowNames(page), [items[0].metadata.name]);

    // A reload keeps the view; the API kind lists its own star.
    await page.goto('/catalog?kind=api&starred=1');
    await waitRows(page, 1);
    assert.deepEqual(await rowNames(page), ['order-events']);
    assert.equal(await box.isChecked(), true);
    await box.uncheck();
    await page.waitForURL((u) => !u.searchParams.has('starred'));
    await done();
  });
});

async function register(url) {
  const res = await api('/api/catalog/locations', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'url', target: url }) });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).location;
}

const status = async (p) => (await api(p)).status;

describe('unregister', () => {
  test('an entity of a registered location offers Unregister, with a confirmation dialog', async () => {
    const target = suite.files.url('/unreg/catalog-info.yaml');
    const loc = await register(target);
    for (let i = 0; i < 100 && (await status('/api/catalog/entities/by-name/component/default/unreg-two')) !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));

    const { page, done } = await open('/catalog/default/component/unreg-one');
    await h1(page, 'unreg-one').waitFor();
    const button = page.getByRole('button', { name: 'Unregister', exact: true });
    await button.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete entity' }).count(), 0);

    // Escape cancels and gives the focus back.
    await button.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Unregister unreg-one?' });
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'focus moves into the dialog');
    await dialog.getByText(`url:${target}`).waitFor();
    await dialog.locator('li').nth(2).waitFor();
    const listed = await dialog.locator('li').allInnerTexts();
    assert.ok(listed.includes('component:default/unreg-one') && listed.includes('component:default/unreg-two'), listed.join());
    assert.ok(listed.some((x) => x.startsWith('location:')), listed.join());
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Unregister');
    assert.equal(await status(`/api/catalog/locations/${loc.id}`), 200);

    await button.click();
    await dialog.getByRole('button', { name: 'Unregister', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/catalog');
    await page.getByRole('status').filter({ hasText: `Unregistered url:${target} and its 3 entities.` }).waitFor();
    assert.equal(await page.locator('dialog').count(), 0, 'the dialog is gone');
    assert.equal(await status(`/api/catalog/locations/${loc.id}`), 404);
    for (let i = 0; i < 100 && (await status('/api/catalog/entities/by-name/component/default/unreg-one')) !== 404; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(await status('/api/catalog/entities/by-name/component/default/unreg-one'), 404);
    await done();
  });

  test('an entity from the configuration offers only Delete entity', async () => {
    const items = await componentNames();
    const victim = items[items.length - 2].metadata.name;
    const e = await getJson(`/api/catalog/entities/by-name/component/default/${victim}`);
    const { page, done } = await open(`/catalog/default/component/${victim}`);
    const button = page.getByRole('button', { name: 'Delete entity', exact: true });
    await button.waitFor();
    assert.equal(await page.getByRole('button', { name: 'Unregister', exact: true }).count(), 0);
    await button.click();
    const dialog = page.getByRole('dialog', { name: `Delete ${victim}?` });
    await dialog.getByText('returns on the next refresh').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await status(`/api/catalog/entities/by-uid/${e.metadata.uid}`), 200);
    await button.click();
    await dialog.getByRole('button', { name: 'Delete entity', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/catalog');
    await page.getByRole('status').filter({ hasText: `Deleted component:default/${victim}` }).waitFor();
    assert.equal(await page.locator('dialog').count(), 0, 'the dialog is gone');
    assert.equal(await status(`/api/catalog/entities/by-uid/${e.metadata.uid}`), 404);
    await done();
  });
});

describe('AsyncAPI definitions', () => {
  test('AsyncAPI 2.x: channels, operations and messages with collapsed payload schemas', async () => {
    const { page, done } = await open('/catalog/default/api/order-events#definition');
    const def = page.locator('.asyncapi');
    await def.waitFor();
    await def.getByText(/^AsyncAPI 2\./).waitFor();
    const channel = def.getByRole('region', { name: 'Channel order-events' });
    await channel.getByText('All order lifecycle events.').waitFor();
    await channel.locator('.async-op').filter({ hasText: 'subscribe' }).filter({ hasText: 'Receive order lifecycle events.' }).waitFor();
    const messages = await channel.locator('.async-message').evaluateAll((els) => els.map((el) => el.dataset.message));
    assert.deepEqual(messages, ['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderCancelled']);
    const placed = channel.locator('.async-message[data-message="OrderPlaced"]');
    await placed.getByText('A customer placed an order; stock is reserved and payment is pending.').waitFor();
    const schema = placed.locator('details', { hasText: 'Payload schema' });
    assert.equal(await schema.getAttribute('open'), null, 'the schema starts collapsed');
    await schema.locator('summary').focus();
    await page.keyboard.press('Enter');
    // Local $refs are resolved: the envelope's fields are in the schema.
    await schema.getByText(/eventId:/).first().waitFor();
    await placed.locator('details summary', { hasText: 'Example: An order with two lines' }).click();
    await placed.getByText(/TSHIRT-NAVY-M/).waitFor();
    const source = page.locator('details.source');
    assert.equal(await source.locator('summary').innerText(), 'Definition source');
    assert.match(await source.locator('code').textContent(), /^asyncapi: 2\.6\.0/);
    await done();
  });

  test('AsyncAPI 3.x: send/receive operations on their channel, messages from components', async () => {
    await register(suite.files.url('/async3/catalog-info.yaml'));
    for (let i = 0; i < 100 && (await status('/api/catalog/entities/by-name/api/default/lights')) !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
    const { page, done } = await open('/catalog/default/api/lights#definition');
    const channel = page.getByRole('region', { name: 'Channel lightMeasured' });
    await channel.waitFor();
    await channel.getByText('smartylighting/streetlights/{streetlightId}/lighting/measured').waitFor();
    await channel.locator('.async-op').filter({ hasText: 'receive' }).filter({ hasText: 'Inform about the light measured.' }).waitFor();
    const msg = channel.locator('.async-message[data-message="lightMeasured"]');
    await msg.getByText('Light measured', { exact: false }).first().waitFor();
    await msg.locator('summary', { hasText: 'Payload schema' }).click();
    await msg.getByText(/lumens:/).first().waitFor();
    await msg.locator('summary', { hasText: 'Example: bright' }).waitFor();
    await page.locator('.asyncapi .servers').getByText('mqtt.acme.example').waitFor();
    await done();
  });
});
