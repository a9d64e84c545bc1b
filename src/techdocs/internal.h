/* Private to src/techdocs. */
#ifndef STAGEHAND_TECHDOCS_INTERNAL_H
#define STAGEHAND_TECHDOCS_INTERNAL_H

#include <jansson.h>
#include <stddef.h>

#include "stagehand/util.h"

/* ---- mkdocs.yml (mkdocs.c) ------------------------------------------------------ */

/*
 * A site's settings. nav is normalised to a list of items, each
 * {"title": string or null, "page": "guides/setup.md"} (a page; a null
 * title is the page's first heading), {"title", "url": "https://…"} (an
 * external link) or {"title", "children": [items…]} (a section).
 */
struct mkdocs {
	char *site_name;
	char *site_description;    /* NULL when absent */
	char *docs_dir;            /* relative, checked: never absolute or with ".." */
	char *repo_url;            /* NULL when absent */
	char *edit_uri;            /* NULL when absent */
	json_t *nav;               /* NULL when mkdocs.yml has none */
	json_t *warnings;          /* ["plugin \"x\" is not supported and is ignored", …] */
};

/*
 * Parse mkdocs.yml text (name labels messages; fallback_name is the
 * site_name when the file has none). Unknown plugins and Markdown
 * extensions are warnings, never errors. SH_EINPUT with "name:line:
 * message" for malformed YAML, a docs_dir outside the site, or a malformed
 * nav. Release with mkdocs_dispose.
 */
int mkdocs_parse(struct mkdocs *out, const char *text, size_t len, const char *name,
	const char *fallback_name, struct sh_err *err) SH_WUR;
void mkdocs_dispose(struct mkdocs *m);

/* The nav MkDocs builds when mkdocs.yml has none, from the site's pages
 * (relative .md paths, any order): index.md (or README.md) first in each
 * folder, the rest by name, folders as sections titled from their name.
 * New reference. */
json_t *mkdocs_default_nav(const json_t *pages);

#endif
