/* `stagehand catalog validate FILE...`: the catalog's checks, for CI. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/yaml.h"

static int read_all(const char *path, struct sh_buf *out)
{
	char chunk[16384];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sh_buf_put(out, chunk, n);
	fclose(f);
	return 0;
}

/* Problems found in one file, printed as file:line: message. */
static int validate_file(const char *path)
{
	struct sh_buf text = SH_BUF_INIT;
	json_t *docs = NULL, *lines = NULL;
	struct sh_err err = { 0, "" };
	int problems = 0;
	size_t i;
	json_t *doc;

	if (read_all(path, &text) != 0) {
		fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
		return 1;
	}
	if (yaml_parse(&docs, &lines, text.ptr ? text.ptr : "", text.len, path, NULL, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		sh_buf_dispose(&text);
		return 1;
	}
	json_array_foreach(docs, i, doc) {
		struct sh_arena *a = sh_arena_new();
		struct processed p = { 0 };
		const char *pointer = "";
		const char *key = sh_arena_printf(a, "file:%s", path);

		if (process_entity(&p, a, doc, key, key, &pointer, &err) != 0) {
			fprintf(stderr, "%s:%d: %s\n", path, yaml_line_of(json_array_get(lines, i), pointer),
				err.msg);
			problems++;
		}
		json_decref(p.entity);
		sh_arena_free(a);
	}
	json_decref(docs);
	json_decref(lines);
	sh_buf_dispose(&text);
	return problems;
}

int catalog_validate_files(int n, char **files)
{
	int problems = 0;

	for (int i = 0; i < n; i++)
		problems += validate_file(files[i]);
	if (problems == 0)
		printf("%d file%s valid\n", n, n == 1 ? "" : "s");
	return problems > 0 ? 1 : 0;
}
