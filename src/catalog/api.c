/* REST handlers for single entities, refresh and validation. */
#include "query.h"
#include "store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/server.h"

static struct catalog *catalog_of(struct http_req *req)
{
	return http_server_ctx(req)->catalog;
}

static int respond_text_json(struct http_req *req, int status, const char *text,
	const struct entity_query *q)
{
	struct sh_buf out = SH_BUF_INIT;

	if (q != NULL && q->n_fields > 0) {
		append_entity(&out, text, q);
		http_respond_bytes(req, status, "application/json; charset=utf-8", out.ptr, out.len);
		sh_buf_dispose(&out);
	} else {
		http_respond_bytes(req, status, "application/json; charset=utf-8", text, strlen(text));
	}
	return 0;
}

/* The final JSON of the visible entity whose `col` ("uid" or "ref")
 * equals value, or NULL (arena). Entities read since the last commit come
 * from the cache, without a database connection. */
static const char *entity_text(struct http_req *req, const char *col, const char *value,
	struct sh_err *err, int *rc)
{
	static const char by_uid[] = "SELECT final FROM catalog_entities WHERE uid = ?1 AND final IS NOT NULL";
	static const char by_ref[] = "SELECT final FROM catalog_entities WHERE ref = ?1 AND final IS NOT NULL";
	struct db_pool *pool = http_server_ctx(req)->db;
	struct sh_arena *a = http_arena(req);
	const char *key = sh_arena_printf(a, "%c:%s", col[0], value);
	uint64_t gen = db_generation(pool); /* before the query: see db_generation */
	const char *text;
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t len = 0;

	*rc = 0;
	if ((text = sh_text_cache_get(catalog_of(req)->cache, a, key, gen, &len)) != NULL)
		return text;
	db = http_db(req);
	st = db_stmt(pool, db, strcmp(col, "uid") == 0 ? by_uid : by_ref);
	if (st == NULL) {
		*rc = sh_err_set(err, SH_EINTERNAL, "catalog query: %s", sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		len = (size_t)sqlite3_column_bytes(st, 0);
		text = sh_arena_strndup(a, (const char *)sqlite3_column_text(st, 0), len);
		sh_text_cache_put(catalog_of(req)->cache, key, text, len, gen);
		break;
	case SQLITE_DONE:
		break; /* not found */
	default: /* a failed read is not a missing entity */
		*rc = sh_err_set(err, SH_EINTERNAL, "catalog query: %s", sqlite3_errmsg(db));
		break;
	}
	sqlite3_reset(st);
	return text;
}

static const char *ref_from_params(struct http_req *req)
{
	return catalog_ref_string(http_arena(req), http_param(req, "kind"),
		http_param(req, "namespace"), http_param(req, "name"));
}

/* ---- single entities ----------------------------------------------------------------------- */

int catalog_get_entity_by_uid(struct http_req *req, struct sh_err *err)
{
	const char *uid = http_param(req, "uid");
	int rc = 0;
	const char *text = entity_text(req, "uid", uid, err, &rc);

	if (rc != 0)
		return rc;
	if (text == NULL)
		return sh_err_set(err, SH_ENOTFOUND, "No entity with uid %s", uid);
	return respond_text_json(req, 200, text, NULL);
}

int catalog_get_entity_by_name(struct http_req *req, struct sh_err *err)
{
	int rc = 0;
	const char *text = entity_text(req, "ref", ref_from_params(req), err, &rc);

	if (rc != 0)
		return rc;
	if (text == NULL)
		return sh_err_set(err, SH_ENOTFOUND,
			"No entity named '%s' found, with kind '%s' in namespace '%s'",
			http_param(req, "name"), http_param(req, "kind"), http_param(req, "namespace"));
	return respond_text_json(req, 200, text, NULL);
}

/* Queue the Location entities from ref up to its root for a round now.
 * A round over unchanged files costs one read and one hash each; force
 * makes it re-apply them anyway (needed after a deletion, to bring back an
 * entity whose file did not change). */
static int refresh_chain(sqlite3 *db, struct sh_arena *a, const char *ref, bool forced,
	struct sh_err *err)
{
	json_t *force = json_pack("{s:b}", "force", forced);
	const char *cur = ref;
	int rc = 0;

	for (int depth = 0; cur != NULL && depth < 64 && rc == 0; depth++) {
		sqlite3_stmt *st = NULL;
		const char *parent = NULL;
		if (strncmp(cur, "location:", 9) == 0)
			rc = jobs_enqueue(db, CATALOG_QUEUE, cur, force, 0, err);
		if (rc != 0 || sqlite3_prepare_v2(db, "SELECT parent_ref FROM catalog_entities WHERE ref = ?1",
			-1, &st, NULL) != SQLITE_OK)
			break;
		sqlite3_bind_text(st, 1, cur, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			parent = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		cur = parent;
	}
	json_decref(force);
	return rc;
}

int catalog_delete_entity_by_uid(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	const char *ref = NULL, *parent = NULL;
	struct store s;
	int rc;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT ref, parent_ref FROM catalog_entities WHERE uid = ?1",
		-1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, http_param(req, "uid"), -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			ref = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
			if (sqlite3_column_type(st, 1) != SQLITE_NULL)
				parent = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		}
	}
	sqlite3_finalize(st);
	if (ref != NULL) {
		store_init(&s, db, a, catalog_of(req)->keep_orphans);
		rc = store_delete(&s, ref, err);
		if (rc == 0)
			rc = store_stitch(&s, err);
		store_dispose(&s);
		/* If a location still holds it, it comes back on that round. */
		if (rc == 0 && parent != NULL)
			rc = refresh_chain(db, a, parent, true, err);
	}
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	if (rc != 0)
		return rc; /* the connection's release rolls back */
	jobs_wake(catalog_of(req)->jobs);
	http_respond_empty(req, 204);
	return 0;
}

int catalog_get_entity_ancestry(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	const char *root = ref_from_params(req);
	const char *cur = root;
	struct sh_buf out = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, count = 0;

	if ((rc = prepare(&st, req, "SELECT final, parent_ref FROM catalog_entities WHERE ref = ?1 "
		"AND final IS NOT NULL", err)) != 0)
		return rc;
	sh_buf_printf(&out, "{\"rootEntityRef\":\"%s\",\"items\":[", root);
	while (cur != NULL && count < 64) {
		const char *parent = NULL;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, cur, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_ROW)
			break;
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			parent = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		sh_buf_printf(&out, "%s{\"entity\":%s,\"parentEntityRefs\":[", count ? "," : "",
			(const char *)sqlite3_column_text(st, 0));
		if (parent != NULL)
			sh_buf_printf(&out, "\"%s\"", parent);
		sh_buf_puts(&out, "]}");
		cur = parent;
		count++;
	}
	sqlite3_finalize(st);
	sh_buf_puts(&out, "]}");
	if (count == 0) {
		sh_buf_dispose(&out);
		return sh_err_set(err, SH_ENOTFOUND, "No such entity %s", root);
	}
	http_respond_bytes(req, 200, "application/json; charset=utf-8", out.ptr, out.len);
	sh_buf_dispose(&out);
	return 0;
}

/* ---- by-refs ----------------------------------------------------------------------------------- */

static int by_refs_items(struct http_req *req, json_t *refs, const struct entity_query *q,
	struct sh_buf *out, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct sql_binds b = { 0 };
	struct sh_buf sql = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	size_t i;
	json_t *r;
	int rc;

	sh_buf_puts(&sql, "SELECT final FROM catalog_entities e WHERE e.ref = ? AND e.final IS NOT NULL AND ");
	binds_add(&b, a, "");
	filter_sql(&sql, &b, a, q->filter, "e.id");
	rc = prepare(&st, req, sql.ptr, err);
	sh_buf_dispose(&sql);
	if (rc != 0)
		return rc;
	sh_buf_puts(out, "{\"items\":[");
	json_array_foreach(refs, i, r) {
		char *ref = sh_arena_strdup(a, json_string_value(r));
		for (char *p = ref; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		sqlite3_reset(st);
		binds_apply(st, &b, 1);
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		if (i > 0)
			sh_buf_putc(out, ',');
		if (sqlite3_step(st) == SQLITE_ROW) {
			struct sh_buf one = SH_BUF_INIT;
			sh_buf_putc(&one, '[');
			append_entity(&one, (const char *)sqlite3_column_text(st, 0), q);
			sh_buf_put(out, one.ptr + 1, one.len - 1);
			sh_buf_dispose(&one);
		} else {
			sh_buf_puts(out, "null");
		}
	}
	sqlite3_finalize(st);
	sh_buf_puts(out, "]}");
	return 0;
}

int catalog_post_entities_by_refs(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct entity_query q;
	struct sh_buf out = SH_BUF_INIT;
	json_t *body = NULL, *refs, *fields, *query;
	const char **extra = NULL;
	size_t n_extra = 0;
	struct pred *pq = NULL;
	int rc;

	if ((rc = parse_common(&q, req, err)) != 0 || (rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	refs = json_object_get(body, "entityRefs");
	fields = json_object_get(body, "fields");
	query = json_object_get(body, "query");
	rc = sh_err_set(err, SH_EINPUT, "entityRefs must be an array of strings");
	if (json_is_array(refs)) {
		size_t i;
		json_t *r;
		rc = 0;
		json_array_foreach(refs, i, r)
			if (!json_is_string(r))
				rc = SH_EINPUT;
	}
	if (rc == 0 && fields != NULL) {
		const char **list = sh_arena_alloc(a, (json_array_size(fields) + 1) * sizeof(*list));
		for (size_t i = 0; i < json_array_size(fields); i++)
			list[i] = json_is_string(json_array_get(fields, i))
				? sh_arena_strdup(a, json_string_value(json_array_get(fields, i))) : "[";
		rc = fields_parse(&extra, &n_extra, a, list, json_array_size(fields), err);
	}
	if (rc == 0 && query != NULL)
		rc = filter_parse_predicate(&pq, a, query, err);
	if (rc == 0) {
		if (n_extra > 0) {
			const char **all = sh_arena_alloc(a, (q.n_fields + n_extra) * sizeof(*all));
			if (q.n_fields > 0)
				memcpy(all, q.fields, q.n_fields * sizeof(*all));
			memcpy(all + q.n_fields, extra, n_extra * sizeof(*all));
			q.fields = all;
			q.n_fields += n_extra;
		}
		q.filter = filter_and(a, q.filter, pq);
		rc = by_refs_items(req, refs, &q, &out, err);
	}
	json_decref(body);
	if (rc == 0)
		http_respond_bytes(req, 200, "application/json; charset=utf-8", out.ptr, out.len);
	sh_buf_dispose(&out);
	return rc;
}

/* ---- refresh ------------------------------------------------------------------------------------- */

int catalog_post_refresh(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	json_t *body = NULL;
	const char *ref;
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	bool found = false;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	if (!json_is_string(json_object_get(body, "entityRef"))) {
		json_decref(body);
		return sh_err_set(err, SH_EINPUT, "entityRef is required");
	}
	ref = sh_arena_strdup(a, json_string_value(json_object_get(body, "entityRef")));
	json_decref(body);
	{
		struct catalog_ref r;
		if ((rc = catalog_ref_parse(&r, a, ref, NULL, "default", err)) != 0)
			return rc;
		ref = catalog_ref_string(a, r.kind, r.namespace, r.name);
	}
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM catalog_entities WHERE ref = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	if (!found)
		return sh_err_set(err, SH_ENOTFOUND, "Entity %s not found", ref);
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0 ||
		(rc = refresh_chain(db, a, ref, false, err)) != 0 || (rc = db_exec(db, "COMMIT", err)) != 0)
		return rc;
	jobs_wake(catalog_of(req)->jobs);
	http_respond_empty(req, 200);
	return 0;
}

/* ---- validate-entity -------------------------------------------------------------------------------- */

static int validation_errors(struct http_req *req, const char *name, const char *message)
{
	http_respond_json(req, 400, json_pack("{s:[{s:s,s:s}]}", "errors", "name", name,
		"message", message));
	return 0;
}

int catalog_post_validate_entity(struct http_req *req, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct processed p = { 0 };
	struct sh_err verr = { 0, "" };
	const char *pointer = NULL, *location;
	json_t *body = NULL, *entity;
	int rc;

	if ((rc = http_body_json(req, false, &body, &verr)) != 0)
		return validation_errors(req, "InputError", verr.msg);
	entity = json_object_get(body, "entity");
	location = json_string_value(json_object_get(body, "location"));
	if (!json_is_object(entity) || location == NULL)
		rc = validation_errors(req, "InputError", "Request body needs an \"entity\" object and a \"location\"");
	else if (strncmp(location, "url:", 4) != 0)
		rc = validation_errors(req, "InputError", sh_arena_printf(a,
			"Invalid location ref %s, only 'url:<target>' is supported", location));
	else if (process_entity(&p, a, entity, location, location, &pointer, &verr) != 0)
		rc = validation_errors(req, "InputError", pointer && pointer[0]
			? sh_arena_printf(a, "%s (at %s)", verr.msg, pointer) : verr.msg);
	else
		http_respond_empty(req, 200);
	json_decref(p.entity);
	json_decref(body);
	(void)err;
	return rc;
}

/* ---- processing errors ------------------------------------------------------------------------------- */

int catalog_get_errors(struct http_req *req, struct sh_err *err)
{
	struct sh_buf out = SH_BUF_INIT;
	sqlite3_stmt *st = NULL;
	int rc, n = 0;

	if ((rc = prepare(&st, req, "SELECT ref, location_key, errors, final IS NOT NULL FROM catalog_entities "
		"WHERE errors IS NOT NULL ORDER BY ref", err)) != 0)
		return rc;
	sh_buf_puts(&out, "{\"items\":[");
	while (sqlite3_step(st) == SQLITE_ROW) {
		json_t *item = json_pack("{s:s,s:s,s:b}", "entityRef", (const char *)sqlite3_column_text(st, 0),
			"location", (const char *)sqlite3_column_text(st, 1), "visible", sqlite3_column_int(st, 3));
		char *text;
		json_object_set_new(item, "errors", json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL));
		text = json_dumps(item, JSON_COMPACT);
		sh_buf_printf(&out, "%s%s", n++ ? "," : "", text);
		free(text);
		json_decref(item);
	}
	sqlite3_finalize(st);
	sh_buf_puts(&out, "]}");
	http_respond_bytes(req, 200, "application/json; charset=utf-8", out.ptr, out.len);
	sh_buf_dispose(&out);
	return 0;
}
