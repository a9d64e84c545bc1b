// Scaffolder tasks in a real browser against the real server: creating a
// task from a form and following it on the task page (/create/tasks/:id),
// cancelling and retrying, the task list (/create/tasks) and the dry-run
// view of the form page. Git remotes are bare repositories in a temporary
// directory.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverAndBrowser } from './lib/suite.mjs';
import { repoRoot } from './lib/server.mjs';

// publish:git leaks in libgit2 / libpcre2 (tests/lsan.supp): an ASan server
// must not fail its exit check on that.
process.env.LSAN_OPTIONS ??= `suppressions=${path.join(repoRoot, 'tests/lsan.supp')}`;

const work = mkdtempSync(path.join(tmpdir(), 'stagehand-e2e-sc-'));
after(() => rmSync(work, { recursive: true, force: true }));

// A dry-run template whose fetch:template url is absolute, outside its own
// folder: the server refuses to read it, and the dry run shows the failure.
writeFileSync(path.join(work, 'dry-abs.yaml'), `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: dry-abs
  title: Dry run outside the template folder
spec:
  owner: group:default/platform-team
  type: service
  parameters:
    - title: About
      properties:
        name: { type: string, title: Name }
  steps:
    - id: fetch
      name: Fetch skeleton
      action: fetch:template
      input:
        url: ${path.join(repoRoot, 'tests/fixtures/scaffolder/basic/skeleton')}
        values: { name: '\${{ parameters.name }}' }
`);

const fixture = (p) => ({ type: 'file', target: path.join(repoRoot, 'tests/fixtures/scaffolder', p) });
const suite = serverAndBrowser({ files: { '/unused.txt': 'x' }, locations: [
  { type: 'file', target: path.join(repoRoot, 'examples/all.yaml') },
  fixture('basic/template.yaml'), fixture('ui/widgets.yaml'), fixture('ui/wait.yaml'),
  fixture('ui/failing.yaml'), fixture('ui/dry/template.yaml'),
  { type: 'file', target: path.join(work, 'dry-abs.yaml') },
] });
const { open, api, getJson } = suite;

const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const h2 = (page, name) => page.getByRole('heading', { level: 2, name, exact: true });
const field = (page, label) => page.getByLabel(label, { exact: true });
const status = (page) => page.locator('.sf-task-meta .sf-status');
const stepStates = (page) => page.locator('.sf-step').evaluateAll((els) => els.map((e) => [
  e.querySelector('.sf-step-name').textContent, e.querySelector('.sf-step-state').textContent]));

function bareRepo(name) {
  const dir = path.join(work, name);
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', dir]);
  return dir;
}

async function startTask(templateRef, values) {
  const res = await api('/api/scaffolder/v2/tasks', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ templateRef, values }) });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).id;
}

describe('task page', () => {
  test('the basic template from the form to a pushed repository', async () => {
    const remote = bareRepo('basic.git');
    const { page, done } = await open('/create/templates/default/basic-service');
    await h2(page, 'About the service').waitFor();
    await field(page, 'Name *').fill('shop-api');
    await field(page, 'Owner *').fill('group:default/platform-team');
    await page.getByRole('button', { name: 'Next' }).click();
    await h2(page, 'Where to put it').waitFor();
    await field(page, 'Git remote *').fill(remote);
    await page.getByRole('button', { name: 'Review' }).click();
    await h2(page, 'Review').waitFor();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\/[0-9a-f-]{36}$/);
    await h1(page, 'Run of Basic service').waitFor();
    await status(page).filter({ hasText: 'Completed' }).waitFor();
    assert.deepEqual(await stepStates(page), [['Fetch skeleton', 'Completed'], ['debug:log', 'Skipped'], ['Publish', 'Completed']]);
    const repoLink = page.locator('.sf-output').getByRole('link', { name: 'Repository' });
    assert.equal(await repoLink.getAttribute('href'), remote);
    assert.equal(await page.getByRole('button', { name: 'Cancel', exact: true }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Retry', exact: true }).count(), 0);
    // Colour codes are drawn, never shown raw.
    const logText = await page.locator('.sf-log').innerText();
    assert.doesNotMatch(logText, /\u001b|\[32m|\[39m/);
    assert.ok(await page.locator('.sf-log .ansi-green', { hasText: 'info' }).count() > 0);
    assert.ok((await page.locator('.sf-log-line', { hasText: 'Pushed commit' }).innerText()).includes('[Publish]'), 'lines name their step');

    const clone = path.join(work, 'basic-clone');
    execFileSync('git', ['clone', '-q', '-b', 'main', remote, clone]);
    const readme = readFileSync(path.join(clone, 'README.md'), 'utf8');
    assert.match(readme, /^# shop-api\n/);
    assert.match(readme, /- 1\. api\n/);
    await done();
  });

  test('a waiting task runs live and can be cancelled, then retried', async () => {
    const { page, done } = await open('/create/templates/default/slow-wait');
    await h2(page, 'How long').waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\//);
    await status(page).filter({ hasText: 'Running' }).waitFor();
    await page.locator('.sf-step.is-processing', { hasText: 'Wait' }).waitFor();
    await page.locator('.sf-elapsed', { hasText: /Running for \d+ s/ }).waitFor();
    assert.deepEqual((await stepStates(page))[0], ['Before', 'Completed']);
    assert.equal(await page.getByRole('button', { name: 'Retry', exact: true }).count(), 0);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await status(page).filter({ hasText: 'Cancelled' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'The task was cancelled' }).waitFor();
    assert.deepEqual(await stepStates(page), [['Before', 'Completed'], ['Wait', 'Cancelled'], ['After', 'Skipped']]);
    await page.getByRole('button', { name: 'Retry', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Cancel', exact: true }).count(), 0);
    // Retry starts it again; cancel that run too so it does not linger.
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await status(page).filter({ hasText: 'Running' }).waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await status(page).filter({ hasText: 'Cancelled' }).waitFor();
    await done();
  });

  test('a failing task shows its error and Retry; a retry once the remote exists completes', async () => {
    const remote = path.join(work, 'later.git');
    const { page, done } = await open('/create/templates/default/push-somewhere');
    await h2(page, 'Remote').waitFor();
    await field(page, 'Git remote *').fill(remote);
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/create\/tasks\//);
    await status(page).filter({ hasText: 'Failed' }).waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'The task failed' });
    await alert.waitFor();
    assert.ok((await alert.locator('.error-detail').innerText()).length > 0, 'the error message is shown');
    assert.deepEqual(await stepStates(page), [['Write a file', 'Completed'], ['Publish', 'Failed']]);
    assert.equal(await page.locator('.sf-log-line.is-failed').count() > 0, true);

    bareRepo('later.git');
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    await status(page).filter({ hasText: 'Completed' }).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'The task failed' }).count(), 0);
    assert.deepEqual(await stepStates(page), [['Write a file', 'Completed'], ['Publish', 'Completed']]);
    assert.equal(await page.locator('.sf-output').getByRole('link', { name: 'Repository' }).getAttribute('href'), remote);
    const clone = path.join(work, 'later-clone');
    execFileSync('git', ['clone', '-q', '-b', 'main', remote, clone]);
    assert.match(readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8'), /name: pushed/);
    await done();
  });

  test('without the event stream the page follows the task by long polls', async () => {
    const id = await startTask('template:default/slow-wait', { seconds: 1 });
    const { page, context, done, problems } = await open(null);
    await context.route('**/eventstream**', (route) => route.abort());
    await page.goto(`/create/tasks/${id}`);
    await status(page).filter({ hasText: 'Completed' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await stepStates(page), [['Before', 'Completed'], ['Wait', 'Completed'], ['After', 'Completed']]);
    problems.splice(0, Infinity, ...problems.filter((p) => !p.includes('ERR_FAILED')));
    await done();
  });

  test('an unknown task says so', async () => {
    const { page, done, problems } = await open('/create/tasks/00000000-0000-0000-0000-000000000000');
    await page.getByRole('alert').filter({ hasText: 'There is no such task' }).waitFor();
    problems.splice(0, Infinity, ...problems.filter((p) => !p.includes('status of 404')));
    await done();
  });

  test('dark theme at 375px', async () => {
    const id = await startTask('template:default/all-widgets', { name: 'narrow', count: 1, owner: 'group:default/platform-team', kind: 'library', language: 'c' });
    const { page, done } = await open(`/create/tasks/${id}`, { colorScheme: 'dark', viewport: { width: 375, height: 800 } });
    await status(page).filter({ hasText: 'Completed' }).waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no horizontal scrolling');
    await done();
  });
});

describe('task list', () => {
  test('lists the tasks with status and template, mine or all, with pages', async () => {
    const before = (await getJson('/api/scaffolder/v2/tasks?limit=1')).totalTasks;
    for (let i = before; i < 23; i++)
      await startTask('template:default/all-widgets', { name: `bulk-${i}`, count: 1, owner: 'group:default/platform-team', kind: 'library', language: 'c' });
    const total = (await getJson('/api/scaffolder/v2/tasks?limit=1')).totalTasks;
    assert.ok(total > 20);
    const newest = (await getJson('/api/scaffolder/v2/tasks?limit=1')).tasks[0];

    const { page, done } = await open('/create');
    await page.getByRole('link', { name: 'Task list' }).click();
    await h1(page, 'Tasks').waitFor();
    const req = page.waitForRequest((r) => r.url().includes('/api/scaffolder/v2/tasks?') && r.url().includes('createdBy='));
    await page.reload();
    assert.equal(new URL((await req).url()).searchParams.get('createdBy'), 'user:default/guest');
    assert.equal(await page.getByLabel('My tasks').isChecked(), true);
    await page.locator('.summary', { hasText: `${total} tasks` }).waitFor();
    assert.equal(await page.locator('.sf-task-table tbody tr').count(), 20);
    const first = page.locator('.sf-task-table tbody tr').first();
    assert.equal(await first.getByRole('link').getAttribute('href'), `/create/tasks/${newest.id}`);
    assert.match(await first.innerText(), /Every widget/);
    assert.match(await first.innerText(), /completed|processing|open/);
    await page.getByText(/Page 1 of 2/).waitFor();
    await page.getByRole('button', { name: 'Next \u203a' }).click();
    await page.waitForURL(/page=2/);
    await page.getByText(/Page 2 of 2/).waitFor();
    assert.equal(await page.locator('.sf-task-table tbody tr').count(), total - 20);

    const allReq = page.waitForRequest((r) => r.url().includes('/api/scaffolder/v2/tasks?'));
    await page.getByLabel('All').check();
    await page.waitForURL(/owner=all$/);
    assert.equal(new URL((await allReq).url()).searchParams.get('createdBy'), null, 'All asks without createdBy');
    await page.getByText(/Page 1 of 2/).waitFor();
    await page.locator('.sf-task-table tbody tr').first().getByRole('link').click();
    await page.waitForURL(/\/create\/tasks\/[0-9a-f-]{36}$/);
    await page.locator('.sf-task-meta .sf-status').waitFor();
    await done();

    const narrow = await open('/create/tasks?owner=all&page=2', { colorScheme: 'dark', viewport: { width: 375, height: 800 } });
    await narrow.page.getByText(/Page 2 of 2/).waitFor();
    assert.ok(await narrow.page.evaluate(() => document.documentElement.scrollWidth <= 375), 'no horizontal scrolling');
    await narrow.done();
  });
});

describe('dry run', () => {
  test('shows the log and the rendered files with a viewer; nothing is created', async () => {
    const tasksBefore = (await getJson('/api/scaffolder/v2/tasks?limit=1')).totalTasks;
    const { page, done } = await open('/create/templates/default/dry-run-demo?dryRun=1');
    await h2(page, 'About').waitFor();
    await field(page, 'Name *').fill('dry-svc');
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/scaffolder/v2/dry-run'));
    await page.getByRole('button', { name: 'Dry run' }).click();
    const body = (await posted).postDataJSON();
    assert.equal(body.template.kind, 'Template');
    assert.equal(body.template.metadata.name, 'dry-run-demo');
    assert.deepEqual(body.values, { name: 'dry-svc' });
    assert.deepEqual(body.directoryContents, []);
    const panel = page.locator('.sf-dry-panel');
    await h2(page, 'Dry run').waitFor();
    await panel.getByRole('heading', { name: /^Files \(\d+\)$/ }).waitFor();
    const files = await panel.locator('.sf-file').evaluateAll((b) => b.map((x) => x.dataset.path).sort());
    assert.deepEqual(files, ['README.md', 'docs/index.md', 'logo.bin']);
    // README.md is opened first.
    await panel.locator('.sf-viewer-path', { hasText: 'README.md' }).waitFor();
    assert.match(await panel.locator('.sf-viewer pre').innerText(), /^# dry-svc\n\nRendered by the dry run\./);
    await panel.getByRole('button', { name: 'docs/index.md' }).click();
    assert.equal(await panel.locator('.sf-viewer pre').innerText(), 'Docs of dry-svc\n');
    assert.equal(await panel.getByRole('button', { name: 'docs/index.md' }).getAttribute('aria-pressed'), 'true');
    await panel.getByRole('button', { name: 'logo.bin' }).click();
    await panel.getByText(/^Binary file, \d+ bytes\.$/).waitFor();
    const log = await panel.locator('.sf-log').innerText();
    assert.match(log, /Rendered dry-svc/);
    assert.doesNotMatch(log, /\u001b/);
    assert.equal((await getJson('/api/scaffolder/v2/tasks?limit=1')).totalTasks, tasksBefore, 'no task was created');
    await done();
  });

  test('from the review page, with the files of a picked template folder', async () => {
    const { page, done } = await open('/create/templates/default/dry-run-demo');
    await h2(page, 'About').waitFor();
    await page.getByRole('button', { name: 'Review' }).click();
    await h2(page, 'Review').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    const panel = page.locator('.sf-dry-panel');
    await panel.getByRole('heading', { name: 'Files (3)' }).waitFor();
    // The basic template's folder: its skeleton/ replaces the template's own.
    await field(page, 'Template folder').setInputFiles(path.join(repoRoot, 'tests/fixtures/scaffolder/basic'));
    const posted = page.waitForRequest((r) => r.url().endsWith('/api/scaffolder/v2/dry-run'));
    await panel.getByRole('button', { name: 'Run again' }).click();
    const sent = (await posted).postDataJSON().directoryContents.map((f) => f.path).sort();
    assert.ok(sent.includes('template.yaml') && sent.includes('skeleton/src/main.c'), sent.join());
    await panel.getByRole('button', { name: 'src/main.c' }).waitFor();
    const files = await panel.locator('.sf-file').evaluateAll((b) => b.map((x) => x.dataset.path).sort());
    assert.deepEqual(files, ['README.md', 'catalog-info.yaml', 'demo-docs/index.md', 'src/main.c']);
    await done();
  });

  test('a step that fails shows its error', async () => {
    const { page, done } = await open('/create/templates/default/dry-abs?dryRun=1');
    await h2(page, 'About').waitFor();
    await page.getByRole('button', { name: 'Dry run' }).click();
    const alert = page.locator('.sf-dry-panel').getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Step fetch failed/);
    await page.locator('.sf-dry-panel').getByRole('heading', { name: 'Files (0)' }).waitFor();
    await done();
  });
});
