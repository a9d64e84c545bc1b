// Health endpoints, request ids and /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { JSON_TYPE, OWN_PROCESS, request, serverForTests } from './lib/server.mjs';

describe('health and metrics', () => {
	let srv;

	before(async () => {
		srv = await serverForTests();
	});
	after(async () => {
		if (srv?.running)
			await srv.stop('SIGKILL');
	});

	for (const path of ['/.backstage/health/v1/liveness', '/.backstage/health/v1/readiness', '/healthcheck']) {
		it(`GET ${path} is 200 {"status":"ok"} as JSON`, async () => {
			const res = await fetch(srv.url + path);
			assert.equal(res.status, 200);
			assert.equal(res.headers.get('content-type'), JSON_TYPE);
			assert.ok(res.headers.get('x-request-id'));
			assert.deepEqual(await res.json(), { status: 'ok' });
		});
	}

	it('HEAD /healthcheck answers with headers and no body', async () => {
		const res = await request(srv.url, '/healthcheck', { method: 'HEAD' });
		assert.equal(res.status, 200);
		assert.equal(res.headers['content-type'], JSON_TYPE);
		assert.equal(res.body.length, 0);
	});

	it('gives every response a unique X-Request-Id', async () => {
		const paths = ['/healthcheck', '/.backstage/health/v1/liveness', '/api/no/such/route', '/metrics'];
		const ids = [];
		for (let i = 0; i < 5; i++) {
			for (const p of paths) {
				const res = await fetch(srv.url + p);
				await res.arrayBuffer();
				const id = res.headers.get('x-request-id');
				assert.ok(id, `X-Request-Id on ${p} (${res.status})`);
				assert.match(id, /^[\w-]{8,64}$/);
				ids.push(id);
			}
		}
		// and in parallel
		const more = await Promise.all(Array.from({ length: 20 }, async () => {
			const res = await fetch(srv.url + '/healthcheck');
			await res.arrayBuffer();
			return res.headers.get('x-request-id');
		}));
		ids.push(...more);
		assert.equal(new Set(ids).size, ids.length, `duplicate request ids: ${ids.join(' ')}`);
	});

	it('sets X-Content-Type-Options: nosniff', async () => {
		const res = await fetch(srv.url + '/healthcheck');
		await res.arrayBuffer();
		assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
	});

	describe('/metrics', () => {
		const parse = (text) => {
			const samples = new Map();
			for (const line of text.split('\n')) {
				if (line === '' || line.startsWith('#'))
					continue;
				const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
				assert.ok(m, `not an exposition sample line: ${JSON.stringify(line)}`);
				samples.set(m[1], Number(m[2]));
			}
			return samples;
		};
		const scrape = async () => {
			const res = await fetch(srv.url + '/metrics');
			assert.equal(res.status, 200);
			assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4(; charset=utf-8)?$/);
			const text = await res.text();
			return { text, samples: parse(text) };
		};
		const HC = 'stagehand_http_requests_total{method="GET",route="/healthcheck",status="200"}';

		it('is Prometheus text with HELP and TYPE lines', async () => {
			const { text } = await scrape();
			assert.match(text, /^# HELP stagehand_http_requests_total .+$/m);
			assert.match(text, /^# TYPE stagehand_http_requests_total counter$/m);
			assert.match(text, /^# TYPE stagehand_http_request_duration_seconds histogram$/m);
			assert.ok(text.endsWith('\n'));
		});

		it('counts requests by route and status', async () => {
			const before = (await scrape()).samples.get(HC) ?? 0;
			for (let i = 0; i < 7; i++)
				await (await fetch(srv.url + '/healthcheck')).arrayBuffer();
			const { samples } = await scrape();
			if (srv.remote) // other clients may be counted too
				assert.ok(samples.get(HC) >= before + 7, `${HC} after 7 more requests`);
			else
				assert.equal(samples.get(HC), before + 7, `${HC} after 7 more requests`);
		});

		it('counts errors under their status', async () => {
			await (await fetch(srv.url + '/api/test/fail')).arrayBuffer();
			const { samples } = await scrape();
			assert.ok(samples.get('stagehand_http_requests_total{method="GET",route="/api/test/fail",status="500"}') >= 1);
		});

		it('has a latency histogram with a +Inf bucket matching the count', async () => {
			await (await fetch(srv.url + '/healthcheck')).arrayBuffer();
			const { samples } = await scrape();
			const labels = 'method="GET",route="/healthcheck"';
			const inf = samples.get(`stagehand_http_request_duration_seconds_bucket{${labels},le="+Inf"}`);
			const count = samples.get(`stagehand_http_request_duration_seconds_count{${labels}}`);
			assert.ok(inf >= 1, 'le="+Inf" bucket');
			assert.equal(inf, count);
			assert.ok(samples.get(`stagehand_http_request_duration_seconds_sum{${labels}}`) >= 0);
			// buckets are cumulative
			let prev = 0;
			for (const [name, v] of samples) {
				if (name.startsWith(`stagehand_http_request_duration_seconds_bucket{${labels},`)) {
					assert.ok(v >= prev, `${name} ${v} < previous bucket ${prev}`);
					prev = v;
				}
			}
		});

		it('reports the database size and resident memory', async () => {
			const { samples } = await scrape();
			assert.ok(samples.get('stagehand_database_size_bytes') > 0, 'stagehand_database_size_bytes > 0');
			assert.ok(samples.get('process_resident_memory_bytes') > 0, 'process_resident_memory_bytes > 0');
			assert.ok(samples.get('process_start_time_seconds') > 1.5e9);
			assert.ok(samples.get('stagehand_http_in_flight_requests') >= 1, 'the scrape itself is in flight');
		});
	});

	it('exits 0 on SIGTERM with no sanitizer reports', { skip: OWN_PROCESS }, async () => {
		const r = await srv.stopCleanly();
		assert.match(r.stderr, /shutting down/);
	});
});
