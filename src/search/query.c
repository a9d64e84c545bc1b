/* GET /api/search/query and /api/search/facets (statements: parse.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/server.h"

#define ANSWER_SLOTS 512 /* cached answers (a power of two) */

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

static int count_matches(struct http_req *req, const struct search_query *q,
	enum search_tier tier, json_int_t *out, struct sh_err *err)
{
	struct search_binds b;
	sqlite3_stmt *st = NULL;
	int rc = prepare(req, search_sql_count(q, http_arena(req), tier, &b), &b, &st, err), step;

	if (rc != 0)
		return rc;
	step = sqlite3_step(st);
	*out = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	rc = step == SQLITE_ROW ? 0 : step_failed(req, step, err);
	sqlite3_finalize(st);
	return rc;
}

/* ---- cached answers ------------------------------------------------------------------------- */

/* The cache key of a request: the endpoint and every parameter, each
 * string prefixed with its length so that no two requests share a key. */
static const char *answer_key(struct http_req *req, char endpoint)
{
	const struct http_query *qs = http_query(req);
	struct sh_buf b = SH_BUF_INIT;
	const char *key;

	sh_buf_putc(&b, endpoint);
	for (size_t i = 0; qs != NULL && i < qs->n; i++)
		sh_buf_printf(&b, "%zu:%s%zu:%s", strlen(qs->pairs[i].name), qs->pairs[i].name,
			strlen(qs->pairs[i].value), qs->pairs[i].value);
	key = sh_arena_strdup(http_arena(req), b.ptr);
	sh_buf_dispose(&b);
	return key;
}

/* Serve the answer made for the same request since the index last
 * changed, if there is one. */
static bool answer_cached(struct http_req *req, const char *key, uint64_t gen)
{
	size_t len = 0;
	const char *text = sh_text_cache_get(module(req)->answers, http_arena(req), key, gen, &len);

	if (text != NULL)
		http_respond_bytes(req, 200, "application/json; charset=utf-8", text, len);
	return text != NULL;
}

/* Respond with body (stolen) and remember it under key at gen. */
static int answer(struct http_req *req, const char *key, uint64_t gen, json_t *body,
	struct sh_err *err)
{
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (text == NULL)
		return sh_err_set(err, SH_EINTERNAL, "search: cannot encode the answer");
	sh_text_cache_put(module(req)->answers, key, text, strlen(text), gen);
	http_respond_bytes(req, 200, "application/json; charset=utf-8", text, strlen(text));
	free(text);
	return 0;
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

/* Append up to limit rows of a tier from offset to results, ranked from
 * rank + 1 on; *got counts them. */
static int page_rows(struct http_req *req, const struct search_query *q, enum search_tier tier,
	long limit, long offset, json_t *results, long *got, struct sh_err *err)
{
	const struct search *s = module(req);
	struct search_binds b;
	sqlite3_stmt *st = NULL;
	int rc = prepare(req, search_sql_page(q, http_arena(req), tier, limit, offset, s->pre_tag,
		s->post_tag, &b), &b, &st, err), step;

	if (rc != 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		(*got)++;
		json_array_append_new(results, result_of(st, s, q->limit * q->page + *got));
	}
	rc = step_failed(req, step, err);
	sqlite3_finalize(st);
	return rc;
}

/* The rows of the page that fall in each tier, in tier order: the
 * tiers before the last are counted to know where each begins. */
static int tiered_rows(struct http_req *req, const struct search_query *q, json_int_t total,
	json_t *results, long *got, struct sh_err *err)
{
	static const enum search_tier tiers[] = { SEARCH_TITLES, SEARCH_KEYWORDS, SEARCH_TEXT };
	long start = q->limit * q->page;
	json_int_t begins = 0, size = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < SH_ARRAY_LEN(tiers) && *got < q->limit; i++, begins += size) {
		long at = start + *got; /* the next row the page needs, counted across tiers */
		size = total - begins;
		if (i + 1 < SH_ARRAY_LEN(tiers) && (rc = count_matches(req, q, tiers[i], &size, err)) != 0)
			break;
		if (at < begins + size)
			rc = page_rows(req, q, tiers[i], q->limit - *got, at - (long)begins, results, got, err);
	}
	return rc;
}

/* The page of q, in one read transaction so that counts and rows agree. */
static int page_of(struct http_req *req, const struct search_query *q, json_int_t *total,
	json_t *results, struct sh_err *err)
{
	sqlite3 *db = http_db(req);
	long got = 0;
	int rc;

	if ((rc = db_exec(db, "BEGIN", err)) != 0)
		return rc;
	rc = count_matches(req, q, SEARCH_ALL, total, err);
	if (rc == 0 && q->match == NULL)
		rc = page_rows(req, q, SEARCH_ALL, q->limit, q->limit * q->page, results, &got, err);
	else if (rc == 0)
		rc = tiered_rows(req, q, *total, results, &got, err);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
	return rc;
}

int search_get_query(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	uint64_t gen = atomic_load(&module(req)->generation); /* before reading the index */
	const char *key = answer_key(req, 'q');
	struct search_query q;
	json_t *results, *body;
	json_int_t total = 0;
	int rc;

	if (answer_cached(req, key, gen))
		return 0;
	if ((rc = parse(req, &q, err)) != 0)
		return rc;
	results = json_array();
	if ((rc = page_of(req, &q, &total, results, err)) != 0) {
		json_decref(results);
		return rc;
	}
	body = json_pack("{s:o,s:I}", "results", results, "numberOfResults", total);
	if ((json_int_t)(q.limit * (q.page + 1)) < total)
		json_object_set_new(body, "nextPageCursor", json_string(cursor_of(a, q.page + 1)));
	if (q.page > 0)
		json_object_set_new(body, "previousPageCursor", json_string(cursor_of(a, q.page - 1)));
	return answer(req, key, gen, body, err);
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
	uint64_t gen = atomic_load(&module(req)->generation);
	const char *key = answer_key(req, 'f');
	struct search_query q;
	json_t *facets;
	json_int_t total = 0;
	int rc;

	if (answer_cached(req, key, gen))
		return 0;
	if ((rc = parse(req, &q, err)) != 0 || (rc = count_matches(req, &q, SEARCH_ALL, &total, err)) != 0)
		return rc;
	facets = json_object();
	for (size_t i = 0; rc == 0 && i < SH_ARRAY_LEN(names); i++)
		rc = facet(req, &q, names[i], facets, err);
	if (rc != 0) {
		json_decref(facets);
		return rc;
	}
	return answer(req, key, gen, json_pack("{s:o,s:I}", "facets", facets, "numberOfResults", total),
		err);
}

/* ---- the module ------------------------------------------------------------------------ */

int search_new(struct search **out, const struct sh_config *cfg, struct sh_err *err)
{
	struct search *s = sh_calloc(1, sizeof(*s));
	char id[37];

	(void)err;
	s->cfg = cfg;
	s->answers = sh_text_cache_new(ANSWER_SLOTS);
	sh_uuid_v4(id);
	snprintf(s->pre_tag, sizeof(s->pre_tag), "<%s>", id);
	snprintf(s->post_tag, sizeof(s->post_tag), "</%s>", id);
	*out = s;
	return 0;
}

void search_free(struct search *s)
{
	if (s == NULL)
		return;
	sh_text_cache_free(s->answers);
	free(s);
}
