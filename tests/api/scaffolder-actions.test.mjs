// Scaffolder actions end to end (spec: scaffolder.md, sections 3-4): fetch:plain,
// fetch:plain:file, fetch:template:file, fetch:template with targetPath,
// copyWithoutTemplating, dotfiles, templateFileExtension, trimBlocks/
// lstripBlocks, cookiecutterCompat and replace, fs:rename, fs:delete,
// fs:readdir, steps with each, catalog:fetch (optional, entityRefs),
// debug:log listWorkspace and publish:git, checked in the pushed repository;
// reads outside the template's directory refused; catalog:register against
// a url location served by a local file server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { UUID_RE, catalogApi, startCatalogServer, startFileServer, waitFor } from './lib/catalog.mjs';
import { JSON_TYPE, OWN_PROCESS, REPO_ROOT, removeDir, tempDir } from './lib/server.mjs';
import { client, stepEvents, completionOf, treeOf } from './lib/scaffolder.mjs';

const API_TEMPLATES = path.join(REPO_ROOT, 'tests', 'fixtures', 'scaffolder', 'api', 'templates.yaml');
const ACTION_LOG_RE = /^\u001b\[3\dm(?:info|debug|warn|error)\u001b\[39m: /;

// ---- helpers -------------------------------------------------------------------------



function git(args) {
	return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('scaffolder actions end to end', { skip: OWN_PROCESS }, () => {
	let files;
	let srv;
	let api;
	let tmp;

	before(async () => {
		tmp = tempDir('stagehand-scaffolder-actions-');
		files = await startFileServer({
			'/repo/catalog-info.yaml': [
				'apiVersion: backstage.io/v1alpha1',
				'kind: Component',
				'metadata:',
				'  name: registered-one',
				'spec:',
				'  type: service',
				'  lifecycle: experimental',
				'  owner: group:default/team-a',
				'',
			].join('\n'),
		});
		srv = await startCatalogServer({
			locations: [{ type: 'file', target: API_TEMPLATES }],
			allow: [{ host: files.host }],
		});
		api = client(srv.url);
		await waitFor(async () => (await api.get('/templates/default/template/actions/parameter-schema')).status === 200
			&& (await api.get('/templates/default/template/register/parameter-schema')).status === 200,
		{ what: 'the templates to be in the catalog' });
	});

	after(async () => {
		await files?.close();
		await srv?.stopCleanly();
		if (tmp)
			removeDir(tmp);
	});

	describe('a template using the file actions, each and catalog:fetch', () => {
		let id;
		let bare;
		let events;

		before(async () => {
			bare = path.join(tmp, 'actions.git');
			git(['init', '-q', '--bare', '-b', 'main', bare]);
			id = await api.create('template:default/actions', { name: 'acme', items: { a: 1, b: 'two' }, remoteUrl: bare });
			events = await api.finished(id);
		});

		it('completes, every step finished in order', () => {
			assert.deepEqual(completionOf(events).body, {
				message: 'Run completed with status: completed',
				output: { fetched: 'Paged form', repoContentsUrl: `${bare}/blob/main` },
			});
			const finished = events.filter((e) => e.body.status === 'completed').map((e) => e.body.stepId);
			assert.deepEqual(finished, ['plain', 'plain-file', 'one-file', 'tmpl', 'rename', 'delete', 'each', 'fetch-entity', 'publish']);
		});

		it('each runs the step once per entry with each.key and each.value', () => {
			const lines = stepEvents(events, 'each').map((e) => e.body.message).filter((m) => ACTION_LOG_RE.test(m));
			assert.ok(lines.some((m) => m.endsWith(': item a=1')), lines.join('\n'));
			assert.ok(lines.some((m) => m.endsWith(': item b=two')), lines.join('\n'));
			assert.ok(lines.findIndex((m) => m.endsWith('item a=1')) < lines.findIndex((m) => m.endsWith('item b=two')));
		});

		it('the pushed tree is what the actions made of the fixture files', () => {
			git(['clone', '-q', '-b', 'main', bare, path.join(tmp, 'clone-actions')]);
			const got = treeOf(path.join(tmp, 'clone-actions'));
			assert.deepEqual(got, {
				'plain/raw.txt': 'raw ${{ values.name }} stays\n',
				'plain/sub/nested.txt': 'nested ${{ x }}\n',
				'rendered/one.txt': 'One file for acme\n',
				'single/renamed.txt': 'raw ${{ values.name }} stays\n',
				'tmpl/.hidden': 'hidden=acme\n',
				'tmpl/normal.txt': 'normal ACME\n',
				'tmpl/raw/keep.txt': 'kept ${{ values.name }} as is\n',
			});
			assert.equal(git(['--git-dir', bare, 'log', '--format=%an|%ae|%s', 'main']).trim(),
				'Scaffolder|scaffolder@backstage.io|Actions for acme', 'built-in default author');
		});
	});

	describe('fetch:template options', () => {
		it('templateFileExtension, trimBlocks/lstripBlocks, cookiecutterCompat, replace; existing files are kept without it', async () => {
			const bare = path.join(tmp, 'options.git');
			git(['init', '-q', '--bare', '-b', 'main', bare]);
			const id = await api.create('template:default/skeleton-options', { name: 'opt', remoteUrl: bare });
			const events = await api.finished(id);
			assert.equal(completionOf(events).body.message, 'Run completed with status: completed');
			git(['clone', '-q', '-b', 'main', bare, path.join(tmp, 'clone-options')]);
			assert.deepEqual(treeOf(path.join(tmp, 'clone-options')), {
				'cookie/cc.txt': 'Hello opt {"k":"v"}\n',
				'ext/hello.txt': 'Hello ${{ values.name }} (ext)\n',
				'ext/plain.txt': 'raw ${{ values.name }}\n',
				'ext/rendered.txt': 'ext opt\n',
				'trim/hello.txt': 'Hello replaced\n',
				'trim/list.txt': 'items:\n  - a\n  - b\nend\n',
			});
			assert.equal(stepEvents(events, 'again').at(-1).body.status, 'completed');
		});
	});

	describe('catalog:fetch with each and optional, fs:readdir, debug:log listWorkspace', () => {
		let events;

		before(async () => {
			const id = await api.create('template:default/misc', { failAtEnd: false });
			events = await api.finished(id);
		});

		it('each makes the step\'s outputs arrays; optional misses are null; readdir lists files and folders', () => {
			const done = completionOf(events).body;
			assert.equal(done.message, 'Run completed with status: completed');
			const { files: readFiles, ...rest } = done.output;
			assert.deepEqual(rest, {
				firstName: 'paged', eachCount: 2, second: 'wait', optional: null, manyCount: 2, manySecond: null, folders: [],
			});
			assert.equal(readFiles.length, 1);
			assert.equal(readFiles[0].name, 'nested.txt');
			assert.equal(readFiles[0].path, 'sub/nested.txt');
			assert.ok(path.isAbsolute(readFiles[0].fullPath) && readFiles[0].fullPath.endsWith('/sub/nested.txt'), readFiles[0].fullPath);
			const each = stepEvents(events, 'entities');
			assert.deepEqual(each[0].body, { message: 'Beginning step catalog:fetch', stepId: 'entities', status: 'processing' });
			assert.deepEqual(each.at(-1).body, { message: 'Finished step catalog:fetch', stepId: 'entities', status: 'completed' });
		});

		it('debug:log with listWorkspace logs the workspace\'s files', () => {
			const lines = stepEvents(events, 'list').map((e) => e.body.message).filter((m) => ACTION_LOG_RE.test(m));
			for (const f of ['delete-me.txt', 'raw.txt', 'sub/nested.txt'])
				assert.ok(lines.some((m) => m.endsWith(`: ${f}`)), `${f} listed: ${lines.join(' | ')}`);
		});

		it('catalog:fetch of a missing entity without optional fails with NotFoundError', async () => {
			const id = await api.create('template:default/misc', { failAtEnd: true });
			const ev = await api.finished(id);
			assert.equal(stepEvents(ev, 'required').at(-1).body.status, 'failed');
			const done = completionOf(ev).body;
			assert.equal(done.message, 'Run completed with status: failed');
			assert.equal(done.error.name, 'NotFoundError');
			assert.ok(!('output' in done), 'no output for a failed run');
		});
	});

	describe('reading files a template may not read', () => {
		for (const url of ['file:///etc/hostname', '/etc/hostname', '../basic/template.yaml', '../../../../../../etc/hostname', 'http://127.0.0.1:1/x']) {
			it(`fetch:plain:file ${url} fails the step`, async () => {
				const id = await api.create('template:default/read-outside', { url });
				const ev = await api.finished(id);
				const read = stepEvents(ev, 'read').at(-1).body;
				assert.equal(read.status, 'failed', JSON.stringify(ev));
				assert.ok(read.message.includes(url), read.message);
				assert.equal(completionOf(ev).body.message, 'Run completed with status: failed');
				assert.ok(!ev.some((e) => /got\.txt/.test(e.body.message)), 'nothing was copied');
			});
		}

		it('a file of the template\'s own directory can be read', async () => {
			const id = await api.create('template:default/read-outside', { url: './plain/raw.txt' });
			const ev = await api.finished(id);
			assert.equal(completionOf(ev).body.message, 'Run completed with status: completed');
			assert.ok(stepEvents(ev, 'show').some((e) => e.body.message.endsWith(': got.txt:\nraw ${{ values.name }} stays\n')),
				stepEvents(ev, 'show').map((e) => e.body.message).join(' | '));
		});
	});

	describe('catalog:register', () => {
		it('registers a url location and outputs the entity ref; the entity appears in the catalog', async () => {
			const url = files.url('/repo/catalog-info.yaml');
			const id = await api.create('template:default/register', { catalogInfoUrl: url });
			const events = await api.finished(id);
			const done = completionOf(events).body;
			assert.deepEqual(done, {
				message: 'Run completed with status: completed',
				output: { entityRef: 'component:default/registered-one', catalogInfoUrl: url },
			});
			const catalog = catalogApi(srv.url);
			const e = await waitFor(() => catalog.entity('component:default/registered-one'), { what: 'the registered entity' });
			assert.equal(e.metadata.annotations['backstage.io/managed-by-location'], `url:${url}`);
		});

		it('a location that cannot be read fails the step', async () => {
			const id = await api.create('template:default/register', { catalogInfoUrl: files.url('/repo/missing.yaml') });
			const events = await api.finished(id);
			assert.equal(stepEvents(events, 'register').at(-1).body.status, 'failed');
			const done = completionOf(events).body;
			assert.equal(done.message, 'Run completed with status: failed');
			assert.equal(typeof done.error.name, 'string');
			assert.equal((await api.task(id)).status, 'failed');
		});
	});
});
