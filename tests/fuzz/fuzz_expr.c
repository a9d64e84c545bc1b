/*
 * Template expressions: the input is one expression, rendered as the lone
 * value "${{ <input> }}" with tmpl_render_value and evaluated as a
 * condition with tmpl_eval_bool, against a small fixed context. Neither
 * may crash, leak or run away; a failing condition must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/scaffolder/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ctx_text[] =
	"{\"parameters\":{\"name\":\"svc\",\"n\":3,\"list\":[1,\"b\",[2]],\"obj\":{\"a\":{\"b\":\"c\"}},"
	"\"repoUrl\":\"github.com?owner=o&repo=r\",\"owner\":\"group:default/t\",\"t\":true,"
	"\"nul\":null,\"e\":\"\"},\"steps\":{\"s\":{\"output\":{\"x\":[1,2]}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tmpl_opts opts = { .max_steps = 20000, .max_output = 1 << 16 };
	json_t *ctx, *in, *out;
	struct sh_err err;
	char *text;
	bool b;

	if (size > 8192)
		return 0;
	ctx = json_loads(ctx_text, 0, NULL);
	text = malloc(size + 8);
	memcpy(text, "${{ ", 4);
	memcpy(text + 4, data, size);
	memcpy(text + 4 + size, " }}", 4);
	in = json_stringn_nocheck(text, size + 7);
	out = tmpl_render_value(in, ctx, &opts);
	json_decref(out);
	json_decref(in);
	/* As a bare expression (a NUL ends it early, which is fine). */
	memcpy(text, data, size);
	text[size] = '\0';
	if (tmpl_eval_bool(&b, text, ctx, &opts, &err) != 0 && err.msg[0] == '\0')
		__builtin_trap();
	free(text);
	json_decref(ctx);
	return 0;
}
