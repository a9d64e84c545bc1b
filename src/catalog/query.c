/*
 * Reading entities: the list (GET /entities), cursor pages (/entities/
 * by-query) and facets. Every filter, order and count is SQL over the
 * catalog_search index; entity bodies are copied out as stored text and
 * only parsed when a `fields` projection asks for it.
 */
#include "query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/server.h"

/* ---- shared ------------------------------------------------------------------------ */

int prepare(sqlite3_stmt **out, struct http_req *req, const char *sql, struct sh_err *err)
{
	if (sqlite3_prepare_v2(http_db(req), sql, -1, out, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "catalog query: %s (%s)",
			sqlite3_errmsg(http_db(req)), sql);
	return 0;
}

/* Append one entity body (stored JSON text) to an array being built. */
void append_entity(struct sh_buf *out, const char *text, const struct entity_query *q)
{
	if (out->len > 1)
		sh_buf_putc(out, ',');
	if (q->n_fields == 0) {
		sh_buf_puts(out, text);
	} else {
		json_t *e = json_loads(text, 0, NULL);
		json_t *p = fields_project(e, q->fields, q->n_fields);
		char *s = json_dumps(p, JSON_COMPACT);
		sh_buf_puts(out, s);
		free(s);
		json_decref(p);
		json_decref(e);
	}
}

int ownership_param(struct pred *filter, struct http_req *req, const char *value,
	struct sh_err *err)
{
	if (value == NULL || strcmp(value, "direct") == 0)
		return 0;
	if (strcmp(value, "transitive") != 0)
		return sh_err_set(err, SH_EINPUT, "Invalid ownership \"%s\": expected direct or transitive",
			value);
	return filter_expand_ownership(filter, http_db(req), http_arena(req), err);
}

int parse_common(struct entity_query *q, struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	const char **filters, **fields;
	size_t nf, nfl;
	int rc;

	memset(q, 0, sizeof(*q));
	filters = http_query_all(req, "filter", &nf);
	fields = http_query_all(req, "fields", &nfl);
	if ((rc = filter_parse_query(&q->filter, a, filters, nf, err)) != 0)
		return rc;
	if ((rc = ownership_param(q->filter, req, http_query_get(req, "ownership"), err)) != 0)
		return rc;
	return fields_parse(&q->fields, &q->n_fields, a, fields, nfl, err);
}

static int parse_count(const char *s, const char *name, long min, long *out, struct sh_err *err)
{
	char *end;
	long v;

	if (s == NULL)
		return 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min)
		return sh_err_set(err, SH_EINPUT, "Invalid %s \"%s\": expected an integer %s %ld", name, s,
			min > 0 ? "of at least" : "from", min);
	*out = v;
	return 0;
}

/* ---- GET /entities ------------------------------------------------------------------------ */

struct list_opts {
	const char *order_field;   /* lower-case, or NULL */
	bool desc;
	long limit, offset;
	bool paged;
};

static int parse_order(struct list_opts *o, struct http_req *req, struct sh_err *err)
{
	size_t n;
	const char **orders = http_query_all(req, "order", &n);

	for (size_t i = 0; i < n; i++) {
		const char *colon = strchr(orders[i], ':');
		size_t dir = colon ? (size_t)(colon - orders[i]) : 0;
		if (colon == NULL || colon[1] == '\0' ||
			!((dir == 3 && strncmp(orders[i], "asc", 3) == 0) ||
			  (dir == 4 && strncmp(orders[i], "desc", 4) == 0)))
			return sh_err_set(err, SH_EINPUT, "Invalid order \"%s\": expected asc:<field> or desc:<field>",
				orders[i]);
		if (i == 0) {
			char *f = sh_arena_strdup(http_arena(req), colon + 1);
			for (char *p = f; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			o->order_field = f;
			o->desc = dir == 4;
		}
	}
	return 0;
}

static int parse_list_paging(struct list_opts *o, struct http_req *req, struct sh_err *err)
{
	const char *after = http_query_get(req, "after");
	int rc;

	o->limit = -1;
	o->offset = 0;
	if ((rc = parse_count(http_query_get(req, "limit"), "limit", 1, &o->limit, err)) != 0 ||
		(rc = parse_count(http_query_get(req, "offset"), "offset", 0, &o->offset, err)) != 0)
		return rc;
	if (after != NULL) {
		size_t len;
		char *text = sh_base64_decode(http_arena(req), after, &len);
		json_t *c = text ? json_loadb(text, len, 0, NULL) : NULL;
		if (!json_is_integer(json_object_get(c, "limit")) ||
			!json_is_integer(json_object_get(c, "offset"))) {
			json_decref(c);
			return sh_err_set(err, SH_EINPUT, "Malformed cursor in after");
		}
		o->limit = (long)json_integer_value(json_object_get(c, "limit"));
		o->offset = (long)json_integer_value(json_object_get(c, "offset"));
		json_decref(c);
	}
	o->paged = o->limit >= 0 || http_query_get(req, "offset") != NULL || after != NULL;
	return 0;
}

static void next_link(struct http_req *req, const struct list_opts *o)
{
	struct sh_arena *a = http_arena(req);
	const struct http_query *q = http_query(req);
	struct sh_buf url = SH_BUF_INIT;
	char *cursor_json = sh_arena_printf(a, "{\"limit\":%ld,\"offset\":%ld}", o->limit,
		o->offset + o->limit);
	const char *cursor = sh_base64_encode(a, cursor_json, strlen(cursor_json));

	sh_buf_puts(&url, "</entities?");
	for (size_t i = 0; i < q->n; i++) {
		if (strcmp(q->pairs[i].name, "offset") == 0 || strcmp(q->pairs[i].name, "after") == 0)
			continue;
		sh_buf_put_urlencoded(&url, q->pairs[i].name);
		sh_buf_putc(&url, '=');
		sh_buf_put_urlencoded(&url, q->pairs[i].value);
		sh_buf_putc(&url, '&');
	}
	sh_buf_printf(&url, "after=%s>; rel=\"next\"", cursor);
	http_header_add(req, "Link", url.ptr);
	sh_buf_dispose(&url);
}

/* A page of the list ordered by a field: entities that have it, in order,
 * then those that lack it, by uid (Backstage's nulls last). */
static void list_ordered_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct entity_query *q, const struct kind_scope *scope, const struct list_opts *o)
{
	sh_buf_puts(sql, "SELECT final FROM (SELECT e.final AS final, 0 AS grp, o.value AS v, "
		"o.original AS w, e.uid AS u FROM catalog_search o JOIN catalog_entities e "
		"ON e.id = o.entity_id WHERE o.key_id = " KEY_ID_OF);
	binds_add(b, a, o->order_field);
	scope_sql(sql, b, a, scope, "o.kind");
	sh_buf_puts(sql, " AND o.value IS NOT NULL AND ");
	filter_sql(sql, b, a, q->filter, "o.entity_id");
	sh_buf_puts(sql, " UNION ALL SELECT e.final, 1, NULL, NULL, e.uid FROM catalog_search o "
		"JOIN catalog_entities e ON e.id = o.entity_id WHERE o.key_id = " KEY_ID_OF);
	binds_add(b, a, "metadata.uid");
	scope_sql(sql, b, a, scope, "o.kind");
	sh_buf_puts(sql, " AND NOT EXISTS (SELECT 1 FROM catalog_search f WHERE f.entity_id = o.entity_id "
		"AND f.key_id = " KEY_ID_OF " AND f.value IS NOT NULL) AND ");
	binds_add(b, a, o->order_field);
	filter_sql(sql, b, a, q->filter, "o.entity_id");
	sh_buf_printf(sql, ") ORDER BY grp, v %s, w %s, u LIMIT %ld OFFSET %ld", o->desc ? "DESC" : "ASC",
		o->desc ? "DESC" : "ASC", o->limit >= 0 ? o->limit + 1 : -1, o->offset);
}

int catalog_get_entities(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct entity_query q;
	struct kind_scope scope;
	struct list_opts o = { 0 };
	struct sql_binds binds = { 0 };
	struct sh_buf sql = SH_BUF_INIT, out = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	long rows = 0;
	int rc;

	if ((rc = parse_common(&q, req, err)) != 0 || (rc = parse_order(&o, req, err)) != 0 ||
		(rc = parse_list_paging(&o, req, err)) != 0)
		return rc;
	filter_take_kinds(&q.filter, a, &scope);
	if (o.order_field && o.paged) {
		list_ordered_sql(&sql, &binds, a, &q, &scope, &o);
	} else {
		/* Start from the order key's rows, else from one row per entity. */
		sh_buf_puts(&sql, "SELECT e.final FROM catalog_search o JOIN catalog_entities e "
			"ON e.id = o.entity_id WHERE o.key_id = " KEY_ID_OF);
		binds_add(&binds, a, o.order_field ? o.order_field : "metadata.uid");
		scope_sql(&sql, &binds, a, &scope, "o.kind");
		sh_buf_puts(&sql, " AND o.value IS NOT NULL AND ");
		filter_sql(&sql, &binds, a, q.filter, "o.entity_id");
		if (o.order_field)
			sh_buf_printf(&sql, " ORDER BY o.value %s, o.original %s, o.entity_id",
				o.desc ? "DESC" : "ASC", o.desc ? "DESC" : "ASC");
		else
			sh_buf_puts(&sql, o.paged ? " ORDER BY e.ref" : " ORDER BY o.value");
		if (o.paged)
			sh_buf_printf(&sql, " LIMIT %ld OFFSET %ld", o.limit >= 0 ? o.limit + 1 : -1, o.offset);
	}
	rc = prepare(&st, req, sql.ptr, err);
	sh_buf_dispose(&sql);
	if (rc != 0)
		return rc;
	binds_apply(st, &binds, 1);
	sh_buf_putc(&out, '[');
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (o.limit >= 0 && rows == o.limit) {
			next_link(req, &o);
			break;
		}
		append_entity(&out, (const char *)sqlite3_column_text(st, 0), &q);
		rows++;
	}
	sqlite3_finalize(st);
	sh_buf_putc(&out, ']');
	http_respond_bytes(req, 200, "application/json; charset=utf-8", out.ptr, out.len);
	sh_buf_dispose(&out);
	return 0;
}

/* ---- facets --------------------------------------------------------------------------------- */

static int facet_counts(json_t *facets, struct http_req *req, const char *facet,
	const struct pred *filter, const struct kind_scope *scope, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct sql_binds binds = { 0 };
	struct sh_buf sql = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	json_t *list = json_array();
	char *key = sh_arena_strdup(a, facet);
	int rc;

	for (char *p = key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* One pass over the facet key's rows, in (kind, value) index order. */
	/* Grouped by exact value, in index order: no sort. */
	sh_buf_puts(&sql, "SELECT coalesce(o.original, o.value), count(*) "
		"FROM catalog_search o WHERE o.key_id = " KEY_ID_OF);
	binds_add(&binds, a, key);
	scope_sql(&sql, &binds, a, scope, "o.kind");
	sh_buf_puts(&sql, " AND o.value IS NOT NULL AND ");
	filter_sql(&sql, &binds, a, filter, "o.entity_id");
	sh_buf_puts(&sql, " GROUP BY o.value, o.original ORDER BY o.value, o.original");
	rc = prepare(&st, req, sql.ptr, err);
	sh_buf_dispose(&sql);
	if (rc != 0) {
		json_decref(list);
		return rc;
	}
	binds_apply(st, &binds, 1);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s,s:I}",
			"value", (const char *)sqlite3_column_text(st, 0),
			"count", (json_int_t)sqlite3_column_int64(st, 1)));
	sqlite3_finalize(st);
	json_object_set_new(facets, facet, list);
	return 0;
}

int facets_respond(struct http_req *req, const char *const *names, size_t n,
	struct pred *filter, struct sh_err *err)
{
	json_t *facets = json_object();
	struct kind_scope scope;
	int rc;

	filter_take_kinds(&filter, http_arena(req), &scope);
	for (size_t i = 0; i < n; i++) {
		if ((rc = facet_counts(facets, req, names[i], filter, &scope, err)) != 0) {
			json_decref(facets);
			return rc;
		}
	}
	http_respond_json(req, 200, json_pack("{s:o}", "facets", facets));
	return 0;
}

int catalog_get_entity_facets(struct http_req *req, struct sh_err *err)
{
	struct entity_query q;
	size_t n;
	const char **names = http_query_all(req, "facet", &n);
	int rc;

	if (n == 0)
		return sh_err_set(err, SH_EINPUT, "Missing facet parameter");
	if ((rc = parse_common(&q, req, err)) != 0)
		return rc;
	return facets_respond(req, names, n, q.filter, err);
}

int catalog_post_entity_facets(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	json_t *body = NULL, *facets, *query;
	struct pred *filter = NULL;
	const char **names;
	size_t n;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	facets = json_object_get(body, "facets");
	query = json_object_get(body, "query");
	n = json_array_size(facets);
	if (n == 0) {
		json_decref(body);
		return sh_err_set(err, SH_EINPUT, "facets must be a non-empty array of strings");
	}
	names = sh_arena_alloc(a, n * sizeof(*names));
	for (size_t i = 0; i < n; i++) {
		if (!json_is_string(json_array_get(facets, i))) {
			json_decref(body);
			return sh_err_set(err, SH_EINPUT, "facets must be a non-empty array of strings");
		}
		names[i] = sh_arena_strdup(a, json_string_value(json_array_get(facets, i)));
	}
	rc = query ? filter_parse_predicate(&filter, a, query, err) : 0;
	json_decref(body);
	if (rc != 0)
		return rc;
	return facets_respond(req, names, n, filter, err);
}
