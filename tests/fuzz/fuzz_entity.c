/* Catalog files: YAML documents through the whole per-entity processing
 * step (validation, defaults, annotations, sorted lists, relations). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/yaml.h"
#include "../../src/catalog/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Both kinds of location, so that the url-only annotations run too. */
static const char *const keys[] = {
	"url:https://github.com/acme/billing/blob/main/catalog-info.yaml",
	"file:/srv/catalog/all.yaml",
	"url:https://files.example.com",
};

static bool is_lower(const char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			return false;
	return true;
}

static void check(const struct processed *p)
{
	char *text;

	if (p->entity == NULL || p->ref == NULL || !is_lower(p->ref))
		__builtin_trap();
	/* Every relation comes with its inverse, and names lower-case refs. */
	if (p->n_rels % 2 != 0)
		__builtin_trap();
	for (size_t i = 0; i < p->n_rels; i++)
		if (!is_lower(p->rels[i].source) || !is_lower(p->rels[i].target) ||
			p->rels[i].type[0] == '\0')
			__builtin_trap();
	text = json_dumps(p->entity, JSON_COMPACT | JSON_SORT_KEYS);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct yaml_limits lim = { 1 << 20, 64, 100000 };
	json_t *docs = NULL, *lines = NULL;
	struct sh_err err;
	size_t i;
	json_t *doc;

	if (yaml_parse(&docs, &lines, (const char *)data, size, "fuzz", &lim, &err) != 0)
		return 0;
	json_array_foreach(docs, i, doc) {
		struct sh_arena *a = sh_arena_new();
		struct processed p = { 0 };
		const char *pointer = NULL;
		const char *key = keys[i % SH_ARRAY_LEN(keys)];

		if (process_entity(&p, a, doc, key, keys[1], &pointer, &err) == 0) {
			check(&p);
			json_decref(p.entity);
		} else {
			if (pointer == NULL || err.code != SH_EINPUT)
				__builtin_trap();
			(void)yaml_line_of(json_array_get(lines, i), pointer);
		}
		sh_arena_free(a);
	}
	json_decref(docs);
	json_decref(lines);
	return 0;
}
