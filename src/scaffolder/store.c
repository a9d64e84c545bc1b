/*
 * Tasks and events in SQLite. Every write is one statement (autocommit) on
 * the caller's connection, so a kill -9 leaves each event either stored or
 * not, and a task's status row always readable.
 */
#include <string.h>

#include "internal.h"
#include "stagehand/db.h"
#include "stagehand/jobs.h"

static json_t *iso_time(sqlite3_stmt *st, int col)
{
	char buf[32];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	sh_iso_time(buf, sqlite3_column_int64(st, col));
	return json_string(buf);
}

int store_task_insert(sqlite3 *db, const char *id, const json_t *spec, const char *created_by,
	bool has_secrets, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	char *text = json_dumps(spec, JSON_COMPACT);
	int rc = 0;

	if (sqlite3_prepare_v2(db, "INSERT INTO scaffolder_tasks (id, status, spec, created_by, "
		"created_at, has_secrets) VALUES (?1, 'open', ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK) {
		free(text);
		return sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, created_by, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, jobs_now_ms());
	sqlite3_bind_int(st, 5, has_secrets);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	free(text);
	return rc;
}

/* A Task from a row of TASK_COLS. */
#define TASK_COLS "id, status, spec, created_by, created_at, last_heartbeat_at"

static json_t *task_from_row(sqlite3_stmt *st)
{
	json_t *spec = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);
	json_t *t = json_object();

	json_object_set_new(t, "id", json_string((const char *)sqlite3_column_text(st, 0)));
	json_object_set_new(t, "spec", spec ? spec : json_object());
	json_object_set_new(t, "status", json_string((const char *)sqlite3_column_text(st, 1)));
	json_object_set_new(t, "createdBy", sqlite3_column_type(st, 3) == SQLITE_NULL ? json_null()
		: json_string((const char *)sqlite3_column_text(st, 3)));
	json_object_set_new(t, "createdAt", iso_time(st, 4));
	json_object_set_new(t, "lastHeartbeatAt", iso_time(st, 5));
	return t;
}

json_t *store_task_get(struct db_pool *pool, sqlite3 *db, const char *id, struct sh_err *err,
	int *rc)
{
	static const char sql[] = "SELECT " TASK_COLS " FROM scaffolder_tasks WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(pool, db, sql);
	json_t *t = NULL;

	*rc = 0;
	if (st == NULL) {
		*rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		t = task_from_row(st);
	sqlite3_reset(st);
	return t;
}

int64_t store_event_add(sqlite3 *db, const char *task_id, const char *type, const json_t *body)
{
	sqlite3_stmt *st = NULL;
	char *text = json_dumps(body, JSON_COMPACT);
	int64_t id = -1;

	if (sqlite3_prepare_v2(db, "INSERT INTO scaffolder_events (task_id, type, body, created_at) "
		"VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, text ? text : "{}", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, jobs_now_ms());
		if (sqlite3_step(st) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(db);
	}
	if (id < 0)
		log_error("scaffolder: cannot store an event of task %s: %s", task_id, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	free(text);
	return id;
}

static json_t *event_from_row(sqlite3_stmt *st, const char *task_id)
{
	json_t *body = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL);

	return json_pack("{s:I,s:s,s:s,s:o,s:o,s:b}", "id", (json_int_t)sqlite3_column_int64(st, 0),
		"taskId", task_id, "type", (const char *)sqlite3_column_text(st, 1),
		"createdAt", iso_time(st, 3), "body", body ? body : json_object(),
		"isTaskRecoverable", 0);
}

json_t *store_events_after(struct db_pool *pool, sqlite3 *db, const char *task_id, int64_t after,
	int limit, struct sh_err *err, int *rc)
{
	static const char sql[] =
		"SELECT id, type, body, created_at FROM scaffolder_events WHERE task_id = ?1 "
		"AND (id > ?2 OR type = 'completion') ORDER BY id LIMIT ?3";
	sqlite3_stmt *st = db_stmt(pool, db, sql);
	json_t *out;

	*rc = 0;
	if (st == NULL) {
		*rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
		return NULL;
	}
	out = json_array();
	sqlite3_bind_text(st, 1, task_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int(st, 3, limit);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(out, event_from_row(st, task_id));
	sqlite3_reset(st);
	return out;
}

int store_task_status(sqlite3 *db, const char *id, const char *status, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "UPDATE scaffolder_tasks SET status = ?2 WHERE id = ?1", -1, &st,
		NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}
