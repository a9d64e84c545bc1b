// The scaffolder's template gallery (/create) and template forms
// (/create/templates/:namespace/:name) in a real browser against the real
// server, which loads the example organisation and the fixture templates
// of tests/fixtures/scaffolder/.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { serverAndBrowser } from './lib/suite.mjs';
import { repoRoot } from './lib/server.mjs';

const fixture = (p) => ({ type: 'file', target: path.join(repoRoot, 'tests/fixtures/scaffolder', p) });
// The example organisation without its shipped templates: the gallery
// shows exactly the test's own.
const example = (p) => ({ type: 'file', target: path.join(repoRoot, 'examples', p) });
export const LOCATIONS = [
  example('org/groups.yaml'), example('org/users.yaml'), example('systems/commerce.yaml'),
  example('systems/data-and-ml.yaml'), example('systems/developer-platform.yaml'),
  example('components/commerce.yaml'),
  fixture('basic/template.yaml'), fixture('ui/widgets.yaml'), fixture('ui/wait.yaml'),
  fixture('ui/failing.yaml'), fixture('ui/dry/template.yaml'),
];

const suite = serverAndBrowser({ files: { '/unused.txt': 'x' }, locations: LOCATIONS });
const { open, getJson } = suite;

const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const h2 = (page, name) => page.getByRole('heading', { level: 2, name, exact: true });
const cardTitles = (page) => page.locator('.tpl-card h2').allInnerTexts();
const field = (page, label) => page.getByLabel(label, { exact: true });
const focusedLabel = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return el?.labels?.[0]?.textContent ?? el?.textContent ?? el?.id;
});

async function noOverflow(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  assert.ok(scroll <= client, `${what}: page is ${scroll}px wide in a ${client}px viewport`);
}

async function waitTemplates(page, n) {
  await page.waitForFunction((count) => document.querySelectorAll('.tpl-card').length === count, n);
}

describe('template gallery', () => {
  test('lists the templates of the catalog as cards', async () => {
    const { items } = await getJson('/api/catalog/entities/by-query?filter=kind=template&fields=metadata.title');
    const { page, done } = await open('/create');
    await h1(page, 'Create a new component').waitFor();
    assert.equal(await page.title(), 'Create · stagehand');
    await waitTemplates(page, items.length);
    assert.deepEqual(await cardTitles(page), items.map((e) => e.metadata.title).sort((a, b) => a.localeCompare(b)));
    await page.locator('.summary', { hasText: `${items.length} templates` }).waitFor();
    const card = page.locator('.tpl-card', { has: page.getByRole('heading', { name: 'Every widget' }) });
    assert.match(await card.innerText(), /A form with every field type/);
    assert.match(await card.innerText(), /WEBSITE/i);
    assert.deepEqual(await card.locator('.tags li').allInnerTexts(), ['test', 'forms']);
    assert.equal(await card.getByRole('link', { name: 'platform-team' }).getAttribute('href'), '/catalog/default/group/platform-team');
    assert.equal(await card.getByRole('link', { name: 'Widgets guide' }).getAttribute('href'), 'https://example.com/widgets-guide');
    assert.equal(await card.getByRole('link', { name: 'Docs' }).getAttribute('href'), '/docs/default/template/all-widgets');
    assert.equal(await page.locator('.tpl-card', { has: page.getByRole('heading', { name: 'Slow wait' }) }).getByRole('link', { name: 'Docs' }).count(), 0);
    assert.equal(await card.getByRole('link', { name: 'Choose Every widget' }).getAttribute('href'), '/create/templates/default/all-widgets');
    assert.equal(await card.getByRole('link', { name: 'Details of Every widget' }).getAttribute('href'), '/catalog/default/template/all-widgets');
    await card.getByRole('link', { name: 'Choose Every widget' }).click();
    await h1(page, 'Every widget').waitFor();
    assert.equal(new URL(page.url()).pathname, '/create/templates/default/all-widgets');
    await done();
  });

  test('filters by tag, owner and text, in the URL', async () => {
    const { page, done } = await open('/create');
    await waitTemplates(page, 5);
    await page.getByRole('group', { name: 'Tags' }).getByLabel('slow').check();
    await page.waitForURL(/tag=slow/);
    await waitTemplates(page, 1);
    assert.deepEqual(await cardTitles(page), ['Slow wait']);
    await page.getByRole('group', { name: 'Tags' }).getByLabel('git').check();
    await waitTemplates(page, 2);
    assert.deepEqual(await cardTitles(page), ['Push somewhere', 'Slow wait']);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await waitTemplates(page, 5);

    await field(page, 'Owner').selectOption('group:default/platform-team');
    await page.waitForURL(/owner=group/);
    await waitTemplates(page, 2);
    assert.deepEqual(await cardTitles(page), ['Dry-run demo', 'Every widget']);

    await field(page, 'Search').fill('widget');
    await waitTemplates(page, 1);
    await page.waitForURL(/q=widget/);
    assert.deepEqual(await cardTitles(page), ['Every widget']);
    await field(page, 'Search').fill('nothing-like-this');
    await page.getByRole('heading', { name: 'No matching templates' }).waitFor();

    // A shared URL shows the same view.
    const again = await open('/create?tag=c');
    await waitTemplates(again.page, 1);
    assert.deepEqual(await cardTitles(again.page), ['Basic service']);
    assert.equal(await again.page.locator('.tpl-tags input[value="c"]').isChecked(), true);
    await again.done();
    await done();
  });

  test('dark theme and a phone width', async () => {
    const { page, done } = await open('/create', { colorScheme: 'dark', viewport: { width: 375, height: 800 } });
    await waitTemplates(page, 5);
    await noOverflow(page, '/create at 375px');
    await done();
  });
});

describe('template form', () => {
  test('draws every field type from the parameter schema', async () => {
    const { page, done } = await open('/create/templates/default/all-widgets');
    await h1(page, 'Every widget').waitFor();
    assert.equal(await page.title(), 'Create: Every widget · stagehand');
    assert.deepEqual(await page.locator('.sf-stepper li').allInnerTexts(), ['1\nBasics', '2\nPickers', '3\nStructure', '4\nReview']);
    assert.equal(await page.locator('.sf-stepper li[aria-current="step"]').innerText(), '1\nBasics');
    await h2(page, 'Basics').waitFor();
    assert.equal(await field(page, 'Name *').getAttribute('placeholder'), 'my-service');
    assert.equal(await field(page, 'Name *').getAttribute('aria-required'), 'true');
    assert.match(await page.locator('.sf-field', { has: field(page, 'Name *') }).innerText(), /Lower-case letters, digits and dashes\./);
    assert.equal(await field(page, 'Summary').evaluate((e) => e.tagName), 'TEXTAREA');
    assert.equal(await field(page, 'Summary').inputValue(), 'A new thing');
    assert.equal(await field(page, 'Replicas *').getAttribute('type'), 'number');
    assert.equal(await field(page, 'Replicas *').getAttribute('min'), '1');
    assert.equal(await field(page, 'Replicas *').getAttribute('max'), '10');
    assert.equal(await field(page, 'Replicas *').inputValue(), '2');
    assert.equal(await field(page, 'Enabled').isChecked(), true);
    assert.deepEqual(await field(page, 'Colour').locator('option').allInnerTexts(), ['Choose\u2026', 'Red', 'Green', 'Blue']);
    assert.equal(await field(page, 'Colour').locator('option:checked').innerText(), 'Green');
    const size = page.getByRole('group', { name: 'Size' });
    assert.equal(await size.getByRole('radio').count(), 2);
    assert.equal(await field(page, 'Region').getAttribute('readonly'), '');
    assert.equal(await page.locator('input[name$="internalId"]').count(), 0, 'hidden widget draws nothing');
    await done();
  });

  test('Next validates the page: required, pattern and length, with focus on the first error', async () => {
    const { page, done } = await open('/create/templates/default/all-widgets');
    await h2(page, 'Basics').waitFor();
    await field(page, 'Replicas *').fill('');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Name is required.').waitFor();
    await page.getByText('Replicas is required.').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id.endsWith('-name')), true, 'focus on the first invalid field');
    assert.equal(await field(page, 'Name *').getAttribute('aria-invalid'), 'true');
    assert.match(await field(page, 'Name *').getAttribute('aria-describedby'), /-error/);
    await h2(page, 'Basics').waitFor(); // still on the page

    await field(page, 'Name *').fill('Bad-Name');
    assert.equal(await page.getByText('Name is required.').count(), 0, 'typing clears the message');
    await field(page, 'Replicas *').fill('42');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.sf-error', { hasText: 'Name must match the pattern ^[a-z][a-z0-9-]*$' }).waitFor();
    await page.locator('.sf-error', { hasText: 'Replicas must be at most 10.' }).waitFor();
    await field(page, 'Name *').fill('ab');
    await field(page, 'Replicas *').fill('3');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.sf-error', { hasText: 'Name must be at least 3 characters.' }).waitFor();
    await field(page, 'Name *').fill('good-name');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Pickers').waitFor();
    assert.equal(await page.locator('.sf-stepper li[aria-current="step"]').innerText(), '2\nPickers');
    await page.getByRole('button', { name: 'Back' }).click();
    await h2(page, 'Basics').waitFor();
    assert.equal(await field(page, 'Name *').inputValue(), 'good-name', 'values survive Back');
    await done();
  });

  test('pickers offer catalog entities', async () => {
    const groups = (await getJson('/api/catalog/entities/by-query?filter=kind=group&fields=metadata.name&limit=100')).items
      .map((e) => `group:default/${e.metadata.name}`);
    assert.ok(groups.includes('group:default/platform-team'));
    const { page, done } = await open(`/create/templates/default/all-widgets?formData=${encodeURIComponent(JSON.stringify({ name: 'picks' }))}`);
    await h2(page, 'Basics').waitFor();
    assert.equal(await field(page, 'Name *').inputValue(), 'picks', 'formData pre-fills');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Pickers').waitFor();

    const owner = field(page, 'Owner *');
    await owner.focus();
    const ownerOptions = page.locator(`#${await owner.getAttribute('list')} option`);
    await page.waitForFunction((id) => document.getElementById(id)?.options.length > 0, await owner.getAttribute('list'));
    const values = await ownerOptions.evaluateAll((os) => os.map((o) => o.value));
    for (const g of groups)
      assert.ok(values.includes(g), `${g} offered`);
    assert.ok(values.some((v) => v.startsWith('user:default/')), 'users offered too');
    assert.ok(values.every((v) => /^(group|user):/.test(v)), 'only groups and users');
    // A bare name gets the default kind and namespace.
    await owner.fill('platform-team');
    await owner.blur();
    assert.equal(await owner.inputValue(), 'group:default/platform-team');

    const system = field(page, 'System');
    await system.focus();
    await system.pressSequentially('comm');
    await page.waitForFunction((id) => {
      const o = [...document.getElementById(id).options].map((x) => x.value);
      return o.length > 0 && o.every((v) => v.startsWith('system:'));
    }, await system.getAttribute('list'));

    // allowArbitraryValues: false: a ref not in the catalog blocks Next.
    await system.fill('nowhere');
    const checked = page.waitForResponse((r) => r.url().includes('/entities/by-refs'));
    await system.blur();
    assert.equal(await system.inputValue(), 'system:default/nowhere');
    await checked;
    await owner.fill('group:default/platform-team');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('.sf-error', { hasText: 'Choose an entity from the catalog.' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id.endsWith('-system')), true);
    await system.fill('system:default/orders');
    await system.blur();

    const repo = page.getByRole('group', { name: 'Repository location' });
    assert.deepEqual(await repo.getByLabel('Host').locator('option').allInnerTexts(), ['github.com', 'gitlab.com']);
    await repo.getByLabel('Host').selectOption('gitlab.com');
    await repo.getByLabel('Owner').fill('acme');
    await repo.getByLabel('Repository').fill('picks');
    await field(page, 'Tags').fill('one, two three');
    await field(page, 'API token').fill('s3cret-value');
    assert.equal(await field(page, 'API token').getAttribute('type'), 'password');
    await field(page, 'Database password').fill('pw');
    await field(page, 'Internal note').fill('do not show');
    await field(page, 'Licence key').fill('ABC-123');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Structure').waitFor();
    await done();
  });

  test('lists, checkboxes, objects, dependencies and a page with when; the review masks secrets', async () => {
    const formData = { name: 'deps', owner: 'group:default/platform-team' };
    const { page, done } = await open(`/create/templates/default/all-widgets?formData=${encodeURIComponent(JSON.stringify(formData))}`);
    await h2(page, 'Basics').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Pickers').waitFor();
    await field(page, 'API token').fill('tok-123');
    await field(page, 'Database password').fill('pw');
    await field(page, 'Internal note').fill('do not show');
    await field(page, 'Licence key').fill('ABC-123');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Structure').waitFor();

    // List editor.
    const modules = page.getByRole('group', { name: 'Modules' });
    assert.equal(await modules.getByRole('textbox').count(), 1);
    await modules.getByRole('button', { name: 'Add Modules item' }).click();
    assert.equal(await modules.getByRole('textbox').count(), 2);
    assert.equal(await page.evaluate(() => document.activeElement.id.endsWith('-modules-1')), true, 'focus on the new item');
    await page.keyboard.type('worker');
    // Checkboxes for unique enum items; nested object.
    await page.getByRole('group', { name: 'Features' }).getByLabel('tracing').check();
    await page.getByRole('group', { name: 'Database' }).getByLabel('Engine *').selectOption({ label: 'sqlite' });
    // Property dependency: an email makes the phone required.
    await field(page, 'Contact email').fill('a@b.c');
    await field(page, 'Contact phone *').waitFor();
    assert.equal(await field(page, 'Contact phone *').getAttribute('aria-required'), 'true');
    // oneOf reveal and `when`.
    assert.equal(await page.locator('.sf-stepper li').count(), 4, 'no service page yet');
    await field(page, 'Kind *').selectOption('library');
    await field(page, 'Language *').waitFor();
    assert.equal(await field(page, 'Port').count(), 0);
    await field(page, 'Kind *').selectOption('service');
    await field(page, 'Port').waitFor();
    assert.equal(await field(page, 'Port').inputValue(), '8080');
    assert.equal(await field(page, 'Language *').count(), 0);
    assert.deepEqual(await page.locator('.sf-stepper li').allInnerTexts(),
      ['\u2713\nBasics\n(done)', '\u2713\nPickers\n(done)', '3\nStructure', '4\nService settings', '5\nReview']);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Contact phone is required.').waitFor();
    await field(page, 'Contact phone *').fill('123');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Service settings').waitFor();
    assert.equal(await field(page, 'Health path').inputValue(), '/healthz');
    await page.getByRole('button', { name: 'Review' }).click();
    await h2(page, 'Review').waitFor();

    const review = await page.locator('.sf-panel').innerText();
    const row = (label) => page.locator('.sf-review dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]').innerText();
    assert.equal(await row('Name'), 'deps');
    assert.equal(await row('Owner'), 'group:default/platform-team');
    assert.equal(await row('Colour'), 'Green (g)');
    assert.equal(await row('Enabled'), 'Yes');
    assert.equal(await row('Modules'), 'api, worker');
    assert.equal(await row('Features'), 'tracing');
    assert.equal(await row('Database \u203a Engine'), 'sqlite');
    assert.equal(await row('Port'), '8080');
    assert.equal(await row('Health path'), '/healthz');
    assert.equal(await row('API token'), '******');
    assert.equal(await row('Database password'), '******');
    assert.equal(await row('Licence key'), '<hidden>');
    assert.doesNotMatch(review, /Internal note|do not show|tok-123|ABC-123/);

    // Create: the secret goes in secrets, the values get stars.
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/scaffolder/v2/tasks') && r.method() === 'POST');
    await page.getByRole('button', { name: 'Create' }).click();
    const body = (await posted).postDataJSON();
    assert.equal(body.templateRef, 'template:default/all-widgets');
    assert.deepEqual(body.secrets, { apiToken: 'tok-123' });
    assert.equal(body.values.apiToken, '*******');
    assert.equal(body.values.kind, 'service');
    assert.equal(body.values.port, 8080);
    assert.equal(body.values.internalId, 'hidden-42');
    await page.waitForURL(/\/create\/tasks\/[0-9a-f-]{36}$/);
    await page.locator('.sf-status', { hasText: 'Completed' }).waitFor();
    // The step used the secret; the server redacts what it rendered from it.
    await page.locator('.sf-log-line', { hasText: /\[Use the secret\] info: \*\*\*$/ }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /tok-123/);
    const result = page.locator('.sf-output');
    assert.equal(await result.getByRole('link', { name: 'Owner' }).getAttribute('href'), '/catalog/default/group/platform-team');
    assert.equal(await result.getByRole('link', { name: 'Example' }).getAttribute('href'), 'https://example.com/deps');
    assert.equal(await result.locator('code', { hasText: 'make' }).count(), 1, 'markdown code');
    assert.equal(await result.locator('strong', { hasText: 'deps' }).count(), 1, 'markdown bold');
    assert.equal(await result.getByRole('link', { name: 'the guide' }).getAttribute('href'), 'https://example.com/guide');
    await done();
  });

  test('a page whose when is false is skipped and its values are not sent', async () => {
    const formData = { name: 'lib', owner: 'group:default/platform-team', kind: 'library', language: 'c', healthPath: '/x' };
    const { page, done } = await open(`/create/templates/default/all-widgets?formData=${encodeURIComponent(JSON.stringify(formData))}`);
    await h2(page, 'Basics').waitFor();
    for (const next of ['Pickers', 'Structure'])
      await page.getByRole('button', { name: 'Next' }).click().then(() => h2(page, next).waitFor());
    await page.getByRole('button', { name: 'Review' }).click();
    await h2(page, 'Review').waitFor();
    assert.deepEqual(await page.locator('.sf-review h3').allInnerTexts(), ['Basics', 'Pickers', 'Structure']);
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/scaffolder/v2/tasks') && r.method() === 'POST');
    await page.getByRole('button', { name: 'Create' }).click();
    const body = (await posted).postDataJSON();
    assert.equal(body.values.healthPath, undefined);
    assert.equal(body.values.language, 'c');
    await page.waitForURL(/\/create\/tasks\//);
    await done();
  });

  test('the server\'s 400 field errors show under the fields', async () => {
    const { page, done, problems } = await open('/create/templates/default/basic-service');
    await h2(page, 'About the service').waitFor();
    // The server checks the pattern too; make the browser skip its own check
    // by answering the POST with the server's error shape for this field.
    await field(page, 'Name *').fill('svc');
    await field(page, 'Owner *').fill('group:default/platform-team');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Where to put it').waitFor();
    await field(page, 'Git remote *').fill('/nowhere');
    await page.getByRole('button', { name: 'Review' }).click();
    await h2(page, 'Review').waitFor();
    await page.route('**/api/scaffolder/v2/tasks', (route) => route.fulfill({ status: 400, contentType: 'application/json',
      body: JSON.stringify({ errors: [{ property: 'instance.name', message: 'is already taken', name: 'pattern', argument: '', stack: 'instance.name is already taken', path: ['name'] }] }) }));
    await page.getByRole('button', { name: 'Create' }).click();
    await h2(page, 'About the service').waitFor();
    await page.locator('.sf-error', { hasText: 'is already taken' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The server did not accept these values' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id.endsWith('-name')), true);
    problems.splice(0, Infinity, ...problems.filter((p) => !p.includes('status of 400')));
    await done();
  });

  test('keyboard only: fill a form, step through it and create', async () => {
    const { page, done } = await open('/create/templates/default/slow-wait');
    await h1(page, 'Slow wait').waitFor();
    // From the page heading, Tab reaches the field first.
    await page.keyboard.press('Tab'); // breadcrumb? no: heading is focused, first Tab goes to the next control
    let steps = 0;
    while (!(await page.evaluate(() => document.activeElement?.labels?.[0]?.textContent === 'Seconds')) && steps++ < 10)
      await page.keyboard.press('Tab');
    assert.equal(await focusedLabel(page), 'Seconds');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'visible focus');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('500');
    await page.keyboard.press('Enter'); // submits the page
    await page.locator('.sf-error', { hasText: 'Seconds must be at most 120.' }).waitFor();
    assert.equal(await focusedLabel(page), 'Seconds', 'focus back on the invalid field');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1');
    await page.keyboard.press('Tab'); // Back (disabled, skipped) -> Review
    assert.equal(await focusedLabel(page), 'Review');
    await page.keyboard.press('Enter');
    await h2(page, 'Review').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Review', 'focus on the review heading');
    await page.keyboard.press('Tab');
    assert.equal(await focusedLabel(page), 'Back');
    await page.keyboard.press('Tab');
    assert.equal(await focusedLabel(page), 'Create');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/create\/tasks\//);
    await page.locator('.sf-status', { hasText: 'Completed' }).waitFor({ timeout: 15_000 });
    await done();
  });

  test('at 375px the form fits without horizontal scrolling, light and dark', async () => {
    for (const colorScheme of ['light', 'dark']) {
      const { page, done } = await open('/create/templates/default/all-widgets?formData=%7B%22name%22%3A%22narrow%22%7D',
        { viewport: { width: 375, height: 800 }, colorScheme });
      await h2(page, 'Basics').waitFor();
      await noOverflow(page, `form page 1 (${colorScheme})`);
      await page.getByRole('button', { name: 'Next' }).click();
      await h2(page, 'Pickers').waitFor();
      await noOverflow(page, `form page 2 (${colorScheme})`);
      await done();
    }
  });
});
