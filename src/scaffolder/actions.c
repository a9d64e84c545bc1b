/*
 * The action registry: each actions_*.c file contributes a table; this
 * file finds actions by id and lists them for GET /v2/actions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct table {
	const struct action *rows;
	const size_t *n;
};

static const struct table tables[] = {
	{ actions_fetch, &actions_fetch_n },
	{ actions_fs, &actions_fs_n },
	{ actions_debug, &actions_debug_n },
	{ actions_catalog, &actions_catalog_n },
	{ actions_git, &actions_git_n },
	{ actions_github, &actions_github_n },
	{ actions_notify, &actions_notify_n },
};

const struct action *action_find(const char *id)
{
	for (size_t t = 0; t < SH_ARRAY_LEN(tables); t++)
		for (size_t i = 0; i < *tables[t].n; i++)
			if (strcmp(tables[t].rows[i].id, id) == 0)
				return &tables[t].rows[i];
	return NULL;
}

static json_t *parse_schema(const char *text, const char *id)
{
	json_error_t e;
	json_t *v;

	if (text == NULL)
		return json_object();
	v = json_loads(text, 0, &e);
	if (v == NULL) {
		log_error("scaffolder: action %s has a malformed schema: %s", id, e.text);
		return json_object();
	}
	return v;
}

static int by_id(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, "id"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, "id"));

	return strcmp(x, y);
}

json_t *actions_list(void)
{
	json_t *items[256];
	size_t n = 0;
	json_t *out = json_array();

	for (size_t t = 0; t < SH_ARRAY_LEN(tables); t++)
		for (size_t i = 0; i < *tables[t].n && n < SH_ARRAY_LEN(items); i++) {
			const struct action *a = &tables[t].rows[i];
			items[n++] = json_pack("{s:s,s:s,s:[],s:{s:o,s:o}}", "id", a->id,
				"description", a->description, "examples", "schema",
				"input", parse_schema(a->input_schema, a->id),
				"output", parse_schema(a->output_schema, a->id));
		}
	qsort(items, n, sizeof(items[0]), by_id);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, items[i]);
	return out;
}

static const char *colour(const char *level)
{
	if (strcmp(level, "error") == 0)
		return "\x1b[31merror\x1b[39m";
	if (strcmp(level, "warn") == 0)
		return "\x1b[33mwarn\x1b[39m";
	if (strcmp(level, "debug") == 0)
		return "\x1b[34mdebug\x1b[39m";
	return "\x1b[32minfo\x1b[39m";
}

void action_log(struct action_ctx *ac, const char *level, const char *fmt, ...)
{
	struct sh_buf b = SH_BUF_INIT;
	va_list ap;

	sh_buf_printf(&b, "%s: ", colour(level));
	va_start(ap, fmt);
	sh_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	run_log(ac->run, ac->step_id, b.ptr);
	sh_buf_dispose(&b);
}
