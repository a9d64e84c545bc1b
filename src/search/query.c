/*
 * GET /api/search/query and /api/search/facets. The query string comes in
 * the bracket form Backstage's frontend writes (types[0]=…,
 * filters[kind]=…, filters[owner][0]=…) or plainly repeated. A term
 * becomes an FTS5 query of word prefixes, all required; results rank an
 * exact name first, then by bm25 with titles weighing most and body text
 * least. An empty term browses: every document of the chosen types.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/server.h"

#define DEFAULT_PAGE 25
#define MAX_TOKENS 16
#define MAX_FILTERS 8
#define MAX_VALUES 32      /* per filter */
#define MAX_BINDS 320
#define MAX_KEY 64
#define SNIPPET_TOKENS 32
/* Column weights of bm25: title, keywords, text. */
#define RANK "bm25(search_fts, 10.0, 4.0, 1.0)"

static const char *const types_known[] = { SEARCH_TYPE_CATALOG, SEARCH_TYPE_TECHDOCS };

struct filter {
	const char *key;
	const char *values[MAX_VALUES];
	size_t n;
};

struct query {
	const char *term;    /* trimmed; "" browses */
	const char *match;   /* the FTS5 expression, or NULL to browse */
	const char *types[2];
	size_t n_types;
	struct filter filters[MAX_FILTERS];
	size_t n_filters;
	long limit, page;
};

static struct search *module(struct http_req *req)
{
	return http_server_ctx(req)->search;
}

static int bad(struct sh_err *err, const char *what)
{
	return sh_err_set(err, SH_EINPUT, "Invalid query string: %s", what);
}

/* ---- the query string ---------------------------------------------------------------------- */

/* Whether rest is "", "[]" or "[<digits>]": one value of a list. */
static bool list_suffix(const char *rest)
{
	size_t n;

	if (rest[0] == '\0' || strcmp(rest, "[]") == 0)
		return true;
	if (rest[0] != '[' || (n = strspn(rest + 1, "0123456789")) == 0 || n > 6)
		return false;
	return strcmp(rest + 1 + n, "]") == 0;
}

static int add_type(struct query *q, const char *value, struct sh_err *err)
{
	for (size_t i = 0; i < sizeof(types_known) / sizeof(*types_known); i++) {
		if (strcmp(value, types_known[i]) != 0)
			continue;
		for (size_t k = 0; k < q->n_types; k++)
			if (strcmp(q->types[k], value) == 0)
				return 0;
		q->types[q->n_types++] = types_known[i];
		return 0;
	}
	return sh_err_set(err, SH_EINPUT, "Invalid query string: unknown search type \"%.100s\"; "
		"the types are software-catalog and techdocs", value);
}

static bool key_ok(const char *key, size_t n)
{
	if (n == 0 || n > MAX_KEY)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_' && key[i] != '-')
			return false;
	return true;
}

/* filters[<key>] with an optional list suffix. */
static int add_filter(struct query *q, struct sh_arena *a, const char *name, const char *value,
	struct sh_err *err)
{
	const char *close = strchr(name, ']');
	size_t n = close ? (size_t)(close - name) : 0;
	const char *key;
	struct filter *f = NULL;

	if (close == NULL || !list_suffix(close + 1))
		return sh_err_set(err, SH_EINPUT, "Invalid query string: cannot read \"filters[%.100s\"", name);
	if (!key_ok(name, n))
		return sh_err_set(err, SH_EINPUT, "Invalid query string: \"%.*s\" is not a field name",
			(int)(n > 100 ? 100 : n), name);
	key = sh_arena_printf(a, "%.*s", (int)n, name);
	for (size_t i = 0; i < q->n_filters && f == NULL; i++)
		if (strcmp(q->filters[i].key, key) == 0)
			f = &q->filters[i];
	if (f == NULL) {
		if (q->n_filters == MAX_FILTERS)
			return bad(err, "too many filters");
		f = &q->filters[q->n_filters++];
		f->key = key;
	}
	if (f->n == MAX_VALUES)
		return bad(err, "too many values for one filter");
	f->values[f->n++] = value;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_cursor(struct query *q, struct sh_arena *a, const char *cursor, struct sh_err *err)
{
	size_t len = 0;
	char *text = sh_base64_decode(a, cursor, &len);

	if (text == NULL || len == 0 || strlen(text) != len || parse_long(text, 0, 1000000, &q->page) != 0)
		return bad(err, "pageCursor is not a cursor this server gave");
	return 0;
}

/* An FTS5 query requiring a prefix match of every word of term, or NULL
 * when term has no word. */
static const char *match_of(struct sh_arena *a, const char *term)
{
	struct sh_buf b = SH_BUF_INIT;
	const char *out = NULL;
	int tokens = 0;

	for (const char *p = term; *p && tokens < MAX_TOKENS;) {
		size_t n = 0;
		while (p[n] && (isalnum((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80))
			n++;
		if (n > 0) {
			sh_buf_printf(&b, "%s\"%.*s\"*", tokens++ ? " " : "", (int)n, p);
			p += n;
		} else {
			p++;
		}
	}
	if (tokens > 0)
		out = sh_arena_strdup(a, b.ptr);
	sh_buf_dispose(&b);
	return out;
}

static const char *trimmed(struct sh_arena *a, const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return sh_arena_printf(a, "%.*s", (int)n, s);
}

static int parse_pair(struct query *q, struct http_req *req, const struct http_pair *p,
	const struct sh_config *cfg, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);

	if (strcmp(p->name, "term") == 0) {
		if ((int64_t)strlen(p->value) > cfg->search_max_term)
			return sh_err_set(err, SH_EINPUT, "Invalid query string: the term is longer than %lld "
				"characters", (long long)cfg->search_max_term);
		q->term = trimmed(a, p->value);
	} else if (strncmp(p->name, "types", 5) == 0 && list_suffix(p->name + 5)) {
		return add_type(q, p->value, err);
	} else if (strncmp(p->name, "filters[", 8) == 0) {
		return add_filter(q, a, p->name + 8, p->value, err);
	} else if (strcmp(p->name, "pageLimit") == 0) {
		if (parse_long(p->value, 1, (long)cfg->search_max_page, &q->limit) != 0)
			return sh_err_set(err, SH_EINPUT, "Invalid query string: pageLimit must be a whole "
				"number from 1 to %lld", (long long)cfg->search_max_page);
	} else if (strcmp(p->name, "pageCursor") == 0) {
		return parse_cursor(q, a, p->value, err);
	}
	return 0; /* anything else is passed to the engine, which ignores it */
}

static int parse_query(struct query *q, struct http_req *req, struct sh_err *err)
{
	const struct http_query *qs = http_query(req);
	const struct sh_config *cfg = module(req)->cfg;
	int rc;

	memset(q, 0, sizeof(*q));
	q->term = "";
	q->limit = DEFAULT_PAGE;
	for (size_t i = 0; qs != NULL && i < qs->n; i++)
		if ((rc = parse_pair(q, req, &qs->pairs[i], cfg, err)) != 0)
			return rc;
	q->match = match_of(http_arena(req), q->term);
	return 0;
}

/* ---- SQL -------------------------------------------------------------------------------- */

struct binds {
	const char *v[MAX_BINDS];
	int n;
};

static void bind_add(struct binds *b, const char *v)
{
	if (b->n < MAX_BINDS) /* never reached: the parser bounds filters and values */
		b->v[b->n++] = v;
}

static void put_in_list(struct sh_buf *sql, struct binds *b, const char *const *values, size_t n,
	const char *wrap)
{
	for (size_t i = 0; i < n; i++) {
		sh_buf_printf(sql, i ? ", %s(?)" : "%s(?)", wrap);
		bind_add(b, values[i]);
	}
}

/* " AND …" for the types and filters of q, leaving out the filter on
 * skip (a facet counts as if its own filter were not set). */
static void where_sql(struct sh_buf *sql, struct binds *b, struct sh_arena *a,
	const struct query *q, const char *skip)
{
	if (q->n_types > 0 && (skip == NULL || strcmp(skip, "type") != 0)) {
		sh_buf_puts(sql, " AND d.type IN (");
		put_in_list(sql, b, q->types, q->n_types, "");
		sh_buf_putc(sql, ')');
	}
	for (size_t i = 0; i < q->n_filters; i++) {
		const struct filter *f = &q->filters[i];
		if (skip != NULL && strcmp(skip, f->key) == 0)
			continue;
		sh_buf_puts(sql, " AND (lower(json_extract(d.document, ?)) IN (");
		bind_add(b, sh_arena_printf(a, "$.\"%s\"", f->key));
		put_in_list(sql, b, f->values, f->n, "lower");
		sh_buf_putc(sql, ')');
		/* Owners are written many ways (team, group:team,
		 * group:default/team); the facet's form always matches. */
		if (strcmp(f->key, "owner") == 0) {
			sh_buf_puts(sql, " OR d.owner IN (");
			put_in_list(sql, b, f->values, f->n, "lower");
			sh_buf_putc(sql, ')');
		}
		sh_buf_putc(sql, ')');
	}
}

/* FROM and WHERE of every query over q's matches. */
static void from_sql(struct sh_buf *sql, struct binds *b, struct sh_arena *a, const struct query *q,
	const char *skip)
{
	if (q->match != NULL) {
		sh_buf_puts(sql, " FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid "
			"WHERE search_fts MATCH ?");
		bind_add(b, q->match);
	} else {
		sh_buf_puts(sql, " FROM search_docs d WHERE 1");
	}
	where_sql(sql, b, a, q, skip);
}

static int prepare(struct http_req *req, const char *sql, const struct binds *b,
	sqlite3_stmt **st, struct sh_err *err)
{
	sqlite3 *db = http_db(req);

	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	for (int i = 0; i < b->n; i++)
		sqlite3_bind_text(*st, i + 1, b->v[i], -1, SQLITE_STATIC);
	return 0;
}

/* The step failed rather than ran out of rows. */
static int step_failed(struct http_req *req, int step, struct sh_err *err)
{
	if (step == SQLITE_DONE)
		return 0;
	return sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(http_db(req)));
}

static int count_matches(struct http_req *req, const struct query *q, json_int_t *out,
	struct sh_err *err)
{
	struct sh_buf sql = SH_BUF_INIT;
	struct binds b = { .n = 0 };
	sqlite3_stmt *st = NULL;
	int rc, step;

	sh_buf_puts(&sql, "SELECT count(*)");
	from_sql(&sql, &b, http_arena(req), q, NULL);
	rc = prepare(req, sql.ptr, &b, &st, err);
	sh_buf_dispose(&sql);
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
	json_t *fields = json_object();

	if (title != NULL && strstr(title, s->pre_tag) != NULL)
		json_object_set_new(fields, "title", json_string(title));
	if (text != NULL && text[0])
		json_object_set_new(fields, "text", json_string(text));
	if (sqlite3_column_type(st, 2) != SQLITE_NULL)
		json_object_set_new(r, "highlight", json_pack("{s:s,s:s,s:o}", "preTag", s->pre_tag,
			"postTag", s->post_tag, "fields", fields));
	else
		json_decref(fields);
	return r;
}

static int page_sql(struct http_req *req, const struct query *q, const struct search *s,
	sqlite3_stmt **st, struct sh_err *err)
{
	struct sh_buf sql = SH_BUF_INIT;
	struct binds b = { .n = 0 };
	int rc;

	if (q->match != NULL) {
		sh_buf_printf(&sql, "SELECT d.type, d.document, highlight(search_fts, 0, ?, ?), "
			"snippet(search_fts, 2, ?, ?, '…', %d)", SNIPPET_TOKENS);
		bind_add(&b, s->pre_tag);
		bind_add(&b, s->post_tag);
		bind_add(&b, s->pre_tag);
		bind_add(&b, s->post_tag);
	} else {
		sh_buf_puts(&sql, "SELECT d.type, d.document, NULL, NULL");
	}
	from_sql(&sql, &b, http_arena(req), q, NULL);
	if (q->match != NULL) {
		/* An entity named exactly as asked comes first. */
		sh_buf_puts(&sql, " ORDER BY d.name = ? DESC, " RANK ", d.id");
		bind_add(&b, sh_arena_lower(http_arena(req), q->term));
	} else {
		sh_buf_puts(&sql, " ORDER BY d.type, d.title, d.id");
	}
	sh_buf_printf(&sql, " LIMIT %ld OFFSET %ld", q->limit, q->limit * q->page);
	rc = prepare(req, sql.ptr, &b, st, err);
	sh_buf_dispose(&sql);
	return rc;
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
	struct query q;
	json_t *results, *body;
	json_int_t total = 0;
	sqlite3_stmt *st = NULL;
	long rank;
	int rc, step;

	if ((rc = parse_query(&q, req, err)) != 0 || (rc = count_matches(req, &q, &total, err)) != 0 ||
		(rc = page_sql(req, &q, s, &st, err)) != 0)
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

/* [{value, count}] of column over q's matches, most common first. */
static int facet(struct http_req *req, const struct query *q, const char *name, const char *column,
	json_t *out, struct sh_err *err)
{
	struct sh_buf sql = SH_BUF_INIT;
	struct binds b = { .n = 0 };
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	int rc, step;

	sh_buf_printf(&sql, "SELECT %s, count(*)", column);
	from_sql(&sql, &b, http_arena(req), q, name);
	sh_buf_printf(&sql, " AND %s <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100", column);
	rc = prepare(req, sql.ptr, &b, &st, err);
	sh_buf_dispose(&sql);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s,s:I}", "value",
			(const char *)sqlite3_column_text(st, 0), "count", (json_int_t)sqlite3_column_int64(st, 1)));
	if (rc == 0)
		rc = step_failed(req, step, err);
	sqlite3_finalize(st);
	json_object_set_new(out, name, list);
	return rc;
}

int search_get_facets(struct http_req *req, struct sh_err *err)
{
	static const char *const names[][2] = { { "type", "d.type" }, { "kind", "d.kind" },
		{ "owner", "d.owner" } };
	struct query q;
	json_t *facets;
	json_int_t total = 0;
	int rc;

	if ((rc = parse_query(&q, req, err)) != 0 || (rc = count_matches(req, &q, &total, err)) != 0)
		return rc;
	facets = json_object();
	for (size_t i = 0; rc == 0 && i < sizeof(names) / sizeof(*names); i++)
		rc = facet(req, &q, names[i][0], names[i][1], facets, err);
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
