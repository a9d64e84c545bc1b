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

/* ---- building a site (build.c) -------------------------------------------------------- */

/*
 * A built site, everything the portal serves for it:
 *   pages     [{"source": "guides/setup.md", "url": "guides/setup/", "title",
 *               "html", "toc", "sections", "prev": url or null, "next"}] in nav order
 *   nav       the normalised nav with every page title filled in and each
 *             page item's "url" added
 *   assets    [{"path": "img/arch.png", "source": absolute path}] (non-Markdown files)
 *   metadata  techdocs_metadata.json ({site_name, site_description,
 *             build_timestamp, engine, files})
 *   log       build log lines (strings), warnings naming file and line
 *   settings  what the reader needs of mkdocs.yml (edit links)
 */
struct site {
	json_t *pages;
	json_t *nav;
	json_t *assets;
	json_t *metadata;
	json_t *log;
	json_t *settings;          /* {site_name, site_description, docs_dir, repo_url, edit_uri} */
	char *source_hash;         /* SHA-256 (hex) of mkdocs.yml and every file read */
	bool unchanged;            /* the hash was unchanged_if: nothing rendered */
};

/*
 * Build the site whose mkdocs.yml (or mkdocs.yaml; neither: defaults with
 * site_name fallback_name) is in root. A page that fails to render is a
 * log entry naming its file, and the rest of the site still builds; a
 * broken mkdocs.yml, a docs_dir outside root, or no pages at all are
 * errors. Symlinks are not followed. Every file is read and hashed before
 * any page is rendered: when the hash equals unchanged_if (the stored
 * build's, or NULL) nothing is rendered and out->unchanged is set, with
 * only source_hash, assets and log filled in. Release with site_dispose.
 */
int site_build(struct site *out, const char *root, const char *fallback_name,
	const char *unchanged_if, struct sh_err *err) SH_WUR;
void site_dispose(struct site *s);

/* ---- the module (techdocs.c, store.c, api.c) ------------------------------------------------ */

#include <sqlite3.h>

#include "stagehand/techdocs.h"

#define TECHDOCS_TOPIC_PREFIX "techdocs:"

struct techdocs {
	const struct sh_config *cfg;
	struct db_pool *pool;
	struct catalog *catalog;
	struct sh_hub *hub;
	struct jobs *jobs;
	char *work_root;           /* scratch clones of git-hosted docs */
};

/* The topic a site's builds are announced on (buf of 320). */
void techdocs_topic(char buf[320], const char *entity_ref);

/* Where the docs of entity live: a local folder (*dir, heap) with, when it
 * was cloned, the scratch folder to remove (*tmp, heap or NULL); *kind
 * and *target describe it for locationMetadata ("dir"/"url"). */
int techdocs_resolve(struct techdocs *t, const json_t *entity, char **dir, char **tmp,
	const char **kind, char **target, struct sh_err *err) SH_WUR;

/* Store a built site for ref, replacing the previous one, in one
 * transaction on db. */
int techdocs_store_site(sqlite3 *db, const char *ref, const struct site *s, struct sh_err *err) SH_WUR;
/* Record a build attempt that changed nothing, or failed (error may be
 * NULL), with its log. */
int techdocs_store_attempt(sqlite3 *db, const char *ref, const json_t *log, const char *error,
	struct sh_err *err) SH_WUR;
/* The stored source hash of ref (heap) or NULL. */
char *techdocs_stored_hash(sqlite3 *db, const char *ref);

#endif
