/*
 * Building a TechDocs site in-process: read mkdocs.yml, walk docs_dir,
 * render every Markdown page, order pages by the nav (or MkDocs' default
 * order), and give each page its neighbours. Nothing is written here: the
 * caller stores or serves the result.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "markdown.h"
#include "stagehand/jobs.h"

#define PAGE_LIMIT (16u << 20)
#define SITE_FILES_MAX 20000
#define WALK_DEPTH_MAX 32

struct walk {
	const char *docs;          /* absolute docs_dir */
	json_t *pages;             /* relative .md paths */
	json_t *assets;            /* [{path, source}] */
	json_t *log;
	size_t files;
};

static void walk_dir(struct walk *w, const char *rel, int depth)
{
	char *dir = rel[0] ? sh_asprintf("%s/%s", w->docs, rel) : sh_strdup(w->docs);
	struct dirent **names = NULL;
	int n = depth > WALK_DEPTH_MAX ? -1 : scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *child = rel[0] ? sh_asprintf("%s/%s", rel, name) : sh_strdup(name);
		char *full = sh_asprintf("%s/%s", w->docs, child);
		struct stat sb;

		if (name[0] == '.' || lstat(full, &sb) != 0 || S_ISLNK(sb.st_mode)) {
			/* dot files and symlinks are not part of a site */
		} else if (S_ISDIR(sb.st_mode)) {
			walk_dir(w, child, depth + 1);
		} else if (S_ISREG(sb.st_mode) && ++w->files <= SITE_FILES_MAX) {
			size_t len = strlen(child);
			if (len > 3 && strcmp(child + len - 3, ".md") == 0)
				json_array_append_new(w->pages, json_string(child));
			else
				json_array_append_new(w->assets, json_pack("{s:s,s:s}", "path", child, "source", full));
		}
		free(full);
		free(child);
		free(names[i]);
	}
	free(names);
	free(dir);
}

/* ---- reading files ---------------------------------------------------------------------- */

static int read_all(const char *path, char **out, size_t *len, struct sh_err *err)
{
	FILE *f = fopen(path, "rb");
	struct sh_buf b = SH_BUF_INIT;
	char chunk[16384];
	size_t n;

	*out = NULL;
	if (f == NULL)
		return sh_err_set(err, errno == ENOENT ? SH_ENOTFOUND : SH_EINPUT, "cannot read %s: %s",
			path, strerror(errno));
	sh_buf_reserve(&b, 1);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > PAGE_LIMIT) {
			fclose(f);
			sh_buf_dispose(&b);
			return sh_err_set(err, SH_ETOOLARGE, "%s is larger than %u bytes", path, PAGE_LIMIT);
		}
		sh_buf_put(&b, chunk, n);
	}
	fclose(f);
	*len = b.len;
	*out = sh_buf_detach(&b);
	return 0;
}

static void hash_file(EVP_MD_CTX *h, const char *rel, const char *data, size_t len)
{
	EVP_DigestUpdate(h, rel, strlen(rel) + 1);
	EVP_DigestUpdate(h, data, len);
}

static char *hash_hex(EVP_MD_CTX *h)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *out = sh_malloc(2 * EVP_MAX_MD_SIZE + 1);

	EVP_DigestFinal_ex(h, d, &n);
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	out[2 * n] = '\0';
	return out;
}

/* Hash the assets too: a changed image is a changed site. */
static void hash_assets(EVP_MD_CTX *h, const json_t *assets)
{
	const json_t *a;
	size_t i;

	json_array_foreach(assets, i, a) {
		char *data = NULL;
		size_t len = 0;
		if (read_all(json_string_value(json_object_get(a, "source")), &data, &len, NULL) == 0)
			hash_file(h, json_string_value(json_object_get(a, "path")), data, len);
		free(data);
	}
}

/* ---- pages --------------------------------------------------------------------------------- */

static void log_line(json_t *log, const char *fmt, ...) SH_PRINTF(2, 3);

static void log_line(json_t *log, const char *fmt, ...)
{
	struct sh_buf b = SH_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sh_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	json_array_append_new(log, json_string(b.ptr));
	sh_buf_dispose(&b);
}

/* "guides/setup.md" -> "Setup" (a page without a heading). */
static char *title_from_name(const char *source)
{
	const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
	char *t = sh_strndup(base, strlen(base) - 3);

	if (strcmp(t, "index") == 0 || strcmp(t, "README") == 0) {
		free(t);
		return sh_strdup("Home");
	}
	for (char *p = t; *p; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	if (t[0] >= 'a' && t[0] <= 'z')
		t[0] = (char)(t[0] - 32);
	return t;
}

/* A page's Markdown, read before anything is rendered. */
struct page_src {
	const char *source;  /* relative path (borrowed from the walk) */
	char *data;          /* NULL: unreadable, logged */
	size_t len;
};

/* Read and hash every page; one that cannot be read is a log entry. */
static struct page_src *read_pages(const char *docs, const json_t *pages, EVP_MD_CTX *h,
	json_t *log)
{
	struct page_src *out = sh_calloc(json_array_size(pages) + 1, sizeof(*out));
	const json_t *src;
	size_t i;

	json_array_foreach(pages, i, src) {
		char *full = sh_asprintf("%s/%s", docs, json_string_value(src));
		struct sh_err err = { 0, "" };
		out[i].source = json_string_value(src);
		if (read_all(full, &out[i].data, &out[i].len, &err) == 0)
			hash_file(h, out[i].source, out[i].data, out[i].len);
		else
			log_line(log, "\x1b[31merror\x1b[39m: %s: %s", out[i].source, err.msg);
		free(full);
	}
	return out;
}

static void page_srcs_free(struct page_src *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].data);
	free(p);
}

static json_t *render_page(const struct page_src *p, const json_t *pages, json_t *log)
{
	const char *source = p->source;
	char *url = md_page_url(source), *title = NULL;
	struct md_opts opts = { source, pages };
	struct md_page page = { 0 };
	struct sh_err err = { 0, "" };
	json_t *out = NULL, *w;
	size_t i;

	if (md_render(&page, p->data, p->len, &opts, &err) != 0) {
		log_line(log, "\x1b[31merror\x1b[39m: %s: %s", source, err.msg);
		goto done;
	}
	json_array_foreach(page.warnings, i, w)
		log_line(log, "\x1b[33mwarn\x1b[39m: %s:%lld: %s", source,
			(long long)json_integer_value(json_object_get(w, "line")),
			json_string_value(json_object_get(w, "message")));
	title = page.title ? sh_strdup(page.title) : title_from_name(source);
	out = json_pack("{s:s,s:s,s:s,s:s,s:O,s:O}", "source", source, "url", url, "title", title,
		"html", page.html, "toc", page.toc, "sections", page.sections);
	free(title);
done:
	md_page_dispose(&page);
	free(url);
	return out;
}

/* ---- the nav --------------------------------------------------------------------------------- */

static json_t *page_by_source(const json_t *pages, const char *source)
{
	const json_t *p;
	size_t i;

	json_array_foreach(pages, i, p)
		if (strcmp(json_string_value(json_object_get(p, "source")), source) == 0)
			return (json_t *)p;
	return NULL;
}

/* Fill titles and urls into nav items; order (a list) receives the pages
 * in nav order. Items naming a page that does not exist are logged and
 * dropped. */
static void complete_nav(json_t *items, json_t *pages, json_t *order, json_t *log, int depth)
{
	for (size_t i = 0; i < json_array_size(items) && depth < 32; ) {
		json_t *item = json_array_get(items, i);
		const char *source = json_string_value(json_object_get(item, "page"));
		json_t *page = source ? page_by_source(pages, source) : NULL;

		if (json_object_get(item, "children") != NULL)
			complete_nav(json_object_get(item, "children"), pages, order, log, depth + 1);
		if (source != NULL && page == NULL) {
			log_line(log, "\x1b[33mwarn\x1b[39m: mkdocs.yml: the nav names %s, which is not in the "
				"docs", source);
			json_array_remove(items, i);
			continue;
		}
		if (page != NULL) {
			json_object_set(item, "url", json_object_get(page, "url"));
			if (json_is_null(json_object_get(item, "title")))
				json_object_set(item, "title", json_object_get(page, "title"));
			json_array_append(order, page);
		}
		i++;
	}
}

static void link_neighbours(json_t *order)
{
	for (size_t i = 0; i < json_array_size(order); i++) {
		json_t *p = json_array_get(order, i);
		json_t *prev = i > 0 ? json_array_get(order, i - 1) : NULL;
		json_t *next = json_array_get(order, i + 1);
		json_object_set_new(p, "prev", prev ? json_incref(json_object_get(prev, "url")) : json_null());
		json_object_set_new(p, "next", next ? json_incref(json_object_get(next, "url")) : json_null());
	}
}

/* Pages the nav leaves out are still built; they come after it. */
static json_t *ordered_pages(json_t *nav, json_t *pages, json_t *log)
{
	json_t *order = json_array(), *p;
	size_t i;

	complete_nav(nav, pages, order, log, 0);
	json_array_foreach(pages, i, p) {
		bool listed = false;
		for (size_t k = 0; k < json_array_size(order) && !listed; k++)
			listed = json_array_get(order, k) == p;
		if (!listed)
			json_array_append(order, p);
	}
	link_neighbours(order);
	return order;
}

/* ---- the site ------------------------------------------------------------------------------- */

static int read_config(struct mkdocs *m, const char *root, const char *fallback, EVP_MD_CTX *h,
	struct sh_err *err)
{
	static const char *const names[] = { "mkdocs.yaml", "mkdocs.yml" };
	char *text = NULL;
	size_t len = 0;
	int rc = SH_ENOTFOUND;

	for (size_t i = 0; i < SH_ARRAY_LEN(names) && rc == SH_ENOTFOUND; i++) {
		char *path = sh_asprintf("%s/%s", root, names[i]);
		rc = read_all(path, &text, &len, err);
		if (rc == 0) {
			hash_file(h, names[i], text, len);
			rc = mkdocs_parse(m, text, len, names[i], fallback, err);
		}
		free(path);
		free(text);
		text = NULL;
	}
	if (rc == SH_ENOTFOUND) /* no mkdocs.yml: the defaults */
		rc = mkdocs_parse(m, "", 0, "mkdocs.yml", fallback, err);
	return rc;
}

static json_t *metadata_of(const struct mkdocs *m, const json_t *order, const json_t *assets)
{
	json_t *files = json_array(), *x;
	size_t i;

	json_array_foreach(order, i, x)
		json_array_append_new(files, json_sprintf("%sindex.html",
			json_string_value(json_object_get(x, "url"))));
	json_array_foreach(assets, i, x)
		json_array_append(files, json_object_get(x, "path"));
	json_array_append_new(files, json_string("search/search_index.json"));
	json_array_append_new(files, json_string("techdocs_metadata.json"));
	return json_pack("{s:s,s:s,s:I,s:s,s:o}", "site_name", m->site_name, "site_description",
		m->site_description ? m->site_description : "None", "build_timestamp",
		(json_int_t)jobs_now_ms(), "engine", "mkdocs", "files", files);
}

/* Read and hash the pages and assets; render the pages unless the hash
 * equals unchanged_if (then out->unchanged and no pages). */
static void build_pages(struct site *out, const struct mkdocs *m, const char *docs, EVP_MD_CTX *h,
	const char *unchanged_if)
{
	struct walk w = { docs, json_array(), json_array(), out->log, 0 };
	json_t *rendered;
	struct page_src *srcs;
	size_t n;

	walk_dir(&w, "", 0);
	if (w.files > SITE_FILES_MAX)
		log_line(out->log, "\x1b[33mwarn\x1b[39m: the site has more than %d files; the rest are "
			"left out", SITE_FILES_MAX);
	n = json_array_size(w.pages);
	srcs = read_pages(docs, w.pages, h, out->log);
	hash_assets(h, w.assets);
	out->source_hash = hash_hex(h);
	out->assets = w.assets;
	if (unchanged_if != NULL && strcmp(unchanged_if, out->source_hash) == 0) {
		out->unchanged = true;
	} else {
		json_t *known = json_object(), *src;
		size_t i;
		json_array_foreach(w.pages, i, src)
			json_object_set_new(known, json_string_value(src), json_true());
		rendered = json_array();
		for (i = 0; i < n; i++) {
			json_t *page = srcs[i].data ? render_page(&srcs[i], known, out->log) : NULL;
			if (page != NULL)
				json_array_append_new(rendered, page);
		}
		json_decref(known);
		out->nav = m->nav ? json_deep_copy(m->nav) : mkdocs_default_nav(w.pages);
		out->pages = ordered_pages(out->nav, rendered, out->log);
		json_decref(rendered);
	}
	page_srcs_free(srcs, n);
	json_decref(w.pages);
}

int site_build(struct site *out, const char *root, const char *fallback_name,
	const char *unchanged_if, struct sh_err *err)
{
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	struct mkdocs m;
	char *docs = NULL;
	const json_t *warning;
	struct stat sb;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	out->log = json_array();
	EVP_DigestInit_ex(h, EVP_sha256(), NULL);
	/* The entity's name titles a site without mkdocs.yml. */
	hash_file(h, "", fallback_name, strlen(fallback_name));
	if ((rc = read_config(&m, root, fallback_name, h, err)) != 0)
		goto fail;
	json_array_foreach(m.warnings, i, warning)
		log_line(out->log, "\x1b[33mwarn\x1b[39m: mkdocs.yml: %s", json_string_value(warning));
	docs = sh_asprintf("%s/%s", root, m.docs_dir);
	if (lstat(docs, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		rc = sh_err_set(err, SH_EINPUT, "the docs folder %s does not exist", m.docs_dir);
		mkdocs_dispose(&m);
		goto fail;
	}
	build_pages(out, &m, docs, h, unchanged_if);
	if (out->unchanged) {
		mkdocs_dispose(&m);
		free(docs);
		EVP_MD_CTX_free(h);
		return 0;
	}
	if (json_array_size(out->pages) == 0) {
		rc = sh_err_set(err, SH_EINPUT, "%s has no Markdown pages", m.docs_dir);
		mkdocs_dispose(&m);
		goto fail;
	}
	out->metadata = metadata_of(&m, out->pages, out->assets);
	out->settings = json_pack("{s:s,s:s?,s:s,s:s?,s:s?}", "site_name", m.site_name,
		"site_description", m.site_description, "docs_dir", m.docs_dir, "repo_url", m.repo_url,
		"edit_uri", m.edit_uri);
	mkdocs_dispose(&m);
	free(docs);
	EVP_MD_CTX_free(h);
	return 0;
fail:
	free(docs);
	EVP_MD_CTX_free(h);
	site_dispose(out);
	return rc;
}

void site_dispose(struct site *s)
{
	json_decref(s->pages);
	json_decref(s->nav);
	json_decref(s->assets);
	json_decref(s->metadata);
	json_decref(s->log);
	json_decref(s->settings);
	free(s->source_hash);
	memset(s, 0, sizeof(*s));
}
