/*
 * Migrations: migrations/NNNN_name.sql, compiled into the binary, applied in
 * version order. Each runs in its own BEGIN IMMEDIATE transaction together
 * with its row in schema_migrations, so a crash or a failing statement
 * leaves the database exactly as it was before that migration.
 */
#include "stagehand/db.h"

#include <stdlib.h>
#include <string.h>

static int version_of(const char *name, long *out)
{
	char *end;
	long v = strtol(name, &end, 10);

	if (end == name || *end != '_' || v <= 0)
		return -1;
	*out = v;
	return 0;
}

static int max_applied(sqlite3 *db, long *out, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_migrations",
		-1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = sh_err_set(err, SH_EINTERNAL, "schema_migrations: %s", sqlite3_errmsg(db));
	else
		*out = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static int record(sqlite3 *db, long version, const char *name, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db,
		"INSERT INTO schema_migrations(version, name) VALUES (?, ?)", -1, &st, NULL) != SQLITE_OK) {
		return sh_err_set(err, SH_EINTERNAL, "%s", sqlite3_errmsg(db));
	}
	sqlite3_bind_int64(st, 1, version);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

static int apply_one(sqlite3 *db, const struct db_migration *m, long version,
	struct sh_err *err)
{
	int rc;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	rc = db_exec(db, m->sql, err);
	if (rc == 0)
		rc = record(db, version, m->name, err);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	if (rc != 0) {
		struct sh_err ignored;
		int rb = db_exec(db, "ROLLBACK", &ignored);
		(void)rb; /* the failure being reported is the migration's */
		sh_err_prefix(err, "migrations/%s", m->name);
	}
	return rc;
}

int db_migrate(sqlite3 *db, const struct db_migration *m, size_t n, struct sh_err *err)
{
	long applied = 0, prev = 0, version;
	int rc;

	rc = db_exec(db,
		"CREATE TABLE IF NOT EXISTS schema_migrations ("
		" version INTEGER PRIMARY KEY,"
		" name TEXT NOT NULL,"
		" applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))", err);
	if (rc != 0 || (rc = max_applied(db, &applied, err)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (version_of(m[i].name, &version) != 0 || version <= prev)
			return sh_err_set(err, SH_EINTERNAL,
				"migrations/%s: name must be NNNN_name.sql, in increasing order", m[i].name);
		prev = version;
		if (version <= applied)
			continue;
		if ((rc = apply_one(db, &m[i], version, err)) != 0)
			return rc;
	}
	if (applied > prev)
		return sh_err_set(err, SH_EINTERNAL,
			"database is at migration %ld, newer than this binary (%ld): "
			"refusing to run an older stagehand on it", applied, prev);
	return 0;
}
