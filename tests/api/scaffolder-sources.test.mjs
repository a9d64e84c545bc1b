// Where template files come from, and where new components end up: a
// template whose source is a git repository (cloned with libgit2), a single
// file read from a url, and publish:git into a local bare repository whose
// catalog-info.yaml catalog:register reads back, the component showing up
// within a second.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { catalogApi, startCatalogServer, startFileServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS, removeDir, tempDir } from './lib/server.mjs';

function git(cwd, ...args) {
	return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env,
		GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T',
		GIT_COMMITTER_EMAIL: 't@example.com' } });
}

async function run(url, templateRef, values) {
	const res = await fetch(`${url}/api/scaffolder/v2/tasks`, { method: 'POST',
		headers: { 'content-type': 'application/json' }, body: JSON.stringify({ templateRef, values }) });
	assert.equal(res.status, 201, await res.clone().text());
	const { id } = await res.json();
	const events = await (await fetch(`${url}/api/scaffolder/v2/tasks/${id}/events?after=0`)).json();
	let all = events;
	while (!all.some((e) => e.type === 'completion')) {
		const last = Math.max(...all.map((e) => e.id));
		all = all.concat(await (await fetch(`${url}/api/scaffolder/v2/tasks/${id}/events?after=${last}`)).json());
	}
	return { events: all, completion: all.find((e) => e.type === 'completion'), at: Date.now() };
}

const TEMPLATE = (name, annotations, steps, output = {}) => ({
	apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template',
	metadata: { name, annotations },
	spec: { type: 'service', owner: 'group:default/platform',
		parameters: [{ properties: { name: { type: 'string' }, remote: { type: 'string' } } }], steps, output },
});

describe('template sources and local git remotes', { skip: OWN_PROCESS }, () => {
	let dir;
	let files;
	let srv;
	let api;
	let sourceRepo;

	before(async () => {
		dir = tempDir('stagehand-sources-');
		// A repository holding a template's skeleton in a sub-folder, on a branch.
		const work = path.join(dir, 'work');
		mkdirSync(path.join(work, 'templates/svc/skeleton/src'), { recursive: true });
		writeFileSync(path.join(work, 'templates/svc/skeleton/README.md'), '# ${{ values.name }} from git\n');
		writeFileSync(path.join(work, 'templates/svc/skeleton/src/app.txt'), 'app ${{ values.name | upper }}\n');
		writeFileSync(path.join(work, 'templates/svc/skeleton/catalog-info.yaml'),
			'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\n'
			+ 'spec:\n  type: service\n  lifecycle: experimental\n  owner: group:default/platform\n');
		git(work, 'init', '-q', '-b', 'release');
		git(work, 'add', '.');
		git(work, 'commit', '-q', '-m', 'templates');
		sourceRepo = path.join(dir, 'templates.git');
		git(dir, 'clone', '-q', '--bare', work, sourceRepo);

		files = await startFileServer({ '/license.txt': 'MIT licence for everyone\n' });
		const templates = [
			TEMPLATE('from-git', { 'backstage.io/source-location': `url:file://${sourceRepo}/tree/release/templates/svc/` }, [
				{ id: 'fetch', action: 'fetch:template', input: { url: './skeleton', values: { name: '${{ parameters.name }}' } } },
				{ id: 'publish', action: 'publish:git', input: { remoteUrl: '${{ parameters.remote }}' } },
				{ id: 'register', action: 'catalog:register', input: {
					repoContentsUrl: '${{ steps.publish.output.repoContentsUrl }}', catalogInfoPath: '/catalog-info.yaml' } },
			]),
			TEMPLATE('env', {}, [
				{ id: 'log', action: 'debug:log', input: {
					message: 'region ${{ environment.parameters.region }} key ${{ environment.secrets.deployKey }}' } },
			], { region: '${{ environment.parameters.region }}', leaked: '${{ environment.secrets.deployKey }}' }),
			TEMPLATE('from-elsewhere', {}, [
				{ id: 'fetch', action: 'fetch:template', input: {
					url: 'https://git.not-allowed.example/acme/templates/tree/main/skeleton' } },
				{ id: 'licence', action: 'fetch:plain:file', input: {
					url: 'https://files.not-allowed.example/license.txt', targetPath: 'LICENSE' } },
			]),
			TEMPLATE('from-url', {}, [
				{ id: 'licence', action: 'fetch:plain:file', input: { url: files.url('/license.txt'), targetPath: 'LICENSE' } },
				{ id: 'publish', action: 'publish:git', input: { remoteUrl: '${{ parameters.remote }}', branch: 'trunk' } },
			]),
		];
		const file = path.join(dir, 'templates.json');
		writeFileSync(file, templates.map((t) => JSON.stringify(t)).join('\n---\n'));
		srv = await startCatalogServer({ locations: [{ type: 'file', target: file }], allow: [{ host: files.host }],
			extra: { scaffolder: { defaultEnvironment: { parameters: { region: 'eu-west-1' },
				secrets: { deployKey: 'env-secret-123' } } } } });
		api = catalogApi(srv.url);
		await waitFor(async () => (await api.entity('template:default/from-url')) !== null, { what: 'templates' });
	});

	after(async () => {
		await srv?.stopCleanly();
		await files?.close();
		if (dir)
			removeDir(dir);
	});

	it('a skeleton in a git repository is cloned at its branch; the push and registration follow', async () => {
		const remote = path.join(dir, 'svc-one.git');
		git(dir, 'init', '-q', '--bare', '-b', 'main', remote);
		const { events, completion, at } = await run(srv.url, 'template:default/from-git', { name: 'svc-one', remote });
		assert.equal(completion.body.message, 'Run completed with status: completed',
			events.map((e) => e.body.message).join('\n'));
		assert.ok(events.some((e) => /Cloning file:\/\/.*templates\.git at release/.test(e.body.message)));
		const clone = path.join(dir, 'check-one');
		git(dir, 'clone', '-q', '-b', 'main', remote, clone);
		assert.equal(execFileSync('git', ['-C', clone, 'ls-files'], { encoding: 'utf8' }).trim().split('\n').sort().join(','),
			'README.md,catalog-info.yaml,src/app.txt');
		assert.equal(execFileSync('cat', [path.join(clone, 'src/app.txt')], { encoding: 'utf8' }), 'app SVC-ONE\n');
		// catalog:register read catalog-info.yaml out of the bare repository.
		const entity = await waitFor(() => api.entity('component:default/svc-one'), { timeoutMs: 5000,
			what: 'svc-one in the catalog' });
		const took = Date.now() - at;
		assert.ok(took < 1000, `the component appeared ${took} ms after the task completed`);
		assert.equal(entity.metadata.annotations['backstage.io/managed-by-location'],
			`file:${remote}/blob/main/catalog-info.yaml`);
		assert.equal(entity.spec.owner, 'group:default/platform');
	});

	it('a file is fetched from a url inside backend.reading.allow and pushed to another branch', async () => {
		const remote = path.join(dir, 'svc-two.git');
		git(dir, 'init', '-q', '--bare', remote);
		const { completion } = await run(srv.url, 'template:default/from-url', { name: 'x', remote });
		assert.equal(completion.body.message, 'Run completed with status: completed');
		assert.equal(git(dir, '--git-dir', remote, 'show', 'trunk:LICENSE'), 'MIT licence for everyone\n');
	});

	it('a repository or file outside backend.reading.allow is refused before anything is read', async () => {
		const { completion, events } = await run(srv.url, 'template:default/from-elsewhere', {});
		assert.equal(completion.body.message, 'Run completed with status: failed');
		assert.match(completion.body.error.message,
			/https:\/\/git\.not-allowed\.example\/acme\/templates is not allowed by backend\.reading\.allow/);
		assert.ok(events.some((e) => e.body.stepId === 'fetch' && e.body.status === 'failed'));
	});

	it('scaffolder.defaultEnvironment: parameters everywhere, secrets in step inputs only and redacted', async () => {
		const { events, completion } = await run(srv.url, 'template:default/env', {});
		assert.equal(completion.body.message, 'Run completed with status: completed');
		const text = JSON.stringify(events);
		assert.ok(events.some((e) => e.body.message === '\u001b[32minfo\u001b[39m: region eu-west-1 key ***'),
			events.map((e) => e.body.message).join('\n'));
		assert.ok(!text.includes('env-secret-123'));
		assert.deepEqual(completion.body.output, { region: 'eu-west-1' });
	});

	it('an unreachable git remote fails the step with a clear message', async () => {
		const { completion, events } = await run(srv.url, 'template:default/from-url',
			{ name: 'x', remote: 'git://127.0.0.1:1/nothing.git' });
		assert.equal(completion.body.message, 'Run completed with status: failed');
		assert.match(completion.body.error.message, /git push: /);
		assert.ok(events.some((e) => e.body.stepId === 'publish' && e.body.status === 'failed'));
	});
});
