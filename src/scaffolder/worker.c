/*
 * The scaffolder's workers. Each loops: take a queued dry run (in memory),
 * else claim the oldest open task (one UPDATE ... RETURNING, so two workers
 * never take the same one), run it in a fresh workspace, store the result.
 * Idle workers sleep on a condition variable, woken by new work or every
 * second. Running tasks write a heartbeat between steps.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/jobs.h"

#define CLEAN_EVERY_NS (600ull * 1000000000ull)

void task_topic(char buf[64], const char *task_id)
{
	snprintf(buf, 64, SCAF_TOPIC_PREFIX "%s", task_id);
}

/* ---- live tasks -------------------------------------------------------------------- */

void live_add(struct scaffolder *sc, const char *id, json_t *secrets)
{
	struct live_task *t = sh_calloc(1, sizeof(*t));

	snprintf(t->id, sizeof(t->id), "%s", id);
	t->secrets = secrets;
	pthread_mutex_lock(&sc->lock);
	t->next = sc->live;
	sc->live = t;
	pthread_mutex_unlock(&sc->lock);
}

static struct live_task *live_find(struct scaffolder *sc, const char *id)
{
	for (struct live_task *t = sc->live; t != NULL; t = t->next)
		if (strcmp(t->id, id) == 0)
			return t;
	return NULL;
}

/* Take the live entry of a task being claimed (or make one). */
static struct live_task *live_claim(struct scaffolder *sc, const char *id)
{
	struct live_task *t;

	pthread_mutex_lock(&sc->lock);
	t = live_find(sc, id);
	pthread_mutex_unlock(&sc->lock);
	if (t == NULL) {
		live_add(sc, id, NULL);
		pthread_mutex_lock(&sc->lock);
		t = live_find(sc, id);
		pthread_mutex_unlock(&sc->lock);
	}
	t->claimed = true;
	return t;
}

static void live_remove(struct scaffolder *sc, struct live_task *t)
{
	struct live_task **p;

	pthread_mutex_lock(&sc->lock);
	for (p = &sc->live; *p != NULL && *p != t; p = &(*p)->next)
		;
	if (*p == t)
		*p = t->next;
	pthread_mutex_unlock(&sc->lock);
	json_decref(t->secrets);
	free(t);
}

bool live_cancel(struct scaffolder *sc, const char *id)
{
	struct live_task *t;
	bool running = false;

	pthread_mutex_lock(&sc->lock);
	if ((t = live_find(sc, id)) != NULL) {
		atomic_store(&t->cancel, true);
		running = t->claimed;
	}
	pthread_mutex_unlock(&sc->lock);
	return running;
}

/* ---- storing what a run does ---------------------------------------------------------- */

struct task_sink {
	struct scaffolder *sc;
	sqlite3 *db;
	const char *id;
};

/* The status a completion event's message announces. */
static const char *completion_status(const json_t *body)
{
	const char *m = json_string_value(json_object_get(body, "message"));
	const char *prefix = "Run completed with status: ";

	if (m != NULL && strncmp(m, prefix, strlen(prefix)) == 0)
		return m + strlen(prefix);
	return "failed";
}

static void task_event(void *ctx, const char *type, json_t *body)
{
	struct task_sink *s = ctx;
	struct sh_err err = { 0, "" };
	char topic[64];

	if (strcmp(type, "completion") == 0) {
		/* The status and its event become visible together. */
		if (db_exec(s->db, "BEGIN IMMEDIATE", &err) == 0) {
			if (store_task_status(s->db, s->id, completion_status(body), &err) != 0)
				log_error("scaffolder: task %s: %s", s->id, err.msg);
			(void)store_event_add(s->db, s->id, type, body); /* logged inside on failure */
			if (db_exec(s->db, "COMMIT", &err) != 0)
				log_error("scaffolder: task %s: %s", s->id, err.msg);
		}
	} else {
		(void)store_event_add(s->db, s->id, type, body); /* logged inside on failure */
	}
	json_decref(body);
	task_topic(topic, s->id);
	sh_hub_notify(s->sc->hub, topic);
}

static void checkpoint(void *ctx, const json_t *state)
{
	struct task_sink *s = ctx;
	char *text = json_dumps(state, JSON_COMPACT);
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, "UPDATE scaffolder_tasks SET state = ?2, last_heartbeat_at = ?3 "
		"WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, text ? text : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, jobs_now_ms());
		if (sqlite3_step(st) != SQLITE_DONE)
			log_error("scaffolder: task %s: cannot store its state: %s", s->id,
				sqlite3_errmsg(s->db));
	}
	sqlite3_finalize(st);
	free(text);
}

/* ---- claiming and running ---------------------------------------------------------------- */

struct claimed {
	char id[37];
	json_t *spec;
	json_t *state;
};

static bool claim(sqlite3 *db, struct claimed *c)
{
	static const char sql[] =
		"UPDATE scaffolder_tasks SET status = 'processing', last_heartbeat_at = ?1 "
		"WHERE id = (SELECT id FROM scaffolder_tasks WHERE status = 'open' "
		"ORDER BY created_at, rowid LIMIT 1) RETURNING id, spec, state";
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, jobs_now_ms());
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(c->id, sizeof(c->id), "%s", (const char *)sqlite3_column_text(st, 0));
		c->spec = json_loads((const char *)sqlite3_column_text(st, 1), 0, NULL);
		c->state = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
		if (c->spec == NULL)
			c->spec = json_object();
		if (!json_is_object(c->state)) {
			json_decref(c->state);
			c->state = json_object();
		}
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

static void run_claimed(struct scaffolder *sc, sqlite3 *db, struct claimed *c)
{
	struct live_task *live = live_claim(sc, c->id);
	struct task_sink sink = { sc, db, c->id };
	struct sh_err err = { 0, "" };
	char *workspace = sh_asprintf("%s/%s", sc->work_root, c->id);
	char *base = json_string_value(json_object_get(json_object_get(c->spec, "templateInfo"),
		"baseUrl")) ? sh_strdup(json_string_value(json_object_get(json_object_get(c->spec,
		"templateInfo"), "baseUrl"))) : NULL;
	char *root = source_local_root(base);
	struct run_params p = { c->id, c->spec, live->secrets, c->state, workspace, base, root,
		false, &live->cancel, { task_event, &sink }, checkpoint, &sink };
	json_t *output = NULL;
	enum run_result res;

	if (sh_mkdirs(workspace, 0700, &err) != 0) {
		log_error("scaffolder: task %s: %s", c->id, err.msg);
		res = RUN_FAILED;
		task_event(&sink, "completion", json_pack("{s:s,s:{s:s,s:s}}", "message",
			"Run completed with status: failed", "error", "name", "Error", "message",
			"Could not create the task's workspace"));
	} else {
		res = run_task(sc, &p, &output);
	}
	/* A failed task keeps its workspace for a retry from the failed step. */
	if (res != RUN_FAILED && sh_remove_tree(workspace, &err) != 0)
		log_warn("scaffolder: task %s: %s", c->id, err.msg);
	json_decref(output);
	free(root);
	free(base);
	free(workspace);
	live_remove(sc, live);
}

/* ---- the loop ------------------------------------------------------------------------ */

static struct dry_job *take_dry_job(struct scaffolder *sc)
{
	struct dry_job *j = sc->dry_head;

	if (j != NULL) {
		sc->dry_head = j->next;
		if (sc->dry_head == NULL)
			sc->dry_tail = NULL;
	}
	return j;
}

static void idle_wait(struct scaffolder *sc)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 1;
	(void)pthread_cond_timedwait(&sc->wake, &sc->lock, &ts); /* a timeout just polls again */
}

static void *worker_main(void *arg)
{
	struct scaffolder *sc = arg;

	pthread_mutex_lock(&sc->lock);
	while (!sc->stopping) {
		struct dry_job *job = take_dry_job(sc);
		struct claimed c = { "", NULL, NULL };
		sqlite3 *db;
		bool found;

		pthread_mutex_unlock(&sc->lock);
		if (job != NULL) {
			dry_run_execute(sc, job);
			pthread_mutex_lock(&sc->lock);
			continue;
		}
		db = db_acquire(sc->pool);
		if ((found = claim(db, &c)))
			run_claimed(sc, db, &c);
		db_release(sc->pool, db);
		json_decref(c.spec);
		json_decref(c.state);
		pthread_mutex_lock(&sc->lock);
		if (!found && sh_now_ns() > sc->next_clean_ns) {
			sc->next_clean_ns = sh_now_ns() + CLEAN_EVERY_NS;
			pthread_mutex_unlock(&sc->lock);
			clean_work_root(sc, false);
			pthread_mutex_lock(&sc->lock);
		}
		if (!found && !sc->stopping && sc->dry_head == NULL)
			idle_wait(sc);
	}
	pthread_mutex_unlock(&sc->lock);
	return NULL;
}

int workers_start(struct scaffolder *sc, int n, struct sh_err *err)
{
	sc->threads = sh_calloc((size_t)n, sizeof(pthread_t));
	for (int i = 0; i < n; i++) {
		if (pthread_create(&sc->threads[i], NULL, worker_main, sc) != 0) {
			workers_stop(sc);
			return sh_err_set(err, SH_EINTERNAL, "cannot start scaffolder workers");
		}
		sc->n_threads++;
	}
	return 0;
}

void workers_stop(struct scaffolder *sc)
{
	pthread_mutex_lock(&sc->lock);
	sc->stopping = true;
	for (struct live_task *t = sc->live; t != NULL; t = t->next)
		atomic_store(&t->cancel, true);
	pthread_cond_broadcast(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
	for (int i = 0; i < sc->n_threads; i++)
		pthread_join(sc->threads[i], NULL);
	free(sc->threads);
	sc->threads = NULL;
	sc->n_threads = 0;
}

void workers_wake(struct scaffolder *sc)
{
	pthread_mutex_lock(&sc->lock);
	pthread_cond_signal(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
}

/* ---- start-up ------------------------------------------------------------------------- */

static int fail_left_over(sqlite3 *db, const char *id, const char *why, struct sh_err *err)
{
	json_t *body = json_pack("{s:s,s:{s:s,s:s}}", "message", "Run completed with status: failed",
		"error", "name", "Error", "message", why);
	json_t *log = json_pack("{s:s}", "message", why);
	int rc = store_task_status(db, id, "failed", err);

	if (rc == 0 && (store_event_add(db, id, "log", log) < 0 ||
		store_event_add(db, id, "completion", body) < 0))
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: cannot store events of task %s", id);
	json_decref(body);
	json_decref(log);
	return rc;
}

int recover_tasks(struct scaffolder *sc, struct sh_err *err)
{
	static const char *const why_running = "The server stopped while this task was running; "
		"retry it to continue from the step that was interrupted";
	static const char *const why_secrets = "The server restarted before this task ran, and "
		"its secrets are kept in memory only; retry it with its secrets";
	sqlite3 *db = db_acquire(sc->pool);
	sqlite3_stmt *st = NULL;
	json_t *ids = json_array(), *row;
	size_t i;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, status FROM scaffolder_tasks WHERE status = "
		"'processing' OR (status = 'open' AND has_secrets = 1)", -1, &st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(ids, json_pack("[ss]", (const char *)sqlite3_column_text(st, 0),
			(const char *)sqlite3_column_text(st, 1)));
	sqlite3_finalize(st);
	if (rc == 0 && json_array_size(ids) > 0 && (rc = db_exec(db, "BEGIN IMMEDIATE", err)) == 0) {
		json_array_foreach(ids, i, row) {
			const char *id = json_string_value(json_array_get(row, 0));
			bool running = strcmp(json_string_value(json_array_get(row, 1)), "processing") == 0;
			if ((rc = fail_left_over(db, id, running ? why_running : why_secrets, err)) != 0)
				break;
			log_warn("scaffolder: task %s failed: %s", id, running ? why_running : why_secrets);
		}
		if (rc == 0)
			rc = db_exec(db, "COMMIT", err);
		else
			db_rollback(db);
	}
	json_decref(ids);
	db_release(sc->pool, db);
	return rc;
}

/* Scratch space a crash left behind, and workspaces no retry needs: a
 * failed task keeps its workspace for a day. Dry runs' scratch directories
 * are removed only at start-up (clean_dry is true), when none runs. */
/* Whether the workspace of task name (full path) is still wanted. */
static bool workspace_wanted(sqlite3 *db, const char *name, const char *full, time_t now)
{
	static const char sql[] = "SELECT status FROM scaffolder_tasks WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	struct stat sb;
	bool keep = false;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		const char *status = sqlite3_step(st) == SQLITE_ROW
			? (const char *)sqlite3_column_text(st, 0) : "";
		keep = strcmp(status, "open") == 0 || strcmp(status, "processing") == 0 ||
			(strcmp(status, "failed") == 0 && stat(full, &sb) == 0 &&
			now - sb.st_mtime < 24 * 3600);
	}
	sqlite3_finalize(st);
	return keep;
}

void clean_work_root(struct scaffolder *sc, bool clean_dry)
{
	struct dirent **names = NULL;
	int n = scandir(sc->work_root, &names, NULL, NULL);
	sqlite3 *db = db_acquire(sc->pool);
	time_t now = time(NULL);

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *full = sh_asprintf("%s/%s", sc->work_root, name);
		bool scratch = strncmp(name, "dry-", 4) == 0 || strncmp(name, "src-", 4) == 0;

		if (name[0] != '.' && (scratch ? clean_dry : !workspace_wanted(db, name, full, now)))
			remove_scratch(full);
		free(full);
		free(names[i]);
	}
	free(names);
	db_release(sc->pool, db);
}
