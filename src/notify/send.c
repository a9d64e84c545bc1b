/*
 * Sending: resolve recipients to user refs through the catalog's relations
 * (a group's members and sub-groups, any other entity's owner), then store
 * one notification per user — or update the one with the same origin and
 * scope — all in one transaction.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define MAX_RECIPIENT_STEPS 10000

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* Append the targets of ref --type--> to queue. */
static void follow(sqlite3 *db, const char *ref, const char *type, json_t *queue)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, "SELECT target_ref FROM catalog_relations WHERE source_ref = ?1 "
		"AND type = ?2 ORDER BY target_ref", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(queue, json_string((const char *)sqlite3_column_text(st, 0)));
	sqlite3_finalize(st);
}

static void add_refs(json_t *into, const json_t *v)
{
	const json_t *x;
	size_t i;

	if (json_is_string(v)) {
		char *r = sh_strdup(json_string_value(v));
		lower(r);
		json_array_append_new(into, json_string(r));
		free(r);
	}
	json_array_foreach(v, i, x)
		add_refs(into, x);
}

/* The user refs (object used as a set) entity refs lead to. */
static json_t *resolve(sqlite3 *db, const json_t *refs, const json_t *exclude)
{
	json_t *queue = json_array(), *seen = json_object(), *users = json_object(), *skip = json_array();
	size_t i, x;
	json_t *e;

	add_refs(queue, refs);
	add_refs(skip, exclude);
	for (i = 0; i < json_array_size(queue) && i < MAX_RECIPIENT_STEPS; i++) {
		const char *ref = json_string_value(json_array_get(queue, i));
		bool excluded = false;
		json_array_foreach(skip, x, e)
			excluded |= strcmp(json_string_value(e), ref) == 0;
		if (excluded || json_object_get(seen, ref) != NULL)
			continue;
		json_object_set_new(seen, ref, json_true());
		if (strncmp(ref, "user:", 5) == 0)
			json_object_set_new(users, ref, json_true());
		else if (strncmp(ref, "group:", 6) == 0) {
			follow(db, ref, "hasMember", queue);
			follow(db, ref, "parentOf", queue);
		} else {
			follow(db, ref, "ownedBy", queue);
		}
	}
	json_decref(queue);
	json_decref(seen);
	json_decref(skip);
	return users;
}

/* ---- storing ------------------------------------------------------------------------ */

static void bind_opt(sqlite3_stmt *st, int col, const json_t *payload, const char *key)
{
	const char *v = json_string_value(json_object_get(payload, key));

	if (v != NULL)
		sqlite3_bind_text(st, col, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, col);
}

static const char *severity_of(const json_t *payload)
{
	static const char *const known[] = { "critical", "high", "normal", "low" };
	const char *s = json_string_value(json_object_get(payload, "severity"));

	for (size_t i = 0; s != NULL && i < SH_ARRAY_LEN(known); i++)
		if (strcmp(s, known[i]) == 0)
			return known[i];
	return "normal";
}

/* The id of the notification user (NULL: broadcast) has of origin and
 * scope, into id (37), or "" if none. */
static void existing_id(sqlite3 *db, const char *user, const char *origin, const char *scope,
	char id[37])
{
	sqlite3_stmt *st = NULL;

	id[0] = '\0';
	if (scope == NULL || sqlite3_prepare_v2(db, "SELECT id FROM notifications WHERE origin = ?1 "
		"AND scope = ?2 AND user_ref IS ?3 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, scope, -1, SQLITE_STATIC);
	if (user != NULL)
		sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(id, 37, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int store_one(sqlite3 *db, const char *user, const char *origin, const json_t *payload,
	char id[37], struct sh_err *err)
{
	static const char insert[] =
		"INSERT INTO notifications (id, user_ref, origin, scope, topic, severity, title, description, "
		"link, icon, metadata, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	static const char update[] =
		"UPDATE notifications SET scope = ?4, topic = ?5, severity = ?6, title = ?7, description = ?8, "
		"link = ?9, icon = ?10, metadata = ?11, updated = ?12, read = NULL WHERE id = ?1";
	const json_t *meta = json_object_get(payload, "metadata");
	char *meta_text = json_is_object(meta) ? json_dumps(meta, JSON_COMPACT) : NULL;
	sqlite3_stmt *st = NULL;
	int rc = 0;

	existing_id(db, user, origin, json_string_value(json_object_get(payload, "scope")), id);
	bool found = id[0] != '\0';
	if (!found)
		sh_uuid_v4(id);
	if (sqlite3_prepare_v2(db, found ? update : insert, -1, &st, NULL) != SQLITE_OK) {
		free(meta_text);
		return sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (!found) {
		if (user != NULL)
			sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, origin, -1, SQLITE_STATIC);
	}
	bind_opt(st, 4, payload, "scope");
	bind_opt(st, 5, payload, "topic");
	sqlite3_bind_text(st, 6, severity_of(payload), -1, SQLITE_STATIC);
	bind_opt(st, 7, payload, "title");
	bind_opt(st, 8, payload, "description");
	bind_opt(st, 9, payload, "link");
	bind_opt(st, 10, payload, "icon");
	if (meta_text != NULL)
		sqlite3_bind_text(st, 11, meta_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, notify_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	free(meta_text);
	if (rc == 0 && found && user == NULL)
		rc = db_exec_bound(db, "UPDATE notification_user_state SET read = NULL WHERE "
			"notification_id = ?1", id, err);
	return rc;
}

static int check_payload(const json_t *recipients, const json_t *payload, struct sh_err *err)
{
	const char *type = json_string_value(json_object_get(recipients, "type"));
	const json_t *title = json_object_get(payload, "title");

	if (!json_is_string(title) || json_string_length(title) == 0 || !json_is_object(recipients))
		return sh_err_set(err, SH_EINPUT, "Invalid notification request received: missing title, "
			"recipients");
	if (type == NULL || (strcmp(type, "broadcast") != 0 && strcmp(type, "entity") != 0))
		return sh_err_set(err, SH_EINPUT, "Invalid notification request received: unknown "
			"recipients type %s", type ? type : "(none)");
	return 0;
}

static int send_all(sqlite3 *db, const char *origin, const json_t *recipients,
	const json_t *payload, json_t *ids, struct sh_err *err)
{
	const char *type = json_string_value(json_object_get(recipients, "type"));
	char id[37];
	int rc = 0;

	if (strcmp(type, "broadcast") == 0) {
		if ((rc = store_one(db, NULL, origin, payload, id, err)) == 0)
			json_array_append_new(ids, json_string(id));
		return rc;
	}
	json_t *users = resolve(db, json_object_get(recipients, "entityRef"),
		json_object_get(recipients, "excludeEntityRef"));
	const char *user;
	json_t *v;
	json_object_foreach(users, user, v) {
		if ((rc = store_one(db, user, origin, payload, id, err)) != 0)
			break;
		json_array_append_new(ids, json_string(id));
	}
	json_decref(users);
	return rc;
}

int notify_send(sqlite3 *db, const char *origin, const json_t *recipients, const json_t *payload,
	json_t **out, struct sh_err *err)
{
	json_t *ids = json_array(), *id;
	size_t i;
	int rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = check_payload(recipients, payload, err)) != 0 ||
		(rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0) {
		json_decref(ids);
		return rc;
	}
	if ((rc = send_all(db, origin, recipients, payload, ids, err)) == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
	if (rc == 0 && out != NULL) {
		*out = json_array();
		json_array_foreach(ids, i, id) {
			json_t *n = notify_load(db, json_string_value(id), NULL);
			if (n != NULL)
				json_array_append_new(*out, n);
		}
	}
	json_decref(ids);
	return rc;
}
