/*
 * Template-engine micro-benchmark: expressions evaluated per second
 * (tmpl_render_value on step inputs) and a 2 KB skeleton file rendered per
 * second (tmpl_render). Prints figures; never fails on them.
 *
 *   ninja -C build-release bench-tmpl && build-release/bench-tmpl [seconds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/scaffolder/tmpl.h"

static const char *const exprs[] = {
	"${{ parameters.name }}",
	"${{ parameters.name | upper }}",
	"${{ parameters.repoUrl | parseRepoUrl | pick('owner') }}",
	"${{ parameters.owner | parseEntityRef | pick('name') }}",
	"${{ 'svc-' ~ parameters.name ~ '-' ~ parameters.count }}",
	"${{ parameters.count * 2 + 1 if parameters.useDb else 0 }}",
	"${{ parameters.tags | join(',') }}",
	"${{ steps['publish'].output.remoteUrl }}",
	"Service ${{ parameters.name }} owned by ${{ parameters.owner }}",
	"${{ parameters.tags | length > 1 and not parameters.useDb }}",
};

static const char skeleton_line[] =
	"name: ${{ values.name }} # owner ${{ values.owner | lower }}\n"
	"{% if values.useDb %}database: ${{ values.name }}-db{% endif %}\n"
	"{% for t in values.tags %}- tag ${{ loop.index }}: ${{ t | upper }}\n{% endfor %}"
	"Plain text that is copied through as it is, like most of a real file: lorem ipsum dolor sit.\n";

static double seconds_since(uint64_t t0)
{
	return (double)(sh_now_ns() - t0) / 1e9;
}

static void bench_exprs(const json_t *ctx, double secs)
{
	struct tmpl_opts o = { 0 };
	json_t *inputs = json_array();
	uint64_t t0 = sh_now_ns();
	unsigned long n = 0;

	for (size_t i = 0; i < SH_ARRAY_LEN(exprs); i++)
		json_array_append_new(inputs, json_string(exprs[i]));
	while (seconds_since(t0) < secs) {
		for (int k = 0; k < 100; k++) {
			json_t *v = tmpl_render_value(json_array_get(inputs, (size_t)k % SH_ARRAY_LEN(exprs)),
				ctx, &o);
			json_decref(v);
			n++;
		}
	}
	printf("expressions: %.0f evaluations/s (%zu kinds, parse + evaluate each time)\n",
		(double)n / seconds_since(t0), SH_ARRAY_LEN(exprs));
	json_decref(inputs);
}

static void bench_file(const json_t *ctx, double secs)
{
	struct tmpl_opts o = { 0 };
	struct sh_buf src = SH_BUF_INIT;
	uint64_t t0;
	unsigned long n = 0;

	while (src.len < 2048)
		sh_buf_puts(&src, skeleton_line);
	t0 = sh_now_ns();
	while (seconds_since(t0) < secs) {
		for (int k = 0; k < 100; k++) {
			char *out = NULL;
			size_t len = 0;
			struct sh_err err;
			if (tmpl_render(&out, &len, src.ptr, src.len, ctx, &o, "bench.yaml", &err) != 0) {
				fprintf(stderr, "render failed: %s\n", err.msg);
				exit(1);
			}
			free(out);
			n++;
		}
	}
	printf("skeleton file of %zu bytes: %.0f renders/s (%.1f us each)\n", src.len,
		(double)n / seconds_since(t0), seconds_since(t0) * 1e6 / (double)n);
	sh_buf_dispose(&src);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3.0;
	json_t *ctx = json_pack("{s:{s:s,s:s,s:s,s:i,s:b,s:[sss]},s:{s:{s:{s:s}}},s:{s:s,s:s,s:[ss],s:b}}",
		"parameters", "name", "payments", "owner", "group:default/Platform", "repoUrl",
		"github.com?owner=acme&repo=payments", "count", 3, "useDb", 1, "tags", "go", "web", "api",
		"steps", "publish", "output", "remoteUrl", "https://github.com/acme/payments.git",
		"values", "name", "payments", "owner", "group:default/Platform", "tags", "go", "web",
		"useDb", 1);

	bench_exprs(ctx, secs);
	bench_file(ctx, secs);
	json_decref(ctx);
	return 0;
}
