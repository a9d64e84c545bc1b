/*
 * jobs: background work fed from a SQLite-backed queue (the jobs table).
 *
 * Request threads enqueue and return; worker threads claim due jobs with a
 * lease, run the queue's handler, and delete the job when it succeeds or
 * reschedule it with backoff when it fails. A crash leaves leases that
 * simply expire, so nothing is lost. One key per queue is unique: enqueueing
 * an existing key moves its run time earlier instead of adding a duplicate.
 */
#ifndef STAGEHAND_JOBS_H
#define STAGEHAND_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdint.h>

#include "stagehand/util.h"

struct db_pool;
struct jobs;

/* Runs one job. payload is borrowed. Returning non-zero retries the job
 * later (err->msg is kept as its last_error). */
typedef int (*jobs_handler_fn)(void *ctx, sqlite3 *db, const char *key, const json_t *payload,
	struct sh_err *err);

struct jobs_queue {
	const char *name;
	jobs_handler_fn handler;
	void *ctx;
	int max_attempts;        /* 0: retry forever */
};

/* Start n worker threads over the given queues (borrowed; they must outlive
 * the pool). *out is the caller's; stop it with jobs_stop. */
int jobs_start(struct jobs **out, struct db_pool *pool, int n,
	const struct jobs_queue *queues, size_t n_queues, struct sh_err *err) SH_WUR;

/* Let running jobs finish, then join the workers and free j. NULL is fine. */
void jobs_stop(struct jobs *j);

/* Like jobs_stop, but give running jobs at most ms: returns false (and
 * leaves j alone) if one is still running then. */
bool jobs_stop_within(struct jobs *j, int64_t ms) SH_WUR;

/* Wake idle workers (after enqueueing from a request). NULL is fine. */
void jobs_wake(struct jobs *j);

/* Add (or move earlier) the job queue/key to run after delay_ms. payload
 * may be NULL ({}). Safe inside the caller's transaction. */
int jobs_enqueue(sqlite3 *db, const char *queue, const char *key, const json_t *payload,
	int64_t delay_ms, struct sh_err *err) SH_WUR;

/* Wall-clock milliseconds since the epoch, the queue's time base. */
int64_t jobs_now_ms(void);

#endif
