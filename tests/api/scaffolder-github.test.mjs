// publish:github, catalog:register and publish:github:pull-request against
// the GitHub fixture server (tests/fixtures/github): the REST calls in
// Backstage's order and shapes, a real push into the fixture's bare
// repository, and the new component in the catalog, read back through the
// contents API with the integration's token.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startGitHub } from '../fixtures/github/server.mjs';
import { catalogApi, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS, removeDir, tempDir } from './lib/server.mjs';

const FIXTURES = fileURLToPath(new URL('../fixtures/scaffolder/github/', import.meta.url));
const TOKEN = 'ghp_fixture';

async function post(url, p, body) {
	const res = await fetch(url + p, {
		method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
	});
	return { status: res.status, body: await res.json() };
}

/* Every event of a task, once it completed (the long poll returns the
 * completion event with any page). */
async function finished(url, id) {
	const events = [];
	let after = 0;
	for (;;) {
		const res = await fetch(`${url}/api/scaffolder/v2/tasks/${id}/events?after=${after}`);
		assert.equal(res.status, 200);
		const page = await res.json();
		for (const e of page)
			if (!events.some((x) => x.id === e.id))
				events.push(e);
		const done = page.find((e) => e.type === 'completion');
		if (done)
			return { events, completion: done };
		after = Math.max(after, ...page.map((e) => e.id));
	}
}

function messages(events) {
	return events.map((e) => e.body.message);
}

describe('publish:github and catalog:register against a GitHub API', { skip: OWN_PROCESS }, () => {
	let gh;
	let srv;
	let host;
	let dir;

	before(async () => {
		dir = tempDir('stagehand-github-');
		gh = await startGitHub({ dir });
		host = new URL(gh.url).host;
		srv = await startCatalogServer({
			locations: [
				{ type: 'file', target: path.join(FIXTURES, 'template.yaml') },
				{ type: 'file', target: path.join(FIXTURES, 'pull-request.yaml') },
			],
			extra: { integrations: { github: [{ host, apiBaseUrl: gh.apiUrl, token: TOKEN }] } },
		});
		const api = catalogApi(srv.url);
		await waitFor(async () => (await api.entity('template:default/github-service')) !== null,
			{ what: 'the template to be ingested' });
	});

	after(async () => {
		await srv?.stopCleanly();
		await gh?.close();
		if (dir) removeDir(dir);
	});

	it('creates the repository, pushes the rendered files, protects main and registers the component', async () => {
		const t0 = Date.now();
		const { status, body } = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/github-service',
			values: { name: 'payments', owner: 'group:default/platform', repoUrl: `${host}?owner=acme&repo=payments` },
		});
		assert.equal(status, 201);
		const { events, completion } = await finished(srv.url, body.id);
		const completedAt = Date.now();
		assert.equal(completion.body.message, 'Run completed with status: completed', messages(events).join('\n'));
		const calls = gh.requests.map((r) => `${r.method} ${r.path}`);
		assert.deepEqual(calls.slice(0, 2), ['GET /users/acme', 'POST /orgs/acme/repos']);
		const create = gh.requests[1];
		assert.equal(create.auth, TOKEN);
		assert.equal(create.body.name, 'payments');
		assert.equal(create.body.private, true);
		assert.equal(create.body.visibility, 'private');
		assert.equal(create.body.description, 'This is payments');
		assert.ok(calls.includes('PUT /orgs/acme/teams/platform/repos/acme/payments'));
		assert.ok(calls.includes('PUT /repos/acme/payments/topics'));
		assert.deepEqual(gh.requests.find((r) => r.path.endsWith('/topics')).body.names, ['backstage', 'service']);
		assert.ok(calls.includes('POST /repos/acme/payments/actions/variables'));
		const protect = gh.requests.find((r) => r.path === '/repos/acme/payments/branches/main/protection');
		assert.ok(protect, 'the default branch is protected');
		assert.equal(protect.body.required_pull_request_reviews.required_approving_review_count, 1);
		assert.equal(protect.body.enforce_admins, true);

		const readme = await gh.state.readFile('acme', 'payments', 'main', 'README.md');
		assert.equal(String(readme), '# payments\n\nOwned by group:default/platform; lives at acme/payments.\n');
		const log = execFileSync('git', ['--git-dir', gh.repoPath('acme', 'payments'), 'log', '--format=%an <%ae>|%s', 'main'],
			{ encoding: 'utf8' }).trim();
		assert.equal(log, 'Scaffolder <scaffolder@backstage.io>|initial commit');

		const out = completion.body.output;
		assert.equal(out.links[0].url, `${gh.gitUrl}/acme/payments.git`);
		assert.equal(out.links[1].entityRef, 'component:default/payments');
		const api = catalogApi(srv.url);
		const entity = await waitFor(() => api.entity('component:default/payments'), { timeoutMs: 5000,
			what: 'the new component in the catalog' });
		const elapsed = Date.now() - t0, registered = Date.now() - completedAt;
		assert.equal(entity.metadata.annotations['github.com/project-slug'], 'acme/payments');
		assert.equal(entity.spec.owner, 'group:default/platform');
		assert.ok(registered < 1000, `the component appeared ${registered} ms after the task completed`);
		assert.ok(elapsed < 5000, `task and registration took ${elapsed} ms`);
		// The catalog read the file through the contents API, with the token.
		assert.ok(gh.requests.some((r) => r.method === 'GET' && r.path === '/repos/acme/payments/contents/catalog-info.yaml'
			&& r.auth === TOKEN));
	});

	it('a repository that exists already fails the task with GitHub\'s 422 message; later steps are skipped', async () => {
		const { body } = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/github-service',
			values: { name: 'payments', owner: 'group:default/platform', repoUrl: `${host}?owner=acme&repo=payments` },
		});
		const { events, completion } = await finished(srv.url, body.id);
		assert.equal(completion.body.message, 'Run completed with status: failed');
		assert.match(completion.body.error.message, /name already exists on this account/);
		assert.ok(messages(events).includes('Skipping step register because a previous step failed'));
		const task = await (await fetch(`${srv.url}/api/scaffolder/v2/tasks/${body.id}`)).json();
		assert.equal(task.status, 'failed');
	});

	it('GitHub answering 401 fails the task with its message, and no token shows anywhere', async () => {
		const res = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/github-service',
			values: { name: 'other', owner: 'group:default/platform', repoUrl: `${host}?owner=octo-user&repo=other` },
			secrets: { unused: 'ghp_not_a_real_token_123' },
		});
		assert.equal(res.status, 201);
		gh.state.failNext('GET /users/octo-user', 401, { body: { message: 'Bad credentials',
			documentation_url: 'https://docs.github.com/rest' } });
		const { events, completion } = await finished(srv.url, res.body.id);
		assert.equal(completion.body.message, 'Run completed with status: failed');
		assert.match(completion.body.error.message, /401.*Bad credentials/);
		assert.equal(completion.body.error.name, 'AuthenticationError');
		const task = await (await fetch(`${srv.url}/api/scaffolder/v2/tasks/${res.body.id}`)).text();
		for (const text of [JSON.stringify(events), task]) {
			assert.ok(!text.includes('ghp_not_a_real_token_123'), 'the secret is not in the log or the task');
			assert.ok(!text.includes(TOKEN), 'the integration token is not in the log or the task');
		}
	});

	it('publish:github:pull-request commits through the git data API and opens a pull request', async () => {
		const created = await fetch(`${gh.apiUrl}/orgs/acme/repos`, { method: 'POST',
			headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'test' },
			body: JSON.stringify({ name: 'gitops' }) });
		assert.equal(created.status, 201);
		await gh.state.commitFiles('acme', 'gitops', 'main', { 'README.md': 'gitops\n', 'apps/obsolete.txt': 'old\n' });
		const { status, body } = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/github-pull-request',
			values: { repoUrl: `${host}?owner=acme&repo=gitops`, name: 'billing' },
		});
		assert.equal(status, 201);
		const { events, completion } = await finished(srv.url, body.id);
		assert.equal(completion.body.message, 'Run completed with status: completed', messages(events).join('\n'));
		const out = completion.body.output;
		assert.equal(typeof out.number, 'number');
		assert.equal(out.links[0].url, `${gh.url}/acme/gitops/pull/${out.number}`);
		const repo = gh.state.getRepo('acme', 'gitops');
		const pr = repo.pulls.find((p) => p.number === out.number);
		assert.equal(pr.title, 'Add billing');
		assert.equal(pr.headRef, 'add-billing');
		assert.equal(pr.baseRef, 'main');
		assert.deepEqual(pr.reviewers, ['other-user']);
		const file = await gh.state.readFile('acme', 'gitops', 'add-billing', 'apps/deploy/billing/README.md');
		assert.match(String(file), /^# billing/);
		assert.equal(await gh.state.readFile('acme', 'gitops', 'add-billing', 'apps/obsolete.txt').catch(() => null), null);
		assert.equal(String(await gh.state.readFile('acme', 'gitops', 'add-billing', 'README.md')), 'gitops\n');
		assert.ok(gh.requests.some((r) => r.path === `/repos/acme/gitops/pulls/${out.number}/requested_reviewers`));

		// The same branch again without update: GitHub refuses the ref.
		const again = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/github-pull-request',
			values: { repoUrl: `${host}?owner=acme&repo=gitops`, name: 'billing' },
		});
		const second = await finished(srv.url, again.body.id);
		assert.equal(second.completion.body.message, 'Run completed with status: failed');
		assert.match(second.completion.body.error.message, /Reference already exists/);
		// With update: the branch moves and the open pull request is reused.
		const upd = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/github-pull-request',
			values: { repoUrl: `${host}?owner=acme&repo=gitops`, name: 'billing', update: true },
		});
		const third = await finished(srv.url, upd.body.id);
		assert.equal(third.completion.body.message, 'Run completed with status: completed',
			messages(third.events).join('\n'));
		assert.equal(third.completion.body.output.number, out.number);
	});
});
