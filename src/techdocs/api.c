/* /api/techdocs: metadata, static files and the sync stream. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/catalog.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/jobs.h"
#include "stagehand/server.h"

#define SYNC_KEEPALIVE_MS 10000
#define SYNC_GIVE_UP_MS (5 * 60 * 1000)

static struct techdocs *module(struct http_req *req)
{
	return http_server_ctx(req)->techdocs;
}

static const char *ref_of(struct http_req *req)
{
	return catalog_ref_string(http_arena(req), http_param(req, "kind"), http_param(req, "namespace"),
		http_param(req, "name"));
}

/* The entity, or 404 as Backstage words it. New reference. */
static json_t *entity_or_404(struct http_req *req, const char *ref, struct sh_err *err, int *rc)
{
	json_t *e = NULL;

	*rc = catalog_entity_get(module(req)->catalog, http_db(req), ref, &e, err);
	if (*rc == 0 && e == NULL)
		*rc = sh_err_set(err, SH_ENOTFOUND, "Entity %s not found", ref);
	return e;
}

int techdocs_get_metadata(struct http_req *req, struct sh_err *err)
{
	const char *ref = ref_of(req);
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	int rc = 0;
	json_t *e = entity_or_404(req, ref, err, &rc);

	json_decref(e);
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT metadata FROM techdocs_sites WHERE entity_ref = ?1 AND "
		"metadata IS NOT NULL", -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		http_respond_bytes(req, 200, "application/json; charset=utf-8", sqlite3_column_text(st, 0),
			(size_t)sqlite3_column_bytes(st, 0));
	else
		rc = sh_err_set(err, SH_ENOTFOUND, "Unable to get metadata for '%s'", ref);
	sqlite3_finalize(st);
	return rc;
}

int techdocs_get_entity_metadata(struct http_req *req, struct sh_err *err)
{
	const char *ref = ref_of(req);
	char *dir = NULL, *tmp = NULL, *target = NULL;
	const char *kind = "dir";
	struct sh_err why;
	int rc = 0;
	json_t *e = entity_or_404(req, ref, err, &rc);

	if (rc != 0)
		return rc;
	/* Only where the docs are is wanted: a url is described, not cloned. */
	const json_t *ann = json_object_get(json_object_get(e, "metadata"), "annotations");
	const char *tref = json_string_value(json_object_get(ann, "backstage.io/techdocs-ref"));
	if (tref != NULL && strncmp(tref, "url:", 4) == 0)
		json_object_set_new(e, "locationMetadata", json_pack("{s:s,s:s}", "type", "url", "target",
			tref + 4));
	else if (tref != NULL && techdocs_resolve(module(req), e, &dir, &tmp, &kind, &target, &why) == 0)
		json_object_set_new(e, "locationMetadata", json_pack("{s:s,s:s}", "type", kind, "target",
			target ? target : dir));
	free(dir);
	free(tmp);
	free(target);
	http_respond_json(req, 200, e);
	return 0;
}

/* ---- static files ------------------------------------------------------------------------- */

static bool lower_case(const char *s)
{
	for (; *s; s++)
		if (isupper((unsigned char)*s))
			return false;
	return true;
}

/* HTML and the like go out as text: the reader sanitises them itself. */
static const char *served_type(const char *type)
{
	if (strncmp(type, "text/html", 9) == 0 || strncmp(type, "image/svg", 9) == 0 ||
		strstr(type, "xml") != NULL || strncmp(type, "application/octet-stream", 24) == 0)
		return "text/plain; charset=utf-8";
	return type;
}

static int redirect_lower(struct http_req *req)
{
	char *loc = sh_arena_strdup(http_arena(req), http_path(req));

	for (char *p = loc + strlen("/api/techdocs/static/docs/"); *p; p++) {
		if (*p == '/' && p > loc && strchr(p + 1, '/') == NULL)
			break;
		*p = (char)tolower((unsigned char)*p);
	}
	http_header_add(req, "Location", loc);
	http_respond_empty(req, 301);
	return 0;
}

int techdocs_get_static(struct http_req *req, struct sh_err *err)
{
	const char *ns = http_param(req, "namespace"), *kind = http_param(req, "kind");
	const char *name = http_param(req, "name"), *tail = http_param_tail(req);
	struct sh_arena *a = http_arena(req);
	char *path;
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	long n;
	int rc = 0;

	if (!lower_case(ns) || !lower_case(kind) || !lower_case(name))
		return redirect_lower(req);
	path = sh_arena_alloc(a, strlen(tail ? tail : "") + 16);
	n = sh_url_decode(path, tail ? tail : "", strlen(tail ? tail : ""), false);
	if (n < 0 || strstr(path, "..") != NULL)
		return sh_err_set(err, SH_ENOTFOUND, "Page not found.");
	if (n == 0 || path[n - 1] == '/')
		strcat(path, "index.html");
	if (sqlite3_prepare_v2(db, "SELECT content_type, body FROM techdocs_files WHERE entity_ref = ?1 "
		"AND path = ?2", -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "techdocs: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, catalog_ref_string(a, kind, ns, name), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		http_header_add(req, "Cache-Control", "public, max-age=0");
		http_respond_bytes(req, 200, served_type((const char *)sqlite3_column_text(st, 0)),
			sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
	} else {
		rc = sh_err_set(err, SH_ENOTFOUND, "Page not found.");
	}
	sqlite3_finalize(st);
	return rc;
}

/* ---- sync ------------------------------------------------------------------------------------ */

struct sync {
	const struct sh_server *srv;
	char ref[300];
	int64_t since;             /* the build this stream waits for started after this */
	uint64_t started_ns;
	bool announced;
	bool done;
};

static void sse(struct sh_buf *out, const char *event, const json_t *data)
{
	char *text = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY);

	sh_buf_printf(out, "event: %s\ndata: %s\n\n", event, text ? text : "null");
	free(text);
}

/* The outcome of the attempt that started after s->since, if there is one. */
static bool finished(struct sync *s, struct sh_buf *out)
{
	sqlite3 *db = db_acquire(s->srv->db);
	sqlite3_stmt *st = NULL;
	bool done = false;

	if (sqlite3_prepare_v2(db, "SELECT checked_at, built_at, log, error FROM techdocs_sites WHERE "
		"entity_ref = ?1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, s->ref, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) >= s->since) {
			json_t *log = json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL), *line;
			size_t i;
			json_array_foreach(log, i, line)
				sse(out, "log", line);
			json_decref(log);
			if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
				json_t *msg = json_sprintf("Failed to build the docs page for entity %s: %s", s->ref,
					(const char *)sqlite3_column_text(st, 3));
				sse(out, "error", msg);
				json_decref(msg);
			} else {
				json_t *fin = json_pack("{s:b}", "updated", sqlite3_column_int64(st, 1) >= s->since);
				sse(out, "finish", fin);
				json_decref(fin);
			}
			done = true;
		}
	}
	sqlite3_finalize(st);
	db_release(s->srv->db, db);
	return done;
}

static enum http_stream_rc next_sync(void *ctx, struct sh_buf *out, bool timed_out)
{
	struct sync *s = ctx;

	if (s->done)
		return HTTP_STREAM_END;
	if (!s->announced) {
		json_t *line = json_sprintf("\x1b[32minfo\x1b[39m: Building the docs of %s", s->ref);
		sse(out, "log", line);
		json_decref(line);
		s->announced = true;
		return HTTP_STREAM_MORE;
	}
	if (finished(s, out)) {
		s->done = true;
		return HTTP_STREAM_END;
	}
	if (sh_now_ns() - s->started_ns > (uint64_t)SYNC_GIVE_UP_MS * 1000000ull) {
		json_t *msg = json_string("The docs build did not finish in time");
		sse(out, "error", msg);
		json_decref(msg);
		s->done = true;
		return HTTP_STREAM_END;
	}
	if (timed_out) {
		json_t *line = json_string("\x1b[32minfo\x1b[39m: The docs building process is taking a "
			"little bit longer to process this entity. Please bear with us.");
		sse(out, "log", line);
		json_decref(line);
		return HTTP_STREAM_MORE;
	}
	return HTTP_STREAM_WAIT;
}

/* Whether the site was checked within techdocs.recheckSeconds (no
 * rebuild then). */
static bool recently_checked(sqlite3 *db, const char *ref, int64_t window_ms)
{
	sqlite3_stmt *st = NULL;
	bool recent = false;

	if (sqlite3_prepare_v2(db, "SELECT checked_at FROM techdocs_sites WHERE entity_ref = ?1 AND "
		"built_at IS NOT NULL", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
		recent = sqlite3_step(st) == SQLITE_ROW &&
			jobs_now_ms() - sqlite3_column_int64(st, 0) < window_ms;
	}
	sqlite3_finalize(st);
	return recent;
}

int techdocs_get_sync(struct http_req *req, struct sh_err *err)
{
	const char *ref = ref_of(req);
	struct sync *s;
	char topic[320];
	int rc = 0;
	json_t *e = entity_or_404(req, ref, err, &rc);

	json_decref(e);
	if (rc != 0)
		return rc;
	http_header_add(req, "Cache-Control", "no-cache");
	if (recently_checked(http_db(req), ref, module(req)->cfg->techdocs_recheck_s * 1000)) {
		static const char done[] = "event: finish\ndata: {\"updated\":false}\n\n";
		http_respond_static(req, 200, "text/event-stream", done, sizeof(done) - 1);
		return 0;
	}
	s = sh_calloc(1, sizeof(*s));
	s->srv = http_server_ctx(req);
	snprintf(s->ref, sizeof(s->ref), "%s", ref);
	s->since = jobs_now_ms();
	s->started_ns = sh_now_ns();
	if ((rc = jobs_enqueue(http_db(req), TECHDOCS_QUEUE, ref, NULL, 0, err)) != 0) {
		free(s);
		return rc;
	}
	jobs_wake(module(req)->jobs);
	techdocs_topic(topic, ref);
	http_respond_stream(req, 200, "text/event-stream", topic, SYNC_KEEPALIVE_MS, next_sync, free, s);
	return 0;
}
