#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "stagehand/db.h"
#include "stagehand/jobs.h"

struct fixture {
	char path[64];
	struct db_pool *pool;
};

struct counter {
	_Atomic int runs;
	_Atomic int payload_ok;
};

static int setup(void **state)
{
	struct fixture *f = sh_calloc(1, sizeof(*f));
	struct sh_err err;
	sqlite3 *db;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/stagehand-jobs-XXXXXX");
	fd = mkstemp(f->path);
	close(fd);
	if (db_pool_open(&f->pool, f->path, 4, &err) != 0)
		return 1;
	db = db_acquire(f->pool);
	if (db_migrate(db, db_migrations, db_migrations_count, &err) != 0)
		return 1;
	db_release(f->pool, db);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char side[80];

	db_pool_free(f->pool);
	unlink(f->path);
	snprintf(side, sizeof(side), "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", f->path);
	unlink(side);
	free(f);
	return 0;
}

static long query_long(struct fixture *f, const char *sql)
{
	sqlite3 *db = db_acquire(f->pool);
	sqlite3_stmt *st = NULL;
	long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	db_release(f->pool, db);
	return v;
}

static void enqueue(struct fixture *f, const char *queue, const char *key, int64_t delay)
{
	sqlite3 *db = db_acquire(f->pool);
	struct sh_err err;
	json_t *payload = json_pack("{s:s}", "key", key);

	assert_int_equal(jobs_enqueue(db, queue, key, payload, delay, &err), 0);
	json_decref(payload);
	db_release(f->pool, db);
}

/* Wait (bounded) until sql returns want. */
static bool eventually(struct fixture *f, const char *sql, long want)
{
	for (int i = 0; i < 500; i++) {
		if (query_long(f, sql) == want)
			return true;
		usleep(10000);
	}
	return false;
}

static int count_handler(void *ctx, sqlite3 *db, const char *key, const json_t *payload,
	struct sh_err *err)
{
	struct counter *c = ctx;

	(void)db; (void)err;
	atomic_fetch_add(&c->runs, 1);
	if (strcmp(json_string_value(json_object_get(payload, "key")), key) == 0)
		atomic_fetch_add(&c->payload_ok, 1);
	return 0;
}

static int failing_handler(void *ctx, sqlite3 *db, const char *key, const json_t *payload,
	struct sh_err *err)
{
	struct counter *c = ctx;

	(void)db; (void)key; (void)payload;
	atomic_fetch_add(&c->runs, 1);
	return sh_err_set(err, SH_EUPSTREAM, "upstream said no");
}

static void test_jobs_queue__runs_every_job_once(void **state)
{
	struct fixture *f = *state;
	struct counter c = { 0, 0 };
	struct jobs_queue q[] = { { "count", count_handler, &c, 0 } };
	struct jobs *j = NULL;
	struct sh_err err;
	char key[32];

	for (int i = 0; i < 50; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		enqueue(f, "count", key, 0);
	}
	assert_int_equal(jobs_start(&j, f->pool, 2, q, 1, &err), 0);
	jobs_wake(j);
	assert_true(eventually(f, "SELECT count(*) FROM jobs", 0));
	jobs_stop(j);
	assert_int_equal(atomic_load(&c.runs), 50);
	assert_int_equal(atomic_load(&c.payload_ok), 50);
}

static void test_jobs_queue__same_key_is_one_job(void **state)
{
	struct fixture *f = *state;

	enqueue(f, "count", "dup", 60000);
	enqueue(f, "count", "dup", 0);
	enqueue(f, "other", "dup", 0);
	assert_int_equal(query_long(f, "SELECT count(*) FROM jobs"), 2);
	/* The earlier run time wins. */
	assert_true(query_long(f, "SELECT run_at FROM jobs WHERE queue = 'count'") <=
		jobs_now_ms());
}

static void test_jobs_queue__failure_is_retried_later(void **state)
{
	struct fixture *f = *state;
	struct counter c = { 0, 0 };
	struct jobs_queue q[] = { { "flaky", failing_handler, &c, 0 } };
	struct jobs *j = NULL;
	struct sh_err err;

	enqueue(f, "flaky", "a", 0);
	assert_int_equal(jobs_start(&j, f->pool, 1, q, 1, &err), 0);
	jobs_wake(j);
	assert_true(eventually(f, "SELECT count(*) FROM jobs WHERE last_error IS NOT NULL", 1));
	jobs_stop(j);
	assert_int_equal(atomic_load(&c.runs), 1);
	assert_int_equal(query_long(f, "SELECT attempts FROM jobs"), 1);
	assert_true(query_long(f, "SELECT run_at FROM jobs") > jobs_now_ms());
	assert_int_equal(query_long(f, "SELECT locked_until FROM jobs"), 0);
}

static void test_jobs_queue__gives_up_after_max_attempts(void **state)
{
	struct fixture *f = *state;
	struct counter c = { 0, 0 };
	struct jobs_queue q[] = { { "once", failing_handler, &c, 1 } };
	struct jobs *j = NULL;
	struct sh_err err;

	enqueue(f, "once", "a", 0);
	assert_int_equal(jobs_start(&j, f->pool, 1, q, 1, &err), 0);
	jobs_wake(j);
	assert_true(eventually(f, "SELECT count(*) FROM jobs", 0));
	jobs_stop(j);
	assert_int_equal(atomic_load(&c.runs), 1);
}

static void test_jobs_queue__expired_lease_is_reclaimed(void **state)
{
	struct fixture *f = *state;
	struct counter c = { 0, 0 };
	struct jobs_queue q[] = { { "count", count_handler, &c, 0 } };
	struct jobs *j = NULL;
	struct sh_err err;
	sqlite3 *db;

	/* A worker that died mid-job left a lease that has run out. */
	enqueue(f, "count", "orphan", 0);
	db = db_acquire(f->pool);
	assert_int_equal(db_exec(db, "UPDATE jobs SET locked_until = 1, attempts = 1", &err), 0);
	db_release(f->pool, db);
	assert_int_equal(jobs_start(&j, f->pool, 1, q, 1, &err), 0);
	assert_true(eventually(f, "SELECT count(*) FROM jobs", 0));
	jobs_stop(j);
	assert_int_equal(atomic_load(&c.runs), 1);
}

static void test_jobs_queue__stop_is_prompt(void **state)
{
	struct fixture *f = *state;
	struct jobs *j = NULL;
	struct sh_err err;
	struct timespec a, b;

	assert_int_equal(jobs_start(&j, f->pool, 2, NULL, 0, &err), 0);
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &a);
	jobs_stop(j);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500);
	jobs_stop(NULL);
	jobs_wake(NULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_jobs_queue__runs_every_job_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_queue__same_key_is_one_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_queue__failure_is_retried_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_queue__gives_up_after_max_attempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_queue__expired_lease_is_reclaimed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_queue__stop_is_prompt, setup, teardown),
	};
	RUN_TESTS(tests, argc, argv);
}
