/*
 * /entities/by-query: keyset pagination over (sort value, uid). The cursor
 * is standard base64 of a JSON object carrying everything the next page
 * needs — order, filter (under "query", as Backstage stores it, so clients
 * route follow-up pages to the POST form), full-text term, the last and
 * first sort values and the total — so no state is kept on the server.
 */
#include "query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LIMIT 200
#define MAX_PARTS 8

/* One independently ordered slice of a query: an OR whose branches name
 * different kinds runs as one slice per branch, merged. */
struct part {
	struct pred *filter;
	struct kind_scope scope;
};

struct page {
	struct pred *filter;
	json_t *query_json;       /* the filter as a predicate object, or NULL */
	const char *order_field;  /* lower-case; NULL orders by uid */
	bool desc;
	const char *term;         /* lower-case, or NULL */
	const char **ft_fields;
	size_t n_ft;
	bool include_total;
	long limit, offset;
	bool has_cursor, is_previous;
	const char *after_value, *after_uid;
	const char *first_value, *first_uid;
	int64_t after_id, first_id;    /* entity ids: the keyset's last tie-break */
	struct part parts[MAX_PARTS];
	size_t n_parts;
	const char *after_original;    /* the sort value's original text ("" when none) */
	struct kind_scope scope;
	json_int_t total;
	const char **fields;
	size_t n_fields;
};

static char *lower_dup(struct sh_arena *a, const char *s)
{
	char *out = sh_arena_strdup(a, s);

	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

static int parse_limit(struct page *p, const char *s, struct sh_err *err)
{
	char *end;
	long v;

	if (s == NULL)
		return 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0)
		return sh_err_set(err, SH_EINPUT, "Invalid limit \"%s\": expected an integer of at least 0", s);
	p->limit = v;
	return 0;
}

static void set_full_text(struct page *p, struct sh_arena *a, const char *term,
	const char *const *fields, size_t n)
{
	char *t;
	size_t len;

	if (term == NULL)
		return;
	while (isspace((unsigned char)*term))
		term++;
	t = lower_dup(a, term);
	len = strlen(t);
	while (len > 0 && isspace((unsigned char)t[len - 1]))
		t[--len] = '\0';
	if (len == 0)
		return;
	p->term = t;
	p->ft_fields = sh_arena_alloc(a, (n + 1) * sizeof(*p->ft_fields));
	for (size_t i = 0; i < n; i++)
		p->ft_fields[i] = lower_dup(a, fields[i]);
	p->n_ft = n;
}

/* ---- cursors --------------------------------------------------------------------------- */

static json_t *cursor_json(const struct page *p, const char *value, const char *original,
	const char *uid, int64_t id, bool previous)
{
	json_t *c = json_object();
	json_t *order = json_array();

	if (p->order_field)
		json_array_append_new(order, json_pack("{s:s,s:s}", "field", p->order_field,
			"order", p->desc ? "desc" : "asc"));
	json_object_set_new(c, "orderFields", order);
	json_object_set_new(c, "orderFieldValues", json_pack("[ss]", value, uid));
	json_object_set_new(c, "isPrevious", json_boolean(previous));
	if (p->query_json)
		json_object_set(c, "query", p->query_json);
	if (p->term) {
		json_t *fields = json_array();
		for (size_t i = 0; i < p->n_ft; i++)
			json_array_append_new(fields, json_string(p->ft_fields[i]));
		json_object_set_new(c, "fullTextFilter", json_pack("{s:s,s:o}", "term", p->term,
			"fields", fields));
	}
	json_object_set_new(c, "firstSortFieldValues", json_pack("[ss]", p->first_value, p->first_uid));
	json_object_set_new(c, "totalItems", json_integer(p->total));
	json_object_set_new(c, "entityId", json_integer(id));
	json_object_set_new(c, "sortOriginal", json_string(original));
	json_object_set_new(c, "firstEntityId", json_integer(p->first_id));
	return c;
}

static const char *encode_cursor(struct sh_arena *a, json_t *c)
{
	char *text = json_dumps(c, JSON_COMPACT);
	const char *out = sh_base64_encode(a, text, strlen(text));

	free(text);
	json_decref(c);
	return out;
}

static int bad_cursor(struct sh_err *err, const char *why)
{
	return sh_err_set(err, SH_EINPUT, "Malformed cursor: %s", why);
}

static int pair_of(struct sh_arena *a, const json_t *arr, const char **v, const char **uid)
{
	if (json_array_size(arr) != 2 || !json_is_string(json_array_get(arr, 0)) ||
		!json_is_string(json_array_get(arr, 1)))
		return -1;
	*v = sh_arena_strdup(a, json_string_value(json_array_get(arr, 0)));
	*uid = sh_arena_strdup(a, json_string_value(json_array_get(arr, 1)));
	return 0;
}

static int read_cursor_fields(struct page *p, struct sh_arena *a, json_t *c, struct sh_err *err)
{
	json_t *order = json_array_get(json_object_get(c, "orderFields"), 0);
	json_t *ft = json_object_get(c, "fullTextFilter");
	json_t *query = json_object_get(c, "query");
	int rc;

	if (order != NULL) {
		if (!json_is_string(json_object_get(order, "field")))
			return bad_cursor(err, "orderFields");
		p->order_field = lower_dup(a, json_string_value(json_object_get(order, "field")));
		p->desc = json_is_string(json_object_get(order, "order")) &&
			strcmp(json_string_value(json_object_get(order, "order")), "desc") == 0;
	}
	if (pair_of(a, json_object_get(c, "orderFieldValues"), &p->after_value, &p->after_uid) != 0 ||
		pair_of(a, json_object_get(c, "firstSortFieldValues"), &p->first_value, &p->first_uid) != 0)
		return bad_cursor(err, "orderFieldValues");
	if (!json_is_integer(json_object_get(c, "entityId")) ||
		!json_is_integer(json_object_get(c, "firstEntityId")))
		return bad_cursor(err, "entityId");
	p->after_id = json_integer_value(json_object_get(c, "entityId"));
	p->after_original = json_is_string(json_object_get(c, "sortOriginal"))
		? sh_arena_strdup(a, json_string_value(json_object_get(c, "sortOriginal"))) : "";
	p->first_id = json_integer_value(json_object_get(c, "firstEntityId"));
	if (json_is_object(ft) && json_is_string(json_object_get(ft, "term"))) {
		json_t *fields = json_object_get(ft, "fields");
		size_t n = json_array_size(fields);
		const char **names = sh_arena_alloc(a, (n + 1) * sizeof(*names));
		for (size_t i = 0; i < n; i++) {
			if (!json_is_string(json_array_get(fields, i)))
				return bad_cursor(err, "fullTextFilter.fields");
			names[i] = json_string_value(json_array_get(fields, i));
		}
		set_full_text(p, a, json_string_value(json_object_get(ft, "term")), names, n);
	}
	if (query != NULL) {
		if ((rc = filter_parse_predicate(&p->filter, a, query, err)) != 0)
			return bad_cursor(err, sh_arena_strdup(a, err->msg));
		p->query_json = json_incref(query);
	}
	p->is_previous = json_is_true(json_object_get(c, "isPrevious"));
	p->total = json_integer_value(json_object_get(c, "totalItems"));
	p->include_total = true;
	p->has_cursor = true;
	return 0;
}

static int decode_cursor(struct page *p, struct sh_arena *a, const char *cursor, struct sh_err *err)
{
	size_t len;
	char *text = sh_base64_decode(a, cursor, &len);
	json_t *c;
	int rc;

	if (cursor[0] == '\0' || text == NULL)
		return bad_cursor(err, "not base64");
	c = json_loadb(text, len, 0, NULL);
	if (!json_is_object(c)) {
		json_decref(c);
		return bad_cursor(err, "not a JSON object");
	}
	rc = read_cursor_fields(p, a, c, err);
	json_decref(c);
	return rc;
}

/* ---- SQL --------------------------------------------------------------------------------- */

/* FROM ... WHERE over the driving key's rows: the order key, else
 * metadata.uid (one row per entity, in uid order). */
static void term_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct page *p);

static void where_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct page *p, const struct part *part, bool join)
{
	sh_buf_puts(sql, " FROM catalog_search o ");
	if (join)
		sh_buf_puts(sql, "JOIN catalog_entities e ON e.id = o.entity_id ");
	sh_buf_puts(sql, "WHERE o.key_id = " KEY_ID_OF);
	binds_add(b, a, p->order_field ? p->order_field : "metadata.uid");
	scope_sql(sql, b, a, &part->scope, "o.kind");
	sh_buf_puts(sql, " AND o.value IS NOT NULL AND ");
	filter_sql(sql, b, a, part->filter, "o.entity_id");
	term_sql(sql, b, a, p);
}

/* The full-text condition on o.entity_id, if there is a term. */
static void term_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct page *p)
{
	if (p->term) {
		struct sh_buf like = SH_BUF_INIT;
		sh_buf_puts(sql, " AND EXISTS (SELECT 1 FROM catalog_search t WHERE t.entity_id = o.entity_id "
			"AND t.key_id IN (SELECT id FROM catalog_keys WHERE key IN (");
		if (p->n_ft == 0) {
			sh_buf_puts(sql, "?");
			binds_add(b, a, p->order_field ? p->order_field : "metadata.uid");
		}
		for (size_t i = 0; i < p->n_ft; i++) {
			sh_buf_puts(sql, i ? ", ?" : "?");
			binds_add(b, a, p->ft_fields[i]);
		}
		sh_buf_puts(sql, ")) AND t.value LIKE ? ESCAPE '\\')");
		sh_buf_putc(&like, '%');
		for (const char *t = p->term; *t; t++) {
			if (*t == '%' || *t == '_' || *t == '\\')
				sh_buf_putc(&like, '\\');
			sh_buf_putc(&like, *t);
		}
		sh_buf_putc(&like, '%');
		binds_add(b, a, sh_arena_strdup(a, like.ptr));
		sh_buf_dispose(&like);
	}
}

/* Keys every served entity has exactly once. */
static bool always_present(const char *key)
{
	return key == NULL || strcmp(key, "metadata.name") == 0 || strcmp(key, "metadata.namespace") == 0 ||
		strcmp(key, "metadata.uid") == 0 || strcmp(key, "kind") == 0 || strcmp(key, "apiversion") == 0;
}

/* A kind-only query's total, from the per-kind counts. */
static int count_kinds(struct http_req *req, const struct kind_scope *scope, json_int_t *out,
	struct sh_err *err)
{
	struct sql_binds b = { 0 };
	struct sh_buf sql = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc;

	sh_buf_puts(&sql, "SELECT coalesce(sum(n), 0) FROM catalog_kind_counts WHERE 1");
	scope_sql(&sql, &b, http_arena(req), scope, "kind");
	rc = prepare(&st, req, sql.ptr, err);
	sh_buf_dispose(&sql);
	if (rc != 0)
		return rc;
	binds_apply(st, &b, 1);
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

static int count_sql(struct http_req *req, struct sh_buf *sql, const struct sql_binds *b,
	json_int_t *out, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = prepare(&st, req, sql->ptr, err);

	if (rc != 0)
		return rc;
	binds_apply(st, b, 1);
	*out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

/* Count from the rows of one equality condition (a range of the index)
 * rather than from every row of the scope. */
static int count_driven(struct http_req *req, const struct page *p, struct part *part,
	struct pred *leaf, json_int_t *out, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct sql_binds b = { 0 };
	struct sh_buf sql = SH_BUF_INIT;
	int rc;

	/* An entity has one row per value: several values may match it. */
	sh_buf_printf(&sql, "SELECT %s FROM catalog_search o WHERE o.key_id = " KEY_ID_OF,
		leaf->m == M_EQ ? "count(*)" : "count(DISTINCT o.entity_id)");
	binds_add(&b, a, leaf->key);
	scope_sql(&sql, &b, a, &part->scope, "o.kind");
	sh_buf_puts(&sql, " AND o.value IN (");
	for (size_t i = 0; i < leaf->n_values; i++) {
		sh_buf_puts(&sql, i ? ", ?" : "?");
		binds_add(&b, a, leaf->values[i]);
	}
	sh_buf_puts(&sql, ") AND ");
	filter_sql(&sql, &b, a, part->filter, "o.entity_id");
	if (!always_present(p->order_field)) {
		/* Entities without the order field are not in the results. */
		sh_buf_puts(&sql, " AND EXISTS (SELECT 1 FROM catalog_search g WHERE g.entity_id = o.entity_id "
			"AND g.key_id = " KEY_ID_OF " AND g.value IS NOT NULL)");
		binds_add(&b, a, p->order_field);
	}
	rc = count_sql(req, &sql, &b, out, err);
	sh_buf_dispose(&sql);
	return rc;
}

static int count_part(struct http_req *req, const struct page *p, struct part *part,
	json_int_t *out, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct sql_binds b = { 0 };
	struct sh_buf sql = SH_BUF_INIT;
	struct pred *leaf;
	int rc;

	if (part->filter == NULL && p->term == NULL && always_present(p->order_field))
		return count_kinds(req, &part->scope, out, err);
	if (p->term == NULL && (leaf = filter_take_driver(&part->filter)) != NULL) {
		rc = count_driven(req, p, part, leaf, out, err);
		part->filter = filter_and(a, part->filter, leaf); /* put it back for fetching */
		return rc;
	}
	/* An entity with several values of the order key counts once. */
	sh_buf_puts(&sql, always_present(p->order_field) ? "SELECT count(*)"
		: "SELECT count(DISTINCT o.entity_id)");
	where_sql(&sql, &b, a, p, part, false);
	rc = count_sql(req, &sql, &b, out, err);
	sh_buf_dispose(&sql);
	return rc;
}

/* Parts name different kinds, so their counts add up. */
static int count_total(struct http_req *req, struct page *p, json_int_t *out,
	struct sh_err *err)
{
	json_int_t n;
	int rc;

	*out = 0;
	for (size_t i = 0; i < p->n_parts; i++) {
		if ((rc = count_part(req, p, &p->parts[i], &n, err)) != 0)
			return rc;
		*out += n;
	}
	return 0;
}

/* Split p's filter into parts: the branches of a top-level OR when each
 * names its own, different kinds; else the whole filter as one part. */
static void split_parts(struct page *p, struct sh_arena *a)
{
	struct pred *f = p->filter;

	p->n_parts = 1;
	p->parts[0] = (struct part){ p->filter, p->scope };
	if (f == NULL || f->op != P_ANY || f->n < 2 || f->n > MAX_PARTS || p->scope.n < 2)
		return;
	for (size_t i = 0; i < f->n; i++) {
		struct kind_scope ks;
		if (!filter_branch_kinds(f->kids[i], a, &ks))
			return;
		for (size_t j = 0; j < i; j++) {
			struct kind_scope other;
			if (!filter_branch_kinds(f->kids[j], a, &other))
				return;
			for (size_t x = 0; x < ks.n; x++)
				for (size_t y = 0; y < other.n; y++)
					if (strcmp(ks.kinds[x], other.kinds[y]) == 0)
						return; /* overlapping kinds: one part */
		}
	}
	for (size_t i = 0; i < f->n; i++) {
		p->parts[i].filter = f->kids[i];
		filter_take_kinds(&p->parts[i].filter, a, &p->parts[i].scope);
	}
	p->n_parts = f->n;
}

struct row {
	const char *final;
	const char *value;
	const char *original;   /* "" when the value is its own original */
	const char *uid;
	int64_t id;
};

/* One part's rows in order, as a SELECT of (final, value, uid, id,
 * original-or-"") with the keyset applied and at most `limit` rows. */
static void part_select(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct page *p, const struct part *part, long limit)
{
	bool backwards = p->desc != p->is_previous;
	const char *dir = backwards ? "DESC" : "ASC";

	sh_buf_puts(sql, "SELECT e.final AS f, o.value AS v, e.uid AS u, o.entity_id AS id, "
		"ifnull(o.original, '') AS w, o.uid_key AS k");
	where_sql(sql, b, a, p, part, true);
	if (p->has_cursor) {
		/* The index order is (value, original, uid key, entity id): equal
		 * values in uid order, as Backstage breaks ties. */
		sh_buf_printf(sql, " AND o.value %s ? AND (o.value, ifnull(o.original, ''), o.uid_key, "
			"o.entity_id) %s (?, ?, %lld, %lld)", backwards ? "<=" : ">=", backwards ? "<" : ">",
			(long long)uid_key(p->after_uid), (long long)p->after_id);
		binds_add(b, a, p->after_value);
		binds_add(b, a, p->after_value);
		binds_add(b, a, p->after_original);
	}
	sh_buf_printf(sql, " ORDER BY o.value %s, o.original %s, o.uid_key %s, o.entity_id %s LIMIT %ld",
		dir, dir, dir, dir, limit);
}

/* Fetch up to limit + 1 rows; *n gets how many, in query order. */
static int fetch(struct http_req *req, const struct page *p, struct row **out, size_t *n,
	struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct sql_binds b = { 0 };
	struct sh_buf sql = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	const char *dir = p->desc != p->is_previous ? "DESC" : "ASC";
	long skip = !p->has_cursor ? p->offset : 0;
	struct row *rows = sh_arena_alloc(a, (size_t)(p->limit + 1) * sizeof(*rows));
	size_t k = 0;
	int rc;

	if (p->n_parts == 1) {
		part_select(&sql, &b, a, p, &p->parts[0], p->limit + 1);
	} else {
		/* Each part walks its own index range; the merge sorts at most
		 * (limit + 1 + offset) rows per part. */
		sh_buf_puts(&sql, "SELECT f, v, u, id, w, k FROM (");
		for (size_t i = 0; i < p->n_parts; i++) {
			sh_buf_puts(&sql, i ? " UNION ALL SELECT * FROM (" : "SELECT * FROM (");
			part_select(&sql, &b, a, p, &p->parts[i], p->limit + 1 + skip);
			sh_buf_puts(&sql, ")");
		}
		sh_buf_printf(&sql, ") ORDER BY v %s, w %s, k %s, id %s LIMIT %ld", dir, dir, dir, dir,
			p->limit + 1);
	}
	if (skip > 0)
		sh_buf_printf(&sql, " OFFSET %ld", skip);
	rc = prepare(&st, req, sql.ptr, err);
	sh_buf_dispose(&sql);
	if (rc != 0)
		return rc;
	binds_apply(st, &b, 1);
	while (k < (size_t)p->limit + 1 && sqlite3_step(st) == SQLITE_ROW) {
		rows[k].final = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
		rows[k].value = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		rows[k].uid = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
		rows[k].id = sqlite3_column_int64(st, 3);
		rows[k].original = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 4));
		k++;
	}
	sqlite3_finalize(st);
	*out = rows;
	*n = k;
	return 0;
}

static void reverse(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct row t = rows[i];
		rows[i] = rows[n - 1 - i];
		rows[n - 1 - i] = t;
	}
}

static int respond_page(struct http_req *req, struct page *p, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct entity_query q = { p->filter, p->fields, p->n_fields };
	struct sh_buf items = SH_BUF_INIT;
	json_t *page_info = json_object();
	struct row *rows = NULL;
	size_t n = 0, shown;
	bool more;
	char *body;
	int rc;

	filter_take_kinds(&p->filter, a, &p->scope);
	split_parts(p, a);
	if (!p->has_cursor && p->include_total && (rc = count_total(req, p, &p->total, err)) != 0)
		goto done;
	if ((rc = fetch(req, p, &rows, &n, err)) != 0)
		goto done;
	more = n > (size_t)p->limit;
	shown = more ? (size_t)p->limit : n;
	if (p->is_previous)
		reverse(rows, shown);
	if (!p->has_cursor && shown > 0) {
		p->first_value = rows[0].value;
		p->first_uid = rows[0].uid;
		p->first_id = rows[0].id;
	}
	sh_buf_putc(&items, '[');
	for (size_t i = 0; i < shown; i++)
		append_entity(&items, rows[i].final, &q);
	sh_buf_putc(&items, ']');
	if (shown > 0) {
		bool has_next = p->is_previous || more;
		bool has_prev = p->is_previous ? more : (p->has_cursor && rows[0].id != p->first_id);
		if (has_next)
			json_object_set_new(page_info, "nextCursor", json_string(encode_cursor(a,
				cursor_json(p, rows[shown - 1].value, rows[shown - 1].original, rows[shown - 1].uid,
				rows[shown - 1].id, false))));
		if (has_prev)
			json_object_set_new(page_info, "prevCursor", json_string(encode_cursor(a,
				cursor_json(p, rows[0].value, rows[0].original, rows[0].uid, rows[0].id, true))));
	}
	{
		char *info = json_dumps(page_info, JSON_COMPACT);
		body = sh_asprintf("{\"items\":%s,\"totalItems\":%lld,\"pageInfo\":%s}", items.ptr,
			(long long)(p->include_total ? p->total : 0), info);
		free(info);
	}
	http_respond_bytes(req, 200, "application/json; charset=utf-8", body, strlen(body));
	free(body);
done:
	sh_buf_dispose(&items);
	json_decref(page_info);
	json_decref(p->query_json);
	return rc;
}

/* ---- GET ------------------------------------------------------------------------------------- */

static int parse_order_field(struct page *p, struct sh_arena *a, const char *spec, struct sh_err *err)
{
	const char *comma = strchr(spec, ',');
	const char *dir = comma ? comma + 1 : "asc";

	if (spec[0] == '\0' || comma == spec)
		return sh_err_set(err, SH_EINPUT, "Invalid orderField \"%s\"", spec);
	if (strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0)
		return sh_err_set(err, SH_EINPUT, "Invalid orderField \"%s\": order must be asc or desc", spec);
	p->order_field = lower_dup(a, comma ? sh_arena_strndup(a, spec, (size_t)(comma - spec)) : spec);
	p->desc = strcmp(dir, "desc") == 0;
	return 0;
}

static int page_from_query(struct page *p, struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct entity_query q;
	const char *total = http_query_get(req, "totalItems");
	const char *ft_fields = http_query_get(req, "fullTextFilterFields");
	const char **orders, **fts = NULL;
	size_t n_orders, n_fts = 0;
	long offset = 0;
	int rc;

	if ((rc = parse_common(&q, req, err)) != 0)
		return rc;
	p->filter = q.filter;
	p->query_json = q.filter ? filter_to_json(q.filter) : NULL;
	orders = http_query_all(req, "orderField", &n_orders);
	if (n_orders > 0 && (rc = parse_order_field(p, a, orders[0], err)) != 0)
		return rc;
	if (total != NULL && strcmp(total, "include") != 0 && strcmp(total, "exclude") != 0)
		return sh_err_set(err, SH_EINPUT, "Invalid totalItems \"%s\": expected include or exclude", total);
	p->include_total = total == NULL || strcmp(total, "include") == 0;
	if (ft_fields != NULL && (rc = fields_parse(&fts, &n_fts, a, &ft_fields, 1, err)) != 0)
		return rc;
	set_full_text(p, a, http_query_get(req, "fullTextFilterTerm"), fts, n_fts);
	if (http_query_get(req, "offset") != NULL) {
		char *end;
		offset = strtol(http_query_get(req, "offset"), &end, 10);
		if (*end != '\0' || offset < 0)
			return sh_err_set(err, SH_EINPUT, "Invalid offset");
	}
	p->offset = offset;
	return 0;
}

int catalog_get_entities_by_query(struct http_req *req, struct sh_err *err)
{
	struct page p = { .limit = DEFAULT_LIMIT };
	const char *cursor = http_query_get(req, "cursor");
	const char **fields;
	size_t nf;
	int rc;

	fields = http_query_all(req, "fields", &nf);
	if ((rc = fields_parse(&p.fields, &p.n_fields, http_arena(req), fields, nf, err)) != 0 ||
		(rc = parse_limit(&p, http_query_get(req, "limit"), err)) != 0)
		return rc;
	rc = cursor ? decode_cursor(&p, http_arena(req), cursor, err) : page_from_query(&p, req, err);
	if (rc != 0) {
		json_decref(p.query_json);
		return rc;
	}
	return respond_page(req, &p, err);
}

/* ---- POST ------------------------------------------------------------------------------------ */

static int page_from_body(struct page *p, struct http_req *req, struct sh_arena *a, json_t *body,
	struct sh_err *err)
{
	json_t *query = json_object_get(body, "query");
	json_t *order = json_array_get(json_object_get(body, "orderBy"), 0);
	json_t *ft = json_object_get(body, "fullTextFilter");
	json_t *total = json_object_get(body, "totalItems");
	json_t *offset = json_object_get(body, "offset");
	int rc;

	if (query != NULL) {
		if ((rc = filter_parse_predicate(&p->filter, a, query, err)) != 0)
			return rc;
		p->query_json = json_incref(query);
	}
	if (json_object_get(body, "ownership") != NULL) {
		if ((rc = ownership_param(p->filter, req, json_string_value(json_object_get(body, "ownership"))
			? json_string_value(json_object_get(body, "ownership")) : "?", err)) != 0)
			return rc;
		if (p->filter != NULL) {
			json_decref(p->query_json);
			p->query_json = filter_to_json(p->filter);
		}
	}
	if (order != NULL) {
		const char *field = json_string_value(json_object_get(order, "field"));
		const char *dir = json_string_value(json_object_get(order, "order"));
		if (field == NULL || (dir != NULL && strcmp(dir, "asc") != 0 && strcmp(dir, "desc") != 0))
			return sh_err_set(err, SH_EINPUT, "orderBy items need a field and an order of asc or desc");
		p->order_field = lower_dup(a, field);
		p->desc = dir != NULL && strcmp(dir, "desc") == 0;
	}
	if (json_is_object(ft) && json_is_string(json_object_get(ft, "term"))) {
		json_t *fields = json_object_get(ft, "fields");
		size_t n = json_array_size(fields);
		const char **names = sh_arena_alloc(a, (n + 1) * sizeof(*names));
		for (size_t i = 0; i < n; i++)
			names[i] = json_is_string(json_array_get(fields, i))
				? sh_arena_strdup(a, json_string_value(json_array_get(fields, i))) : "";
		set_full_text(p, a, json_string_value(json_object_get(ft, "term")), names, n);
	}
	if (total != NULL && (!json_is_string(total) || (strcmp(json_string_value(total), "include") != 0 &&
		strcmp(json_string_value(total), "exclude") != 0)))
		return sh_err_set(err, SH_EINPUT, "totalItems must be include or exclude");
	p->include_total = total == NULL || strcmp(json_string_value(total), "include") == 0;
	if (offset != NULL && (!json_is_integer(offset) || json_integer_value(offset) < 0))
		return sh_err_set(err, SH_EINPUT, "offset must be an integer of at least 0");
	p->offset = offset ? (long)json_integer_value(offset) : 0;
	return 0;
}

static int body_fields(struct page *p, struct sh_arena *a, json_t *body, struct sh_err *err)
{
	json_t *fields = json_object_get(body, "fields");
	json_t *limit = json_object_get(body, "limit");
	size_t n = json_array_size(fields);
	const char **list = sh_arena_alloc(a, (n + 1) * sizeof(*list));

	if (fields != NULL && !json_is_array(fields))
		return sh_err_set(err, SH_EINPUT, "fields must be an array of strings");
	for (size_t i = 0; i < n; i++) {
		if (!json_is_string(json_array_get(fields, i)))
			return sh_err_set(err, SH_EINPUT, "fields must be an array of strings");
		list[i] = sh_arena_strdup(a, json_string_value(json_array_get(fields, i)));
	}
	if (limit != NULL) {
		if (!json_is_integer(limit) || json_integer_value(limit) < 0)
			return sh_err_set(err, SH_EINPUT, "limit must be an integer of at least 0");
		p->limit = (long)json_integer_value(limit);
	}
	return fields_parse(&p->fields, &p->n_fields, a, list, n, err);
}

int catalog_post_entities_by_query(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct page p = { .limit = DEFAULT_LIMIT };
	json_t *body = NULL, *cursor;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	cursor = json_object_get(body, "cursor");
	if ((rc = body_fields(&p, a, body, err)) == 0) {
		if (cursor != NULL && !json_is_string(cursor))
			rc = sh_err_set(err, SH_EINPUT, "cursor must be a string");
		else if (cursor != NULL)
			rc = decode_cursor(&p, a, json_string_value(cursor), err);
		else
			rc = page_from_body(&p, req, a, body, err);
	}
	json_decref(body);
	if (rc != 0) {
		json_decref(p.query_json);
		return rc;
	}
	return respond_page(req, &p, err);
}
