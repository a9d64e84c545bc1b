// TechDocs built in-process: a site is built from mkdocs.yml and Markdown
// (next to the entity's file, or in a git repository) in the background as
// soon as its entity is in the catalog, the sync stream rebuilds it, the
// metadata and static endpoints serve it Backstage's way, a site whose
// sources did not change is not rebuilt, a changed one is, and a broken one
// says why.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { catalogApi, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS, removeDir, tempDir } from './lib/server.mjs';

const SITE = fileURLToPath(new URL('../fixtures/techdocs/site/', import.meta.url));
const ENTITY = (name, ref) => ({ apiVersion: 'backstage.io/v1alpha1', kind: 'Component',
	metadata: { name, title: `The ${name}`, annotations: { 'backstage.io/techdocs-ref': ref } },
	spec: { type: 'service', lifecycle: 'production', owner: 'group:default/platform-team' } });

/* The frames of a sync stream: [{event, data}]. */
async function sync(url, ref) {
	const [kind, rest] = ref.split(':');
	const [ns, name] = rest.split('/');
	const res = await fetch(`${url}/api/techdocs/sync/${ns}/${kind}/${name}`);
	assert.equal(res.status, 200);
	assert.equal(res.headers.get('content-type'), 'text/event-stream');
	const text = await res.text();
	return text.split('\n\n').filter(Boolean).map((f) => {
		const event = /^event: (.*)$/m.exec(f)[1];
		return { event, data: JSON.parse(/^data: (.*)$/m.exec(f)[1]) };
	});
}

function git(cwd, ...args) {
	return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'T',
		GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
}

describe('TechDocs', { skip: OWN_PROCESS }, () => {
	let dir;
	let srv;
	let base;

	before(async () => {
		dir = tempDir('stagehand-techdocs-');
		cpSync(SITE, path.join(dir, 'site'), { recursive: true });
		cpSync(SITE, path.join(dir, 'changing'), { recursive: true });
		// A site in a git repository, on a branch, in a sub-folder.
		const work = path.join(dir, 'work');
		cpSync(SITE, path.join(work, 'handbook'), { recursive: true });
		git(dir, 'init', '-q', '-b', 'trunk', work);
		git(work, 'add', '.');
		git(work, 'commit', '-q', '-m', 'docs');
		git(dir, 'clone', '-q', '--bare', work, path.join(dir, 'docs.git'));
		const entities = [
			ENTITY('payments', 'dir:./site'),
			ENTITY('changing', 'dir:./changing'),
			ENTITY('broken', 'dir:./nowhere'),
			ENTITY('escaping', 'dir:../..'),
			ENTITY('forbidden', 'url:https://docs.not-allowed.example/acme/handbook/tree/main/docs'),
			ENTITY('from-git', `url:file://${path.join(dir, 'docs.git')}/tree/trunk/handbook`),
			{ ...ENTITY('no-docs', 'dir:.'), metadata: { name: 'no-docs' } },
		];
		writeFileSync(path.join(dir, 'catalog-info.yaml'), entities.map((e) => JSON.stringify(e)).join('\n---\n'));
		srv = await startCatalogServer({ locations: [{ type: 'file', target: path.join(dir, 'catalog-info.yaml') }],
			extra: { techdocs: { recheckSeconds: 0 } } });
		base = `${srv.url}/api/techdocs`;
		const api = catalogApi(srv.url);
		await waitFor(async () => (await api.entity('component:default/no-docs')) !== null, { what: 'entities' });
	});

	after(async () => {
		await srv?.stopCleanly();
		if (dir)
			removeDir(dir);
	});

	it('builds a site in the background once its entity is in the catalog', async () => {
		for (const name of ['payments', 'changing', 'from-git'])
			await waitFor(async () => (await fetch(`${base}/metadata/techdocs/default/component/${name}`)).status === 200,
				{ what: `the ${name} site` });
		const res = await fetch(`${base}/metadata/techdocs/default/component/broken`);
		assert.equal(res.status, 404);
		assert.equal((await res.json()).error.message, "Unable to get metadata for 'component:default/broken'");
	});

	it('sync rebuilds a changed site and streams its log, ending with finish {updated: true}', async () => {
		const index = path.join(dir, 'site/docs/index.md');
		writeFileSync(index, `${readFileSync(index, 'utf8')}\nOne more line.\n`);
		const frames = await sync(srv.url, 'component:default/payments');
		const logs = frames.filter((f) => f.event === 'log').map((f) => f.data);
		assert.ok(logs.some((l) => /Step 1 of 3: Preparing docs for entity component:default\/payments/.test(l)));
		assert.ok(logs.some((l) => /Step 3 of 3: Publishing docs/.test(l)));
		assert.ok(logs.some((l) => /the nav names guides\/missing\.md, which is not in the docs/.test(l)));
		assert.ok(logs.some((l) => /plugin "mermaid2" is not supported and is ignored/.test(l)));
		// A broken page: each problem named by file and line; the page still built.
		assert.ok(logs.some((l) => /unlisted\.md:3: link 'old-guide\.md' points to a page that does not exist/.test(l)));
		assert.ok(logs.some((l) => /unlisted\.md:5: unknown admonition type 'bogus'/.test(l)));
		assert.deepEqual(frames.at(-1), { event: 'finish', data: { updated: true } });
	});

	it('metadata: techdocs_metadata.json and the entity with its docs location', async () => {
		const meta = await (await fetch(`${base}/metadata/techdocs/default/component/payments`)).json();
		assert.equal(meta.site_name, 'Payments service');
		assert.equal(meta.site_description, 'How payments work');
		assert.equal(meta.engine, 'mkdocs');
		assert.ok(meta.build_timestamp > 0);
		assert.deepEqual(meta.files.sort(), ['guides/setup/index.html', 'img/arch.png', 'index.html',
			'search/search_index.json', 'techdocs_metadata.json', 'unlisted/index.html'].sort());
		const entity = await (await fetch(`${base}/metadata/entity/default/component/payments`)).json();
		assert.equal(entity.metadata.name, 'payments');
		assert.deepEqual(entity.locationMetadata, { type: 'dir', target: path.join(dir, 'site') });
	});

	it('static: pages as text, assets as they are, directory urls, case redirects, 404s', async () => {
		const home = await fetch(`${base}/static/docs/default/component/payments/index.html`);
		assert.equal(home.status, 200);
		assert.equal(home.headers.get('content-type'), 'text/plain; charset=utf-8');
		const html = await home.text();
		assert.match(html, /<article class="md-content__inner md-typeset">/);
		assert.match(html, /<h1 id="payments">Payments/);
		assert.match(html, /href="guides\/setup\/#install"/);
		const setup = await (await fetch(`${base}/static/docs/default/component/payments/guides/setup/`)).text();
		assert.match(setup, /class="admonition note"/);
		assert.match(setup, /href="\.\.\/\.\.\/"/);
		const img = await fetch(`${base}/static/docs/default/component/payments/img/arch.png`);
		assert.equal(img.headers.get('content-type'), 'image/png');
		assert.deepEqual(Buffer.from(await img.arrayBuffer()), readFileSync(path.join(SITE, 'docs/img/arch.png')));
		const site = await (await fetch(`${base}/static/docs/default/component/payments/site.json`)).json();
		assert.deepEqual(site.pages.map((p) => [p.url, p.title, p.prev, p.next]), [
			['', 'Payments', null, 'guides/setup/'], ['guides/setup/', 'Setting up', '', 'unlisted/'],
			['unlisted/', 'Unlisted', 'guides/setup/', null]]);
		assert.equal(site.repo_url, 'https://github.com/acme/payments');
		assert.equal(site.edit_uri, 'edit/main/docs/');
		const index = await (await fetch(`${base}/static/docs/default/component/payments/search/search_index.json`)).json();
		assert.ok(index.docs.some((d) => d.location === 'guides/setup/#install' && d.title === 'Install'));
		const missing = await fetch(`${base}/static/docs/default/component/payments/nope/`);
		assert.equal(missing.status, 404);
		assert.equal((await missing.json()).error.message, 'Page not found.');
		const upper = await fetch(`${base}/static/docs/default/Component/payments/index.html`, { redirect: 'manual' });
		assert.equal(upper.status, 301);
		assert.equal(upper.headers.get('location'), '/api/techdocs/static/docs/default/component/payments/index.html');
	});

	it('a site whose sources did not change is not rebuilt; a changed one is', async () => {
		const first = await (await fetch(`${base}/metadata/techdocs/default/component/changing`)).json();
		let frames = await sync(srv.url, 'component:default/changing');
		assert.deepEqual(frames.at(-1), { event: 'finish', data: { updated: false } });
		assert.ok(frames.some((f) => f.event === 'log' && /The sources did not change/.test(f.data)));
		writeFileSync(path.join(dir, 'changing/docs/guides/setup.md'), '# Set up again\n\nNew text.\n');
		frames = await sync(srv.url, 'component:default/changing');
		assert.deepEqual(frames.at(-1).data, { updated: true });
		const second = await (await fetch(`${base}/metadata/techdocs/default/component/changing`)).json();
		assert.ok(second.build_timestamp > first.build_timestamp);
		const page = await (await fetch(`${base}/static/docs/default/component/changing/guides/setup/`)).text();
		assert.match(page, /New text\./);
		mkdirSync(path.join(dir, 'changing/docs/more'));
		writeFileSync(path.join(dir, 'changing/docs/more/page.md'), '# More\n');
		frames = await sync(srv.url, 'component:default/changing');
		assert.deepEqual(frames.at(-1).data, { updated: true });
		assert.equal((await fetch(`${base}/static/docs/default/component/changing/more/page/`)).status, 200);
	});

	it('a site in a git repository is cloned at its branch and built; an unchanged one is left alone', async () => {
		const frames = await sync(srv.url, 'component:default/from-git');
		assert.deepEqual(frames.at(-1), { event: 'finish', data: { updated: false } }, JSON.stringify(frames));
		const html = await (await fetch(`${base}/static/docs/default/component/from-git/`)).text();
		assert.match(html, /<h1 id="payments">Payments/);
		const entity = await (await fetch(`${base}/metadata/entity/default/component/from-git`)).json();
		assert.equal(entity.locationMetadata.type, 'url');
	});

	it('a site that cannot be built ends the stream with an error naming why', async () => {
		let frames = await sync(srv.url, 'component:default/broken');
		assert.equal(frames.at(-1).event, 'error');
		assert.match(frames.at(-1).data, /Failed to build the docs page for entity component:default\/broken: the docs folder \.\/nowhere does not exist/);
		frames = await sync(srv.url, 'component:default/escaping');
		assert.equal(frames.at(-1).event, 'error');
		assert.match(frames.at(-1).data, /outside the entity's folder/);
		frames = await sync(srv.url, 'component:default/forbidden');
		assert.equal(frames.at(-1).event, 'error');
		assert.match(frames.at(-1).data, /url:https:\/\/docs\.not-allowed\.example\/\S+ is not allowed by backend\.reading\.allow/);
		const res = await fetch(`${base}/metadata/techdocs/default/component/broken`);
		assert.equal(res.status, 404);
	});

	it('unknown entities are 404 everywhere', async () => {
		for (const p of ['/sync/default/component/ghost', '/metadata/entity/default/component/ghost',
			'/metadata/techdocs/default/component/ghost']) {
			const res = await fetch(base + p);
			assert.equal(res.status, 404, p);
			assert.equal((await res.json()).error.name, 'NotFoundError');
		}
	});
});
