/* REST handlers for registered locations. */
#include "query.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/server.h"

#define LOCATION_COLS "id, type, target, entity_ref"

static json_t *location_json(sqlite3_stmt *st)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "id", (const char *)sqlite3_column_text(st, 0),
		"type", (const char *)sqlite3_column_text(st, 1),
		"target", (const char *)sqlite3_column_text(st, 2),
		"entityRef", (const char *)sqlite3_column_text(st, 3));
}

/* The location row matching sql/arg as JSON (new reference), or NULL. */
static json_t *find_location(struct http_req *req, const char *sql, const char *arg,
	const char *arg2, struct sh_err *err, int *rc)
{
	sqlite3_stmt *st = NULL;
	json_t *loc = NULL;

	if ((*rc = prepare(&st, req, sql, err)) != 0)
		return NULL;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	if (arg2 != NULL)
		sqlite3_bind_text(st, 2, arg2, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		loc = location_json(st);
	sqlite3_finalize(st);
	return loc;
}

int catalog_get_locations(struct http_req *req, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	json_t *out = json_array();
	int rc;

	if ((rc = prepare(&st, req, "SELECT " LOCATION_COLS " FROM catalog_locations "
		"WHERE source = 'api' ORDER BY created_at, id", err)) != 0) {
		json_decref(out);
		return rc;
	}
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(out, json_pack("{s:o}", "data", location_json(st)));
	sqlite3_finalize(st);
	http_respond_json(req, 200, out);
	return 0;
}

int catalog_get_location(struct http_req *req, struct sh_err *err)
{
	const char *id = http_param(req, "id");
	int rc = 0;
	json_t *loc = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE id = ?1",
		id, NULL, err, &rc);

	if (rc != 0)
		return rc;
	if (loc == NULL)
		return sh_err_set(err, SH_ENOTFOUND, "Found no location with ID %s", id);
	http_respond_json(req, 200, loc);
	return 0;
}

int catalog_delete_location(struct http_req *req, struct sh_err *err)
{
	const char *id = http_param(req, "id");
	sqlite3 *db = http_db(req);
	json_t *loc;
	int rc = 0;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	loc = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE id = ?1 "
		"AND source = 'api'", id, NULL, err, &rc);
	if (rc == 0 && loc == NULL)
		rc = sh_err_set(err, SH_ENOTFOUND, "Found no location with ID %s", id);
	if (rc == 0)
		rc = location_unregister(db, http_arena(req),
			json_string_value(json_object_get(loc, "entityRef")), id, err);
	json_decref(loc);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	if (rc != 0)
		return rc;
	http_respond_empty(req, 204);
	return 0;
}

int catalog_get_location_by_entity(struct http_req *req, struct sh_err *err)
{
	const char *ref = catalog_ref_string(http_arena(req), http_param(req, "kind"),
		http_param(req, "namespace"), http_param(req, "name"));
	int rc = 0;
	json_t *loc = find_location(req, "SELECT l.id, l.type, l.target, l.entity_ref "
		"FROM catalog_entities e JOIN catalog_locations l ON l.type || ':' || l.target = e.origin_key "
		"WHERE e.ref = ?1 AND e.final IS NOT NULL AND l.source = 'api'", ref, NULL, err, &rc);

	if (rc != 0)
		return rc;
	if (loc == NULL)
		return sh_err_set(err, SH_ENOTFOUND, "No registered location found for entity %s", ref);
	http_respond_json(req, 200, loc);
	return 0;
}

/* ---- registering ------------------------------------------------------------------------------- */

struct new_location {
	const char *type;
	const char *target;
	const char *presence;
};

static int parse_new_location(struct new_location *out, struct sh_arena *a, const json_t *body,
	struct sh_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "type") != 0 && strcmp(key, "target") != 0 && strcmp(key, "presence") != 0)
			return sh_err_set(err, SH_EINPUT, "Invalid location: unknown field %s", key);
	}
	out->type = json_string_value(json_object_get(body, "type"));
	out->target = json_string_value(json_object_get(body, "target"));
	out->presence = json_string_value(json_object_get(body, "presence"));
	if (out->type == NULL || out->target == NULL || out->target[0] == '\0')
		return sh_err_set(err, SH_EINPUT, "Invalid location: type and target are required strings");
	if (out->presence != NULL && strcmp(out->presence, "optional") != 0 &&
		strcmp(out->presence, "required") != 0)
		return sh_err_set(err, SH_EINPUT, "Invalid location: presence must be required or optional");
	if (strcmp(out->type, "url") != 0)
		return sh_err_set(err, SH_EINPUT, "Registered locations must be of an allowed type [\"url\"]");
	out->type = sh_arena_strdup(a, out->type);
	out->target = sh_arena_strdup(a, out->target);
	if (out->presence)
		out->presence = sh_arena_strdup(a, out->presence);
	return 0;
}

static bool flag(const char *v)
{
	return v != NULL && (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0);
}

static int dry_run(struct http_req *req, const struct new_location *nl, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	json_t *entities = NULL, *errors = NULL, *existing;
	int rc = 0;

	existing = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations "
		"WHERE type = ?1 AND target = ?2", nl->type, nl->target, err, &rc);
	if (rc != 0)
		return rc;
	/* Reading the target is bounded by backend.reading.timeoutMs. */
	ingest_dry_run(http_server_ctx(req)->catalog, a, nl->type, nl->target, nl->presence,
		&entities, &errors);
	if (json_array_size(errors) > 0) {
		struct sh_buf msg = SH_BUF_INIT;
		size_t i;
		json_t *e;
		json_array_foreach(errors, i, e)
			sh_buf_printf(&msg, "%s%s", i ? "; " : "", json_string_value(json_object_get(e, "message")));
		rc = sh_err_set(err, SH_EINPUT, "%s", msg.ptr);
		sh_buf_dispose(&msg);
	} else {
		http_respond_json(req, 201, json_pack("{s:{s:s,s:s,s:s},s:O,s:b}",
			"location", "id", sh_arena_printf(a, "%s:%s", nl->type, nl->target), "type", nl->type,
			"target", nl->target, "entities", entities, "exists", existing != NULL));
	}
	json_decref(existing);
	json_decref(entities);
	json_decref(errors);
	return rc;
}

static int register_location(struct http_req *req, const struct new_location *nl, bool refresh,
	struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	sqlite3 *db = http_db(req);
	json_t *loc = NULL;
	char id[37];
	int rc;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	loc = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE type = ?1 "
		"AND target = ?2", nl->type, nl->target, err, &rc);
	if (rc == 0 && loc != NULL && !refresh)
		rc = sh_err_set(err, SH_ECONFLICT, "Location %s:%s already exists", nl->type, nl->target);
	if (rc == 0 && loc == NULL) {
		uuid_v4(id);
		rc = location_register(db, a, id, nl->type, nl->target, nl->presence, "api", NULL, err);
		if (rc == 0)
			loc = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE id = ?1",
				id, NULL, err, &rc);
	} else if (rc == 0) {
		json_t *force = json_pack("{s:b}", "force", 1);
		rc = jobs_enqueue(db, CATALOG_QUEUE, json_string_value(json_object_get(loc, "entityRef")),
			force, 0, err);
		json_decref(force);
	}
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	if (rc != 0) {
		json_decref(loc);
		return rc;
	}
	jobs_wake(http_server_ctx(req)->catalog->jobs);
	http_respond_json(req, 201, json_pack("{s:o,s:[]}", "location", loc, "entities"));
	return 0;
}

int catalog_post_locations(struct http_req *req, struct sh_err *err)
{
	struct new_location nl = { 0 };
	const char *on_conflict = http_query_get(req, "onConflict");
	json_t *body = NULL;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	rc = parse_new_location(&nl, http_arena(req), body, err);
	json_decref(body);
	if (rc != 0)
		return rc;
	if (on_conflict != NULL && strcmp(on_conflict, "reject") != 0 && strcmp(on_conflict, "refresh") != 0)
		return sh_err_set(err, SH_EINPUT, "onConflict must be reject or refresh");
	if (flag(http_query_get(req, "dryRun")))
		return dry_run(req, &nl, err);
	return register_location(req, &nl, on_conflict != NULL && strcmp(on_conflict, "refresh") == 0, err);
}
