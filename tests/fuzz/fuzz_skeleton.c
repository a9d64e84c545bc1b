/*
 * Skeleton files: the input after the first byte is a whole file rendered
 * with tmpl_render; the first byte's bits turn on trimBlocks (1),
 * lstripBlocks (2) and cookiecutter mode (4). Success must give a string of
 * the reported length within the output limit; failure a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/scaffolder/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ctx_text[] =
	"{\"values\":{\"name\":\"My-Svc\",\"n\":3,\"modules\":[\"api\",\"db\"],\"useDb\":true,"
	"\"obj\":{\"k\":\"v\",\"n\":[1,2]},\"repoUrl\":\"github.com?owner=o&repo=r\",\"nul\":null}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_opts opts = { .max_steps = 50000, .max_output = 1 << 18 };
	json_t *ctx;
	struct sh_err err;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (size == 0 || size > 65536)
		return 0;
	opts.trim_blocks = data[0] & 1;
	opts.lstrip_blocks = data[0] & 2;
	opts.cookiecutter = data[0] & 4;
	ctx = json_loads(ctx_text, 0, NULL);
	if (opts.cookiecutter)
		json_object_set(ctx, "cookiecutter", json_object_get(ctx, "values"));
	rc = tmpl_render(&out, &len, (const char *)data + 1, size - 1, ctx, &opts, "skel", &err);
	if (rc == 0 && (out == NULL || len > opts.max_output || out[len] != '\0'))
		__builtin_trap();
	if (rc != 0 && (out != NULL || err.msg[0] == '\0'))
		__builtin_trap();
	free(out);
	json_decref(ctx);
	return 0;
}
