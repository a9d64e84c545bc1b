/*
 * The worker pool. Each worker loops: claim the oldest due job whose lease
 * has expired (one UPDATE ... RETURNING, so two workers never claim the
 * same job), run it outside any transaction, then delete or reschedule it.
 * Idle workers sleep on a condition variable until woken by jobs_wake, the
 * next due time, or one second, whichever comes first.
 */
#include "stagehand/jobs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stagehand/db.h"

#define LEASE_MS 60000
#define IDLE_MAX_MS 1000
#define BACKOFF_MAX_MS 300000

struct jobs {
	struct db_pool *pool;
	const struct jobs_queue *queues;
	size_t n_queues;
	pthread_t *threads;
	int n_threads;
	pthread_mutex_t lock;   /* guards stopping and wake_seq */
	pthread_cond_t wake;
	bool stopping;
	uint64_t wake_seq;
	int running;            /* workers inside a job; guarded by lock */
};

struct claimed {
	int64_t id;
	char *queue;
	char *key;
	json_t *payload;
	int attempts;
};

int64_t jobs_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int jobs_enqueue(sqlite3 *db, const char *queue, const char *key, const json_t *payload,
	int64_t delay_ms, struct sh_err *err)
{
	static const char sql[] =
		"INSERT INTO jobs (queue, key, payload, run_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
		"ON CONFLICT (queue, key) DO UPDATE SET "
		/* An empty payload never replaces one that is still waiting for
		 * its run (a refresh's "force"); it does replace the payload of
		 * the run in progress, which is spent. */
		"payload = CASE WHEN excluded.payload = '{}' AND NOT (locked_until > ?5 AND attempts > 0) "
		"THEN payload ELSE excluded.payload END, "
		/* While the job runs (leased, not yet re-enqueued), the run it
		 * was waiting for is happening now: the new time replaces it.
		 * Otherwise the earlier of the two wins. */
		"run_at = CASE WHEN locked_until > ?5 AND attempts > 0 THEN excluded.run_at "
		"ELSE min(run_at, excluded.run_at) END, attempts = 0, last_error = NULL";
	char *text = payload ? json_dumps(payload, JSON_COMPACT) : NULL;
	int64_t now = jobs_now_ms();
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		free(text);
		return sh_err_set(err, SH_EINTERNAL, "jobs: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, queue, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text ? text : "{}", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now + (delay_ms > 0 ? delay_ms : 0));
	sqlite3_bind_int64(st, 5, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "jobs: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	free(text);
	return rc;
}

/* ---- claiming ---------------------------------------------------------------- */

static int claim(sqlite3 *db, struct claimed *out, int64_t now)
{
	static const char sql[] =
		"UPDATE jobs SET locked_until = ?1 + ?2, attempts = attempts + 1 "
		"WHERE id = (SELECT id FROM jobs WHERE run_at <= ?1 AND locked_until < ?1 "
		"ORDER BY run_at, id LIMIT 1) "
		"RETURNING id, queue, key, payload, attempts";
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, LEASE_MS);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->queue = sh_strdup((const char *)sqlite3_column_text(st, 1));
		out->key = sh_strdup((const char *)sqlite3_column_text(st, 2));
		out->payload = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
		out->attempts = sqlite3_column_int(st, 4);
		if (out->payload == NULL)
			out->payload = json_object();
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

static void claimed_dispose(struct claimed *c)
{
	free(c->queue);
	free(c->key);
	json_decref(c->payload);
}

/* When the next job falls due, or -1 when the queue is empty. */
static int64_t next_due(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t due = -1;

	if (sqlite3_prepare_v2(db, "SELECT min(max(run_at, locked_until)) FROM jobs", -1, &st,
		NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
		sqlite3_column_type(st, 0) != SQLITE_NULL)
		due = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return due;
}

/* ---- finishing ------------------------------------------------------------------ */

static void finish(sqlite3 *db, const struct claimed *c, int rc, const struct sh_err *err,
	const struct jobs_queue *q)
{
	sqlite3_stmt *st = NULL;
	bool give_up = rc != 0 && q != NULL && q->max_attempts > 0 && c->attempts >= q->max_attempts;

	if (rc == 0 || give_up || q == NULL) {
		if (rc != 0)
			log_error("job %s/%s failed %d times, dropped: %s", c->queue, c->key,
				c->attempts, err->msg);
		/* Delete only the version we ran: an enqueue during the run
		 * reset attempts to 0 and must survive. */
		sqlite3_prepare_v2(db, "DELETE FROM jobs WHERE id = ?1 AND attempts = ?2", -1, &st, NULL);
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_int(st, 2, c->attempts);
	} else {
		int64_t backoff = 1000LL << (c->attempts < 9 ? c->attempts : 9);
		if (backoff > BACKOFF_MAX_MS)
			backoff = BACKOFF_MAX_MS;
		log_warn("job %s/%s failed (attempt %d), retrying in %llds: %s", c->queue, c->key,
			c->attempts, (long long)backoff / 1000, err->msg);
		sqlite3_prepare_v2(db, "UPDATE jobs SET locked_until = 0, run_at = ?2, last_error = ?3 "
			"WHERE id = ?1", -1, &st, NULL);
		sqlite3_bind_int64(st, 1, c->id);
		sqlite3_bind_int64(st, 2, jobs_now_ms() + backoff);
		sqlite3_bind_text(st, 3, err->msg, -1, SQLITE_TRANSIENT);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		log_error("job %s/%s: cannot record the outcome: %s", c->queue, c->key,
			sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc == 0 && sqlite3_changes(db) == 0) {
		/* Re-enqueued while running: make it runnable again now. */
		sqlite3_prepare_v2(db, "UPDATE jobs SET locked_until = 0 WHERE id = ?1", -1, &st, NULL);
		sqlite3_bind_int64(st, 1, c->id);
		if (sqlite3_step(st) != SQLITE_DONE)
			log_error("job %s/%s: cannot release: %s", c->queue, c->key, sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
}

static const struct jobs_queue *queue_of(const struct jobs *j, const char *name)
{
	for (size_t i = 0; i < j->n_queues; i++)
		if (strcmp(j->queues[i].name, name) == 0)
			return &j->queues[i];
	return NULL;
}

/* Run one due job. Returns 1 if one ran, 0 if none was due. */
static int run_one(struct jobs *j, sqlite3 *db)
{
	struct claimed c = { 0 };
	struct sh_err err = { 0, "" };
	const struct jobs_queue *q;
	int rc;

	if (claim(db, &c, jobs_now_ms()) <= 0)
		return 0;
	q = queue_of(j, c.queue);
	if (q == NULL)
		rc = sh_err_set(&err, SH_EINTERNAL, "no worker handles queue %s", c.queue);
	else
		rc = q->handler(q->ctx, db, c.key, c.payload, &err);
	finish(db, &c, rc, &err, q);
	claimed_dispose(&c);
	return 1;
}

/* ---- threads ---------------------------------------------------------------------- */

/* The CLOCK_REALTIME time ms from now, for pthread_cond_timedwait. */
static struct timespec deadline_in(int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void idle_wait(struct jobs *j, int64_t due)
{
	int64_t now = jobs_now_ms();
	int64_t wait_ms = due < 0 ? IDLE_MAX_MS : due - now;
	struct timespec ts;
	uint64_t seq;

	if (wait_ms > IDLE_MAX_MS)
		wait_ms = IDLE_MAX_MS;
	if (wait_ms <= 0)
		wait_ms = 1;
	ts = deadline_in(wait_ms);
	pthread_mutex_lock(&j->lock);
	seq = j->wake_seq;
	while (!j->stopping && seq == j->wake_seq)
		if (pthread_cond_timedwait(&j->wake, &j->lock, &ts) != 0)
			break;
	pthread_mutex_unlock(&j->lock);
}

static void *worker(void *arg)
{
	struct jobs *j = arg;

	for (;;) {
		sqlite3 *db = db_acquire(j->pool);
		int64_t due;
		int ran;

		pthread_mutex_lock(&j->lock);
		if (j->stopping) {
			pthread_mutex_unlock(&j->lock);
			db_release(j->pool, db);
			return NULL;
		}
		j->running++;
		pthread_mutex_unlock(&j->lock);
		ran = run_one(j, db);
		due = ran ? 0 : next_due(db);
		db_release(j->pool, db);
		pthread_mutex_lock(&j->lock);
		j->running--;
		pthread_cond_broadcast(&j->wake);
		pthread_mutex_unlock(&j->lock);
		if (!ran)
			idle_wait(j, due);
	}
}

int jobs_start(struct jobs **out, struct db_pool *pool, int n,
	const struct jobs_queue *queues, size_t n_queues, struct sh_err *err)
{
	struct jobs *j = sh_calloc(1, sizeof(*j));
	sqlite3 *db = db_acquire(pool);
	struct sh_err ignored;

	/* One process serves a database (the scaffolder's recovery assumes
	 * it too), so a lease found now is a killed process's: its job runs
	 * again at once rather than when the lease would have run out. */
	if (db_exec(db, "UPDATE jobs SET locked_until = 0 WHERE locked_until > 0", &ignored) != 0)
		log_warn("jobs: cannot release old leases: %s", ignored.msg);
	db_release(pool, db);
	j->pool = pool;
	j->queues = queues;
	j->n_queues = n_queues;
	j->threads = sh_calloc((size_t)n, sizeof(pthread_t));
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&j->threads[i], NULL, worker, j) != 0) {
			jobs_stop(j);
			return sh_err_set(err, SH_EINTERNAL, "cannot start worker thread %d", i);
		}
		j->n_threads = i + 1;
	}
	*out = j;
	return 0;
}

void jobs_wake(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->wake_seq++;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->lock);
}

bool jobs_stop_within(struct jobs *j, int64_t ms)
{
	struct timespec ts;
	bool idle;

	if (j == NULL)
		return true;
	ts = deadline_in(ms);
	pthread_mutex_lock(&j->lock);
	j->stopping = true;
	pthread_cond_broadcast(&j->wake);
	while (j->running > 0)
		if (pthread_cond_timedwait(&j->wake, &j->lock, &ts) != 0)
			break;
	idle = j->running == 0;
	pthread_mutex_unlock(&j->lock);
	if (idle)
		jobs_stop(j);
	return idle;
}

void jobs_stop(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = true;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->lock);
	for (int i = 0; i < j->n_threads; i++)
		pthread_join(j->threads[i], NULL);
	pthread_cond_destroy(&j->wake);
	pthread_mutex_destroy(&j->lock);
	free(j->threads);
	free(j);
}
