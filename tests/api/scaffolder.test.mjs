// The scaffolder's REST API (/api/scaffolder/v2, spec: scaffolder.md) against
// the real server: actions, parameter schemas, creating tasks and their
// validation, running templates (events by long poll and by SSE, the files a
// run pushes to a bare git repository), task lists, failures, cancel, retry,
// secrets, dry runs and the templating rules a client can observe.
// Restarts (kill -9 with a task running) are in scaffolder-restart.test.mjs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { UUID_RE, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { JSON_TYPE, OWN_PROCESS, REPO_ROOT, expectError, rawRequest, removeDir, tempDir } from './lib/server.mjs';
import { client, stepEvents, completionOf, treeOf } from './lib/scaffolder.mjs';

const FIX = path.join(REPO_ROOT, 'tests', 'fixtures', 'scaffolder');
const BASIC = path.join(FIX, 'basic', 'template.yaml');
const BASIC_SKELETON = path.join(FIX, 'basic', 'skeleton');
const API_TEMPLATES = path.join(FIX, 'api', 'templates.yaml');
const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ACTION_LOG_RE = /^\u001b\[3\dm(?:info|debug|warn|error)\u001b\[39m: /;
const SECRET = 's3cr3t-value';

// ---- helpers -------------------------------------------------------------------------

const messages = (events) => events.map((e) => e.body.message);

function git(args, opts = {}) {
	return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

function bareRepo(parent, name) {
	const dir = path.join(parent, name);
	git(['init', '-q', '--bare', '-b', 'main', dir]);
	return dir;
}


function cloneTree(bare, into) {
	git(['clone', '-q', '-b', 'main', bare, into]);
	return treeOf(into);
}

/** What the basic template renders for these values (derived from the skeleton files). */
function basicExpected({ name, owner, description, useDb, modules }) {
	const read = (p) => readFileSync(path.join(BASIC_SKELETON, p), 'utf8');
	const files = {
		'README.md': `# ${name}\n\n${description}\n${useDb ? '\nThis service has a database.\n' : ''}\nModules:\n`
			+ modules.map((m, i) => `\n- ${i + 1}. ${m}${i === modules.length - 1 ? ' (last)' : ''}\n`).join('')
			+ '\nLiteral ${{ not.rendered }}\n',
		'catalog-info.yaml': read('catalog-info.yaml').replace('${{ values.name }}', name)
			.replace('${{ values.description }}', description).replace('${{ values.owner }}', owner),
		[`${name}-docs/index.md`]: read('${{ values.name }}-docs/index.md').replace('${{ values.name }}', name),
		'src/main.c': read('src/main.c').replace('${{ values.name | upper }}', name.toUpperCase()),
	};
	if (useDb)
		files['db.yaml'] = `schema: ${name}\n`;
	return files;
}

function sortedObject(o) {
	return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Assert the shape every event has. */
function assertEventShape(e, taskId) {
	for (const k of ['id', 'taskId', 'type', 'createdAt', 'body'])
		assert.ok(k in e, `event has ${k}: ${JSON.stringify(e)}`);
	assert.ok(Number.isInteger(e.id) && e.id > 0, `integer id: ${JSON.stringify(e)}`);
	assert.equal(e.taskId, taskId);
	assert.ok(['log', 'completion', 'cancelled', 'recovered'].includes(e.type), `event type ${e.type}`);
	assert.match(e.createdAt, ISO_RE);
	assert.equal(typeof e.body, 'object');
}

function assertIncreasing(events) {
	for (let i = 1; i < events.length; i++)
		assert.ok(events[i].id > events[i - 1].id, `event ids increase: ${events[i - 1].id} then ${events[i].id}`);
}

/** Parse a complete text/event-stream body into [{event, data}], asserting the framing. */
function parseSse(text) {
	assert.ok(text.endsWith('\n\n'), `the stream ends with a blank line: ${JSON.stringify(text.slice(-80))}`);
	const frames = text.slice(0, -2).split('\n\n');
	return frames.map((f) => {
		const m = /^event: (\w+)\ndata: (.*)$/.exec(f);
		assert.ok(m, `an SSE frame is "event: <type>\\ndata: <json>": ${JSON.stringify(f)}`);
		const data = JSON.parse(m[2]);
		assert.equal(data.type, m[1], 'event: names the event type');
		return { event: m[1], data };
	});
}

// ---- the suite ---------------------------------------------------------------------------

describe('scaffolder REST API', { skip: OWN_PROCESS }, () => {
	let srv;
	let api;
	let tmp;
	const basicValues = (remoteUrl, extra = {}) => ({
		name: 'demo', owner: 'group:default/team-a', description: 'A demo service',
		useDb: true, modules: ['api', 'worker', 'cli'], remoteUrl, ...extra,
	});

	before(async () => {
		tmp = tempDir('stagehand-scaffolder-');
		srv = await startCatalogServer({
			locations: [{ type: 'file', target: BASIC }, { type: 'file', target: API_TEMPLATES }],
			extra: {
				scaffolder: {
					defaultAuthor: { name: 'Portal Bot', email: 'portal-bot@example.com' },
					defaultCommitMessage: 'Scaffolded by the portal',
				},
			},
		});
		api = client(srv.url);
		await waitFor(async () => (await api.get('/templates/default/template/basic-service/parameter-schema')).status === 200
			&& (await api.get('/templates/default/template/expressions/parameter-schema')).status === 200,
		{ what: 'the templates to be in the catalog' });
	});

	after(async () => {
		await srv?.stopCleanly();
		if (tmp)
			removeDir(tmp);
	});

	// ---- actions, schemas, extensions -------------------------------------------------

	describe('GET /v2/actions', () => {
		it('lists every built-in action once, sorted by id, as {id, description, examples, schema:{input, output}}', async () => {
			const actions = await api.json('/actions');
			assert.ok(Array.isArray(actions));
			const ids = actions.map((a) => a.id);
			assert.deepEqual(ids, [...ids].sort(), 'sorted by id');
			assert.equal(new Set(ids).size, ids.length, 'no duplicates');
			for (const want of ['catalog:fetch', 'catalog:register', 'catalog:write', 'debug:log', 'debug:wait',
				'fetch:plain', 'fetch:plain:file', 'fetch:template', 'fetch:template:file', 'fs:delete', 'fs:rename',
				'publish:git'])
				assert.ok(ids.includes(want), `${want} is listed: ${ids.join(', ')}`);
			for (const a of actions) {
				assert.deepEqual(Object.keys(a).sort(), ['description', 'examples', 'id', 'schema'], `keys of ${a.id}`);
				assert.equal(typeof a.description, 'string');
				assert.ok(a.description.length > 0, `${a.id} has a description`);
				assert.ok(Array.isArray(a.examples), `${a.id}: examples is an array`);
				assert.deepEqual(Object.keys(a.schema).sort(), ['input', 'output'], `${a.id}: schema keys`);
				assert.equal(typeof a.schema.input, 'object');
				assert.equal(typeof a.schema.output, 'object');
			}
		});

		it('input schemas name the required inputs', async () => {
			const actions = await api.json('/actions');
			const byId = Object.fromEntries(actions.map((a) => [a.id, a]));
			assert.equal(byId['fetch:template'].schema.input.type, 'object');
			assert.ok(byId['fetch:template'].schema.input.required.includes('url'));
			assert.deepEqual([...byId['fetch:plain:file'].schema.input.required].sort(), ['targetPath', 'url']);
			assert.ok(byId['fs:rename'].schema.input.required.includes('files'));
			assert.ok(byId['catalog:write'].schema.input.required.includes('entity'));
			assert.ok(byId['publish:git'].schema.input.required.includes('remoteUrl'));
			for (const k of ['remoteUrl', 'commitHash', 'repoContentsUrl'])
				assert.ok(k in byId['publish:git'].schema.output.properties, `publish:git outputs ${k}`);
		});
	});

	describe('GET /v2/templates/:namespace/:kind/:name/parameter-schema', () => {
		it('answers title, description and one step per page, properties in the file\'s order', async () => {
			const s = await api.json('/templates/default/template/basic-service/parameter-schema');
			assert.deepEqual(s, {
				title: 'Basic service',
				description: 'A small service rendered from a skeleton, pushed to a git remote',
				steps: [
					{
						title: 'About the service',
						schema: {
							required: ['name', 'owner'],
							properties: {
								name: { type: 'string', title: 'Name', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40, 'ui:field': 'EntityNamePicker' },
								owner: { type: 'string', title: 'Owner', 'ui:field': 'OwnerPicker' },
								description: { type: 'string', default: 'A service' },
								useDb: { type: 'boolean', title: 'Add a database', default: false },
							},
						},
					},
					{
						title: 'Where to put it',
						schema: {
							required: ['remoteUrl'],
							properties: {
								remoteUrl: { type: 'string', title: 'Git remote' },
								modules: { type: 'array', items: { type: 'string' }, default: ['api', 'worker'] },
							},
						},
					},
				],
			});
			assert.deepEqual(Object.keys(s.steps[0].schema.properties), ['name', 'owner', 'description', 'useDb']);
		});

		it('keeps when and page descriptions, defaults the title, adds ui:options and presentation', async () => {
			const s = await api.json('/templates/default/template/paged/parameter-schema');
			assert.deepEqual(s, {
				title: 'Paged form',
				description: 'Pages with when, descriptions and form options',
				'ui:options': { foo: 'bar' },
				presentation: { buttonLabels: { createButtonText: 'Make it' } },
				steps: [
					{
						title: 'First page',
						description: 'The basics',
						schema: {
							required: ['zeta', 'alpha'],
							properties: {
								zeta: { type: 'string', title: 'Zeta' },
								alpha: { type: 'string', title: 'Alpha' },
								mid: { type: 'integer', minimum: 1 },
								kind: { type: 'string', enum: ['lib', 'app'] },
							},
						},
					},
					{
						title: 'Library page',
						when: '${{ parameters.kind == "lib" }}',
						schema: { required: ['libName'], properties: { libName: { type: 'string' } } },
					},
					{
						title: 'Please enter the following information',
						schema: { properties: { note: { type: 'string' } } },
					},
				],
			});
			assert.deepEqual(Object.keys(s.steps[0].schema.properties), ['zeta', 'alpha', 'mid', 'kind']);
		});

		it('one parameters object is one page; no parameters, no pages; the title falls back to the name; refs ignore case', async () => {
			const one = { title: 'Waits', steps: [{ title: 'Please enter the following information', schema: { properties: { seconds: { type: 'integer' } } } }] };
			assert.deepEqual(await api.json('/templates/default/template/wait/parameter-schema'), one);
			assert.deepEqual(await api.json('/templates/DEFAULT/Template/Wait/parameter-schema'), one);
			assert.deepEqual(await api.json('/templates/default/template/no-url/parameter-schema'), { title: 'no-url', steps: [] });
		});

		it('404 NotFoundError for an unknown template', async () => {
			const p = '/templates/default/template/no-such-template/parameter-schema';
			await expectError(await fetch(api.root + p), { status: 404, name: 'NotFoundError', method: 'GET', url: `/v2${p}` });
		});

		it('400 InputError for an entity that is not a Template', async () => {
			const res = await fetch(`${api.root}/templates/default/component/not-a-template/parameter-schema`);
			await expectError(res, { status: 400, name: 'InputError', method: 'GET' });
		});
	});

	describe('GET /v2/templating-extensions', () => {
		it('answers {filters, globals:{functions, values}} with the Backstage filters', async () => {
			const x = await api.json('/templating-extensions');
			assert.deepEqual(Object.keys(x).sort(), ['filters', 'globals']);
			assert.deepEqual(x.globals, { functions: {}, values: {} });
			for (const f of ['parseRepoUrl', 'parseEntityRef', 'pick', 'projectSlug']) {
				assert.ok(f in x.filters, `filter ${f} listed`);
				assert.equal(typeof x.filters[f].description, 'string');
				assert.ok(Array.isArray(x.filters[f].examples), `${f}: examples`);
				for (const ex of x.filters[f].examples)
					assert.equal(typeof ex.example, 'string');
			}
		});

		it('each filter has description, schema and examples', async () => {
			const x = await api.json('/templating-extensions');
			for (const [name, f] of Object.entries(x.filters)) {
				assert.deepEqual(Object.keys(f).sort(), ['description', 'examples', 'schema'], `keys of filter ${name}`);
				assert.equal(typeof f.schema, 'object');
			}
		});
	});

	// ---- creating tasks ---------------------------------------------------------------

	describe('POST /v2/tasks', () => {
		it('201 {id} with a UUID; a templateRef without kind works too', async () => {
			const a = await api.create('template:default/paged', { zeta: 'z', alpha: 'a' });
			const b = await api.create('default/paged', { zeta: 'z', alpha: 'a' });
			assert.notEqual(a, b);
			assert.equal(completionOf(await api.finished(b)).body.message, 'Run completed with status: completed');
			assert.equal((await api.task(b)).spec.templateInfo.entityRef, 'template:default/paged');
			await api.finished(a);
		});

		it('400 {errors} in jsonschema\'s shape for values that break a pattern and a required field', async () => {
			const values = { name: 'Bad Name', remoteUrl: '/x' };
			const r = await api.post('/tasks', { templateRef: 'template:default/basic-service', values });
			assert.equal(r.status, 400, r.text);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			assert.deepEqual(Object.keys(r.json), ['errors']);
			const pattern = r.json.errors.find((e) => e.name === 'pattern');
			const required = r.json.errors.find((e) => e.name === 'required');
			assert.equal(r.json.errors.length, 2, JSON.stringify(r.json.errors));
			assert.deepEqual(pattern, {
				path: ['name'],
				property: 'instance.name',
				message: 'does not match pattern "^[a-z][a-z0-9-]*$"',
				schema: { type: 'string', title: 'Name', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40, 'ui:field': 'EntityNamePicker' },
				instance: 'Bad Name',
				name: 'pattern',
				argument: '^[a-z][a-z0-9-]*$',
				stack: 'instance.name does not match pattern "^[a-z][a-z0-9-]*$"',
			});
			assert.deepEqual(required.path, []);
			assert.equal(required.property, 'instance');
			assert.equal(required.message, 'requires property "owner"');
			assert.equal(required.argument, 'owner');
			assert.deepEqual(required.instance, values);
			assert.equal(required.stack, 'instance requires property "owner"');
			assert.deepEqual(required.schema.required, ['name', 'owner']);
		});

		it('400 for a value of the wrong type and one below its minimum', async () => {
			const r = await api.post('/tasks', { templateRef: 'template:default/paged', values: { zeta: 'z', alpha: 7, mid: 0 } });
			assert.equal(r.status, 400, r.text);
			const byProp = Object.fromEntries(r.json.errors.map((e) => [e.property, e]));
			assert.equal(byProp['instance.alpha']?.name, 'type', r.text);
			assert.deepEqual(byProp['instance.alpha'].path, ['alpha']);
			assert.equal(byProp['instance.mid']?.name, 'minimum', r.text);
			assert.equal(byProp['instance.mid'].argument, 1);
			for (const e of r.json.errors)
				assert.equal(typeof e.message, 'string');
		});

		it('a page whose when is false is not validated and its values are removed; a true one is validated', async () => {
			const id = await api.create('template:default/paged', { zeta: 'z', alpha: 'a', kind: 'app', libName: 'gone', note: 'n' });
			const ev = await api.finished(id);
			assert.deepEqual(completionOf(ev).body.output, { params: { zeta: 'z', alpha: 'a', kind: 'app', note: 'n' } });
			const r = await api.post('/tasks', { templateRef: 'template:default/paged', values: { zeta: 'z', alpha: 'a', kind: 'lib' } });
			assert.equal(r.status, 400, r.text);
			assert.ok(r.json.errors.some((e) => e.name === 'required' && e.argument === 'libName'), r.text);
		});

		it('validates $ref, dependencies/oneOf, if/then, uniqueItems; an invalid when counts as true, when: false hides a page', async () => {
			const ref = 'template:default/schema-keywords';
			const cases = [
				[{ kind: 'lib', extra: 'x', always: 'a' }, null],
				[{ kind: 'app', port: 80, always: 'a' }, null],
				[{ kind: 'lib', always: 'a' }, ['instance', 'dependencies']],
				[{ kind: 'app', always: 'a' }, ['instance', 'required', 'port']],
				[{ kind: 'app', port: 70000, always: 'a' }, ['instance.port', 'maximum', 65535]],
				[{ kind: 'lib', extra: 'x', tags: ['a', 'a'], always: 'a' }, ['instance.tags', 'uniqueItems']],
				[{ kind: 'lib', extra: 'x' }, ['instance', 'required', 'always']],
			];
			for (const [values, want] of cases) {
				const r = await api.post('/tasks', { templateRef: ref, values });
				if (want === null) {
					assert.equal(r.status, 201, `${JSON.stringify(values)}: ${r.text}`);
					await api.finished(r.json.id);
					continue;
				}
				assert.equal(r.status, 400, `${JSON.stringify(values)}: ${r.text}`);
				const e = r.json.errors.find((x) => x.property === want[0] && x.name === want[1]);
				assert.ok(e, `${JSON.stringify(values)}: an error ${want} in ${r.text}`);
				if (want.length > 2)
					assert.deepEqual(e.argument, want[2]);
			}
			const id = await api.create(ref, { kind: 'lib', extra: 'x', always: 'a', never: 'n' });
			assert.deepEqual(completionOf(await api.finished(id)).body.output, { params: { kind: 'lib', extra: 'x', always: 'a' } },
				'values only a hidden page defines are removed');
		});

		it('400 InputError (error envelope) without a templateRef', async () => {
			const res = await fetch(`${api.root}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ values: {} }) });
			await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/v2/tasks' });
		});

		it('400 InputError when values is not an object or the body is not an object', async () => {
			for (const body of [{ templateRef: 'template:default/paged', values: 'x' }, [1, 2]]) {
				const res = await fetch(`${api.root}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/v2/tasks' });
			}
		});

		it('many tasks at once all complete, each with its own events', async () => {
			const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => api.create('template:default/paged', { zeta: `p${i}`, alpha: 'a' })));
			const all = await Promise.all(ids.map((id) => api.finished(id)));
			const seen = new Set();
			all.forEach((ev, i) => {
				assert.equal(completionOf(ev).body.output.params.zeta, `p${i}`);
				for (const e of ev) {
					assert.equal(e.taskId, ids[i]);
					assert.ok(!seen.has(e.id), `event id ${e.id} used twice`);
					seen.add(e.id);
				}
			});
		});

		it('400 for a malformed JSON body', async () => {
			const res = await fetch(`${api.root}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"templateRef": "template:default/paged", ' });
			await expectError(res, { status: 400, method: 'POST' });
		});

		it('404 NotFoundError for an unknown template', async () => {
			const res = await fetch(`${api.root}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ templateRef: 'template:default/nope', values: {} }) });
			await expectError(res, { status: 404, name: 'NotFoundError', method: 'POST' });
		});

		it('400 for a templateRef of another kind', async () => {
			const res = await fetch(`${api.root}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ templateRef: 'component:default/not-a-template', values: {} }) });
			await expectError(res, { status: 400, name: 'InputError', method: 'POST' });
		});
	});

	// ---- a real run ---------------------------------------------------------------------

	describe('running the basic template', () => {
		const runs = {};

		before(async () => {
			for (const useDb of [true, false]) {
				const bare = bareRepo(tmp, `basic-${useDb}.git`);
				const values = basicValues(bare, useDb ? {} : { useDb, name: 'plain', description: 'Ünïcødé ✓ “quoted” service' });
				const id = await api.create('template:default/basic-service', values);
				runs[useDb] = { id, bare, values, events: await api.finished(id) };
			}
		});

		it('events have the documented shape and globally increasing ids', () => {
			for (const run of Object.values(runs)) {
				for (const e of run.events)
					assertEventShape(e, run.id);
				assertIncreasing(run.events);
			}
			assert.ok(runs.false.events[0].id > runs.true.events.at(-1).id, 'one id sequence for all tasks');
		});

		it('logs start, steps, action lines, skips and one completion, in order', () => {
			const ev = runs.true.events;
			assert.deepEqual(ev[0].body, { message: 'Starting up task with 3 steps' });
			assert.deepEqual(ev[1].body, { message: 'Beginning step Fetch skeleton', stepId: 'fetch', status: 'processing' });
			const fetchDone = ev.findIndex((e) => e.body.message === 'Finished step Fetch skeleton');
			assert.ok(fetchDone > 2, messages(ev).join('\n'));
			assert.deepEqual(ev[fetchDone].body, { message: 'Finished step Fetch skeleton', stepId: 'fetch', status: 'completed' });
			for (const e of ev.slice(2, fetchDone)) {
				assert.equal(e.type, 'log');
				assert.equal(e.body.stepId, 'fetch');
				assert.match(e.body.message, ACTION_LOG_RE);
			}
			const log = stepEvents(ev, 'log');
			assert.deepEqual(log[0].body, { message: 'Beginning step debug:log', stepId: 'log', status: 'processing' });
			assert.ok(log.some((e) => ACTION_LOG_RE.test(e.body.message) && e.body.message.endsWith('Database enabled for demo')), messages(log).join('\n'));
			assert.deepEqual(log.at(-1).body, { message: 'Finished step debug:log', stepId: 'log', status: 'completed' });
			const pub = stepEvents(ev, 'publish');
			assert.deepEqual(pub[0].body, { message: 'Beginning step Publish', stepId: 'publish', status: 'processing' });
			assert.deepEqual(pub.at(-1).body, { message: 'Finished step Publish', stepId: 'publish', status: 'completed' });
			assert.equal(ev.at(-1).type, 'completion');
			completionOf(ev);
			// steps strictly in order
			const firstOf = (id) => ev.findIndex((e) => e.body.stepId === id);
			assert.ok(firstOf('fetch') < firstOf('log') && firstOf('log') < firstOf('publish'));
		});

		it('a step whose if is false is skipped with a log line', () => {
			const ev = runs.false.events;
			assert.deepEqual(stepEvents(ev, 'log').map((e) => e.body), [
				{ message: 'Skipping step log because its if condition was false', stepId: 'log', status: 'skipped' },
			]);
		});

		it('the completion carries the rendered output; links whose if is false are dropped', () => {
			const hashTrue = git(['--git-dir', runs.true.bare, 'rev-parse', 'main']).trim();
			const hashFalse = git(['--git-dir', runs.false.bare, 'rev-parse', 'main']).trim();
			assert.deepEqual(completionOf(runs.true.events).body, {
				message: 'Run completed with status: completed',
				output: {
					links: [{ title: 'Repository', url: runs.true.bare }, { title: 'Database docs', url: 'https://example.com/db' }],
					commit: hashTrue,
				},
			});
			assert.deepEqual(completionOf(runs.false.events).body, {
				message: 'Run completed with status: completed',
				output: { links: [{ title: 'Repository', url: runs.false.bare }], commit: hashFalse },
			});
		});

		it('the pushed repository holds exactly the rendered files', () => {
			for (const useDb of [true, false]) {
				const run = runs[useDb];
				const got = cloneTree(run.bare, path.join(tmp, `clone-basic-${useDb}`));
				assert.deepEqual(sortedObject(got), sortedObject(basicExpected(run.values)), `files pushed with useDb=${useDb}`);
			}
		});

		it('one commit on main with the step\'s message and the configured default author', () => {
			const log = git(['--git-dir', runs.true.bare, 'log', '--format=%an|%ae|%cn|%ce|%s', 'main']).trim().split('\n');
			assert.deepEqual(log, ['Portal Bot|portal-bot@example.com|Portal Bot|portal-bot@example.com|Create demo']);
		});

		it('GET /v2/tasks/:id answers the task with the unrendered spec', async () => {
			const t = await api.task(runs.true.id);
			assert.equal(t.id, runs.true.id);
			assert.equal(t.status, 'completed');
			assert.equal(t.createdBy, 'user:default/guest');
			assert.match(t.createdAt, ISO_RE);
			assert.match(t.lastHeartbeatAt, ISO_RE);
			assert.equal(t.spec.apiVersion, 'scaffolder.backstage.io/v1beta3');
			assert.deepEqual(t.spec.parameters, runs.true.values);
			assert.deepEqual(t.spec.steps.map((s) => [s.id, s.name, s.action]), [
				['fetch', 'Fetch skeleton', 'fetch:template'], ['log', 'debug:log', 'debug:log'], ['publish', 'Publish', 'publish:git'],
			]);
			assert.deepEqual(t.spec.steps[0].input.values.name, '${{ parameters.name }}');
			assert.equal(t.spec.steps[1].if, '${{ parameters.useDb }}');
			assert.deepEqual(t.spec.steps[2].input, { remoteUrl: '${{ parameters.remoteUrl }}', commitMessage: 'Create ${{ parameters.name }}' });
			assert.deepEqual(t.spec.output.links[0], { title: 'Repository', url: '${{ steps.publish.output.remoteUrl }}' });
			assert.equal(t.spec.user.ref, 'user:default/guest');
			assert.equal(t.spec.templateInfo.entityRef, 'template:default/basic-service');
			assert.equal(t.spec.templateInfo.entity.metadata.name, 'basic-service');
			assert.equal(t.spec.templateInfo.entity.metadata.title, 'Basic service');
			assert.ok(!('secrets' in t) && !('secrets' in t.spec), 'no secrets in the task');
		});

		it('404 NotFoundError for an unknown task id on every task route', async () => {
			const id = randomUUID();
			for (const [method, p] of [['GET', `/tasks/${id}`], ['GET', `/tasks/${id}/events`], ['GET', `/tasks/${id}/eventstream`],
				['POST', `/tasks/${id}/cancel`], ['POST', `/tasks/${id}/retry`]]) {
				const res = await fetch(api.root + p, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
				await expectError(res, { status: 404, name: 'NotFoundError', method, url: `/v2${p}` });
			}
		});

		it('GET …/events returns at once when events exist; after filters but keeps the completion', async () => {
			const ev = runs.true.events;
			const t0 = performance.now();
			const all = await api.events(runs.true.id);
			assert.ok(performance.now() - t0 < 1000, 'no waiting when events exist');
			assert.deepEqual(all, ev);
			const mid = ev[4].id;
			assert.deepEqual(await api.events(runs.true.id, mid), ev.filter((e) => e.id > mid));
			const done = completionOf(ev);
			const t1 = performance.now();
			assert.deepEqual(await api.events(runs.true.id, done.id), [done], 'after = completion id');
			assert.deepEqual(await api.events(runs.true.id, done.id + 100000), [done], 'after beyond every event');
			assert.ok(performance.now() - t1 < 1000, 'a finished task never makes the long poll wait');
		});

		it('GET …/eventstream sends every event as SSE frames and closes after the completion', async () => {
			const res = await fetch(`${api.root}/tasks/${runs.true.id}/eventstream`);
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-type'), 'text/event-stream');
			assert.equal(res.headers.get('cache-control'), 'no-cache');
			const frames = parseSse(await res.text());
			assert.deepEqual(frames.map((f) => f.data), runs.true.events);
			assert.equal(frames.at(-1).event, 'completion');
		});

		// HTTP/1.1 connections persist unless "Connection: close" is sent;
		// libmicrohttpd never writes the redundant "Connection: keep-alive".
		it('GET …/eventstream over a persistent HTTP/1.1 connection is chunked and not closed by header', async () => {
			const u = new URL(srv.url);
			const r = await rawRequest(srv.url, `GET /api/scaffolder/v2/tasks/${runs.true.id}/eventstream HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n\r\n`, { timeoutMs: 1000 });
			assert.equal(r.status, 200);
			assert.equal(r.headers['content-type'], 'text/event-stream');
			assert.equal(r.headers['cache-control'], 'no-cache');
			assert.match(r.text, /event: completion\ndata: .*\n\n$/, 'the chunked body ends after the completion frame');
			assert.notEqual(r.headers.connection, 'close');
			assert.equal(r.headers['transfer-encoding'], 'chunked');
		});

		it('GET …/eventstream?after=N starts after N and still ends with the completion', async () => {
			const ev = runs.true.events;
			const n = ev[3].id;
			const res = await fetch(`${api.root}/tasks/${runs.true.id}/eventstream?after=${n}`);
			assert.equal(res.status, 200);
			const frames = parseSse(await res.text());
			assert.deepEqual(frames.map((f) => f.data), ev.filter((e) => e.id > n));
			const done = completionOf(ev);
			const only = parseSse(await (await fetch(`${api.root}/tasks/${runs.true.id}/eventstream?after=${done.id}`)).text());
			assert.deepEqual(only.map((f) => f.data), [done]);
		});
	});

	describe('live events', () => {
		it('the SSE stream delivers events as they happen and closes when the task completes', async () => {
			const id = await api.create('template:default/wait', { seconds: 1 });
			const t0 = performance.now();
			const res = await fetch(`${api.root}/tasks/${id}/eventstream`);
			assert.equal(res.status, 200);
			const reader = res.body.getReader();
			let text = '';
			let firstChunkAt = null;
			for (;;) {
				const { value, done } = await reader.read();
				if (done)
					break;
				if (firstChunkAt === null)
					firstChunkAt = performance.now() - t0;
				text += Buffer.from(value).toString('utf8');
			}
			const frames = parseSse(text);
			assert.ok(firstChunkAt < 900, `the first events arrive before the wait ends (${firstChunkAt}ms)`);
			assert.equal(frames.at(-1).event, 'completion');
			assert.deepEqual(frames.map((f) => f.data), await api.events(id));
			assert.ok(messages(frames.map((f) => f.data)).includes('Finished step After'));
		});

		it('a client that leaves an SSE stream or a long poll early does not disturb the server', async () => {
			const id = await api.create('template:default/wait', { seconds: 1 });
			const ac = new AbortController();
			const res = await fetch(`${api.root}/tasks/${id}/eventstream`, { signal: ac.signal });
			const reader = res.body.getReader();
			await reader.read();
			ac.abort();
			const ac2 = new AbortController();
			const ev = await api.events(id);
			const poll = fetch(`${api.root}/tasks/${id}/events?after=${ev.at(-1).id + 1000}`, { signal: ac2.signal }).catch(() => null);
			await new Promise((r) => setTimeout(r, 50));
			ac2.abort();
			await poll;
			const all = await api.finished(id);
			assert.equal(completionOf(all).body.message, 'Run completed with status: completed');
			assert.equal((await api.get('/actions')).status, 200);
		});

		it('a long poll with after= the last event waits for the next one', async () => {
			const id = await api.create('template:default/wait', { seconds: 1 });
			const ev = await api.until(id, (e) => e.body.message === 'Beginning step Wait', 'the wait to begin');
			const waitLine = await api.until(id, (e) => e.body.stepId === 'wait' && ACTION_LOG_RE.test(e.body.message), 'the wait to log');
			const last = waitLine.at(-1).id;
			const t0 = performance.now();
			const next = await api.events(id, last);
			const ms = performance.now() - t0;
			assert.ok(next.length > 0, 'the poll answers events, not []');
			assert.ok(next.every((e) => e.id > last));
			assert.ok(ms > 200 && ms < 5000, `the poll waited for the step to end (${ms.toFixed(0)}ms)`);
			assert.ok(ev.length > 0);
			await api.finished(id);
		});
	});

	// ---- task lists -------------------------------------------------------------------------

	describe('GET /v2/tasks', () => {
		let ids;

		before(async () => {
			ids = [];
			for (let i = 0; i < 3; i++) {
				ids.push(await api.create('template:default/paged', { zeta: `z${i}`, alpha: 'a' }));
				await api.finished(ids.at(-1));
			}
			ids.push(await api.create('template:default/unknown-action', {}));
			await api.finished(ids.at(-1));
		});

		it('answers {tasks, totalTasks}, newest first by default', async () => {
			const r = await api.json('/tasks');
			assert.deepEqual(Object.keys(r).sort(), ['tasks', 'totalTasks']);
			assert.equal(r.totalTasks, r.tasks.length);
			assert.ok(r.totalTasks >= 4);
			const times = r.tasks.map((t) => t.createdAt);
			assert.deepEqual(times, [...times].sort().reverse(), 'created_at desc');
			for (const t of r.tasks) {
				assert.match(t.id, UUID_RE);
				for (const k of ['status', 'createdBy', 'createdAt', 'spec'])
					assert.ok(k in t, `task has ${k}`);
				assert.ok(!('secrets' in t));
			}
			const mine = r.tasks.map((t) => t.id).filter((id) => ids.includes(id));
			assert.deepEqual(mine, [...ids].reverse());
		});

		it('filters by createdBy', async () => {
			const all = await api.json('/tasks');
			const guest = await api.json('/tasks?createdBy=user:default/guest');
			assert.equal(guest.totalTasks, all.totalTasks);
			assert.deepEqual(await api.json('/tasks?createdBy=user:default/nobody'), { tasks: [], totalTasks: 0 });
			const both = await api.json('/tasks?createdBy=user:default/nobody&createdBy=user:default/guest');
			assert.equal(both.totalTasks, all.totalTasks);
		});

		it('filters by status, repeatable', async () => {
			const failed = await api.json('/tasks?status=failed');
			assert.ok(failed.tasks.length >= 1);
			assert.ok(failed.tasks.every((t) => t.status === 'failed'));
			assert.ok(failed.tasks.some((t) => t.id === ids[3]));
			const completed = await api.json('/tasks?status=completed');
			assert.ok(completed.tasks.every((t) => t.status === 'completed'));
			const both = await api.json('/tasks?status=completed&status=failed');
			assert.equal(both.totalTasks, failed.totalTasks + completed.totalTasks);
			assert.ok(both.tasks.every((t) => ['completed', 'failed'].includes(t.status)));
		});

		it('order=desc:status sorts by status, descending', async () => {
			const r = await api.json('/tasks?order=desc:status');
			const st = r.tasks.map((t) => t.status);
			assert.deepEqual(st, [...st].sort().reverse());
			assert.ok(new Set(st).size >= 2, `more than one status to sort: ${st}`);
		});

		it('limit, offset and order=asc:created_at; totalTasks counts every match', async () => {
			const asc = await api.json('/tasks?order=asc:created_at');
			const times = asc.tasks.map((t) => t.createdAt);
			assert.deepEqual(times, [...times].sort(), 'created_at asc');
			const page = await api.json('/tasks?order=asc:created_at&limit=2&offset=1');
			assert.equal(page.totalTasks, asc.totalTasks);
			assert.deepEqual(page.tasks.map((t) => t.id), asc.tasks.slice(1, 3).map((t) => t.id));
			const empty = await api.json(`/tasks?limit=2&offset=${asc.totalTasks}`);
			assert.deepEqual(empty, { tasks: [], totalTasks: asc.totalTasks });
		});
	});

	describe('POST /v2/autocomplete/:provider/:resource', () => {
		it('400 InputError for an unknown provider', async () => {
			const res = await fetch(`${api.root}/autocomplete/no-such-provider/repositories`, {
				method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 't', context: {} }),
			});
			await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/v2/autocomplete/no-such-provider/repositories' });
		});
	});

	// ---- failures -------------------------------------------------------------------------

	describe('failing tasks', () => {
		it('invalid input to an action fails the step with "Invalid input passed to action …"', async () => {
			const id = await api.create('template:default/no-url', {});
			const ev = await api.finished(id);
			const fetchEv = stepEvents(ev, 'fetch');
			assert.deepEqual(fetchEv[0].body, { message: 'Beginning step fetch:template', stepId: 'fetch', status: 'processing' });
			const failed = fetchEv.at(-1).body;
			assert.equal(failed.status, 'failed');
			assert.match(failed.message, /^Invalid input passed to action fetch:template, .*url/);
			assert.deepEqual(stepEvents(ev, 'later').map((e) => e.body), [
				{ message: 'Skipping step later because a previous step failed', stepId: 'later', status: 'skipped' },
			]);
			const done = completionOf(ev).body;
			assert.equal(done.message, 'Run completed with status: failed');
			assert.deepEqual(Object.keys(done).sort(), ['error', 'message']);
			assert.equal(done.error.name, 'InputError');
			assert.match(done.error.message, /^Invalid input passed to action fetch:template, .*url/);
			assert.equal((await api.task(id)).status, 'failed');
		});

		it('an unknown action fails its step and the task', async () => {
			const id = await api.create('template:default/unknown-action', {});
			const ev = await api.finished(id);
			const nope = stepEvents(ev, 'nope');
			assert.equal(nope.at(-1).body.status, 'failed');
			assert.match(nope.at(-1).body.message, /nope:nothing/);
			const done = completionOf(ev).body;
			assert.equal(done.message, 'Run completed with status: failed');
			assert.equal(typeof done.error.name, 'string');
			assert.match(done.error.message, /nope:nothing/);
			assert.equal((await api.task(id)).status, 'failed');
		});

		it('a push to an unreachable remote fails; later steps are skipped but an if: failure() step runs', async () => {
			const id = await api.create('template:default/publish-fails', { remoteUrl: 'git://127.0.0.1:1/x.git' });
			const ev = await api.finished(id);
			assert.equal(stepEvents(ev, 'fetch').at(-1).body.status, 'completed');
			const pub = stepEvents(ev, 'publish');
			assert.equal(pub.at(-1).body.status, 'failed');
			assert.ok(pub.at(-1).body.message.length > 0);
			assert.deepEqual(stepEvents(ev, 'later').map((e) => e.body), [
				{ message: 'Skipping step later because a previous step failed', stepId: 'later', status: 'skipped' },
			]);
			const cleanup = stepEvents(ev, 'cleanup');
			assert.deepEqual(cleanup[0].body, { message: 'Beginning step Cleanup', stepId: 'cleanup', status: 'processing' });
			assert.ok(cleanup.some((e) => e.body.message.endsWith('cleaning up after a failure')));
			assert.deepEqual(cleanup.at(-1).body, { message: 'Finished step Cleanup', stepId: 'cleanup', status: 'completed' });
			const done = completionOf(ev).body;
			assert.equal(done.message, 'Run completed with status: failed');
			assert.deepEqual(Object.keys(done.error).sort(), ['message', 'name']);
			assert.equal(done.error.message, pub.at(-1).body.message);
			assert.equal((await api.task(id)).status, 'failed');
		});
	});

	describe('workspace boundaries', () => {
		for (const [action, stepId, re] of [
			['copy', 'copy', /outside the workspace/],
			['delete', 'delete', /outside the workspace/],
			['rename', 'rename', /exists/],
		]) {
			it(`${action === 'rename' ? 'fs:rename onto an existing file without overwrite' : `a ${action} outside the workspace`} fails the step`, async () => {
				const id = await api.create('template:default/escape', { action });
				const ev = await api.finished(id);
				const last = stepEvents(ev, stepId).at(-1).body;
				assert.equal(last.status, 'failed', JSON.stringify(ev));
				assert.match(last.message, re);
				const done = completionOf(ev).body;
				assert.equal(done.message, 'Run completed with status: failed');
				assert.match(done.error.message, re);
			});
		}
	});

	// ---- cancel and retry ---------------------------------------------------------------------

	describe('cancel', () => {
		let id;
		let pollAnswer;
		let cancelMs;
		let events;

		before(async () => {
			id = await api.create('template:default/wait', { seconds: 30 });
			const ev = await api.until(id, (e) => e.body.stepId === 'wait' && ACTION_LOG_RE.test(e.body.message), 'the wait');
			const poll = api.events(id, ev.at(-1).id);
			await new Promise((r) => setTimeout(r, 100));
			const t0 = performance.now();
			const r = await api.post(`/tasks/${id}/cancel`, {});
			assert.equal(r.status, 200, r.text);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			assert.deepEqual(r.json, { status: 'cancelled' });
			pollAnswer = await poll;
			events = await api.finished(id, 5000);
			cancelMs = performance.now() - t0;
		});

		it('ends the running wait early; the waiting long poll answers', () => {
			assert.ok(cancelMs < 5000, `the task ended ${cancelMs.toFixed(0)}ms after the cancel`);
			assert.ok(pollAnswer.length > 0);
			assert.ok(!events.some((e) => e.body.message === 'Beginning step After'), 'no later step begins');
		});

		it('inserts one cancelled event and one completion; status cancelled', async () => {
			const c = events.filter((e) => e.type === 'cancelled');
			assert.equal(c.length, 1, JSON.stringify(events));
			assert.ok(c[0].id < completionOf(events).id);
			const done = completionOf(events);
			assert.equal(events.at(-1), done);
			assert.match(done.body.message, /^Run completed with status: (cancelled|failed)$/);
			assert.equal((await api.task(id)).status, 'cancelled');
		});

		it('the cancelled event body is {message: "Step <id> has been cancelled.", stepId, status: cancelled}', () => {
				const c = events.find((e) => e.type === 'cancelled');
				assert.deepEqual(c.body, { message: 'Step wait has been cancelled.', stepId: 'wait', status: 'cancelled' });
			});

		it('cancelling a finished task answers 200 {status: cancelled} and changes nothing', async () => {
			const r = await api.post(`/tasks/${id}/cancel`, {});
			assert.equal(r.status, 200);
			assert.deepEqual(r.json, { status: 'cancelled' });
			assert.deepEqual(await api.events(id), events);
		});
	});

	describe('retry', () => {
		let id;
		let bare;
		let first;
		let second;

		before(async () => {
			bare = path.join(tmp, 'retry-later.git');
			id = await api.create('template:default/publish-fails', { remoteUrl: bare });
			first = await api.finished(id);
			assert.equal((await api.task(id)).status, 'failed');
			git(['init', '-q', '--bare', '-b', 'main', bare]);
			const r = await api.post(`/tasks/${id}/retry`, {});
			assert.equal(r.status, 201, r.text);
			assert.deepEqual(r.json, { id });
			second = await api.finished(id);
		});

		it('the first run failed at the publish step', () => {
			assert.equal(stepEvents(first, 'publish').at(-1).body.status, 'failed');
			assert.equal(completionOf(first).body.message, 'Run completed with status: failed');
		});

		it('the retry continues from the failed step and completes', async () => {
			const recovered = second.filter((e) => e.type === 'recovered');
			assert.equal(recovered.length, 1);
			const after = second.filter((e) => e.id > recovered[0].id);
			assert.deepEqual(stepEvents(after, 'fetch').map((e) => e.body), [
				{ message: 'Skipping step fetch: it completed before the retry', stepId: 'fetch', status: 'completed' },
			]);
			assert.equal(second.filter((e) => e.body.message === 'Beginning step Fetch').length, 1, 'fetch ran once');
			assert.equal(second.filter((e) => e.body.message === 'Beginning step Publish').length, 2, 'publish ran twice');
			assert.equal(stepEvents(after, 'publish').at(-1).body.status, 'completed');
			assert.equal(stepEvents(after, 'later').at(-1).body.status, 'completed');
			assert.deepEqual(completionOf(second).body, {
				message: 'Run completed with status: completed',
				output: { links: [{ title: 'Repository', url: bare }] },
			});
			assertIncreasing(second);
			assert.equal((await api.task(id)).status, 'completed');
		});

		it('the push happened: the files of step 1 with the step\'s author', () => {
			const got = cloneTree(bare, path.join(tmp, 'clone-retry'));
			assert.deepEqual(got, { 'hello.txt': 'Hello retried\n' });
			const log = git(['--git-dir', bare, 'log', '--format=%an|%ae|%s', 'main']).trim();
			assert.equal(log, 'Retry Bot|retry@example.com|Publish retried');
		});

		it('409 ConflictError when retrying a completed task', async () => {
			const res = await fetch(`${api.root}/tasks/${id}/retry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			await expectError(res, { status: 409, name: 'ConflictError', method: 'POST', url: `/v2/tasks/${id}/retry` });
		});
	});

	describe('retry and secrets', () => {
		it('secrets are gone after the first run; a retry uses the secrets it is given', async () => {
			const bare = path.join(tmp, 'secret-retry.git');
			const id = await api.create('template:default/secret-retry', {}, { remote: bare });
			const first = await api.finished(id);
			assert.equal(stepEvents(first, 'publish').at(-1).body.status, 'failed');
			assert.ok(!JSON.stringify(first).includes(bare), 'the remote (a secret) is redacted');
			git(['init', '-q', '--bare', '-b', 'main', bare]);
			let r = await api.post(`/tasks/${id}/retry`, {});
			assert.equal(r.status, 201, r.text);
			const second = await api.finished(id);
			const failed = stepEvents(second, 'publish').at(-1).body;
			assert.equal(failed.status, 'failed');
			assert.match(failed.message, /^Invalid input passed to action publish:git, .*remoteUrl/, 'without secrets the input is gone');
			r = await api.post(`/tasks/${id}/retry`, { secrets: { remote: bare } });
			assert.equal(r.status, 201, r.text);
			const third = await api.finished(id);
			assert.equal(completionOf(third).body.message, 'Run completed with status: completed');
			assert.equal(third.filter((e) => e.type === 'recovered').length, 2);
			assert.ok(!JSON.stringify(third).includes(bare));
			assert.deepEqual(cloneTree(bare, path.join(tmp, 'clone-secret-retry')), { 'hello.txt': 'Hello from-secret\n' },
				'the workspace of the first run is pushed');
		});
	});

	// ---- secrets ---------------------------------------------------------------------------

	describe('secrets', () => {
		let id;
		let events;

		before(async () => {
			id = await api.create('template:default/secret-log', {}, { token: SECRET });
			events = await api.finished(id);
		});

		it('a secret used in an input never shows in events; it is logged as ***', () => {
			const text = JSON.stringify(events);
			assert.ok(!text.includes(SECRET), `the secret leaked into events: ${text}`);
			assert.ok(stepEvents(events, 'log').some((e) => e.body.message.endsWith('the token is ***')), messages(events).join('\n'));
			assert.equal(completionOf(events).body.message, 'Run completed with status: completed');
		});

		it('secrets are not in scope in the output', () => {
			assert.deepEqual(completionOf(events).body.output, {});
		});

		it('nor in the task or the task list', async () => {
			const task = await api.get(`/tasks/${id}`);
			assert.ok(!task.text.includes(SECRET));
			assert.ok(!('secrets' in task.json));
			const list = await api.get('/tasks');
			assert.ok(!list.text.includes(SECRET));
			const sse = await (await fetch(`${api.root}/tasks/${id}/eventstream`)).text();
			assert.ok(!sse.includes(SECRET));
		});

		it('a transformed secret (${{ secrets.token | upper }}) is redacted too', () => {
			const text = JSON.stringify(events);
			assert.ok(!text.includes(SECRET.toUpperCase()), `the upper-cased secret leaked: ${messages(stepEvents(events, 'log-lower')).join(' | ')}`);
		});

		it('a secret inside a failing step\'s input is redacted in its log lines and the failure', async () => {
			const fid = await api.create('template:default/secret-fail', {}, { token: 'zz-secret-zz' });
			const ev = await api.finished(fid);
			assert.ok(!JSON.stringify(ev).includes('zz-secret-zz'), JSON.stringify(ev));
			assert.ok(ev.some((e) => e.body.message.includes('/nonexistent/***/repo.git')), messages(ev).join('\n'));
			assert.equal(completionOf(ev).body.message, 'Run completed with status: failed');
			assert.ok(!(await api.get(`/tasks/${fid}`)).text.includes('zz-secret-zz'));
		});

		it('400 when the secrets break spec.secrets.schema', async () => {
			const r = await api.post('/tasks', { templateRef: 'template:default/needs-secret', values: {}, secrets: {} });
			assert.equal(r.status, 400, r.text);
			assert.ok(Array.isArray(r.json.errors) && r.json.errors.length === 1, r.text);
			assert.equal(r.json.errors[0].name, 'required');
			assert.match(r.json.errors[0].property, /^secrets/);
			const ok = await api.post('/tasks', { templateRef: 'template:default/needs-secret', values: {}, secrets: { x: 'y' } });
			assert.equal(ok.status, 201, ok.text);
			await api.finished(ok.json.id);
		});

		it('the secrets error names the property secrets.x', async () => {
			const r = await api.post('/tasks', { templateRef: 'template:default/needs-secret', values: {}, secrets: {} });
			assert.equal(r.json.errors[0].property, 'secrets.x', r.text);
		});
	});

	// ---- templating through real tasks ---------------------------------------------------

	describe('expressions in a real task', () => {
		let id;
		let bare;
		let done;
		const values = {
			name: 'expr-demo', count: 5, flag: false, numText: '123', empty: '',
			repoUrl: 'github.com?owner=acme&repo=rocket', owner: 'group:platform/web-team',
			modules: ['a', 'b'], obj: { a: 1 },
		};

		before(async () => {
			bare = bareRepo(tmp, 'expressions.git');
			id = await api.create('template:default/expressions', { ...values, remoteUrl: bare });
			done = completionOf(await api.finished(id)).body;
		});

		it('output keeps native types, drops undefined, keeps "" and raw strings on errors; filters work', () => {
			assert.equal(done.message, 'Run completed with status: completed');
			assert.deepEqual(done.output, {
				count: 5,
				flag: false,
				numText: '123',
				countText: 'n=5',
				empty: '',
				block: false,
				repo: { host: 'github.com', owner: 'acme', repo: 'rocket' },
				ref: { kind: 'group', namespace: 'platform', name: 'web-team' },
				refName: 'web-team',
				slug: 'acme/rocket',
				broken: '${{ parameters.name | noSuchFilter }}',
				taskId: id,
				userRef: 'user:default/guest',
				list: [1, 2],
				blockText: 'not json',
				joined: 'modules: a,b',
				object: 'object: [object Object]',
				padded: ' 5',
				two: '55',
				emptyLiteral: '',
				method: 'EXPR-DEMO',
				nativeObject: { a: 1 },
				refDefaults: { kind: 'user', namespace: 'default', name: 'jane' },
				refNoKind: '${{ "jane" | parseEntityRef }}',
				badHost: '${{ "nowhere.example?owner=a&repo=b" | parseRepoUrl }}',
				filters: 'EXPR_DEMO',
				dumped: '{"a":1}',
				text: [{ title: 'Shown', content: 'Run **expr-demo**' }],
			});
		});

		it('if: skipped for false, 0, [], "", undefined and null; run for true, 1, comparisons and always()', async () => {
			const cid = await api.create('template:default/conditions', { zero: 0, list: [], text: '', nothing: null, one: 1 });
			const ev = await api.finished(cid);
			const skipped = ev.filter((e) => e.body.status === 'skipped').map((e) => e.body.stepId);
			const ran = ev.filter((e) => e.body.status === 'completed').map((e) => e.body.stepId);
			assert.deepEqual(skipped, ['lit-false', 'zero', 'empty-list', 'empty-string', 'undef', 'nullish', 'failure']);
			assert.deepEqual(ran, ['lit-true', 'one', 'compare', 'always']);
			for (const e of ev.filter((x) => x.body.status === 'skipped'))
				assert.equal(e.body.message, `Skipping step ${e.body.stepId} because its if condition was false`);
			assert.equal(ev[0].body.message, 'Starting up task with 11 steps');
			assert.deepEqual(completionOf(ev).body, { message: 'Run completed with status: completed', output: {} });
		});

		it('catalog:write gets the rendered input: numbers and booleans stay, undefined keys go', () => {
			const got = cloneTree(bare, path.join(tmp, 'clone-expressions'));
			assert.deepEqual(Object.keys(got), ['catalog-info.yaml']);
			const y = got['catalog-info.yaml'];
			assert.match(y, /^kind: Component$/m);
			assert.match(y, /^  name: expr-demo$/m);
			assert.match(y, /^    count: 5$/m, 'a lone ${{ number }} stays a number');
			assert.match(y, /^    flag: false$/m, 'a lone ${{ boolean }} stays a boolean');
			assert.match(y, /^    numText: (?:"123"|'123')$/m, 'a string of digits stays a string');
			assert.doesNotMatch(y, /gone/, 'an undefined expression drops the key');
			assert.match(y, /^    slug: acme\/rocket$/m);
			assert.match(y, /^    backstage\.io\/source-template: template:default\/expressions$/m);
			assert.match(y, /^  owner: web-team$/m);
			const log = git(['--git-dir', bare, 'log', '--format=%an|%s', 'main']).trim();
			assert.equal(log, 'Portal Bot|Scaffolded by the portal', 'configured default author and commit message');
		});
	});

	// ---- dry run ---------------------------------------------------------------------------

	describe('POST /v2/dry-run', () => {
		let template;
		const values = { name: 'dry', owner: 'group:default/team-a', description: 'Dry service', useDb: true, modules: ['one'], remoteUrl: '/nonexistent/dry.git' };
		const skeletonFiles = () => {
			const files = {};
			const walk = (d, rel) => {
				for (const name of readdirSync(d)) {
					const full = path.join(d, name);
					const r = `${rel}/${name}`;
					if (statSync(full).isDirectory())
						walk(full, r);
					else
						files[r] = readFileSync(full);
				}
			};
			walk(BASIC_SKELETON, 'skeleton');
			return files;
		};

		before(async () => {
			const r = await fetch(`${srv.url}/api/catalog/entities/by-name/template/default/basic-service`);
			assert.equal(r.status, 200);
			template = await r.json();
		});

		it('renders the posted skeleton, skips publish:git with made-up outputs, answers {log, directoryContents, output, steps}', async () => {
			const files = skeletonFiles();
			// a README that differs from the one on disk: the run must read the posted files
			files['skeleton/README.md'] = Buffer.from('# ${{ values.name }} (posted)\n');
			const directoryContents = Object.entries(files).map(([p, buf]) => ({ path: p, base64Content: buf.toString('base64') }));
			const r = await api.post('/dry-run', { template, values, directoryContents });
			assert.equal(r.status, 200, r.text);
			assert.equal(r.headers.get('content-type'), JSON_TYPE);
			assert.deepEqual(Object.keys(r.json).sort(), ['directoryContents', 'log', 'output', 'steps']);
			const expected = basicExpected(values);
			expected['README.md'] = '# dry (posted)\n';
			const got = {};
			for (const f of r.json.directoryContents) {
				assert.deepEqual(Object.keys(f).sort(), ['base64Content', 'executable', 'path']);
				assert.equal(f.executable, false);
				got[f.path] = Buffer.from(f.base64Content, 'base64').toString('utf8');
			}
			assert.deepEqual(sortedObject(got), sortedObject(expected));
			for (const l of r.json.log) {
				assert.deepEqual(Object.keys(l), ['body']);
				assert.equal(typeof l.body.message, 'string');
			}
			const pub = r.json.log.filter((l) => l.body.stepId === 'publish').map((l) => l.body.message);
			assert.ok(pub.includes('Skipping because publish:git does not support dry-run'), pub.join('\n'));
			assert.ok(r.json.log.some((l) => l.body.message === 'Finished step Fetch skeleton' && l.body.status === 'completed'));
			assert.equal(r.json.output.links.length, 2);
			assert.equal(r.json.output.links[0].title, 'Repository');
			assert.equal(typeof r.json.output.links[0].url, 'string');
			assert.ok(r.json.output.links[0].url.length > 0, 'a made-up remoteUrl');
			assert.equal(typeof r.json.output.commit, 'string');
			assert.ok(r.json.output.commit.length > 0, 'a made-up commitHash');
			assert.deepEqual(r.json.steps.map((s) => [s.id, s.name, s.action]), [
				['fetch', 'Fetch skeleton', 'fetch:template'], ['log', 'debug:log', 'debug:log'], ['publish', 'Publish', 'publish:git'],
			]);
		});

		it('defaults step ids and names; secrets are *** in the log', async () => {
			const t = {
				apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'dry-inline' },
				spec: {
					type: 'test',
					steps: [
						{ action: 'fetch:template', input: { url: './skeleton', values: { name: 'x' } } },
						{ action: 'debug:log', input: { message: 'tok ${{ secrets.t }}' } },
					],
				},
			};
			const r = await api.post('/dry-run', {
				template: t, values: {}, secrets: { t: 'dry-secret-9' },
				directoryContents: [{ path: 'skeleton/README.md', base64Content: Buffer.from('${{ values.name }}!').toString('base64') }],
			});
			assert.equal(r.status, 200, r.text);
			assert.deepEqual(r.json.steps.map((s) => [s.id, s.name]), [['step-1', 'fetch:template'], ['step-2', 'debug:log']]);
			assert.deepEqual(r.json.directoryContents, [{ path: 'README.md', executable: false, base64Content: Buffer.from('x!').toString('base64') }]);
			assert.ok(!r.text.includes('dry-secret-9'), 'the secret never shows');
			assert.ok(r.json.log.some((l) => l.body.stepId === 'step-2' && l.body.message.includes('tok ***')), r.text);
		});

		it('400 InputError for a template that is not a Template or has no steps', async () => {
			for (const t of [
				{ apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'x' }, spec: { type: 'x', steps: [] } },
				{ apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'x' }, spec: { type: 'x' } },
			]) {
				const res = await fetch(`${api.root}/dry-run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ template: t, values: {}, directoryContents: [] }) });
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/v2/dry-run' });
			}
		});

		it('400 InputError for directoryContents paths outside the temporary directory; nothing is written', async () => {
			const t = {
				apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'dry-escape' },
				spec: { type: 'test', steps: [{ action: 'fetch:plain', input: { url: './skeleton' } }] },
			};
			for (const p of ['../../../../../../../..' + path.join(tmp, 'pwned1.txt'), path.join(tmp, 'pwned2.txt'), 'skeleton/../../../../../../../../..' + path.join(tmp, 'pwned3.txt')]) {
				const res = await fetch(`${api.root}/dry-run`, {
					method: 'POST', headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ template: t, values: {}, directoryContents: [{ path: p, base64Content: 'cHduZWQ=' }] }),
				});
				await expectError(res, { status: 400, name: 'InputError', method: 'POST', url: '/v2/dry-run' });
			}
			assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('pwned')), []);
		});

		it('400 {errors} for invalid values', async () => {
			const r = await api.post('/dry-run', { template, values: { name: 'Bad Name' }, directoryContents: [] });
			assert.equal(r.status, 400, r.text);
			assert.ok(Array.isArray(r.json.errors) && r.json.errors.length > 0, r.text);
			assert.ok(r.json.errors.some((e) => e.property === 'instance.name' && e.name === 'pattern'));
		});
	});
});
