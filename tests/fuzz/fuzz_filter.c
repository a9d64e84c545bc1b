/*
 * Entity filters and projection. The first byte picks the form (mod 3):
 * 0 query-string `filter` params, one per line; 1 a JSON predicate;
 * 2 `fields` params, one per line. Parsed filters must turn into SQL that
 * SQLite accepts with one bind per placeholder, and their JSON form (what
 * cursors carry) must parse back into the same SQL.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/catalog/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARAMS 64

/* One connection for the whole run, with a few index rows to match. */
static sqlite3 *db(void)
{
	static sqlite3 *conn;

	if (conn == NULL) {
		if (sqlite3_open(":memory:", &conn) != SQLITE_OK ||
			sqlite3_exec(conn, "CREATE TABLE entities (id INTEGER PRIMARY KEY);"
				"CREATE TABLE catalog_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);"
				"CREATE TABLE catalog_search (entity_id INTEGER, key_id INTEGER, value TEXT,"
				" original TEXT);"
				"INSERT INTO entities VALUES (1), (2);"
				"INSERT INTO catalog_keys VALUES (1, 'kind'), (2, 'metadata.name'),"
				" (3, 'relations.ownedby');"
				"INSERT INTO catalog_search VALUES (1, 1, 'component', 'Component'),"
				"(1, 2, 'billing', NULL), (2, 1, 'api', 'API'),"
				"(2, 3, 'group:default/team-a', NULL);",
				NULL, NULL, NULL) != SQLITE_OK)
			__builtin_trap();
	}
	return conn;
}

/* Split text at newlines into NUL-terminated params (arena). */
static size_t split_lines(struct sh_arena *a, const char *text, size_t len, const char **out)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= len && n < MAX_PARAMS; i++) {
		if (i == len || text[i] == '\n') {
			out[n++] = sh_arena_strndup(a, text + start, i - start);
			start = i + 1;
		}
	}
	return n;
}

static void run_sql(struct sh_arena *a, const struct pred *p, const char **sql_out,
	const char **binds_out)
{
	struct sh_buf sql = SH_BUF_INIT, joined = SH_BUF_INIT;
	struct sql_binds b = { NULL, 0, 0 };
	sqlite3_stmt *st = NULL;

	sh_buf_puts(&sql, "SELECT e.id FROM entities e WHERE ");
	filter_sql(&sql, &b, a, p, "e.id");
	if (sqlite3_prepare_v2(db(), sql.ptr, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_bind_parameter_count(st) != (int)b.n)
			__builtin_trap();
		binds_apply(st, &b, 1);
		while (sqlite3_step(st) == SQLITE_ROW)
			;
		sqlite3_finalize(st);
	} else if (strstr(sqlite3_errmsg(db()), "too large") == NULL &&
		strstr(sqlite3_errmsg(db()), "too many") == NULL) {
		/* Only SQLite's own size limits may refuse a generated query. */
		__builtin_trap();
	}
	/* Length-prefixed, so that any bytes compare exactly. */
	for (size_t i = 0; i < b.n; i++)
		sh_buf_printf(&joined, "%zu:%s", strlen(b.v[i]), b.v[i]);
	*sql_out = sh_arena_strdup(a, sql.ptr);
	*binds_out = sh_arena_strdup(a, joined.ptr ? joined.ptr : "");
	sh_buf_dispose(&sql);
	sh_buf_dispose(&joined);
}

static void check_filter(struct sh_arena *a, const struct pred *p)
{
	const char *sql1, *binds1, *sql2, *binds2;
	json_t *j = filter_to_json(p);
	struct pred *back = NULL;
	struct sh_err err;
	char *text;

	run_sql(a, p, &sql1, &binds1);
	text = json_dumps(j, JSON_COMPACT);
	free(text);
	/* A query-string key beginning with '$' does not parse back (a known
	 * gap); whatever does parse back must mean the same. */
	if (filter_parse_predicate(&back, a, j, &err) == 0) {
		run_sql(a, back, &sql2, &binds2);
		if (strcmp(sql1, sql2) != 0 || strcmp(binds1, binds2) != 0)
			__builtin_trap();
	}
	json_decref(j);
}

static void fuzz_query(struct sh_arena *a, const char *text, size_t len)
{
	const char *params[MAX_PARAMS];
	size_t n = split_lines(a, text, len, params);
	struct pred *p = NULL;
	struct sh_err err;

	if (filter_parse_query(&p, a, params, n, &err) == 0)
		check_filter(a, p);
	else if (err.code != SH_EINPUT)
		__builtin_trap();
}

static void fuzz_predicate(struct sh_arena *a, const char *text, size_t len)
{
	json_t *q = json_loadb(text, len, JSON_DECODE_ANY, NULL);
	struct pred *p = NULL;
	struct sh_err err;

	if (q == NULL)
		return;
	if (filter_parse_predicate(&p, a, q, &err) == 0)
		check_filter(a, p);
	else if (err.code != SH_EINPUT)
		__builtin_trap();
	json_decref(q);
}

static void fuzz_fields(struct sh_arena *a, const char *text, size_t len)
{
	static const char entity_text[] = "{\"apiVersion\":\"backstage.io/v1alpha1\",\"kind\":\"User\","
		"\"metadata\":{\"name\":\"jdoe\",\"annotations\":{\"backstage.io/managed-by-location\":"
		"\"file:/srv/org.yaml\",\"a.b\":\"x\"},\"tags\":[\"a\"]},\"spec\":{\"memberOf\":[\"ops\"],"
		"\"profile\":{\"email\":\"jd@example.com\"}},\"relations\":[{\"type\":\"memberOf\","
		"\"targetRef\":\"group:default/ops\"}]}";
	const char *params[MAX_PARAMS];
	size_t n = split_lines(a, text, len, params), count = 0;
	const char **fields = NULL;
	struct sh_err err;
	json_t *entity, *copy, *out;

	if (fields_parse(&fields, &count, a, params, n, &err) != 0)
		return;
	entity = json_loads(entity_text, 0, NULL);
	copy = json_deep_copy(entity);
	out = fields_project(entity, fields, count);
	/* Projection never changes the entity it reads. */
	if (!json_is_object(out) || !json_equal(entity, copy))
		__builtin_trap();
	json_decref(out);
	json_decref(copy);
	json_decref(entity);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_arena *a;

	if (size == 0)
		return 0;
	a = sh_arena_new();
	switch (data[0] % 3) {
	case 0:
		fuzz_query(a, (const char *)data + 1, size - 1);
		break;
	case 1:
		fuzz_predicate(a, (const char *)data + 1, size - 1);
		break;
	default:
		fuzz_fields(a, (const char *)data + 1, size - 1);
		break;
	}
	sh_arena_free(a);
	return 0;
}
