/*
 * Search requests: a query string (term, types, filters, paging) becomes
 * statements that SQLite and FTS5 must accept and run to the end, with one
 * bind per placeholder, whatever the input — never a syntax error.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/search/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One connection for the whole run, with a few documents to match. */
static sqlite3 *db(void)
{
	static sqlite3 *conn;

	if (conn == NULL) {
		if (sqlite3_open(":memory:", &conn) != SQLITE_OK ||
			sqlite3_exec(conn, "CREATE TABLE search_docs (id INTEGER PRIMARY KEY, type TEXT, "
				"source TEXT, name TEXT, title TEXT, keywords TEXT, text TEXT, kind TEXT, owner TEXT, "
				"document TEXT);"
				"CREATE VIRTUAL TABLE search_fts USING fts5 (name, title, keywords, text, content = "
				"'search_docs', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2', "
				"prefix = '2 3');"
				"INSERT INTO search_docs VALUES (1, 'software-catalog', 'component:default/billing', "
				"'billing', 'Billing', 'billing Component service team-a production', "
				"'Charges customers', 'component', 'team-a', '{\"title\":\"Billing\",\"kind\":"
				"\"Component\",\"owner\":\"group:team-a\",\"lifecycle\":\"production\"}'),"
				"(2, 'techdocs', 'component:default/billing', '', 'Install', 'billing', "
				"'Run make install. Ünïcode ok', 'component', 'team-a', '{\"title\":\"Install\"}');"
				"INSERT INTO search_fts (rowid, name, title, keywords, text) SELECT id, name, title, "
				"keywords, text FROM search_docs;",
				NULL, NULL, NULL) != SQLITE_OK)
			__builtin_trap();
	}
	return conn;
}

/* Prepare, bind and run sql (heap, freed) to the end; trap on any error. */
static void run(char *sql, const struct search_binds *b)
{
	sqlite3_stmt *st = NULL;
	int step;

	if (sqlite3_prepare_v2(db(), sql, -1, &st, NULL) != SQLITE_OK ||
		sqlite3_bind_parameter_count(st) != b->n)
		__builtin_trap();
	for (int i = 0; i < b->n; i++)
		sqlite3_bind_text(st, i + 1, b->v[i], -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (step != SQLITE_DONE)
		__builtin_trap();
	sqlite3_finalize(st);
	free(sql);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const facets[] = { "type", "kind", "owner" };
	struct sh_config cfg = { .search_max_term = 100, .search_max_page = 100 };
	struct sh_arena *a = sh_arena_new();
	struct http_query qs;
	struct search_query q;
	struct search_binds b;
	struct sh_err err;

	if (http_query_parse(&qs, a, (const char *)data, size, &err) == 0 &&
		search_parse(&q, a, &qs, &cfg, &err) == 0) {
		if (q.limit < 1 || q.limit > 100 || q.page < 0)
			__builtin_trap();
		for (int tier = SEARCH_ALL; tier <= (int)SEARCH_TEXT; tier++) {
			run(search_sql_count(&q, a, tier, &b), &b);
			run(search_sql_page(&q, a, tier, q.limit, q.limit * q.page, "<b>", "</b>", &b), &b);
		}
		for (size_t i = 0; i < SH_ARRAY_LEN(facets); i++)
			run(search_sql_facet(&q, a, facets[i], &b), &b);
	}
	sh_arena_free(a);
	return 0;
}
