/* mkdocs.yml: settings and nav of any shape; a parsed nav's pages also go
 * through the default-nav ordering. */
#include <stdint.h>
#include <stdlib.h>

#include "../../src/techdocs/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every page named in a nav, depth first. */
static void pages_of(const json_t *items, json_t *out, int depth)
{
	const json_t *item;
	size_t i;

	if (depth > 32)
		return;
	json_array_foreach(items, i, item) {
		if (json_is_string(json_object_get(item, "page")))
			json_array_append(out, json_object_get(item, "page"));
		pages_of(json_object_get(item, "children"), out, depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mkdocs m;
	struct sh_err err;

	if (mkdocs_parse(&m, (const char *)data, size, "mkdocs.yml", "Fuzz", &err) == 0) {
		json_t *pages = json_array();
		pages_of(m.nav, pages, 0);
		json_decref(mkdocs_default_nav(pages));
		json_decref(pages);
		mkdocs_dispose(&m);
	}
	return 0;
}
