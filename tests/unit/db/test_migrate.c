#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "stagehand/db.h"

static int setup(void **state)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return 1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	sqlite3_close(*state);
	return 0;
}

static long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const struct db_migration good[] = {
	{ "0001_a.sql", "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);" },
	{ "0002_b.sql", "CREATE TABLE b (y TEXT);" },
};

static void test_db_migrate__applies_in_order_once(void **state)
{
	sqlite3 *db = *state;
	struct sh_err err;

	assert_int_equal(db_migrate(db, good, 2, &err), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations"), 2);
	assert_int_equal(count(db, "SELECT max(version) FROM schema_migrations"), 2);
	/* A second start applies nothing again. */
	assert_int_equal(db_migrate(db, good, 2, &err), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM a"), 1);
}

static void test_db_migrate__failure_rolls_back_and_names_file(void **state)
{
	static const struct db_migration bad[] = {
		{ "0001_a.sql", "CREATE TABLE a (x INTEGER);" },
		{ "0002_broken.sql", "CREATE TABLE c (z INTEGER); INSERT INTO c VALUES (1); SELEC nonsense;" },
	};
	sqlite3 *db = *state;
	struct sh_err err;

	assert_int_equal(db_migrate(db, bad, 2, &err), SH_EINTERNAL);
	assert_non_null(strstr(err.msg, "migrations/0002_broken.sql: "));
	assert_non_null(strstr(err.msg, "syntax error"));
	/* 0002 left nothing behind; 0001 stays. */
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'a'"), 1);
	assert_int_equal(count(db, "SELECT max(version) FROM schema_migrations"), 1);
}

static void test_db_migrate__newer_database_is_refused(void **state)
{
	sqlite3 *db = *state;
	struct sh_err err;

	assert_int_equal(db_migrate(db, good, 2, &err), 0);
	assert_int_equal(db_migrate(db, good, 1, &err), SH_EINTERNAL);
	assert_non_null(strstr(err.msg, "newer than this binary"));
}

static void test_db_migrate__names_must_be_ordered(void **state)
{
	static const struct db_migration unordered[] = {
		{ "0002_b.sql", "SELECT 1;" },
		{ "0001_a.sql", "SELECT 1;" },
	};
	static const struct db_migration unnamed[] = { { "init.sql", "SELECT 1;" } };
	sqlite3 *db = *state;
	struct sh_err err;

	assert_int_equal(db_migrate(db, unordered, 2, &err), SH_EINTERNAL);
	assert_int_equal(db_migrate(db, unnamed, 1, &err), SH_EINTERNAL);
}

static void test_db_migrate__builtin_migrations_apply(void **state)
{
	sqlite3 *db = *state;
	struct sh_err err;

	assert_true(db_migrations_count > 0);
	if (db_migrate(db, db_migrations, db_migrations_count, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(count(db, "SELECT count(*) FROM schema_migrations"), (long)db_migrations_count);
}

/* 0003 fills catalog_search.uid_key from the uid for rows written before
 * it: the first 15 hex digits of the uid as a number. */
static void test_db_migrate__0003_fills_uid_keys(void **state)
{
	static const char *const uids[] = {
		"000c757a-db35-413a-8873-cf11545c5142", "ffffffff-ffff-4fff-bfff-ffffffffffff",
		"9a0b1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3",
	};
	sqlite3 *db = *state;
	struct sh_err err;
	char sql[512];

	assert_true(db_migrations_count >= 3);
	assert_string_equal(db_migrations[2].name, "0003_catalog_orphans_uid_order.sql");
	if (db_migrate(db, db_migrations, 2, &err) != 0)
		fail_msg("%s", err.msg);
	for (int i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO catalog_entities (id, ref, kind, uid, location_key, "
			"origin_key, updated_at) VALUES (%d, 'component:default/c%d', 'component', '%s', 'k', 'k', 0); "
			"INSERT INTO catalog_search (entity_id, key_id, seq, kind, value) "
			"VALUES (%d, 1, 0, 'component', 'x'), (%d, 2, 0, 'component', 'y');",
			i + 1, i, uids[i], i + 1, i + 1);
		assert_int_equal(db_exec(db, sql, &err), 0);
	}
	if (db_migrate(db, db_migrations, db_migrations_count, &err) != 0)
		fail_msg("%s", err.msg);
	for (int i = 0; i < 3; i++) {
		char hex[16];
		int n = 0;
		for (const char *p = uids[i]; n < 15; p++)
			if (*p != '-')
				hex[n++] = *p;
		hex[15] = '\0';
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM catalog_search WHERE entity_id = %d "
			"AND uid_key = %lld", i + 1, strtoll(hex, NULL, 16));
		assert_int_equal(count(db, sql), 2);
	}
	assert_int_equal(count(db, "SELECT count(*) FROM catalog_entities WHERE orphan = 0"), 3);
}

static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

/* Commits only append to the WAL; the pool's own thread copies it into the
 * database file soon after it passes 1,000 pages. */
static void test_db_pool__checkpoints_in_the_background(void **state)
{
	char path[] = "/tmp/stagehand-test-XXXXXX";
	char file[96], wal[104], shm[104];
	struct db_pool *pool = NULL;
	struct sh_err err;
	sqlite3 *db;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(file, sizeof(file), "%s.db", path);
	snprintf(wal, sizeof(wal), "%s-wal", file);
	snprintf(shm, sizeof(shm), "%s-shm", file);
	assert_int_equal(db_pool_open(&pool, file, 2, &err), 0);
	db = db_acquire(pool);
	assert_int_equal(count(db, "PRAGMA page_size"), 16384);
	assert_int_equal(db_exec(db, "CREATE TABLE t (b BLOB); BEGIN; "
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
		"INSERT INTO t SELECT randomblob(12000) FROM n; COMMIT;", &err), 0);
	db_release(pool, db);
	for (int i = 0; i < 500 && file_size(file) < 20 * 1000 * 1000; i++)
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	assert_true(file_size(file) >= 20 * 1000 * 1000);
	db_pool_free(pool);
	unlink(path);
	unlink(file);
	unlink(wal);
	unlink(shm);
}

static void test_db_migrate__pool_opens_wal(void **state)
{
	char path[] = "/tmp/stagehand-test-XXXXXX";
	char file[96];
	struct db_pool *pool = NULL;
	struct sh_err err;
	sqlite3 *a, *b;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(file, sizeof(file), "%s.db", path);
	assert_int_equal(db_pool_open(&pool, file, 2, &err), 0);
	a = db_acquire(pool);
	b = db_acquire(pool);
	assert_ptr_not_equal(a, b);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(a, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	assert_int_equal(count(a, "PRAGMA foreign_keys"), 1);
	assert_true(db_size_bytes(a) >= 0);
	/* A transaction left open is rolled back on release. */
	assert_int_equal(db_exec(b, "BEGIN; CREATE TABLE t (x);", &err), 0);
	db_release(pool, b);
	b = db_acquire(pool);
	assert_int_equal(sqlite3_get_autocommit(b), 1);
	db_release(pool, a);
	db_release(pool, b);
	db_pool_free(pool);
	unlink(path);
	unlink(file);
	snprintf(file, sizeof(file), "%s.db-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s.db-shm", path);
	unlink(file);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_db_migrate__applies_in_order_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_migrate__failure_rolls_back_and_names_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_migrate__newer_database_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_migrate__names_must_be_ordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_db_migrate__builtin_migrations_apply, setup, teardown),
		cmocka_unit_test(test_db_migrate__pool_opens_wal),
		cmocka_unit_test_setup_teardown(test_db_migrate__0003_fills_uid_keys, setup, teardown),
		cmocka_unit_test(test_db_pool__checkpoints_in_the_background),
	};
	RUN_TESTS(tests, argc, argv);
}
