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
			json_string_value(json_object_get(loc, "entityRef")), id,
			http_server_ctx(req)->catalog->keep_orphans, err);
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
		sh_uuid_v4(id);
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

/* ---- updating ----------------------------------------------------------------------------------- */

int catalog_put_location(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	const char *id = http_param(req, "id");
	sqlite3 *db = http_db(req);
	struct new_location nl = { 0 };
	json_t *body = NULL, *loc = NULL, *other = NULL;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	rc = parse_new_location(&nl, a, body, err);
	json_decref(body);
	if (rc != 0 || (rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	loc = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE id = ?1 "
		"AND source = 'api'", id, NULL, err, &rc);
	if (rc == 0 && loc == NULL)
		rc = sh_err_set(err, SH_ENOTFOUND, "Found no location with ID %s", id);
	if (rc == 0)
		other = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE type = ?1 "
			"AND target = ?2", nl.type, nl.target, err, &rc);
	if (rc == 0 && other != NULL && strcmp(json_string_value(json_object_get(other, "id")), id) != 0)
		rc = sh_err_set(err, SH_ECONFLICT, "Location %s:%s already exists", nl.type, nl.target);
	if (rc == 0)
		rc = location_update(db, a, id, json_string_value(json_object_get(loc, "entityRef")),
			nl.type, nl.target, nl.presence, err);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	json_decref(loc);
	json_decref(other);
	if (rc != 0)
		return rc;
	jobs_wake(http_server_ctx(req)->catalog->jobs);
	loc = find_location(req, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE id = ?1",
		id, NULL, err, &rc);
	if (rc != 0)
		return rc;
	http_respond_json(req, 200, loc);
	return 0;
}

/* ---- querying ------------------------------------------------------------------------------------ */

static const char *location_column(const char *key)
{
	if (strcmp(key, "id") == 0)
		return "id";
	if (strcmp(key, "type") == 0)
		return "lower(type)";
	if (strcmp(key, "target") == 0)
		return "lower(target)";
	if (strcmp(key, "entityref") == 0)
		return "lower(entity_ref)";
	return NULL;
}

/* SQL over catalog_locations for a predicate; SH_EINPUT for other keys. */
static int location_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct pred *p, struct sh_err *err)
{
	const char *col;
	int rc;

	if (p->op != P_MATCH) {
		if (p->n == 0) {
			sh_buf_puts(sql, p->op == P_ANY ? "0" : "1");
			return 0;
		}
		sh_buf_puts(sql, p->op == P_NOT ? "NOT (" : "(");
		for (size_t i = 0; i < p->n; i++) {
			if (i > 0)
				sh_buf_puts(sql, p->op == P_ALL ? " AND " : " OR ");
			if ((rc = location_sql(sql, b, a, p->kids[i], err)) != 0)
				return rc;
		}
		sh_buf_puts(sql, ")");
		return 0;
	}
	if ((col = location_column(p->key)) == NULL)
		return sh_err_set(err, SH_EINPUT, "Invalid query: locations can be queried by id, type, "
			"target and entityRef, not %s", p->key);
	switch (p->m) {
	case M_EXISTS:
		sh_buf_puts(sql, p->exists ? "1" : "0");
		return 0;
	case M_EQ:
		sh_buf_printf(sql, "%s = ?", col);
		binds_add(b, a, p->values[0]);
		return 0;
	case M_IN:
		sh_buf_printf(sql, "%s IN (", col);
		for (size_t i = 0; i < p->n_values; i++) {
			sh_buf_puts(sql, i ? ", ?" : "?");
			binds_add(b, a, p->values[i]);
		}
		sh_buf_puts(sql, ")");
		return 0;
	case M_PREFIX:
		sh_buf_printf(sql, "substr(%s, 1, length(?)) = ?", col);
		binds_add(b, a, p->values[0]);
		binds_add(b, a, p->values[0]);
		return 0;
	}
	return 0;
}

struct loc_page {
	json_t *query;
	long limit;
	const char *after_id;
};

static int loc_page_parse(struct loc_page *lp, struct sh_arena *a, json_t *body, struct sh_err *err)
{
	json_t *cursor = json_object_get(body, "cursor");
	json_t *limit = json_object_get(body, "limit");

	lp->query = json_object_get(body, "query");
	lp->limit = 1000;
	if (cursor != NULL) {
		size_t len;
		const char *text = json_is_string(cursor)
			? sh_base64_decode(a, json_string_value(cursor), &len) : NULL;
		json_t *c = text ? json_loadb(text, len, 0, NULL) : NULL;
		if (!json_is_object(c) || !json_is_string(json_object_get(c, "afterId"))) {
			json_decref(c);
			return sh_err_set(err, SH_EINPUT, "Malformed cursor");
		}
		lp->after_id = sh_arena_strdup(a, json_string_value(json_object_get(c, "afterId")));
		lp->limit = (long)json_integer_value(json_object_get(c, "limit"));
		lp->query = json_object_get(c, "query");
		json_incref(lp->query);
		json_decref(c);
	} else {
		json_incref(lp->query);
	}
	if (limit != NULL) {
		if (!json_is_integer(limit) || json_integer_value(limit) < 1)
			return sh_err_set(err, SH_EINPUT, "limit must be an integer of at least 1");
		lp->limit = (long)json_integer_value(limit);
	}
	if (lp->limit < 1)
		lp->limit = 1000;
	return 0;
}

static int locations_page(struct http_req *req, struct loc_page *lp, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct sh_buf where = SH_BUF_INIT, sql = SH_BUF_INIT;
	struct sql_binds b = { 0 };
	struct pred *p = NULL;
	sqlite3_stmt *st = NULL;
	json_t *items = json_array(), *info = json_object();
	json_int_t total = 0;
	long n = 0;
	int rc = 0;

	if (lp->query != NULL)
		rc = filter_parse_predicate(&p, a, lp->query, err);
	sh_buf_puts(&where, "source = 'api'");
	if (rc == 0 && p != NULL) {
		sh_buf_puts(&where, " AND ");
		rc = location_sql(&where, &b, a, p, err);
	}
	if (rc == 0) {
		sh_buf_printf(&sql, "SELECT count(*) FROM catalog_locations WHERE %s", where.ptr);
		rc = prepare(&st, req, sql.ptr, err);
	}
	if (rc == 0) {
		binds_apply(st, &b, 1);
		total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
		sqlite3_finalize(st);
		st = NULL;
		sh_buf_dispose(&sql);
		sh_buf_printf(&sql, "SELECT " LOCATION_COLS " FROM catalog_locations WHERE %s%s "
			"ORDER BY id LIMIT %ld", where.ptr, lp->after_id ? " AND id > ?" : "", lp->limit + 1);
		rc = prepare(&st, req, sql.ptr, err);
	}
	if (rc == 0) {
		binds_apply(st, &b, 1);
		if (lp->after_id)
			sqlite3_bind_text(st, (int)b.n + 1, lp->after_id, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (n++ == lp->limit) {
				json_t *last = json_array_get(items, json_array_size(items) - 1);
				json_t *c = json_pack("{s:I,s:s}", "limit", (json_int_t)lp->limit, "afterId",
					json_string_value(json_object_get(last, "id")));
				char *text;
				if (lp->query)
					json_object_set(c, "query", lp->query);
				text = json_dumps(c, JSON_COMPACT);
				json_object_set_new(info, "nextCursor", json_string(sh_base64_encode(a, text, strlen(text))));
				free(text);
				json_decref(c);
				break;
			}
			json_array_append_new(items, location_json(st));
		}
		sqlite3_finalize(st);
		http_respond_json(req, 200, json_pack("{s:O,s:I,s:O}", "items", items, "totalItems", total,
			"pageInfo", info));
	}
	json_decref(items);
	json_decref(info);
	sh_buf_dispose(&where);
	sh_buf_dispose(&sql);
	return rc;
}

int catalog_post_locations_by_query(struct http_req *req, struct sh_err *err)
{
	struct loc_page lp = { 0 };
	json_t *body = NULL;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	rc = loc_page_parse(&lp, http_arena(req), body, err);
	json_decref(body);
	if (rc == 0)
		rc = locations_page(req, &lp, err);
	json_decref(lp.query);
	return rc;
}

/* ---- analyze-location ---------------------------------------------------------------------------- */

int catalog_post_analyze_location(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	json_t *body = NULL, *entity;
	const char *target, *host, *path, *end;
	char *repo, *owner = NULL, *host_l;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	target = json_string_value(json_object_get(json_object_get(body, "location"), "target"));
	target = target ? sh_arena_strdup(a, target) : NULL;
	json_decref(body);
	if (target == NULL || (strncmp(target, "https://", 8) != 0 && strncmp(target, "http://", 7) != 0))
		return sh_err_set(err, SH_EINPUT, "The given location.target is not a URL");
	host = strstr(target, "://") + 3;
	path = host + strcspn(host, "/");
	host_l = sh_arena_strndup(a, host, (size_t)(path - host));
	for (char *p = host_l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* owner/repo from the first two path segments; the name is the repo. */
	path += *path == '/';
	end = path + strcspn(path, "/?#");
	if (end > path && *end == '/') {
		const char *repo_start = end + 1;
		const char *repo_end = repo_start + strcspn(repo_start, "/?#");
		owner = sh_arena_strndup(a, path, (size_t)(end - path));
		repo = sh_arena_strndup(a, repo_start, (size_t)(repo_end - repo_start));
	} else {
		repo = sh_arena_strndup(a, path, (size_t)(end - path));
	}
	if (strlen(repo) > 4 && strcmp(repo + strlen(repo) - 4, ".git") == 0)
		repo[strlen(repo) - 4] = '\0';
	if (repo[0] == '\0')
		repo = host_l;
	entity = json_pack("{s:s,s:s,s:{s:s,s:{}},s:{s:s,s:s}}", "apiVersion", "backstage.io/v1alpha1",
		"kind", "Component", "metadata", "name", repo, "annotations",
		"spec", "type", "other", "lifecycle", "unknown");
	if (owner != NULL && (strcmp(host_l, "github.com") == 0 || strcmp(host_l, "gitlab.com") == 0 ||
		strcmp(host_l, "bitbucket.org") == 0 || strcmp(host_l, "dev.azure.com") == 0))
		json_object_set_new(json_object_get(json_object_get(entity, "metadata"), "annotations"),
			sh_arena_printf(a, "%s/project-slug", host_l), json_string(sh_arena_printf(a, "%s/%s", owner, repo)));
	http_respond_json(req, 200, json_pack("{s:[],s:[{s:o,s:[]}]}", "existingEntityFiles",
		"generateEntities", "entity", entity, "fields"));
	return 0;
}
