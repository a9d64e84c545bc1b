/*
 * Filters. The query-string form (`filter=kind=component,spec.type=service`,
 * repeated params OR-ed, conditions inside one AND-ed, a repeated key inside
 * one OR-ed) and Backstage's predicate objects ($all, $any, $not, $exists,
 * $in, $hasPrefix, $contains) parse into one tree. Every leaf becomes an
 * indexed lookup in catalog_search on (key, value).
 */
#include "filter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static char *lower_n(struct sh_arena *a, const char *s, size_t n)
{
	char *out = sh_arena_strndup(a, s, n);

	for (char *p = out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

static char *trim(struct sh_arena *a, const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return sh_arena_strndup(a, s, n);
}

static struct pred *node(struct sh_arena *a, enum pred_op op, size_t n)
{
	struct pred *p = sh_arena_alloc(a, sizeof(*p));

	memset(p, 0, sizeof(*p));
	p->op = op;
	p->n = n;
	p->kids = n ? sh_arena_alloc(a, n * sizeof(*p->kids)) : NULL;
	return p;
}

static struct pred *leaf(struct sh_arena *a, const char *key, enum match_op m)
{
	struct pred *p = node(a, P_MATCH, 0);

	p->key = lower_n(a, key, strlen(key));
	p->m = m;
	p->exists = true;
	return p;
}

/* Capacity doubles, so a list of n values costs O(n) arena space. */
static void leaf_add_value(struct sh_arena *a, struct pred *p, const char *v)
{
	p->values = sh_arena_grow(a, p->values, p->n_values, &p->cap_values, sizeof(*p->values), 4);
	p->values[p->n_values++] = lower_n(a, v, strlen(v));
	if (p->n_values > 1)
		p->m = M_IN;
}

struct pred *filter_and(struct sh_arena *a, struct pred *x, struct pred *y)
{
	struct pred *p;

	if (x == NULL)
		return y;
	if (y == NULL)
		return x;
	p = node(a, P_ALL, 2);
	p->kids[0] = x;
	p->kids[1] = y;
	return p;
}

/* ---- query-string filters --------------------------------------------------------- */

static int parse_one_filter(struct pred **out, struct sh_arena *a, const char *f,
	struct sh_err *err)
{
	size_t parts = 1, k = 0;
	struct pred *all;

	if (!sh_utf8_valid(f, strlen(f)))
		return sh_err_set(err, SH_EINPUT, "Invalid filter: not UTF-8");
	for (const char *p = f; *p; p++)
		parts += *p == ',';
	all = node(a, P_ALL, parts);
	for (const char *p = f;;) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);
		char *key = trim(a, p, eq ? (size_t)(eq - p) : len);
		struct pred *match = NULL;

		if (key[0] == '\0' && eq == NULL) {
			/* An empty statement ("a=b,", ",,"): skipped, as Backstage does. */
			if (p[len] == '\0')
				break;
			p += len + 1;
			continue;
		}
		if (key[0] == '\0')
			return sh_err_set(err, SH_EINPUT, "Invalid filter \"%s\": a condition has an empty key", f);
		if (key[0] == '$')
			return sh_err_set(err, SH_EINPUT, "Invalid filter \"%s\": keys may not start with $", f);
		for (size_t i = 0; i < k; i++) {
			struct pred *prev = all->kids[i];
			if (strcasecmp(prev->key, key) == 0 && prev->m != M_EXISTS && eq != NULL)
				match = prev;
		}
		if (eq == NULL) {
			all->kids[k++] = leaf(a, key, M_EXISTS);
		} else if (match != NULL) {
			leaf_add_value(a, match, trim(a, eq + 1, len - (size_t)(eq - p) - 1));
		} else {
			struct pred *l = leaf(a, key, M_EQ);
			leaf_add_value(a, l, trim(a, eq + 1, len - (size_t)(eq - p) - 1));
			all->kids[k++] = l;
		}
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	all->n = k;
	*out = all;
	return 0;
}

int filter_parse_query(struct pred **out, struct sh_arena *a, const char *const *filters,
	size_t n, struct sh_err *err)
{
	struct pred *any;
	int rc;

	*out = NULL;
	if (n == 0)
		return 0;
	any = node(a, P_ANY, n);
	for (size_t i = 0; i < n; i++)
		if ((rc = parse_one_filter(&any->kids[i], a, filters[i], err)) != 0)
			return rc;
	*out = n == 1 ? any->kids[0] : any;
	return 0;
}

/* ---- predicate objects -------------------------------------------------------------- */

static int primitive_text(struct sh_arena *a, const json_t *v, const char **out)
{
	if (json_is_string(v))
		*out = json_string_value(v);
	else if (json_is_integer(v))
		*out = sh_arena_printf(a, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		*out = sh_number_text(a, json_real_value(v));
	else if (json_is_boolean(v))
		*out = json_is_true(v) ? "true" : "false";
	else
		return -1;
	return 0;
}

static int invalid(struct sh_err *err, const char *what)
{
	return sh_err_set(err, SH_EINPUT, "Invalid query: %s", what);
}

static int parse_relation_contains(struct pred **out, struct sh_arena *a, const json_t *m,
	struct sh_err *err)
{
	const char *type = json_string_value(json_object_get(m, "type"));
	json_t *target = json_object_get(m, "targetRef");
	struct pred *l;

	if (!json_is_object(m) || type == NULL)
		return invalid(err, "relations $contains needs an object with a \"type\"");
	l = leaf(a, sh_arena_printf(a, "relations.%s", type), M_EXISTS);
	if (json_is_string(target)) {
		l->m = M_EQ;
		leaf_add_value(a, l, json_string_value(target));
	} else if (json_is_object(target) && json_is_array(json_object_get(target, "$in"))) {
		size_t i;
		json_t *v;
		l->m = M_IN;
		json_array_foreach(json_object_get(target, "$in"), i, v) {
			if (!json_is_string(v))
				return invalid(err, "targetRef $in needs strings");
			leaf_add_value(a, l, json_string_value(v));
		}
		l->m = M_IN;
	} else if (target != NULL) {
		return invalid(err, "targetRef must be a string or {\"$in\": [...]}");
	}
	*out = l;
	return 0;
}

static int parse_matcher(struct pred **out, struct sh_arena *a, const char *path,
	const json_t *m, struct sh_err *err)
{
	const char *op, *text;
	json_t *arg;
	struct pred *l;
	size_t i;
	json_t *v;

	if (primitive_text(a, m, &text) == 0) {
		l = leaf(a, path, M_EQ);
		leaf_add_value(a, l, text);
		*out = l;
		return 0;
	}
	if (!json_is_object(m) || json_object_size(m) != 1)
		return invalid(err, sh_arena_printf(a, "the matcher for \"%s\" must be a value or one operator", path));
	json_object_foreach((json_t *)m, op, arg) {
		if (strcmp(op, "$exists") == 0 && json_is_boolean(arg)) {
			l = leaf(a, path, M_EXISTS);
			l->exists = json_is_true(arg);
		} else if (strcmp(op, "$in") == 0 && json_is_array(arg)) {
			l = leaf(a, path, M_IN);
			json_array_foreach(arg, i, v) {
				if (primitive_text(a, v, &text) != 0)
					return invalid(err, "$in needs primitive values");
				leaf_add_value(a, l, text);
			}
			l->m = M_IN;
		} else if (strcmp(op, "$hasPrefix") == 0 && json_is_string(arg)) {
			l = leaf(a, path, M_PREFIX);
			leaf_add_value(a, l, json_string_value(arg));
			l->m = M_PREFIX;
		} else if (strcmp(op, "$contains") == 0 && strcmp(path, "relations") == 0) {
			return parse_relation_contains(out, a, arg, err);
		} else if (strcmp(op, "$contains") == 0 && primitive_text(a, arg, &text) == 0) {
			l = leaf(a, path, M_EQ);
			leaf_add_value(a, l, text);
		} else {
			return invalid(err, sh_arena_printf(a, "unknown or malformed operator %s on \"%s\"", op, path));
		}
		*out = l;
	}
	return 0;
}

static int parse_logical(struct pred **out, struct sh_arena *a, const char *op, const json_t *arg,
	struct sh_err *err)
{
	struct pred *p;
	size_t i;
	json_t *v;
	int rc;

	if (strcmp(op, "$not") == 0) {
		p = node(a, P_NOT, 1);
		if ((rc = filter_parse_predicate(&p->kids[0], a, arg, err)) != 0)
			return rc;
		*out = p;
		return 0;
	}
	if (!json_is_array(arg))
		return invalid(err, sh_arena_printf(a, "%s needs an array", op));
	p = node(a, strcmp(op, "$all") == 0 ? P_ALL : P_ANY, json_array_size(arg));
	json_array_foreach(arg, i, v)
		if ((rc = filter_parse_predicate(&p->kids[i], a, v, err)) != 0)
			return rc;
	*out = p;
	return 0;
}

int filter_parse_predicate(struct pred **out, struct sh_arena *a, const json_t *q,
	struct sh_err *err)
{
	const char *key;
	json_t *v;
	struct pred *all;
	size_t k = 0;
	int rc;

	if (!json_is_object(q))
		return invalid(err, "a predicate must be an object");
	json_object_foreach((json_t *)q, key, v) {
		if (key[0] != '$')
			continue;
		if (strcmp(key, "$all") != 0 && strcmp(key, "$any") != 0 && strcmp(key, "$not") != 0)
			return invalid(err, sh_arena_printf(a, "unknown operator %s", key));
		if (json_object_size(q) != 1)
			return invalid(err, sh_arena_printf(a, "%s must be the only key of its object", key));
		return parse_logical(out, a, key, v, err);
	}
	all = node(a, P_ALL, json_object_size(q));
	json_object_foreach((json_t *)q, key, v)
		if ((rc = parse_matcher(&all->kids[k++], a, key, v, err)) != 0)
			return rc;
	*out = all->n == 1 ? all->kids[0] : all;
	return 0;
}

/* ---- SQL -------------------------------------------------------------------------------- */

void binds_add(struct sql_binds *b, struct sh_arena *a, const char *v)
{
	b->v = sh_arena_grow(a, b->v, b->n, &b->cap, sizeof(*b->v), 16);
	b->v[b->n++] = v;
}

void binds_apply(sqlite3_stmt *st, const struct sql_binds *b, int first)
{
	for (size_t i = 0; i < b->n; i++)
		sqlite3_bind_text(st, first + (int)i, b->v[i], -1, SQLITE_STATIC);
}

/* One condition, checked for the entity in idcol through the
 * (entity_id, key_id, value) index: a seek per candidate entity. */
static void match_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct pred *p, const char *idcol)
{
	sh_buf_printf(sql, "%sEXISTS (SELECT 1 FROM catalog_search f WHERE f.entity_id = %s "
		"AND f.key_id = " KEY_ID_OF, p->m == M_EXISTS && !p->exists ? "NOT " : "", idcol);
	binds_add(b, a, p->key);
	switch (p->m) {
	case M_EXISTS:
		break;
	case M_EQ:
		sh_buf_puts(sql, " AND f.value = ?");
		binds_add(b, a, p->values[0]);
		break;
	case M_IN:
		sh_buf_puts(sql, " AND f.value IN (");
		for (size_t i = 0; i < p->n_values; i++) {
			sh_buf_puts(sql, i ? ", ?" : "?");
			binds_add(b, a, p->values[i]);
		}
		sh_buf_puts(sql, ")");
		break;
	case M_PREFIX:
		sh_buf_puts(sql, " AND f.value >= ? AND f.value < ?");
		binds_add(b, a, p->values[0]);
		binds_add(b, a, sh_arena_printf(a, "%s\xf4\x8f\xbf\xbf", p->values[0]));
		break;
	}
	sh_buf_puts(sql, ")");
}

static bool is_kind_leaf(const struct pred *p)
{
	return p != NULL && p->op == P_MATCH && strcmp(p->key, "kind") == 0 &&
		(p->m == M_EQ || p->m == M_IN);
}

/* The kind leaf directly under p (p itself, or a child of an AND), or NULL. */
static struct pred *kind_leaf(struct pred *p, size_t *index)
{
	if (is_kind_leaf(p))
		return p;
	if (p != NULL && p->op == P_ALL)
		for (size_t i = 0; i < p->n; i++)
			if (is_kind_leaf(p->kids[i])) {
				*index = i;
				return p->kids[i];
			}
	return NULL;
}

static void add_kinds(struct sh_arena *a, struct kind_scope *scope, const struct pred *leaf)
{
	for (size_t i = 0; i < leaf->n_values; i++) {
		bool dup = false;
		for (size_t k = 0; k < scope->n; k++)
			dup = dup || strcmp(scope->kinds[k], leaf->values[i]) == 0;
		if (dup)
			continue;
		const char **grown = sh_arena_alloc(a, (scope->n + 1) * sizeof(*grown));
		if (scope->n > 0)
			memcpy(grown, scope->kinds, scope->n * sizeof(*grown));
		grown[scope->n++] = leaf->values[i];
		scope->kinds = grown;
	}
}

void filter_take_kinds(struct pred **p, struct sh_arena *a, struct kind_scope *scope)
{
	struct pred *leaf;
	size_t index = 0;

	scope->kinds = NULL;
	scope->n = 0;
	if ((leaf = kind_leaf(*p, &index)) != NULL) {
		add_kinds(a, scope, leaf);
		if (leaf == *p) {
			*p = NULL;
		} else {
			/* The scope now says it; the AND no longer needs to. */
			memmove(&(*p)->kids[index], &(*p)->kids[index + 1],
				((*p)->n - index - 1) * sizeof(*(*p)->kids));
			if (--(*p)->n == 0)
				*p = NULL; /* nothing else to check */
		}
		return;
	}
	if (*p != NULL && (*p)->op == P_ANY && (*p)->n > 0) {
		/* Every branch names its kinds: the union bounds the query, and
		 * the branches keep their own kind conditions. */
		for (size_t i = 0; i < (*p)->n; i++) {
			if ((leaf = kind_leaf((*p)->kids[i], &index)) == NULL) {
				scope->kinds = NULL;
				scope->n = 0;
				return;
			}
			add_kinds(a, scope, leaf);
		}
	}
}

void scope_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct kind_scope *scope, const char *kindcol)
{
	if (scope->n == 0)
		return;
	sh_buf_printf(sql, " AND %s IN (", kindcol);
	for (size_t i = 0; i < scope->n; i++) {
		sh_buf_puts(sql, i ? ", ?" : "?");
		binds_add(b, a, scope->kinds[i]);
	}
	sh_buf_puts(sql, ")");
}

void filter_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct pred *p, const char *idcol)
{
	if (p == NULL) {
		sh_buf_puts(sql, "1");
		return;
	}
	switch (p->op) {
	case P_MATCH:
		match_sql(sql, b, a, p, idcol);
		return;
	case P_NOT:
		sh_buf_puts(sql, "NOT (");
		filter_sql(sql, b, a, p->kids[0], idcol);
		sh_buf_puts(sql, ")");
		return;
	case P_ALL:
	case P_ANY:
		if (p->n == 0) {
			sh_buf_puts(sql, p->op == P_ALL ? "1" : "0");
			return;
		}
		sh_buf_puts(sql, "(");
		for (size_t i = 0; i < p->n; i++) {
			if (i > 0)
				sh_buf_puts(sql, p->op == P_ALL ? " AND " : " OR ");
			filter_sql(sql, b, a, p->kids[i], idcol);
		}
		sh_buf_puts(sql, ")");
		return;
	}
}

json_t *filter_to_json(const struct pred *p)
{
	json_t *arr, *m;

	if (p == NULL)
		return json_object();
	switch (p->op) {
	case P_NOT:
		return json_pack("{s:o}", "$not", filter_to_json(p->kids[0]));
	case P_ALL:
	case P_ANY:
		arr = json_array();
		for (size_t i = 0; i < p->n; i++)
			json_array_append_new(arr, filter_to_json(p->kids[i]));
		return json_pack("{s:o}", p->op == P_ALL ? "$all" : "$any", arr);
	case P_MATCH:
		break;
	}
	switch (p->m) {
	case M_EQ:
		m = json_string(p->values[0]);
		break;
	case M_IN:
		arr = json_array();
		for (size_t i = 0; i < p->n_values; i++)
			json_array_append_new(arr, json_string(p->values[i]));
		m = json_pack("{s:o}", "$in", arr);
		break;
	case M_PREFIX:
		m = json_pack("{s:s}", "$hasPrefix", p->values[0]);
		break;
	default:
		m = json_pack("{s:b}", "$exists", p->exists);
		break;
	}
	return json_pack("{s:o}", p->key, m);
}

/* ---- transitive ownership ---------------------------------------------------------------- */

/* Every ref that owns on behalf of ref: itself, the groups it is a member
 * of, and their parent groups up to the root. */
static int owners_of(sqlite3 *db, struct sh_arena *a, const char *ref, struct pred *out,
	struct sh_err *err)
{
	static const char sql[] =
		"WITH RECURSIVE owners(ref) AS (SELECT ?1 UNION "
		"SELECT r.target_ref FROM catalog_relations r JOIN owners o ON r.source_ref = o.ref "
		"WHERE r.type IN ('memberOf', 'childOf')) SELECT ref FROM owners LIMIT 1000";
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "ownership: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *owner = (const char *)sqlite3_column_text(st, 0);
		bool dup = false;
		for (size_t i = 0; i < out->n_values; i++)
			dup = dup || strcmp(out->values[i], owner) == 0;
		if (!dup)
			leaf_add_value(a, out, owner);
	}
	sqlite3_finalize(st);
	out->m = out->n_values == 1 ? M_EQ : M_IN;
	return 0;
}

int filter_expand_ownership(struct pred *p, sqlite3 *db, struct sh_arena *a, struct sh_err *err)
{
	int rc;

	if (p == NULL)
		return 0;
	if (p->op != P_MATCH) {
		for (size_t i = 0; i < p->n; i++)
			if ((rc = filter_expand_ownership(p->kids[i], db, a, err)) != 0)
				return rc;
		return 0;
	}
	if (strcmp(p->key, "relations.ownedby") != 0 || (p->m != M_EQ && p->m != M_IN))
		return 0;
	{
		const char **given = p->values;
		size_t n = p->n_values;
		p->values = NULL;
		p->n_values = p->cap_values = 0;
		for (size_t i = 0; i < n; i++)
			if ((rc = owners_of(db, a, given[i], p, err)) != 0)
				return rc;
	}
	return 0;
}

const char *sh_number_text(struct sh_arena *a, double d)
{
	for (int prec = 1; prec <= 17; prec++) {
		char *s = sh_arena_printf(a, "%.*g", prec, d);
		if (strtod(s, NULL) == d)
			return s;
	}
	return sh_arena_printf(a, "%.17g", d);
}

bool filter_branch_kinds(struct pred *branch, struct sh_arena *a, struct kind_scope *out)
{
	size_t index = 0;
	struct pred *leaf = kind_leaf(branch, &index);

	out->kinds = NULL;
	out->n = 0;
	if (leaf == NULL)
		return false;
	add_kinds(a, out, leaf);
	return true;
}

struct pred *filter_take_driver(struct pred **p)
{
	struct pred *leaf;

	if (*p == NULL)
		return NULL;
	if ((*p)->op == P_MATCH && ((*p)->m == M_EQ || (*p)->m == M_IN)) {
		leaf = *p;
		*p = NULL;
		return leaf;
	}
	if ((*p)->op != P_ALL)
		return NULL;
	for (size_t i = 0; i < (*p)->n; i++) {
		leaf = (*p)->kids[i];
		if (leaf->op != P_MATCH || (leaf->m != M_EQ && leaf->m != M_IN))
			continue;
		memmove(&(*p)->kids[i], &(*p)->kids[i + 1], ((*p)->n - i - 1) * sizeof(*(*p)->kids));
		if (--(*p)->n == 0)
			*p = NULL;
		return leaf;
	}
	return NULL;
}
