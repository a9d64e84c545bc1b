// The shipped software templates (templates/*/template.yaml) produce real
// projects: each is dry-run with its defaults and with every option
// flipped, and what it generates is checked file by file — YAML and JSON
// parse, catalog-info.yaml passes `stagehand catalog validate`, Python
// compiles, JavaScript and TypeScript parse, Ruby passes `ruby -c`,
// Kubernetes manifests have what their kind needs, nothing is left
// unrendered. Then one task per template runs for real against the GitHub
// fixture (a real bare repository behind it) and its entity appears in the
// catalog.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startGitHub } from '../fixtures/github/server.mjs';
import { catalogApi, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { BIN, OWN_PROCESS, removeDir, tempDir } from './lib/server.mjs';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const YAML = require('yaml');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEMPLATES = path.join(ROOT, 'templates');
const TOKEN = 'ghp_fixture';
const HAS_RUBY = spawnSync('ruby', ['-v']).status === 0;
const HAS_PYTHON = spawnSync('python3', ['-V']).status === 0;

// ONLY=java-service,cache narrows a local run to some templates.
const only = process.env.ONLY ? process.env.ONLY.split(',') : null;
const templateDirs = existsSync(TEMPLATES)
	? readdirSync(TEMPLATES).filter((d) => existsSync(path.join(TEMPLATES, d, 'template.yaml'))
		&& (!only || only.includes(d))).sort()
	: [];

// ---- filling in a form --------------------------------------------------------------

function pagesOf(schema) {
	return schema.steps.map((s) => s.schema);
}

/* A valid value for a property the form requires and gives no default. */
function valueFor(name, prop, host) {
	const field = prop['ui:field'];
	const kind = JSON.stringify(prop['ui:options']?.catalogFilter ?? {}).toLowerCase();
	if (prop.default !== undefined)
		return prop.default;
	if (field === 'RepoUrlPicker')
		return `${host}?owner=acme&repo=${name === 'repoUrl' ? 'demo-app' : `demo-${name.toLowerCase()}`}`;
	if (Array.isArray(prop.examples) && prop.examples.length > 0)
		return prop.examples[0];
	if (field === 'EntityNamePicker')
		return 'demo-app';
	if (field === 'OwnerPicker')
		return 'group:default/backend-team';
	if (field === 'EntityPicker')
		return kind.includes('system') ? 'system:default/orders' : 'component:default/orders-service';
	if (prop.enum)
		return prop.enum[0];
	switch (prop.type) {
	case 'boolean': return false;
	case 'integer': case 'number': return prop.minimum ?? 1;
	case 'array': return [];
	case 'object': return {};
	default: return 'example';
	}
}

/* The oneOf branch of a dependency that matches values, if any. */
function dependencyBranch(page, values) {
	const out = [];
	for (const [key, dep] of Object.entries(page.dependencies ?? {})) {
		for (const branch of dep.oneOf ?? []) {
			const allowed = branch.properties?.[key]?.enum;
			if (allowed && allowed.includes(values[key]))
				out.push(branch);
		}
	}
	return out;
}

function fill(schema, host, overrides = {}) {
	const values = {};
	for (const page of pagesOf(schema)) {
		for (const [name, prop] of Object.entries(page.properties ?? {})) {
			if (prop.default !== undefined || (page.required ?? []).includes(name))
				values[name] = valueFor(name, prop, host);
		}
	}
	Object.assign(values, overrides);
	for (const page of pagesOf(schema)) {
		for (const branch of dependencyBranch(page, values)) {
			for (const [name, prop] of Object.entries(branch.properties ?? {})) {
				if (name in values || (!(branch.required ?? []).includes(name) && prop.default === undefined))
					continue;
				values[name] = valueFor(name, prop, host);
			}
		}
	}
	return values;
}

/* Defaults, then each boolean flipped and each other enum value, one at a time. */
function variants(schema, host) {
	const base = fill(schema, host);
	const out = [{ label: 'defaults', values: base }];
	for (const page of pagesOf(schema)) {
		const props = { ...page.properties };
		for (const dep of Object.values(page.dependencies ?? {}))
			for (const branch of dep.oneOf ?? [])
				Object.assign(props, branch.properties ?? {});
		for (const [name, prop] of Object.entries(props)) {
			if (prop.type === 'boolean')
				out.push({ label: `${name}=${!base[name]}`, values: fill(schema, host, { [name]: !base[name] }) });
			else if (Array.isArray(prop.enum))
				for (const v of prop.enum.filter((x) => x !== base[name]))
					out.push({ label: `${name}=${v}`, values: fill(schema, host, { [name]: v }) });
			else if (prop.type === 'array' && Array.isArray(prop.items?.enum) && prop.uniqueItems)
				out.push({ label: `${name}=all`, values: fill(schema, host, { [name]: prop.items.enum }) });
		}
	}
	return out;
}

// ---- checking what a template generated --------------------------------------------------

const GH_CONTEXTS = /^\$\{\{\s*!?\s*\(?\s*(github|secrets|matrix|steps|env|inputs|needs|vars|runner|job|strategy|hashFiles|format|toJSON|fromJSON|contains|startsWith|endsWith|always|success|failure|cancelled)\b/;
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
	'ClusterSecretStore', 'ClusterIssuer', 'StorageClass', 'PriorityClass', 'ClusterPolicy',
	'ClusterWorkflowTemplate', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
const checked = new Map(); // content hash -> problem list, so a file shared by variants is checked once

function isHelmTemplate(rel) {
	return /(^|\/)templates\/[^/]+\.(ya?ml|tpl)$/.test(rel) || rel.endsWith('.tpl');
}

function kubeProblems(doc, rel) {
	const problems = [];
	const where = `${rel}: ${doc.kind}`;
	if (typeof doc.apiVersion !== 'string' || !doc.apiVersion)
		problems.push(`${where} has no apiVersion`);
	if (doc.kind === 'Kustomization')
		return problems;
	if (typeof doc.metadata?.name !== 'string' || !doc.metadata.name)
		problems.push(`${where} has no metadata.name`);
	if (!CLUSTER_SCOPED.has(doc.kind) && !doc.metadata?.namespace)
		problems.push(`${where} ${doc.metadata?.name} has no metadata.namespace`);
	const spec = doc.spec ?? {};
	const podTemplate = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'Job'].includes(doc.kind) ? spec.template
		: doc.kind === 'CronJob' ? spec.jobTemplate?.spec?.template : null;
	if (['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'].includes(doc.kind)) {
		const match = spec.selector?.matchLabels;
		if (!match)
			problems.push(`${where} has no spec.selector.matchLabels`);
		else
			for (const [k, v] of Object.entries(match))
				if (podTemplate?.metadata?.labels?.[k] !== v && !spec.workloadRef)
					problems.push(`${where}: the pod template lacks the selector label ${k}=${v}`);
	}
	if (podTemplate !== null && podTemplate !== undefined) {
		const containers = podTemplate.spec?.containers;
		if (!Array.isArray(containers) || containers.length === 0)
			problems.push(`${where} has no containers`);
		for (const c of containers ?? [])
			if (!c.name || !c.image)
				problems.push(`${where}: a container needs a name and an image`);
	}
	if (doc.kind === 'Rollout' && !spec.strategy?.canary && !spec.strategy?.blueGreen)
		problems.push(`${where} has no canary or blueGreen strategy`);
	if (doc.kind === 'Service' && !Array.isArray(spec.ports))
		problems.push(`${where} has no ports`);
	if (doc.kind === 'HorizontalPodAutoscaler' && !spec.scaleTargetRef?.name)
		problems.push(`${where} has no scaleTargetRef`);
	if (doc.kind === 'Ingress' && !Array.isArray(spec.rules))
		problems.push(`${where} has no rules`);
	if (doc.kind === 'ExternalSecret' && !spec.secretStoreRef?.name)
		problems.push(`${where} has no secretStoreRef`);
	if (['WorkflowTemplate', 'CronWorkflow', 'Workflow'].includes(doc.kind)) {
		const wf = doc.kind === 'CronWorkflow' ? spec.workflowSpec : spec;
		if (!wf?.entrypoint || !Array.isArray(wf?.templates))
			problems.push(`${where} needs an entrypoint and templates`);
		if (doc.kind === 'CronWorkflow' && !spec.schedule && !spec.schedules)
			problems.push(`${where} has no schedule`);
	}
	return problems;
}

function yamlProblems(text, rel) {
	const problems = [];
	let docs;
	try {
		docs = YAML.parseAllDocuments(text);
	} catch (e) {
		return [`${rel}: ${e.message}`];
	}
	for (const d of docs) {
		if (d.errors.length > 0) {
			problems.push(`${rel}: ${d.errors[0].message}`);
			continue;
		}
		const v = d.toJS();
		const inWorkflows = rel.startsWith('.github/');
		if (v && typeof v === 'object' && typeof v.kind === 'string' && typeof v.apiVersion === 'string'
			&& !v.apiVersion.startsWith('backstage.io/') && !inWorkflows && !rel.endsWith('mkdocs.yml'))
			problems.push(...kubeProblems(v, rel));
	}
	return problems;
}

function scriptProblems(text, rel) {
	const kind = rel.endsWith('.tsx') ? ts.ScriptKind.TSX : rel.endsWith('.ts') ? ts.ScriptKind.TS
		: rel.endsWith('.jsx') ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
	const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, kind);
	return sf.parseDiagnostics.map((d) => {
		const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
		return `${rel}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
	});
}

function unrendered(text, rel) {
	const problems = [];
	for (const m of text.matchAll(/\$\{\{[^\n]{0,60}/g)) {
		if (rel.startsWith('.github/workflows/') && GH_CONTEXTS.test(m[0]))
			continue;
		problems.push(`${rel}: unrendered ${m[0]}`);
	}
	return problems;
}

const RUBY_NAMES = /(\.rb|\.rake|\.ru|(^|\/)(Gemfile|Rakefile))$/;

/* Every problem in the tree at dir (files: [{path, text}]). */
function treeProblems(dir, files) {
	const problems = [];
	const python = [];
	const ruby = [];
	for (const f of files) {
		const rel = f.path;
		const hash = createHash('sha1').update(rel).update(f.text).digest('hex');
		if (checked.has(hash)) {
			problems.push(...checked.get(hash));
			continue;
		}
		const found = [...unrendered(f.text, rel)];
		if (/\.ya?ml$/.test(rel) && !isHelmTemplate(rel))
			found.push(...yamlProblems(f.text, rel));
		if (rel.endsWith('.json')) {
			try { JSON.parse(f.text); } catch (e) { found.push(`${rel}: ${e.message}`); }
		}
		if (/\.(m|c)?[jt]sx?$/.test(rel))
			found.push(...scriptProblems(f.text, rel));
		if (rel.endsWith('.py'))
			python.push(rel);
		if (RUBY_NAMES.test(rel))
			ruby.push(rel);
		checked.set(hash, found);
		problems.push(...found);
	}
	if (python.length > 0 && HAS_PYTHON) {
		const r = spawnSync('python3', ['-m', 'py_compile', ...python], { cwd: dir, encoding: 'utf8',
			env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(dir, '.pycache') } });
		if (r.status !== 0)
			problems.push(`python: ${r.stderr.trim()}`);
	}
	for (const rel of ruby.filter(() => HAS_RUBY)) {
		const r = spawnSync('ruby', ['-c', rel], { cwd: dir, encoding: 'utf8' });
		if (r.status !== 0)
			problems.push(`ruby ${rel}: ${r.stderr.trim()}`);
	}
	for (const info of files.filter((f) => path.basename(f.path) === 'catalog-info.yaml')) {
		const r = spawnSync(BIN, ['catalog', 'validate', info.path], { cwd: dir, encoding: 'utf8' });
		if (r.status !== 0)
			problems.push(`stagehand catalog validate ${info.path}: ${r.stderr.trim()}`);
	}
	return problems;
}

function writeTree(dir, result) {
	const files = [];
	for (const f of result.directoryContents) {
		const full = path.join(dir, f.path);
		mkdirSync(path.dirname(full), { recursive: true });
		const buf = Buffer.from(f.base64Content, 'base64');
		writeFileSync(full, buf);
		files.push({ path: f.path, text: buf.toString('utf8') });
	}
	return files;
}

// ---- the tests ----------------------------------------------------------------------------

describe('the shipped templates', { skip: OWN_PROCESS || (templateDirs.length === 0 && 'no templates') }, () => {
	let srv;
	let gh;
	let host;
	let dir;
	let api;

	before(async () => {
		dir = tempDir('stagehand-templates-');
		gh = await startGitHub({ dir: path.join(dir, 'github') });
		host = new URL(gh.url).host;
		srv = await startCatalogServer({
			locations: [{ type: 'file', target: path.join(ROOT, 'examples/all.yaml') },
				...templateDirs.map((d) => ({ type: 'file', target: path.join(TEMPLATES, d, 'template.yaml') }))],
			extra: { integrations: { github: [{ host, apiBaseUrl: gh.apiUrl, token: TOKEN }] } },
		});
		api = catalogApi(srv.url);
		await waitFor(async () => {
			for (const d of templateDirs)
				if ((await api.entity(`template:default/${d}`)) === null)
					return false;
			return true;
		}, { timeoutMs: 15000, what: 'every template to be in the catalog' });
		// The GitOps repository the provisioning templates open pull requests on.
		const res = await fetch(`${gh.apiUrl}/orgs/acme/repos`, { method: 'POST', body: JSON.stringify({ name: 'aws-idp-gitops' }),
			headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'test' } });
		assert.equal(res.status, 201);
		await gh.state.commitFiles('acme', 'aws-idp-gitops', 'main', { 'README.md': '# GitOps\n' });
	});

	after(async () => {
		await srv?.stopCleanly();
		await gh?.close();
		if (dir)
			removeDir(dir);
	});

	for (const name of templateDirs) {
		describe(name, () => {
			it('has its own docs and the annotations the portal reads', async () => {
				const t = await api.entity(`template:default/${name}`);
				assert.equal(t.metadata.annotations['backstage.io/techdocs-ref'], 'dir:.');
				assert.ok(existsSync(path.join(TEMPLATES, name, 'mkdocs.yml')), 'mkdocs.yml');
				assert.ok(existsSync(path.join(TEMPLATES, name, 'docs/index.md')), 'docs/index.md');
				assert.ok(t.metadata.description, 'a description');
				assert.ok((t.metadata.tags ?? []).length > 0, 'tags');
			});

			it('generates a valid project with its defaults and with every option flipped', async () => {
				const template = await api.entity(`template:default/${name}`);
				const schema = await (await fetch(`${srv.url}/api/scaffolder/v2/templates/default/template/${name}/parameter-schema`)).json();
				const all = [];
				for (const v of variants(schema, 'github.com')) {
					const res = await fetch(`${srv.url}/api/scaffolder/v2/dry-run`, { method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ template, values: v.values, directoryContents: [] }) });
					const body = await res.json();
					assert.equal(res.status, 200, `${v.label}: ${JSON.stringify(body).slice(0, 800)}`);
					const failed = body.log.filter((l) => l.body.status === 'failed');
					assert.deepEqual(failed.map((l) => l.body.message), [], `${v.label}: a step failed`);
					const out = path.join(dir, 'dry', name, v.label.replace(/[^a-z0-9=.-]/gi, '_'));
					const files = writeTree(out, body);
					assert.ok(files.some((f) => f.path.endsWith('catalog-info.yaml')), `${v.label}: no catalog-info.yaml`);
					all.push(...treeProblems(out, files).map((p) => `[${v.label}] ${p}`));
				}
				assert.deepEqual(all, []);
			});

			it('runs end to end: published to a bare repository and registered in the catalog', async () => {
				const schema = await (await fetch(`${srv.url}/api/scaffolder/v2/templates/default/template/${name}/parameter-schema`)).json();
				const values = fill(schema, host, {});
				// Repository pickers point at the fixture instead of github.com, and
				// each template creates a repository of its own.
				for (const [k, v] of Object.entries(values))
					if (typeof v === 'string' && v.startsWith('github.com?'))
						values[k] = v.replace('github.com?', `${host}?`);
					else if (typeof v === 'string' && v.startsWith(`${host}?`))
						values[k] = v.replace('repo=demo-app', `repo=e2e-${name}`);
				for (const page of pagesOf(schema))
					for (const [k, prop] of Object.entries(page.properties ?? {}))
						if (prop['ui:field'] === 'EntityNamePicker')
							values[k] = `e2e-${name}`;
				const res = await fetch(`${srv.url}/api/scaffolder/v2/tasks`, { method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ templateRef: `template:default/${name}`, values }) });
				assert.equal(res.status, 201, await res.clone().text());
				const { id } = await res.json();
				let events = [];
				while (!events.some((e) => e.type === 'completion')) {
					const last = events.length ? events.at(-1).id : 0;
					events = events.concat(await (await fetch(`${srv.url}/api/scaffolder/v2/tasks/${id}/events?after=${last}`)).json());
				}
				const done = events.find((e) => e.type === 'completion');
				assert.equal(done.body.message, 'Run completed with status: completed',
					events.map((e) => e.body.message).join('\n'));
				const ref = done.body.output?.links?.find((l) => l.entityRef)?.entityRef;
				assert.ok(ref, `the output links to the new entity: ${JSON.stringify(done.body.output)}`);
				const entity = await waitFor(() => api.entity(ref), { timeoutMs: 5000, what: `${ref} in the catalog` });
				assert.equal(entity.spec.owner, 'group:default/backend-team');
				// The pushed commit or pull request holds the catalog file that was read.
				assert.ok(gh.requests.some((r) => r.method === 'GET' && /\/contents\/.*catalog-info\.yaml$/.test(r.path)));
			});
		});
	}
});
