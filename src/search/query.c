/* GET /api/search/query and /api/search/facets (statements: parse.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/server.h"

static struct search *module(struct http_req *req)
{
	return http_server_ctx(req)->search;
}

/* Prepare sql (heap, freed here) on the request's connection and bind b. */
static int prepare(struct http_req *req, char *sql, const struct search_binds *b,
	sqlite3_stmt **st, struct sh_err *err)
{
	sqlite3 *db = http_db(req);
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	for (int i = 0; rc == 0 && i < b->n; i++)
		sqlite3_bind_text(*st, i + 1, b->v[i], -1, SQLITE_STATIC);
	free(sql);
	return rc;
}

/* 0 when the statement ran out of rows, else the database's error. */
static int step_failed(struct http_req *req, int step, struct sh_err *err)
{
	if (step == SQLITE_DONE)
		return 0;
	return sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(http_db(req)));
}

static int parse(struct http_req *req, struct search_query *q, struct sh_err *err)
{
	return search_parse(q, http_arena(req), http_query(req), module(req)->cfg, err);
}

static int count_matches(struct http_req *req, const struct search_query *q, json_int_t *out,
	struct sh_err *err)
{
	struct search_binds b;
	sqlite3_stmt *st = NULL;
	int rc = prepare(req, search_sql_count(q, http_arena(req), &b), &b, &st, err), step;

	if (rc != 0)
		return rc;
	step = sqlite3_step(st);
	*out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = step == SQLITE_ROW ? 0 : step_failed(req, step, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- GET /query ---------------------------------------------------------------------------- */

static json_t *result_of(sqlite3_stmt *st, const struct search *s, long rank)
{
	const char *doc = (const char *)sqlite3_column_text(st, 1);
	json_t *document = doc ? json_loads(doc, 0, NULL) : NULL;
	json_t *r = json_pack("{s:s,s:o,s:I}", "type", (const char *)sqlite3_column_text(st, 0),
		"document", document ? document : json_object(), "rank", (json_int_t)rank);
	const char *title = (const char *)sqlite3_column_text(st, 2);
	const char *text = (const char *)sqlite3_column_text(st, 3);
	json_t *fields;

	if (sqlite3_column_type(st, 2) == SQLITE_NULL)
		return r; /* browsing: nothing to highlight */
	fields = json_object();
	if (title != NULL && strstr(title, s->pre_tag) != NULL)
		json_object_set_new(fields, "title", json_string(title));
	if (text != NULL && strstr(text, s->pre_tag) != NULL)
		json_object_set_new(fields, "text", json_string(text));
	json_object_set_new(r, "highlight", json_pack("{s:s,s:s,s:o}", "preTag", s->pre_tag,
		"postTag", s->post_tag, "fields", fields));
	return r;
}

static const char *cursor_of(struct sh_arena *a, long page)
{
	char num[24];

	snprintf(num, sizeof(num), "%ld", page);
	return sh_base64_encode(a, num, strlen(num));
}

int search_get_query(struct http_req *req, struct sh_err *err)
{
	const struct search *s = module(req);
	struct sh_arena *a = http_arena(req);
	struct search_query q;
	struct search_binds b;
	json_t *results, *body;
	json_int_t total = 0;
	sqlite3_stmt *st = NULL;
	long rank;
	int rc, step;

	if ((rc = parse(req, &q, err)) != 0 || (rc = count_matches(req, &q, &total, err)) != 0 ||
		(rc = prepare(req, search_sql_page(&q, a, s->pre_tag, s->post_tag, &b), &b, &st, err)) != 0)
		return rc;
	results = json_array();
	rank = q.limit * q.page;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(results, result_of(st, s, ++rank));
	rc = step_failed(req, step, err);
	sqlite3_finalize(st);
	if (rc != 0) {
		json_decref(results);
		return rc;
	}
	body = json_pack("{s:o,s:I}", "results", results, "numberOfResults", total);
	if ((json_int_t)(q.limit * (q.page + 1)) < total)
		json_object_set_new(body, "nextPageCursor", json_string(cursor_of(a, q.page + 1)));
	if (q.page > 0)
		json_object_set_new(body, "previousPageCursor", json_string(cursor_of(a, q.page - 1)));
	http_respond_json(req, 200, body);
	return 0;
}

/* ---- GET /facets --------------------------------------------------------------------------- */

/* [{value, count}] of the facet name over q's matches, most common first. */
static int facet(struct http_req *req, const struct search_query *q, const char *name, json_t *out,
	struct sh_err *err)
{
	struct search_binds b;
	sqlite3_stmt *st = NULL;
	json_t *list;
	int rc = prepare(req, search_sql_facet(q, http_arena(req), name, &b), &b, &st, err), step;

	if (rc != 0)
		return rc;
	list = json_array();
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s,s:I}", "value",
			(const char *)sqlite3_column_text(st, 0), "count", (json_int_t)sqlite3_column_int64(st, 1)));
	rc = step_failed(req, step, err);
	sqlite3_finalize(st);
	json_object_set_new(out, name, list);
	return rc;
}

int search_get_facets(struct http_req *req, struct sh_err *err)
{
	static const char *const names[] = { "type", "kind", "owner" };
	struct search_query q;
	json_t *facets;
	json_int_t total = 0;
	int rc;

	if ((rc = parse(req, &q, err)) != 0 || (rc = count_matches(req, &q, &total, err)) != 0)
		return rc;
	facets = json_object();
	for (size_t i = 0; rc == 0 && i < SH_ARRAY_LEN(names); i++)
		rc = facet(req, &q, names[i], facets, err);
	if (rc != 0) {
		json_decref(facets);
		return rc;
	}
	http_respond_json(req, 200, json_pack("{s:o,s:I}", "facets", facets, "numberOfResults", total));
	return 0;
}

/* ---- the module ------------------------------------------------------------------------ */

int search_new(struct search **out, const struct sh_config *cfg, struct sh_err *err)
{
	struct search *s = sh_calloc(1, sizeof(*s));
	char id[37];

	(void)err;
	s->cfg = cfg;
	sh_uuid_v4(id);
	snprintf(s->pre_tag, sizeof(s->pre_tag), "<%s>", id);
	snprintf(s->post_tag, sizeof(s->post_tag), "</%s>", id);
	*out = s;
	return 0;
}

void search_free(struct search *s)
{
	free(s);
}
