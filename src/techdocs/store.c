/*
 * Sites in SQLite: the pages as HTML documents at their directory URLs
 * (guides/setup/index.html), the assets byte for byte, the site's own
 * description for the reader (site.json), MkDocs' search index and
 * techdocs_metadata.json. A rebuild replaces all of a site's files in one
 * transaction, so a reader never sees half a site.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/jobs.h"

#define ASSET_LIMIT (32u << 20)

void techdocs_topic(char buf[320], const char *entity_ref)
{
	snprintf(buf, 320, TECHDOCS_TOPIC_PREFIX "%s", entity_ref);
}

static const char *content_type_of(const char *path)
{
	static const struct { const char *ext, *type; } types[] = {
		{ ".html", "text/html; charset=utf-8" }, { ".json", "application/json; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" }, { ".js", "application/javascript; charset=utf-8" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" },
		{ ".gif", "image/gif" }, { ".webp", "image/webp" }, { ".svg", "image/svg+xml" },
		{ ".ico", "image/x-icon" }, { ".pdf", "application/pdf" }, { ".txt", "text/plain; charset=utf-8" },
		{ ".yaml", "text/plain; charset=utf-8" }, { ".yml", "text/plain; charset=utf-8" },
	};
	size_t n = strlen(path);

	for (size_t i = 0; i < SH_ARRAY_LEN(types); i++) {
		size_t e = strlen(types[i].ext);
		if (n >= e && strcasecmp(path + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

static int put_file(sqlite3_stmt *st, const char *ref, const char *path, const void *body, size_t len,
	struct sh_err *err)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, content_type_of(path), -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, body, (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(sqlite3_db_handle(st)));
	return 0;
}

static int put_json(sqlite3_stmt *st, const char *ref, const char *path, const json_t *v,
	struct sh_err *err)
{
	char *text = json_dumps(v, JSON_COMPACT);
	int rc = put_file(st, ref, path, text ? text : "null", text ? strlen(text) : 4, err);

	free(text);
	return rc;
}

static void html_escape(struct sh_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': sh_buf_puts(b, "&lt;"); break;
		case '>': sh_buf_puts(b, "&gt;"); break;
		case '&': sh_buf_puts(b, "&amp;"); break;
		case '"': sh_buf_puts(b, "&quot;"); break;
		default: sh_buf_putc(b, *s);
		}
	}
}

/* A page as the HTML document MkDocs' material theme would serve: the
 * reader takes the article out of it. */
static char *page_document(const json_t *page, const json_t *metadata)
{
	struct sh_buf b = SH_BUF_INIT;

	sh_buf_puts(&b, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>");
	html_escape(&b, json_string_value(json_object_get(page, "title")));
	sh_buf_puts(&b, " - ");
	html_escape(&b, json_string_value(json_object_get(metadata, "site_name")));
	sh_buf_puts(&b, "</title></head><body><div class=\"md-container\"><main class=\"md-main\">"
		"<div class=\"md-main__inner\"><div class=\"md-content\"><article class=\"md-content__inner "
		"md-typeset\">\n");
	sh_buf_puts(&b, json_string_value(json_object_get(page, "html")));
	sh_buf_puts(&b, "</article></div></div></main></div></body></html>\n");
	return sh_buf_detach(&b);
}

/* What the reader needs besides the pages: nav, neighbours, contents. */
static json_t *site_json(const struct site *s)
{
	json_t *pages = json_array(), *p;
	size_t i;

	json_array_foreach(s->pages, i, p)
		json_array_append_new(pages, json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "url",
			json_object_get(p, "url"), "source", json_object_get(p, "source"), "title",
			json_object_get(p, "title"), "toc", json_object_get(p, "toc"), "prev",
			json_object_get(p, "prev"), "next", json_object_get(p, "next")));
	json_t *out = json_pack("{s:O,s:o}", "nav", s->nav, "pages", pages);

	json_object_update(out, s->settings);
	return out;
}

/* MkDocs' search/search_index.json: one entry per page and per section. */
static json_t *search_index(const struct site *s)
{
	json_t *docs = json_array(), *p, *sec;
	size_t i, k;

	json_array_foreach(s->pages, i, p) {
		const char *url = json_string_value(json_object_get(p, "url"));
		json_array_foreach(json_object_get(p, "sections"), k, sec) {
			const char *id = json_string_value(json_object_get(sec, "id"));
			const json_t *title = json_object_get(sec, "title");
			/* A page without a heading is titled as the site calls it. */
			if (!json_is_string(title) || json_string_length(title) == 0)
				title = json_object_get(p, "title");
			json_array_append_new(docs, json_pack("{s:s++,s:O,s:O}", "location", url,
				id && id[0] ? "#" : "", id ? id : "", "title", title, "text",
				json_object_get(sec, "text")));
		}
	}
	return json_pack("{s:{s:[s]},s:o}", "config", "lang", "en", "docs", docs);
}

static int put_pages(sqlite3_stmt *st, const char *ref, const struct site *s, struct sh_err *err)
{
	const json_t *p, *a;
	size_t i;
	int rc = 0;

	json_array_foreach(s->pages, i, p) {
		char *doc = page_document(p, s->metadata);
		char *path = sh_asprintf("%sindex.html", json_string_value(json_object_get(p, "url")));
		rc = put_file(st, ref, path, doc, strlen(doc), err);
		free(path);
		free(doc);
		if (rc != 0)
			return rc;
	}
	json_array_foreach(s->assets, i, a) {
		char *data = NULL;
		size_t len = 0;
		FILE *f = fopen(json_string_value(json_object_get(a, "source")), "rb");
		struct sh_buf b = SH_BUF_INIT;
		char chunk[16384];
		if (f == NULL)
			continue; /* gone since the walk: the next build notices */
		while ((len = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < ASSET_LIMIT)
			sh_buf_put(&b, chunk, len);
		fclose(f);
		data = b.ptr;
		if (b.len <= ASSET_LIMIT)
			rc = put_file(st, ref, json_string_value(json_object_get(a, "path")), data ? data : "",
				b.len, err);
		sh_buf_dispose(&b);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int upsert_site(sqlite3 *db, const char *ref, const struct site *s, const char *site,
	struct sh_err *err)
{
	static const char sql[] =
		"INSERT INTO techdocs_sites (entity_ref, source_hash, built_at, checked_at, metadata, site, log, "
		"error) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, NULL) ON CONFLICT (entity_ref) DO UPDATE SET "
		"source_hash = ?2, built_at = ?3, checked_at = ?3, metadata = ?4, site = ?5, log = ?6, error = NULL";
	char *meta = json_dumps(s->metadata, JSON_COMPACT), *log = json_dumps(s->log, JSON_COMPACT);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	else {
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, s->source_hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, jobs_now_ms());
		sqlite3_bind_text(st, 4, meta, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, site, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, log, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	free(meta);
	free(log);
	return rc;
}

static int replace_files(sqlite3 *db, const char *ref, const struct site *s,
	const char *site_text, struct sh_err *err)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	json_t *index = search_index(s);
	int rc = 0;

	if (sqlite3_prepare_v2(db, "DELETE FROM techdocs_files WHERE entity_ref = ?1", -1, &del, NULL)
		!= SQLITE_OK || sqlite3_prepare_v2(db, "INSERT INTO techdocs_files (entity_ref, path, "
		"content_type, body) VALUES (?1, ?2, ?3, ?4)", -1, &ins, NULL) != SQLITE_OK) {
		rc = sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(del, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(del) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	if (rc == 0)
		rc = put_pages(ins, ref, s, err);
	if (rc == 0)
		rc = put_file(ins, ref, "site.json", site_text, strlen(site_text), err);
	if (rc == 0)
		rc = put_json(ins, ref, "search/search_index.json", index, err);
	if (rc == 0)
		rc = put_json(ins, ref, "techdocs_metadata.json", s->metadata, err);
done:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	json_decref(index);
	return rc;
}

int techdocs_store_site(sqlite3 *db, const char *ref, const struct site *s, struct sh_err *err)
{
	json_t *site = site_json(s);
	char *site_text = json_dumps(site, JSON_COMPACT); /* the row and the file alike */
	int rc;

	json_decref(site);
	if (site_text == NULL)
		return sh_err_set(err, SH_EINTERNAL, "techdocs: cannot encode site.json");
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0) {
		free(site_text);
		return rc;
	}
	rc = upsert_site(db, ref, s, site_text, err);
	if (rc == 0)
		rc = replace_files(db, ref, s, site_text, err);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
	free(site_text);
	return rc;
}

int techdocs_store_attempt(sqlite3 *db, const char *ref, const json_t *log, const char *error,
	struct sh_err *err)
{
	static const char sql[] =
		"INSERT INTO techdocs_sites (entity_ref, checked_at, log, error) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT (entity_ref) DO UPDATE SET checked_at = ?2, log = ?3, error = ?4";
	char *text = json_dumps(log, JSON_COMPACT);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	else {
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, jobs_now_ms());
		sqlite3_bind_text(st, 3, text ? text : "[]", -1, SQLITE_STATIC);
		if (error != NULL)
			sqlite3_bind_text(st, 4, error, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	free(text);
	return rc;
}

char *techdocs_stored_hash(sqlite3 *db, const char *ref)
{
	sqlite3_stmt *st = NULL;
	char *hash = NULL;

	if (sqlite3_prepare_v2(db, "SELECT source_hash FROM techdocs_sites WHERE entity_ref = ?1 AND "
		"source_hash IS NOT NULL", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			hash = sh_strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	return hash;
}
