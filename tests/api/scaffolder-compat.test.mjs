// Templates as they are written for Backstage: its own example template
// registers, shows its form and dry-runs unchanged; and a template in the
// style of public ones (multi-page form with dependencies, each loops,
// conditional steps, typed values, empty values dropping keys) renders the
// tree it should, file by file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { catalogApi, startCatalogServer, waitFor } from './lib/catalog.mjs';
import { OWN_PROCESS } from './lib/server.mjs';

const EXAMPLE = fileURLToPath(new URL(
	'../fixtures/catalog/backstage/packages/create-app/templates/default-app/examples/template/', import.meta.url));
const STYLES = fileURLToPath(new URL('../fixtures/scaffolder/styles/', import.meta.url));

async function post(url, p, body) {
	const res = await fetch(url + p, {
		method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
	});
	return { status: res.status, body: await res.json() };
}

function files(result) {
	return Object.fromEntries(result.directoryContents.map((f) => [f.path,
		{ text: Buffer.from(f.base64Content, 'base64').toString('utf8'), executable: f.executable }]));
}

function logText(result) {
	return result.log.map((l) => l.body.message).join('\n');
}

describe('templates written for Backstage', { skip: OWN_PROCESS }, () => {
	let srv;
	let api;

	before(async () => {
		srv = await startCatalogServer({ locations: [
			{ type: 'file', target: path.join(EXAMPLE, 'template.yaml') },
			{ type: 'file', target: path.join(STYLES, 'template.yaml') },
		] });
		api = catalogApi(srv.url);
		await waitFor(async () => (await api.entity('template:default/styles')) !== null
			&& (await api.entity('template:default/example-nodejs-template')) !== null,
		{ what: 'the templates to be ingested' });
	});

	after(async () => {
		await srv?.stopCleanly();
	});

	it('Backstage\'s example template registers and shows its form as Backstage does', async () => {
		const res = await fetch(`${srv.url}/api/scaffolder/v2/templates/default/template/example-nodejs-template/parameter-schema`);
		assert.equal(res.status, 200);
		const schema = await res.json();
		assert.equal(schema.title, 'Example Node.js Template');
		assert.equal(schema.description, 'An example template for the scaffolder that creates a simple Node.js service');
		assert.deepEqual(schema.steps.map((s) => s.title), ['Fill in some steps', 'Choose a location']);
		assert.deepEqual(schema.steps[0].schema, {
			required: ['name'],
			properties: { name: { title: 'Name', type: 'string', description: 'Unique name of the component',
				'ui:field': 'EntityNamePicker', 'ui:autofocus': true } },
		});
		assert.deepEqual(schema.steps[1].schema.properties.repoUrl['ui:options'], { allowedHosts: ['github.com'] });
	});

	it('Backstage\'s example template dry-runs unchanged with its content folder', async () => {
		const template = await api.entity('template:default/example-nodejs-template');
		const content = readFileSync(path.join(EXAMPLE, 'content/catalog-info.yaml'));
		const { status, body } = await post(srv.url, '/api/scaffolder/v2/dry-run', {
			template, values: { name: 'my-service', repoUrl: 'github.com?owner=acme&repo=my-service' },
			directoryContents: [{ path: 'content/catalog-info.yaml', base64Content: content.toString('base64') }],
		});
		assert.equal(status, 200, JSON.stringify(body));
		const out = files(body);
		assert.deepEqual(Object.keys(out), ['catalog-info.yaml']);
		assert.equal(out['catalog-info.yaml'].text, content.toString('utf8').replace('${{ values.name | dump }}', '"my-service"'));
		const log = logText(body);
		assert.match(log, /Skipping because publish:github does not support dry-run/);
		assert.match(log, /Skipping because catalog:register does not support dry-run/);
		assert.match(log, /Would send the notification "Template executed" \(dry run\)/);
		assert.match(log, /Run|Finished step Notify/);
		assert.deepEqual(body.steps.map((s) => s.id), ['fetch-base', 'publish', 'register', 'notify']);
		assert.equal(body.output.links.length, 2);
		assert.equal(body.output.links[0].title, 'Repository');
		assert.equal(typeof body.output.links[0].url, 'string');
		assert.equal(body.output.links[1].icon, 'catalog');
	});

	it('a public-style template renders its tree file by file, with typed values and dropped keys', async () => {
		const template = await api.entity('template:default/styles');
		const { status, body } = await post(srv.url, '/api/scaffolder/v2/dry-run', {
			template, values: { name: 'billing', kind: 'service', port: 9000, features: ['metrics', 'tracing'], replicas: 3 },
		});
		assert.equal(status, 200, JSON.stringify(body));
		const out = files(body);
		assert.deepEqual(Object.keys(out).sort(), ['README.md', 'catalog-info.yaml', 'config.json',
			'features/metrics.md', 'features/tracing.md', 'run.sh']);
		// A lone ${{ }} keeps its JSON type; an undefined value drops its key.
		assert.deepEqual(JSON.parse(out['config.json'].text), { name: 'billing', kind: 'service', port: 9000,
			replicas: 3, features: ['metrics', 'tracing'], hasMetrics: true, owner: 'user:default/guest' });
		assert.equal(out['README.md'].text, '# billing\n\nKind: service, port 9000.\nReplicas: 3.\n\n'
			+ '- 1/2 metrics (first)\n- 2/2 tracing (last)\nOwner: user:default/guest\n');
		assert.equal(out['features/metrics.md'].text, '# Metrics\n\nFeature number 1.\n');
		assert.equal(out['features/tracing.md'].text, '# Tracing\n\nFeature number 2.\n');
		assert.equal(out['run.sh'].text, '#!/bin/sh\necho billing\n');
		assert.equal(out['run.sh'].executable, true);
		assert.equal(out['README.md'].executable, false);
		assert.match(out['catalog-info.yaml'].text, /^apiVersion: backstage\.io\/v1alpha1\nkind: Component\nmetadata:\n  name: billing\n/);
		assert.match(out['catalog-info.yaml'].text, /replicas: 3\n/);
		assert.match(out['catalog-info.yaml'].text, /backstage\.io\/source-template: template:default\/dry-run/);
		assert.doesNotMatch(out['catalog-info.yaml'].text, /description/);
		const log = logText(body);
		assert.match(log, /Skipping step lib-entity because its if condition was false/);
		assert.match(log, /Skipping step cleanup because its if condition was false/);
		assert.match(log, /BILLING with 3 replicas/);
		assert.deepEqual(body.output.links.map((l) => l.title), ['Metrics', 'Docs']);
		assert.equal(body.output.links[0].if, undefined);
		assert.equal(body.output.port, 9000);
		assert.equal(body.output.text[0].content, 'Run `make` in **billing**');
	});

	it('the other branch: a library without features drops files, steps and links', async () => {
		const template = await api.entity('template:default/styles');
		const { status, body } = await post(srv.url, '/api/scaffolder/v2/dry-run', {
			template, values: { name: 'util', kind: 'lib', language: 'go', features: [], description: 'Helpers' },
		});
		assert.equal(status, 200, JSON.stringify(body));
		const out = files(body);
		assert.deepEqual(Object.keys(out).sort(), ['LIBRARY.md', 'README.md', 'catalog-info.yaml', 'config.json', 'run.sh']);
		assert.deepEqual(JSON.parse(out['config.json'].text), { name: 'util', kind: 'lib', features: [],
			hasMetrics: false, description: 'Helpers', owner: 'user:default/guest' });
		assert.equal(out['README.md'].text, '# util\nHelpers\n\nKind: lib.\nReplicas: .\n\nNo features.\nOwner: user:default/guest\n');
		assert.match(out['catalog-info.yaml'].text, /type: library/);
		assert.deepEqual(body.output.links.map((l) => l.title), ['Docs']);
		assert.equal(body.output.port, undefined);
		assert.match(logText(body), /Skipping step service-entity because its if condition was false/);
	});

	it('values are checked against the dependencies of the form', async () => {
		const template = await api.entity('template:default/styles');
		const bad = await post(srv.url, '/api/scaffolder/v2/dry-run', {
			template, values: { name: 'billing', kind: 'service', port: 80 },
		});
		assert.equal(bad.status, 400);
		// As Backstage's jsonschema reports a failed dependency: on the parent,
		// then the oneOf of the property it depends on.
		assert.deepEqual(bad.body.errors.map((e) => [e.property, e.name, e.stack]), [
			['instance', 'dependencies', 'instance does not meet dependency required by instance.kind'],
			['instance.kind', 'oneOf', 'instance.kind is not exactly one from [subschema 0],[subschema 1]'],
		]);
		const task = await post(srv.url, '/api/scaffolder/v2/tasks', {
			templateRef: 'template:default/styles', values: { name: 'Bad Name', kind: 'service', port: 8080 },
		});
		assert.equal(task.status, 400);
		assert.deepEqual(task.body.errors.map((e) => [e.property, e.name]), [['instance.name', 'pattern']]);
	});
});
