/*
 * What other modules may ask of the catalog without going through HTTP:
 * the scaffolder reads Template and User entities, registers the locations
 * its tasks create, and reads template files by url.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/db.h"

int catalog_entity_get(struct catalog *c, sqlite3 *db, const char *ref, json_t **out,
	struct sh_err *err)
{
	static const char sql[] =
		"SELECT final FROM catalog_entities WHERE ref = lower(?1) AND final IS NOT NULL";
	sqlite3_stmt *st = db_stmt(c->pool, db, sql);
	int rc = 0;

	*out = NULL;
	if (st == NULL)
		return sh_err_set(err, SH_EINTERNAL, "catalog query: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		*out = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		if (*out == NULL)
			rc = sh_err_set(err, SH_EINTERNAL, "catalog: stored entity %s is not JSON", ref);
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = sh_err_set(err, SH_EINTERNAL, "catalog query: %s", sqlite3_errmsg(db));
		break;
	}
	sqlite3_reset(st);
	return rc;
}

/* The id and entity of an existing location type:target (arena), or NULLs. */
static int find_location(sqlite3 *db, struct sh_arena *a, const char *type, const char *target,
	const char **id, const char **entity_ref, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	*id = *entity_ref = NULL;
	if (sqlite3_prepare_v2(db, "SELECT id, entity_ref FROM catalog_locations "
		"WHERE type = ?1 AND target = ?2", -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, target, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
		*entity_ref = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return rc;
}

static int add_in_tx(struct catalog *c, sqlite3 *db, struct sh_arena *a, const char *type,
	const char *target, struct sh_err *err)
{
	const char *id = NULL, *entity_ref = NULL;
	json_t *force = NULL;
	char new_id[37];
	int rc;

	(void)c;
	if ((rc = find_location(db, a, type, target, &id, &entity_ref, err)) != 0)
		return rc;
	if (id == NULL) {
		sh_uuid_v4(new_id);
		return location_register(db, a, new_id, type, target, "required", "api", NULL, err);
	}
	force = json_pack("{s:b}", "force", 1);
	rc = jobs_enqueue(db, CATALOG_QUEUE, entity_ref, force, 0, err);
	json_decref(force);
	return rc;
}

int catalog_location_add(struct catalog *c, sqlite3 *db, const char *type, const char *target,
	json_t **entities, struct sh_err *err)
{
	struct sh_arena *a = sh_arena_new();
	json_t *found = NULL, *errors = NULL;
	int rc = 0;

	if (entities != NULL) {
		*entities = NULL;
		/* Reading the target is bounded by backend.reading.timeoutMs. */
		ingest_dry_run(c, a, type, target, "required", &found, &errors);
		if (json_array_size(errors) > 0) {
			const char *msg = json_string_value(json_object_get(json_array_get(errors, 0),
				"message"));
			rc = sh_err_set(err, SH_EINPUT, "%s", msg ? msg : "the location has errors");
			goto done;
		}
	}
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		goto done;
	rc = add_in_tx(c, db, a, type, target, err);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
	if (rc == 0) {
		jobs_wake(c->jobs);
		if (entities != NULL) {
			*entities = found;
			found = NULL;
		}
	}
done:
	json_decref(found);
	json_decref(errors);
	sh_arena_free(a);
	return rc;
}

int catalog_read_url(struct catalog *c, const char *url, char **out, size_t *len,
	bool *missing, struct sh_err *err)
{
	return read_url_conditional(c, url, NULL, out, len, missing, err);
}
