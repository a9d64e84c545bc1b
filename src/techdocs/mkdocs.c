/*
 * mkdocs.yml: the settings of a TechDocs site, read with the YAML parser
 * the catalog uses. What a builder needs is kept; plugins and Markdown
 * extensions this builder does not have are reported, never fatal.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/yaml.h"

#define NAV_DEPTH_MAX 16

/* Plugins whose effect the builder has (or that change nothing here). */
static const char *const known_plugins[] = { "techdocs-core", "search", "material/search",
	"monorepo", "redirects", "group", "material/group", NULL };

/* Markdown extensions the renderer implements (markdown.h). */
static const char *const known_extensions[] = { "admonition", "toc", "tables", "footnotes",
	"fenced_code", "attr_list", "def_list", "abbr", "codehilite", "extra", "meta", "sane_lists",
	"smarty", "md_in_html", "pymdownx.superfences", "pymdownx.details", "pymdownx.tabbed",
	"pymdownx.tasklist", "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.tilde",
	"pymdownx.magiclink", "pymdownx.extra", "pymdownx.betterem", NULL };

static bool listed(const char *const *names, const char *name)
{
	if (strncmp(name, "markdown.extensions.", 20) == 0)
		name += 20;
	for (; *names != NULL; names++)
		if (strcmp(*names, name) == 0)
			return true;
	return false;
}

static char *opt_string(const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);

	return json_is_string(v) ? sh_strdup(json_string_value(v)) : NULL;
}

/* Names of a list of names or {name: config} maps. */
static void warn_unknown(json_t *warnings, const json_t *list, const char *const *known,
	const char *what)
{
	const json_t *item;
	size_t i;

	json_array_foreach(list, i, item) {
		const char *name = json_is_string(item) ? json_string_value(item) : NULL;
		if (json_is_object(item) && json_object_size(item) == 1)
			name = json_object_iter_key(json_object_iter((json_t *)item));
		if (name != NULL && !listed(known, name))
			json_array_append_new(warnings, json_sprintf("%s \"%s\" is not supported and is ignored",
				what, name));
	}
}

static bool safe_relative(const char *p)
{
	const char *s = p;

	if (p[0] == '/' || p[0] == '\0')
		return false;
	while (*s != '\0') {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return false;
		s += n;
		while (*s == '/')
			s++;
	}
	return true;
}

/* ---- nav ----------------------------------------------------------------------------- */

static json_t *nav_items(const json_t *list, int depth, struct sh_err *err, int *rc);

static json_t *nav_item(const json_t *v, int depth, struct sh_err *err, int *rc)
{
	const char *title;
	json_t *value;

	if (json_is_string(v))
		return json_pack("{s:n,s:s}", "title", "page", json_string_value(v));
	if (!json_is_object(v) || json_object_size(v) != 1) {
		*rc = sh_err_set(err, SH_EINPUT, "nav: an item must be a page, or a single \"Title: page\"");
		return NULL;
	}
	title = json_object_iter_key(json_object_iter((json_t *)v));
	value = json_object_iter_value(json_object_iter((json_t *)v));
	if (json_is_string(value)) {
		const char *s = json_string_value(value);
		bool external = strstr(s, "://") != NULL || strncmp(s, "mailto:", 7) == 0;
		return json_pack("{s:s,s:s}", "title", title, external ? "url" : "page", s);
	}
	if (json_is_array(value)) {
		json_t *children = nav_items(value, depth + 1, err, rc);
		return children ? json_pack("{s:s,s:o}", "title", title, "children", children) : NULL;
	}
	*rc = sh_err_set(err, SH_EINPUT, "nav: \"%s\" must be a page, a link or a list", title);
	return NULL;
}

static json_t *nav_items(const json_t *list, int depth, struct sh_err *err, int *rc)
{
	json_t *out, *item;
	const json_t *v;
	size_t i;

	if (depth > NAV_DEPTH_MAX) {
		*rc = sh_err_set(err, SH_EINPUT, "nav: sections are nested more than %d deep", NAV_DEPTH_MAX);
		return NULL;
	}
	out = json_array();
	json_array_foreach(list, i, v) {
		if ((item = nav_item(v, depth, err, rc)) == NULL) {
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, item);
	}
	return out;
}

/* ---- the file ------------------------------------------------------------------------ */

static int read_settings(struct mkdocs *out, const json_t *doc, const char *fallback_name,
	struct sh_err *err)
{
	const json_t *nav = json_object_get(doc, "nav");
	int rc = 0;

	out->site_name = opt_string(doc, "site_name");
	if (out->site_name == NULL)
		out->site_name = sh_strdup(fallback_name ? fallback_name : "Documentation");
	out->site_description = opt_string(doc, "site_description");
	out->repo_url = opt_string(doc, "repo_url");
	out->edit_uri = opt_string(doc, "edit_uri");
	out->docs_dir = opt_string(doc, "docs_dir");
	if (out->docs_dir == NULL)
		out->docs_dir = sh_strdup("docs");
	if (!safe_relative(out->docs_dir))
		return sh_err_set(err, SH_EINPUT, "docs_dir \"%s\" must be a folder inside the site",
			out->docs_dir);
	if (nav != NULL && !json_is_null(nav)) {
		if (!json_is_array(nav))
			return sh_err_set(err, SH_EINPUT, "nav must be a list");
		out->nav = nav_items(nav, 0, err, &rc);
	}
	warn_unknown(out->warnings, json_object_get(doc, "plugins"), known_plugins, "plugin");
	warn_unknown(out->warnings, json_object_get(doc, "markdown_extensions"), known_extensions,
		"Markdown extension");
	return rc;
}

int mkdocs_parse(struct mkdocs *out, const char *text, size_t len, const char *name,
	const char *fallback_name, struct sh_err *err)
{
	json_t *docs = NULL, *lines = NULL;
	const json_t *doc;
	int rc;

	memset(out, 0, sizeof(*out));
	out->warnings = json_array();
	if ((rc = yaml_parse(&docs, &lines, text, len, name, NULL, err)) != 0)
		goto done;
	doc = json_array_get(docs, 0);
	if (doc != NULL && !json_is_object(doc)) {
		rc = sh_err_set(err, SH_EINPUT, "%s:1: mkdocs.yml must be a mapping of settings", name);
		goto done;
	}
	if ((rc = read_settings(out, doc, fallback_name, err)) != 0) {
		char msg[SH_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		sh_err_set(err, SH_EINPUT, "%s:%d: %s", name, yaml_line_of(json_array_get(lines, 0),
			strncmp(msg, "nav", 3) == 0 ? "/nav" : "/docs_dir"), msg);
	}
done:
	if (rc != 0)
		mkdocs_dispose(out);
	json_decref(docs);
	json_decref(lines);
	return rc;
}

void mkdocs_dispose(struct mkdocs *m)
{
	free(m->site_name);
	free(m->site_description);
	free(m->docs_dir);
	free(m->repo_url);
	free(m->edit_uri);
	json_decref(m->nav);
	json_decref(m->warnings);
	memset(m, 0, sizeof(*m));
}

/* ---- the default nav ----------------------------------------------------------------------- */

static bool is_index(const char *base)
{
	return strcmp(base, "index.md") == 0 || strcmp(base, "README.md") == 0;
}

/* "getting-started_guide" -> "Getting started guide". */
static json_t *folder_title(const char *name, size_t len)
{
	char *t = sh_strndup(name, len);

	for (char *p = t; *p; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	t[0] = (char)toupper((unsigned char)t[0]);
	json_t *out = json_string(t);
	free(t);
	return out ? out : json_string("Section");
}

/* MkDocs' order within a folder: its files first (index.md or README.md
 * leading, then by name), then its sub-folders by name. */
static int by_path(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	for (;;) {
		size_t nx = strcspn(x, "/"), ny = strcspn(y, "/");
		bool fx = x[nx] == '\0', fy = y[ny] == '\0'; /* the last component: a file */
		int c;

		if (fx != fy)
			return fx ? -1 : 1;
		if (fx && is_index(x) != is_index(y))
			return is_index(x) ? -1 : 1;
		c = strncmp(x, y, nx < ny ? nx : ny);
		if (c == 0 && nx != ny)
			c = nx < ny ? -1 : 1;
		if (c != 0 || fx)
			return c;
		x += nx + 1;
		y += ny + 1;
	}
}

/* The section list under prefix (of length plen) of sorted pages. */
static json_t *build_level(const char **pages, size_t n, size_t *pos, const char *prefix,
	size_t plen)
{
	json_t *items = json_array();

	while (*pos < n && strncmp(pages[*pos], prefix, plen) == 0) {
		const char *rest = pages[*pos] + plen;
		const char *slash = strchr(rest, '/');
		if (slash == NULL) {
			json_array_append_new(items, json_pack("{s:n,s:s}", "title", "page", pages[*pos]));
			(*pos)++;
			continue;
		}
		size_t sub = (size_t)(slash - pages[*pos]) + 1;
		json_t *children = build_level(pages, n, pos, pages[*pos], sub);
		json_array_append_new(items, json_pack("{s:o,s:o}", "title",
			folder_title(rest, (size_t)(slash - rest)), "children", children));
	}
	return items;
}

json_t *mkdocs_default_nav(const json_t *pages)
{
	size_t n = json_array_size(pages), pos = 0, k = 0;
	const char **list = sh_calloc(n + 1, sizeof(*list));
	const json_t *p;
	size_t i;
	json_t *nav;

	json_array_foreach(pages, i, p)
		if (json_is_string(p))
			list[k++] = json_string_value(p);
	qsort(list, k, sizeof(*list), by_path);
	nav = build_level(list, k, &pos, "", 0);
	free(list);
	return nav;
}
