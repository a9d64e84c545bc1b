/*
 * Filters and projection (spec/catalog.md §7): the query-string and the
 * predicate forms, their SQL (shape, bind order, and what it selects from
 * a real catalog_search table), the JSON form kept in cursors, and `fields`.
 */
#include <ctype.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "../../../src/catalog/filter.h"

static json_t *load(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *v;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	free(s);
	return v;
}

/* The SQL of p over "e.id" (arena copy) and its binds joined by '|'. */
static const char *sql_of(struct sh_arena *a, const struct pred *p, const char **binds_out)
{
	struct sh_buf sql = SH_BUF_INIT;
	struct sql_binds b = { NULL, 0, 0 };
	struct sh_buf joined = SH_BUF_INIT;
	const char *out;

	filter_sql(&sql, &b, a, p, "e.id");
	for (size_t i = 0; i < b.n; i++)
		sh_buf_printf(&joined, "%s%s", i ? "|" : "", b.v[i]);
	if (binds_out != NULL)
		*binds_out = sh_arena_strdup(a, joined.ptr ? joined.ptr : "");
	out = sh_arena_strdup(a, sql.ptr);
	sh_buf_dispose(&sql);
	sh_buf_dispose(&joined);
	return out;
}

static struct pred *query_ok(struct sh_arena *a, const char *const *filters, size_t n)
{
	struct pred *p = NULL;
	struct sh_err err = { 0, "" };

	if (filter_parse_query(&p, a, filters, n, &err) != 0)
		fail_msg("%s: %s", n ? filters[0] : "(none)", err.msg);
	return p;
}

static struct pred *query1(struct sh_arena *a, const char *filter)
{
	return query_ok(a, &filter, 1);
}

static struct pred *predicate_ok(struct sh_arena *a, const char *text)
{
	struct pred *p = NULL;
	struct sh_err err = { 0, "" };
	json_t *q = load(text);

	if (filter_parse_predicate(&p, a, q, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
	json_decref(q);
	return p;
}

static int predicate_err(struct sh_arena *a, const char *text, struct sh_err *err)
{
	struct pred *p = NULL;
	json_t *q = load(text);
	int rc = filter_parse_predicate(&p, a, q, err);

	json_decref(q);
	return rc;
}

#define LEAF_BODY "(SELECT 1 FROM catalog_search f WHERE f.entity_id = e.id AND f.key_id = " KEY_ID_OF
#define LEAF_ "EXISTS " LEAF_BODY
#define LEAF_EQ LEAF_ " AND f.value = ?)"
#define LEAF_EXISTS LEAF_ ")"
#define LEAF_MISSING "NOT EXISTS " LEAF_BODY ")"
#define LEAF_IN2 LEAF_ " AND f.value IN (?, ?))"
#define LEAF_PREFIX LEAF_ " AND f.value >= ? AND f.value < ?)"
#define MAXCP "\xf4\x8f\xbf\xbf"

/* ---- query-string filters ---------------------------------------------------------- */

static void test_catalog_filter__query_single_condition(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, query1(a, "kind=Component"), &binds), "(" LEAF_EQ ")");
	assert_string_equal(binds, "kind|component");
	sh_arena_free(a);
}

static void test_catalog_filter__query_and_within_one_param(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, query1(a, "kind=component,spec.type=service"), &binds),
		"(" LEAF_EQ " AND " LEAF_EQ ")");
	assert_string_equal(binds, "kind|component|spec.type|service");
	sh_arena_free(a);
}

static void test_catalog_filter__query_or_across_params(void **state)
{
	static const char *const filters[] = { "kind=user,relations.memberof=group:default/ops",
		"kind=group,spec.type" };
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, query_ok(a, filters, 2), &binds),
		"((" LEAF_EQ " AND " LEAF_EQ ") OR (" LEAF_EQ " AND " LEAF_EXISTS "))");
	assert_string_equal(binds,
		"kind|user|relations.memberof|group:default/ops|kind|group|spec.type");
	sh_arena_free(a);
}

static void test_catalog_filter__query_repeated_key_is_in(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, query1(a, "kind=component,kind=API"), &binds),
		"(" LEAF_IN2 ")");
	assert_string_equal(binds, "kind|component|api");
	/* Other conditions stay separate, in order. */
	assert_string_equal(sql_of(a, query1(a, "kind=a,spec.type=x,KIND=b"), &binds),
		"(" LEAF_IN2 " AND " LEAF_EQ ")");
	assert_string_equal(binds, "kind|a|b|spec.type|x");
	sh_arena_free(a);
}

static void test_catalog_filter__query_key_only_is_exists(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, query1(a, "metadata.tags.java"), &binds), "(" LEAF_EXISTS ")");
	assert_string_equal(binds, "metadata.tags.java");
	/* "key=" is equality with the empty string, not existence. */
	assert_string_equal(sql_of(a, query1(a, "spec.type="), &binds), "(" LEAF_EQ ")");
	assert_string_equal(binds, "spec.type|");
	sh_arena_free(a);
}

static void test_catalog_filter__query_trims_and_splits_on_first_equals(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	sql_of(a, query1(a, "  Kind = Component ,\tspec.type  "), &binds);
	assert_string_equal(binds, "kind|component|spec.type");
	sql_of(a, query1(a, "metadata.annotations.x=a=b"), &binds);
	assert_string_equal(binds, "metadata.annotations.x|a=b");
	sh_arena_free(a);
}

static void test_catalog_filter__query_empty_key_is_an_error(void **state)
{
	static const char *const bad[] = { "=component", "kind=a,=b", "  =x", " = " };
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(bad); i++) {
		struct pred *p = NULL;
		struct sh_err err = { 0, "" };

		if (filter_parse_query(&p, a, &bad[i], 1, &err) != SH_EINPUT)
			fail_msg("\"%s\": expected an InputError", bad[i]);
		assert_int_equal(err.code, SH_EINPUT);
	}
	sh_arena_free(a);
}

static void test_catalog_filter__query_empty_statements_are_skipped(void **state)
{
	static const char *const inputs[] = { "kind=component,", ",kind=component", "kind=component,,",
		"kind=component, ," };
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(inputs); i++) {
		struct pred *p = NULL;
		struct sh_err err = { 0, "" };
		int rc = filter_parse_query(&p, a, &inputs[i], 1, &err);

		assert_int_equal(rc, 0);
		assert_string_equal(sql_of(a, p, NULL), "(" LEAF_EQ ")");

		(void)rc;
	}
	sh_arena_free(a);
}

static void test_catalog_filter__query_none_is_no_filter(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct pred *p = (struct pred *)1;
	struct sh_err err = { 0, "" };

	(void)state;
	assert_int_equal(filter_parse_query(&p, a, NULL, 0, &err), 0);
	assert_null(p);
	assert_string_equal(sql_of(a, NULL, NULL), "1");
	sh_arena_free(a);
}

/* ---- predicates ------------------------------------------------------------------------ */

static void test_catalog_filter__predicate_primitives(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, predicate_ok(a, "{'Kind':'Component'}"), &binds), LEAF_EQ);
	assert_string_equal(binds, "kind|component");
	sql_of(a, predicate_ok(a, "{'spec.replicas':3}"), &binds);
	assert_string_equal(binds, "spec.replicas|3");
	sql_of(a, predicate_ok(a, "{'spec.public':true}"), &binds);
	assert_string_equal(binds, "spec.public|true");
	sql_of(a, predicate_ok(a, "{'spec.ratio':1.5}"), &binds);
	assert_string_equal(binds, "spec.ratio|1.5");
	sql_of(a, predicate_ok(a, "{'spec.ratio':0.1}"), &binds);
	assert_string_equal(binds, "spec.ratio|0.1");

	/* Several keys in one object are AND-ed. */
	assert_string_equal(sql_of(a, predicate_ok(a, "{'kind':'api','spec.type':'grpc'}"), &binds),
		"(" LEAF_EQ " AND " LEAF_EQ ")");
	assert_string_equal(binds, "kind|api|spec.type|grpc");
	sh_arena_free(a);
}

static void test_catalog_filter__predicate_logical_forms(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, predicate_ok(a, "{'$all':[{'kind':'a'},{'kind':'b'}]}"), &binds),
		"(" LEAF_EQ " AND " LEAF_EQ ")");
	assert_string_equal(binds, "kind|a|kind|b");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'$any':[{'kind':'a'},{'kind':'b'}]}"), NULL),
		"(" LEAF_EQ " OR " LEAF_EQ ")");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'$not':{'kind':'a'}}"), NULL),
		"NOT (" LEAF_EQ ")");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'$all':[]}"), NULL), "1");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'$any':[]}"), NULL), "0");
	assert_string_equal(sql_of(a, predicate_ok(a, "{}"), NULL), "1");
	sh_arena_free(a);
}

static void test_catalog_filter__predicate_matchers(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, predicate_ok(a, "{'spec.type':{'$exists':true}}"), &binds),
		LEAF_EXISTS);
	assert_string_equal(binds, "spec.type");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'spec.type':{'$exists':false}}"), &binds),
		LEAF_MISSING);
	assert_string_equal(sql_of(a, predicate_ok(a, "{'spec.type':{'$in':['Website',2]}}"), &binds),
		LEAF_IN2);
	assert_string_equal(binds, "spec.type|website|2");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'metadata.name':{'$hasPrefix':'Pay'}}"),
		&binds), LEAF_PREFIX);
	assert_string_equal(binds, "metadata.name|pay|pay" MAXCP);
	assert_string_equal(sql_of(a, predicate_ok(a, "{'metadata.tags':{'$contains':'Java'}}"),
		&binds), LEAF_EQ);
	assert_string_equal(binds, "metadata.tags|java");
	sh_arena_free(a);
}

static void test_catalog_filter__predicate_relations_contains(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;

	(void)state;
	assert_string_equal(sql_of(a, predicate_ok(a, "{'relations':{'$contains':{'type':'ownedBy',"
		"'targetRef':'Group:default/Team-A'}}}"), &binds), LEAF_EQ);
	assert_string_equal(binds, "relations.ownedby|group:default/team-a");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'relations':{'$contains':{'type':'ownedBy'}}}"),
		&binds), LEAF_EXISTS);
	assert_string_equal(binds, "relations.ownedby");
	assert_string_equal(sql_of(a, predicate_ok(a, "{'relations':{'$contains':{'type':'memberOf',"
		"'targetRef':{'$in':['group:default/a','group:default/b']}}}}"), &binds), LEAF_IN2);
	assert_string_equal(binds, "relations.memberof|group:default/a|group:default/b");
	sh_arena_free(a);
}

static void test_catalog_filter__predicate_errors(void **state)
{
	static const char *const bad[] = {
		"{'$all':[{'kind':'a'}],'kind':'b'}",       /* logical key not alone */
		"{'kind':'b','$not':{'kind':'a'}}",
		"{'$nor':[]}",                              /* unknown operator */
		"{'kind':{'$regex':'a.*'}}",                /* unknown matcher */
		"{'kind':{'$in':['a'],'$exists':true}}",    /* two operators */
		"{'kind':{}}",
		"{'kind':null}",
		"{'kind':['a']}",
		"{'kind':{'$in':'a'}}",
		"{'kind':{'$in':[{}]}}",
		"{'kind':{'$exists':'yes'}}",
		"{'kind':{'$hasPrefix':1}}",
		"{'kind':{'$contains':{'type':'x'}}}",      /* object $contains off relations */
		"{'relations':{'$contains':{'targetRef':'a'}}}",
		"{'relations':{'$contains':'ownedBy'}}",
		"{'relations':{'$contains':{'type':'ownedBy','targetRef':1}}}",
		"{'relations':{'$contains':{'type':'ownedBy','targetRef':{'$in':[1]}}}}",
		"{'$all':{'kind':'a'}}",
		"{'$any':[1]}",
		"{'$not':[{'kind':'a'}]}",
		"{'$all':[{'$any':[{'kind':{'$bad':1}}]}]}", /* nested */
		"['kind']",
		"'kind'",
	};
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(bad); i++) {
		struct sh_err err = { 0, "" };

		if (predicate_err(a, bad[i], &err) != SH_EINPUT)
			fail_msg("%s: expected an InputError", bad[i]);
		assert_int_equal(err.code, SH_EINPUT);
		assert_non_null(strstr(err.msg, "Invalid query"));
	}
	sh_arena_free(a);
}

static void test_catalog_filter__sql_bind_order_nested(void **state)
{
	struct sh_arena *a = sh_arena_new();
	const char *binds;
	struct pred *p = predicate_ok(a, "{'$all':[{'kind':'A'},{'$any':[{'spec.type':{'$in':['x','y']}},"
		"{'$not':{'metadata.name':{'$hasPrefix':'p'}}}]},{'spec.owner':{'$exists':false}}]}");

	(void)state;
	assert_string_equal(sql_of(a, p, &binds), "(" LEAF_EQ " AND (" LEAF_IN2 " OR NOT ("
		LEAF_PREFIX ")) AND " LEAF_MISSING ")");
	assert_string_equal(binds, "kind|a|spec.type|x|y|metadata.name|p|p" MAXCP "|spec.owner");
	sh_arena_free(a);
}

static void test_catalog_filter__and_of_two_trees(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct pred *x = predicate_ok(a, "{'kind':'a'}"), *y = predicate_ok(a, "{'kind':'b'}");

	(void)state;
	assert_null(filter_and(a, NULL, NULL));
	assert_ptr_equal(filter_and(a, x, NULL), x);
	assert_ptr_equal(filter_and(a, NULL, y), y);
	assert_string_equal(sql_of(a, filter_and(a, x, y), NULL), "(" LEAF_EQ " AND " LEAF_EQ ")");
	sh_arena_free(a);
}

/* ---- filter_to_json ------------------------------------------------------------------------ */

static void assert_round_trip(struct sh_arena *a, const struct pred *p, const char *what)
{
	json_t *j = filter_to_json(p);
	struct pred *back = NULL;
	struct sh_err err = { 0, "" };
	const char *b1, *b2, *s1, *s2;

	if (filter_parse_predicate(&back, a, j, &err) != 0) {
		char *text = json_dumps(j, JSON_COMPACT);
		fail_msg("%s: %s does not parse back: %s", what, text, err.msg);
	}
	s1 = sql_of(a, p, &b1);
	s2 = sql_of(a, back, &b2);
	if (strcmp(s1, s2) != 0 || strcmp(b1, b2) != 0)
		fail_msg("%s: round trip changed\n%s [%s]\n%s [%s]", what, s1, b1, s2, b2);
	json_decref(j);
}

static void test_catalog_filter__to_json_round_trip(void **state)
{
	static const char *const queries[][2] = {
		{ "kind=component", NULL },
		{ "kind=component,spec.type=service,kind=api", NULL },
		{ "metadata.tags.java", "kind=user,relations.memberof=group:default/ops" },
		{ "spec.type=", NULL },
	};
	static const char *const predicates[] = {
		"{'kind':'component'}",
		"{'kind':'api','spec.type':'grpc'}",
		"{'$all':[]}",
		"{'$any':[]}",
		"{'$all':[{'kind':'a'}]}",
		"{'$not':{'$any':[{'kind':'a'},{'spec.type':{'$exists':false}}]}}",
		"{'spec.type':{'$in':['x']}}",
		"{'spec.type':{'$in':[]}}",
		"{'metadata.name':{'$hasPrefix':'pay'}}",
		"{'metadata.tags':{'$contains':'java'}}",
		"{'relations':{'$contains':{'type':'ownedBy','targetRef':'group:default/a'}}}",
		"{'relations':{'$contains':{'type':'ownedBy'}}}",
		"{'relations':{'$contains':{'type':'ownedBy','targetRef':{'$in':['a','b']}}}}",
		"{'$all':[{'kind':'component'},{'$any':[{'spec.type':'service'},"
		"{'spec.type':{'$in':['website','library']}}]},{'relations':{'$contains':{"
		"'type':'ownedBy','targetRef':'group:default/team-a'}}}]}",
	};
	struct sh_arena *a = sh_arena_new();
	json_t *empty = filter_to_json(NULL);

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(queries); i++)
		assert_round_trip(a, query_ok(a, queries[i], queries[i][1] ? 2 : 1), queries[i][0]);
	for (size_t i = 0; i < SH_ARRAY_LEN(predicates); i++)
		assert_round_trip(a, predicate_ok(a, predicates[i]), predicates[i]);
	/* No filter is the empty predicate, which matches everything. */
	assert_int_equal(json_object_size(empty), 0);
	json_decref(empty);
	/* A query-string key that starts with '$' is refused (400): as a
	 * predicate it would read as an operator. */
	{
		struct pred *p = NULL;
		struct sh_err err = { 0, "" };
		const char *f = "$x=1";
		assert_int_equal(filter_parse_query(&p, a, &f, 1, &err), SH_EINPUT);
	}
	sh_arena_free(a);
}

static void test_catalog_filter__query_non_utf8_is_refused_or_kept(void **state)
{
	/* Percent-decoding lets any byte into a filter. jansson cannot hold
	 * such text, so a condition must either be refused up front or survive
	 * into the cursor's JSON; silently dropping it would widen the next
	 * page ("spec.type=%FF" becoming "$all: []", everything). */
	static const char *const inputs[] = { "kind=component,spec.type=\xff", "spec.\xc3=x",
		"kind=\xe2\x82" };
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(inputs); i++) {
		struct pred *p = NULL;
		struct sh_err err = { 0, "" };
		int rc = filter_parse_query(&p, a, &inputs[i], 1, &err);

		if (rc == 0)
			assert_round_trip(a, p, inputs[i]);
		else
			assert_int_equal(rc, SH_EINPUT);
	}
	sh_arena_free(a);
}

static void test_catalog_filter__to_json_shape(void **state)
{
	struct sh_arena *a = sh_arena_new();
	json_t *j = filter_to_json(query1(a, "kind=component,kind=api,spec.type"));
	json_t *want = load("{'$all':[{'kind':{'$in':['component','api']}},"
		"{'spec.type':{'$exists':true}}]}");

	(void)state;
	assert_true(json_equal(j, want));
	json_decref(j);
	json_decref(want);
	sh_arena_free(a);
}

/* ---- semantics against a real catalog_search table ------------------------------------------ */

/* A tiny indexer following §7: lower-case dotted keys, arrays flattened,
 * "p.x" = true for string items, long values NULL, relations by type. */
static void index_row(sqlite3 *db, int id, const char *key, const char *value)
{
	sqlite3_stmt *st;
	char *k, *v = NULL;

	if (strlen(key) > 200)
		return;
	k = strdup(key);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (value != NULL && strlen(value) <= 200) {
		v = strdup(value);
		for (char *p = v; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	/* Keys are interned in catalog_keys, as the store does. */
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO catalog_keys (key) VALUES (?)",
		-1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, k, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO catalog_search (entity_id, key_id, value, "
		"original) VALUES (?, (SELECT id FROM catalog_keys WHERE key = ?), ?, ?)", -1, &st, NULL),
		SQLITE_OK);
	sqlite3_bind_int(st, 1, id);
	sqlite3_bind_text(st, 2, k, -1, SQLITE_TRANSIENT);
	if (v != NULL) {
		sqlite3_bind_text(st, 3, v, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, value, -1, SQLITE_TRANSIENT);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(k);
	free(v);
}

static void index_value(sqlite3 *db, int id, const char *path, const json_t *v)
{
	char buf[512];
	const char *key;
	json_t *child;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, child) {
			if (path[0] == '\0' && (strcmp(key, "relations") == 0 || strcmp(key, "status") == 0))
				continue;
			snprintf(buf, sizeof(buf), "%s%s%s", path, path[0] ? "." : "", key);
			if (strcmp(buf, "metadata.etag") != 0)
				index_value(db, id, buf, child);
		}
		break;
	case JSON_ARRAY:
		json_array_foreach(v, i, child) {
			index_value(db, id, path, child);
			if (json_is_string(child)) {
				snprintf(buf, sizeof(buf), "%s.%s", path, json_string_value(child));
				index_row(db, id, buf, "true");
			}
		}
		break;
	case JSON_STRING:
		index_row(db, id, path, json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		index_row(db, id, path, buf);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		index_row(db, id, path, json_is_true(v) ? "true" : "false");
		break;
	default:
		break;
	}
}

static const char *long_text(void)
{
	static char text[260];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	return text;
}

static sqlite3 *catalog_db(void)
{
	static const char *const entities[] = {
		/* 1 */ "{'apiVersion':'backstage.io/v1alpha1','kind':'Component','metadata':{'name':'billing',"
		"'namespace':'default','tags':['java','payments'],'annotations':{'backstage.io/techdocs-ref':"
		"'dir:.'}},'spec':{'type':'service','lifecycle':'production','owner':'team-a',"
		"'system':'pay'},'relations':[{'type':'ownedBy','targetRef':'group:default/team-a'},"
		"{'type':'partOf','targetRef':'system:default/pay'}]}",
		/* 2 */ "{'apiVersion':'backstage.io/v1alpha1','kind':'Component','metadata':{'name':'web',"
		"'namespace':'default','tags':['typescript']},'spec':{'type':'website',"
		"'lifecycle':'experimental','owner':'team-b','replicas':3,'public':true},"
		"'relations':[{'type':'ownedBy','targetRef':'group:default/team-b'}]}",
		/* 3 */ "{'apiVersion':'backstage.io/v1alpha1','kind':'API','metadata':{'name':'Pay-API',"
		"'namespace':'default'},'spec':{'type':'openapi','lifecycle':'production',"
		"'owner':'team-a','definition':'openapi: 3.0.0'},"
		"'relations':[{'type':'ownedBy','targetRef':'group:default/team-a'}]}",
		/* 4 */ "{'apiVersion':'backstage.io/v1alpha1','kind':'Group','metadata':{'name':'team-a',"
		"'namespace':'default'},'spec':{'type':'team','children':[]},"
		"'relations':[{'type':'hasMember','targetRef':'user:default/jdoe'}]}",
		/* 5 */ "{'apiVersion':'backstage.io/v1alpha1','kind':'User','metadata':{'name':'jdoe',"
		"'namespace':'default'},'spec':{'memberOf':['team-a']},"
		"'relations':[{'type':'memberOf','targetRef':'group:default/team-a'}]}",
		/* 6: a description too long to index, in another namespace */
		"{'apiVersion':'backstage.io/v1alpha1','kind':'Component','metadata':{'name':'legacy',"
		"'namespace':'ops','description':'LONG'},'spec':{'type':'library',"
		"'lifecycle':'deprecated','owner':'team-b'}}",
	};
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE entities (id INTEGER PRIMARY KEY);"
		"CREATE TABLE catalog_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);"
		"CREATE TABLE catalog_search (entity_id INTEGER NOT NULL, key_id INTEGER NOT NULL, "
		"value TEXT, original TEXT);", NULL, NULL, NULL), SQLITE_OK);
	for (size_t i = 0; i < SH_ARRAY_LEN(entities); i++) {
		int id = (int)i + 1;
		char *text = strdup(entities[i]);
		char *at = strstr(text, "LONG");
		json_t *e, *rel;
		size_t k;
		char sql[64];

		if (at != NULL) {
			/* Splice in a value longer than 200 characters. */
			char *grown = NULL;
			size_t n = strlen(text) + strlen(long_text());
			grown = malloc(n + 1);
			snprintf(grown, n + 1, "%.*s%s%s", (int)(at - text), text, long_text(), at + 4);
			free(text);
			text = grown;
		}
		e = load(text);
		free(text);
		snprintf(sql, sizeof(sql), "INSERT INTO entities VALUES (%d)", id);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		index_value(db, id, "", e);
		json_array_foreach(json_object_get(e, "relations"), k, rel) {
			char key[128];
			snprintf(key, sizeof(key), "relations.%s",
				json_string_value(json_object_get(rel, "type")));
			index_row(db, id, key, json_string_value(json_object_get(rel, "targetRef")));
		}
		json_decref(e);
	}
	return db;
}

/* The ids p selects, as "1,3". */
static const char *matches(struct sh_arena *a, sqlite3 *db, const struct pred *p)
{
	struct sh_buf sql = SH_BUF_INIT, ids = SH_BUF_INIT;
	struct sql_binds b = { NULL, 0, 0 };
	sqlite3_stmt *st = NULL;
	const char *out;

	sh_buf_puts(&sql, "SELECT e.id FROM entities e WHERE ");
	filter_sql(&sql, &b, a, p, "e.id");
	sh_buf_puts(&sql, " ORDER BY e.id");
	if (sqlite3_prepare_v2(db, sql.ptr, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql.ptr, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_bind_parameter_count(st), (int)b.n);
	binds_apply(st, &b, 1);
	while (sqlite3_step(st) == SQLITE_ROW)
		sh_buf_printf(&ids, "%s%d", ids.len ? "," : "", sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	out = sh_arena_strdup(a, ids.ptr ? ids.ptr : "");
	sh_buf_dispose(&sql);
	sh_buf_dispose(&ids);
	return out;
}

static void test_catalog_filter__query_semantics_in_sqlite(void **state)
{
	static const struct {
		const char *filters[2];
		const char *ids;
	} cases[] = {
		{ { "kind=component" }, "1,2,6" },
		{ { "kind=Component,spec.type=SERVICE" }, "1" },
		{ { "kind=api", "kind=user" }, "3,5" },
		{ { "kind=component,kind=api" }, "1,2,3,6" },
		{ { "kind=component,kind=api,spec.lifecycle=production" }, "1,3" },
		{ { "spec.type" }, "1,2,3,4,6" },
		{ { "metadata.tags.java" }, "1" },
		{ { "metadata.tags.java=true" }, "1" },
		{ { "metadata.tags=JAVA" }, "1" },
		{ { "metadata.tags=payments,metadata.tags=typescript" }, "1,2" },
		{ { "spec.replicas=3" }, "2" },
		{ { "spec.public=true" }, "2" },
		{ { "metadata.name=pay-api" }, "3" },
		{ { "metadata.namespace=ops" }, "6" },
		{ { "relations.ownedby=group:default/team-a" }, "1,3" },
		{ { "relations.memberof=group:default/team-a", "kind=group,spec.type" }, "4,5" },
		{ { "metadata.annotations.backstage.io/techdocs-ref=dir:." }, "1" },
		{ { "metadata.description" }, "6" },
		{ { "metadata.description=" }, "" },
		{ { "relations" }, "" },
		{ { "spec.nothing" }, "" },
	};
	struct sh_arena *a = sh_arena_new();
	sqlite3 *db = catalog_db();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(cases); i++) {
		size_t n = cases[i].filters[1] ? 2 : 1;
		const char *got = matches(a, db, query_ok(a, cases[i].filters, n));
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("%s%s%s: got [%s], expected [%s]", cases[i].filters[0], n > 1 ? " | " : "",
				n > 1 ? cases[i].filters[1] : "", got, cases[i].ids);
	}
	assert_string_equal(matches(a, db, NULL), "1,2,3,4,5,6");
	sqlite3_close(db);
	sh_arena_free(a);
}

static void test_catalog_filter__predicate_semantics_in_sqlite(void **state)
{
	static const struct {
		const char *q;
		const char *ids;
	} cases[] = {
		{ "{'kind':'component'}", "1,2,6" },
		{ "{'$not':{'kind':'component'}}", "3,4,5" },
		{ "{'spec.type':{'$exists':false}}", "5" },
		{ "{'$not':{'spec.type':{'$exists':true}}}", "5" },
		{ "{'spec.type':{'$in':['Website','library']}}", "2,6" },
		{ "{'spec.replicas':{'$in':[3,4]}}", "2" },
		{ "{'spec.replicas':3}", "2" },
		{ "{'spec.public':true}", "2" },
		{ "{'metadata.name':{'$hasPrefix':'PAY'}}", "3" },
		{ "{'metadata.name':{'$hasPrefix':''}}", "1,2,3,4,5,6" },
		{ "{'metadata.tags':{'$contains':'java'}}", "1" },
		{ "{'spec.memberOf':{'$contains':'team-a'}}", "5" },
		{ "{'relations':{'$contains':{'type':'ownedBy','targetRef':'group:default/team-a'}}}", "1,3" },
		{ "{'relations':{'$contains':{'type':'OWNEDBY','targetRef':{'$in':['group:default/team-b']}}}}",
		  "2" },
		{ "{'relations':{'$contains':{'type':'memberOf'}}}", "5" },
		{ "{'$all':[]}", "1,2,3,4,5,6" },
		{ "{'$any':[]}", "" },
		{ "{'$all':[{'kind':'component'},{'$any':[{'spec.type':'service'},"
		  "{'spec.type':{'$in':['website','library']}}]},{'relations':{'$contains':{"
		  "'type':'ownedBy','targetRef':'group:default/team-a'}}}]}", "1" },
		{ "{'$any':[{'kind':'user'},{'$all':[{'kind':'component'},{'$not':"
		  "{'metadata.namespace':'default'}}]}]}", "5,6" },
		{ "{'kind':'component','metadata.description':{'$exists':true}}", "6" },
	};
	struct sh_arena *a = sh_arena_new();
	sqlite3 *db = catalog_db();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(cases); i++) {
		const char *got = matches(a, db, predicate_ok(a, cases[i].q));
		if (strcmp(got, cases[i].ids) != 0)
			fail_msg("%s: got [%s], expected [%s]", cases[i].q, got, cases[i].ids);
	}
	sqlite3_close(db);
	sh_arena_free(a);
}

/* ---- transitive ownership ------------------------------------------------------------------ */

static bool has_value(const struct pred *p, const char *v)
{
	for (size_t i = 0; i < p->n_values; i++)
		if (strcmp(p->values[i], v) == 0)
			return true;
	return false;
}

static void test_catalog_filter__ownership_expands_to_groups(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct sh_err err = { 0, "" };
	sqlite3 *db = NULL;
	struct pred *p, *q, *other;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE catalog_relations (originating_id INTEGER, "
		"source_ref TEXT, type TEXT, target_ref TEXT);"
		"INSERT INTO catalog_relations VALUES "
		"(1, 'user:default/jdoe', 'memberOf', 'group:default/team-a'),"
		"(1, 'user:default/jdoe', 'memberOf', 'group:default/oncall'),"
		"(2, 'group:default/team-a', 'childOf', 'group:default/eng'),"
		"(3, 'group:default/eng', 'childOf', 'group:default/acme'),"
		"(3, 'group:default/eng', 'ownerOf', 'component:default/web'),"
		"(4, 'group:default/loop-a', 'childOf', 'group:default/loop-b'),"
		"(5, 'group:default/loop-b', 'childOf', 'group:default/loop-a');",
		NULL, NULL, NULL), SQLITE_OK);

	p = predicate_ok(a, "{'relations':{'$contains':{'type':'ownedBy','targetRef':'user:default/jdoe'}}}");
	assert_int_equal(filter_expand_ownership(p, db, a, &err), 0);
	assert_int_equal(p->m, M_IN);
	assert_int_equal(p->n_values, 5);
	assert_true(has_value(p, "user:default/jdoe"));
	assert_true(has_value(p, "group:default/team-a"));
	assert_true(has_value(p, "group:default/oncall"));
	assert_true(has_value(p, "group:default/eng"));
	assert_true(has_value(p, "group:default/acme"));

	/* Inside a tree, next to other conditions; a cycle of parents ends. */
	q = query1(a, "kind=component,relations.ownedby=group:default/loop-a,relations.ownedby");
	other = q->kids[0];
	assert_int_equal(filter_expand_ownership(q, db, a, &err), 0);
	assert_int_equal(other->m, M_EQ);
	assert_string_equal(other->values[0], "component");
	assert_int_equal(q->kids[1]->m, M_IN);
	assert_int_equal(q->kids[1]->n_values, 2);
	assert_true(has_value(q->kids[1], "group:default/loop-b"));
	/* Existence checks stay as they are. */
	assert_int_equal(q->kids[2]->m, M_EXISTS);
	assert_int_equal(q->kids[2]->n_values, 0);

	/* An owner with no groups stays a plain equality. */
	p = predicate_ok(a, "{'relations.ownedBy':'group:default/nobody'}");
	assert_int_equal(filter_expand_ownership(p, db, a, &err), 0);
	assert_int_equal(p->m, M_EQ);
	assert_int_equal(p->n_values, 1);
	assert_int_equal(filter_expand_ownership(NULL, db, a, &err), 0);
	sqlite3_close(db);
	sh_arena_free(a);
}

/* ---- fields ----------------------------------------------------------------------------- */

static void test_catalog_filter__fields_parse(void **state)
{
	static const char *const params[] = { "kind,metadata.name", "spec.type", ",,", "" };
	struct sh_arena *a = sh_arena_new();
	struct sh_err err = { 0, "" };
	const char **list = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(fields_parse(&list, &n, a, params, SH_ARRAY_LEN(params), &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "kind");
	assert_string_equal(list[1], "metadata.name");
	assert_string_equal(list[2], "spec.type");
	assert_int_equal(fields_parse(&list, &n, a, params, 0, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(fields_parse(&list, &n, a, params + 2, 2, &err), 0);
	assert_int_equal(n, 0);
	sh_arena_free(a);
}

static void test_catalog_filter__fields_bracket_is_an_error(void **state)
{
	static const char *const bad[] = { "metadata.tags[0]", "kind,spec[", "[" };
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(bad); i++) {
		struct sh_err err = { 0, "" };
		const char **list = NULL;
		size_t n = 0;

		if (fields_parse(&list, &n, a, &bad[i], 1, &err) != SH_EINPUT)
			fail_msg("%s: expected an InputError", bad[i]);
		assert_int_equal(err.code, SH_EINPUT);
	}
	sh_arena_free(a);
}

static void test_catalog_filter__fields_are_trimmed(void **state)
{
	static const char *const params[] = { " kind , metadata.name " };
	struct sh_arena *a = sh_arena_new();
	struct sh_err err = { 0, "" };
	const char **list = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(fields_parse(&list, &n, a, params, 1, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0], "kind");
	assert_string_equal(list[1], "metadata.name");

	sh_arena_free(a);
}

static json_t *sample_entity(void)
{
	return load("{'apiVersion':'backstage.io/v1alpha1','kind':'User',"
		"'metadata':{'name':'jdoe','namespace':'default','annotations':{"
		"'backstage.io/managed-by-location':'file:/srv/org.yaml','github.com/user-login':'jd'},"
		"'tags':['a','b']},"
		"'spec':{'memberOf':['team-a'],'profile':{'displayName':'J. Doe','email':'jd@example.com'}}}");
}

static void assert_projects(const char *const *fields, size_t n, const char *expected)
{
	json_t *e = sample_entity(), *copy = json_deep_copy(e);
	json_t *got = fields_project(e, fields, n), *want = load(expected);

	if (!json_equal(got, want)) {
		char *text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("%s...: got %s, expected %s", n ? fields[0] : "", text, expected);
	}
	/* The entity itself is left as it was. */
	assert_true(json_equal(e, copy));
	json_decref(got);
	json_decref(want);
	json_decref(copy);
	json_decref(e);
}

static void test_catalog_filter__fields_project(void **state)
{
	static const char *const top[] = { "kind", "metadata.name" };
	static const char *const nested[] = { "spec.profile.email" };
	static const char *const missing[] = { "spec.nothing", "metadata.name.deeper", "status" };
	static const char *const dotted[] = { "metadata.annotations.backstage.io/managed-by-location" };
	static const char *const subtree[] = { "metadata.tags", "spec" };
	static const char *const overlap[] = { "metadata", "metadata.name" };
	static const char *const overlap2[] = { "metadata.name", "metadata" };

	(void)state;
	assert_projects(top, 2, "{'kind':'User','metadata':{'name':'jdoe'}}");
	assert_projects(nested, 1, "{'spec':{'profile':{'email':'jd@example.com'}}}");
	assert_projects(missing, 3, "{}");
	assert_projects(dotted, 1, "{'metadata':{'annotations':"
		"{'backstage.io/managed-by-location':'file:/srv/org.yaml'}}}");
	assert_projects(subtree, 2, "{'metadata':{'tags':['a','b']},'spec':{'memberOf':['team-a'],"
		"'profile':{'displayName':'J. Doe','email':'jd@example.com'}}}");
	assert_projects(overlap, 2, "{'metadata':{'name':'jdoe','namespace':'default','annotations':{"
		"'backstage.io/managed-by-location':'file:/srv/org.yaml','github.com/user-login':'jd'},"
		"'tags':['a','b']}}");
	assert_projects(overlap2, 2, "{'metadata':{'name':'jdoe','namespace':'default','annotations':{"
		"'backstage.io/managed-by-location':'file:/srv/org.yaml','github.com/user-login':'jd'},"
		"'tags':['a','b']}}");
	assert_projects(NULL, 0, "{}");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_filter__query_single_condition),
		cmocka_unit_test(test_catalog_filter__query_and_within_one_param),
		cmocka_unit_test(test_catalog_filter__query_or_across_params),
		cmocka_unit_test(test_catalog_filter__query_repeated_key_is_in),
		cmocka_unit_test(test_catalog_filter__query_key_only_is_exists),
		cmocka_unit_test(test_catalog_filter__query_trims_and_splits_on_first_equals),
		cmocka_unit_test(test_catalog_filter__query_empty_key_is_an_error),
		cmocka_unit_test(test_catalog_filter__query_empty_statements_are_skipped),
		cmocka_unit_test(test_catalog_filter__query_none_is_no_filter),
		cmocka_unit_test(test_catalog_filter__predicate_primitives),
		cmocka_unit_test(test_catalog_filter__predicate_logical_forms),
		cmocka_unit_test(test_catalog_filter__predicate_matchers),
		cmocka_unit_test(test_catalog_filter__predicate_relations_contains),
		cmocka_unit_test(test_catalog_filter__predicate_errors),
		cmocka_unit_test(test_catalog_filter__sql_bind_order_nested),
		cmocka_unit_test(test_catalog_filter__and_of_two_trees),
		cmocka_unit_test(test_catalog_filter__to_json_round_trip),
		cmocka_unit_test(test_catalog_filter__query_non_utf8_is_refused_or_kept),
		cmocka_unit_test(test_catalog_filter__to_json_shape),
		cmocka_unit_test(test_catalog_filter__query_semantics_in_sqlite),
		cmocka_unit_test(test_catalog_filter__predicate_semantics_in_sqlite),
		cmocka_unit_test(test_catalog_filter__ownership_expands_to_groups),
		cmocka_unit_test(test_catalog_filter__fields_parse),
		cmocka_unit_test(test_catalog_filter__fields_bracket_is_an_error),
		cmocka_unit_test(test_catalog_filter__fields_are_trimmed),
		cmocka_unit_test(test_catalog_filter__fields_project),
	};
	RUN_TESTS(tests, argc, argv);
}
