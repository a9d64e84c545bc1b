/* /api/notifications: a user's notifications and the broadcasts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "internal.h"
#include "stagehand/http.h"
#include "stagehand/jobs.h"

static const char *const severities[] = { "critical", "high", "normal", "low" };

int64_t notify_now_ms(void)
{
	return jobs_now_ms();
}

int db_exec_bound(sqlite3 *db, const char *sql, const char *a, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------------------- */

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? json_null()
		: json_string((const char *)sqlite3_column_text(st, col));
}

static json_t *time_or_null(sqlite3_stmt *st, int col)
{
	char buf[32];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return json_null();
	sh_iso_time(buf, sqlite3_column_int64(st, col));
	return json_string(buf);
}

json_t *notify_row(sqlite3_stmt *st)
{
	json_t *payload = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
		"title", text_or_null(st, 6), "description", text_or_null(st, 7), "link", text_or_null(st, 8),
		"severity", text_or_null(st, 5), "topic", text_or_null(st, 4), "scope", text_or_null(st, 3),
		"icon", text_or_null(st, 9));

	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		json_t *meta = json_loads((const char *)sqlite3_column_text(st, 10), 0, NULL);
		if (meta != NULL)
			json_object_set_new(payload, "metadata", meta);
	}
	return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", text_or_null(st, 0),
		"user", text_or_null(st, 1), "created", time_or_null(st, 11), "updated", time_or_null(st, 12),
		"read", time_or_null(st, 13), "saved", time_or_null(st, 14), "origin", text_or_null(st, 2),
		"payload", payload);
}

json_t *notify_load(sqlite3 *db, const char *id, const char *viewer)
{
	sqlite3_stmt *st = NULL;
	json_t *n = NULL;
	char *sql = viewer ? sh_asprintf("%s AND n.id = ?2", NOTIFY_VIEW)
		: sh_strdup("SELECT n.id, n.user_ref, n.origin, n.scope, n.topic, n.severity, n.title, "
			"n.description, n.link, n.icon, n.metadata, n.created, n.updated, n.read, n.saved "
			"FROM notifications n WHERE n.id = ?2");

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (viewer != NULL)
			sqlite3_bind_text(st, 1, viewer, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = notify_row(st);
	}
	sqlite3_finalize(st);
	free(sql);
	return n;
}

/* ---- filters ---------------------------------------------------------------------------- */

/* "2025-03-04T10:15:00(.123)(Z|+hh:mm)" or a date: unix ms, or -1. */
static int64_t parse_iso(const char *s)
{
	struct tm tm = { 0 };
	const char *rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	long ms = 0;

	if (rest == NULL && (rest = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*rest == '.') {
		char *end;
		double frac = strtod(rest, &end);
		ms = (long)(frac * 1000.0);
		rest = end;
	}
	int64_t t = (int64_t)timegm(&tm) * 1000 + ms;
	if (*rest == 'Z' || *rest == '\0')
		return t;
	if ((*rest == '+' || *rest == '-') && strlen(rest) >= 6) {
		int off = (atoi(rest + 1) * 60 + atoi(rest + 4)) * 60000;
		return *rest == '+' ? t - off : t + off;
	}
	return -1;
}

struct list_query {
	struct sh_buf where;       /* " AND ..." over the view's columns */
	const char *binds[8];      /* ?2.. */
	int n_binds;
	int64_t created_after;
};

static int bool_filter(struct list_query *q, const char *v, const char *col, const char *name,
	struct sh_err *err)
{
	if (v == NULL)
		return 0;
	if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return sh_err_set(err, SH_EINPUT, "%s must be true or false", name);
	sh_buf_printf(&q->where, " AND %s IS %s NULL", col, strcmp(v, "true") == 0 ? "NOT" : "");
	return 0;
}

static int build_filters(struct http_req *req, struct list_query *q, struct sh_err *err)
{
	const char *topic = http_query_get(req, "topic"), *search = http_query_get(req, "search");
	const char *after = http_query_get(req, "createdAfter"), *sev = http_query_get(req, "minimumSeverity");
	int rc;

	q->created_after = -1;
	sh_buf_puts(&q->where, "");
	if (topic != NULL) {
		q->binds[q->n_binds++] = topic;
		sh_buf_printf(&q->where, " AND topic = ?%d", q->n_binds + 1);
	}
	if (search != NULL) {
		q->binds[q->n_binds++] = sh_arena_printf(http_arena(req), "%%%s%%", search);
		sh_buf_printf(&q->where, " AND (title LIKE ?%d OR description LIKE ?%d)", q->n_binds + 1,
			q->n_binds + 1);
	}
	if ((rc = bool_filter(q, http_query_get(req, "read"), "read", "read", err)) != 0 ||
		(rc = bool_filter(q, http_query_get(req, "saved"), "saved", "saved", err)) != 0)
		return rc;
	if (after != NULL) {
		if ((q->created_after = parse_iso(after)) < 0)
			return sh_err_set(err, SH_EINPUT, "Unexpected date format");
		sh_buf_printf(&q->where, " AND created >= %lld", (long long)q->created_after);
	}
	if (sev != NULL) {
		size_t i;
		for (i = 0; i < SH_ARRAY_LEN(severities) && strcmp(severities[i], sev) != 0; i++)
			;
		if (i == SH_ARRAY_LEN(severities))
			return sh_err_set(err, SH_EINPUT, "minimumSeverity must be critical, high, normal or low");
		sh_buf_puts(&q->where, " AND severity IN (");
		for (size_t k = 0; k <= i; k++)
			sh_buf_printf(&q->where, "%s'%s'", k ? "," : "", severities[k]);
		sh_buf_puts(&q->where, ")");
	}
	return 0;
}

static int order_by(struct http_req *req, struct sh_buf *out, struct sh_err *err)
{
	static const char *const fields[] = { "created", "updated", "read", "saved", "topic", "origin",
		"title", "severity" };
	size_t n = 0;
	const char **orders = http_query_all(req, "orderField", &n);

	sh_buf_puts(out, " ORDER BY ");
	for (size_t i = 0; i < n; i++) {
		const char *comma = strchr(orders[i], ',');
		size_t flen = comma ? (size_t)(comma - orders[i]) : strlen(orders[i]);
		const char *dir = comma ? comma + 1 : "asc";
		size_t f;
		for (f = 0; f < SH_ARRAY_LEN(fields); f++)
			if (strlen(fields[f]) == flen && strncmp(fields[f], orders[i], flen) == 0)
				break;
		if (f == SH_ARRAY_LEN(fields))
			return sh_err_set(err, SH_EINPUT, "Invalid orderField %.*s", (int)flen, orders[i]);
		if (strcasecmp(dir, "asc") != 0 && strcasecmp(dir, "desc") != 0)
			return sh_err_set(err, SH_EINPUT, "Invalid order direction %s", dir);
		sh_buf_printf(out, "%s %s", fields[f], strcasecmp(dir, "asc") == 0 ? "ASC" : "DESC");
		sh_buf_puts(out, ", ");
	}
	if (n == 0)
		sh_buf_puts(out, "created DESC, ");
	sh_buf_puts(out, "id");
	return 0;
}

static int64_t count_of(sqlite3 *db, const char *sql, const char *me, const struct list_query *q)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, me, -1, SQLITE_STATIC);
	for (int i = 0; i < q->n_binds; i++)
		sqlite3_bind_text(st, i + 2, q->binds[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const char *me(struct http_req *req)
{
	const char *u = http_identity(req)->user_ref;

	return u ? u : "user:default/guest";
}

static long number_param(struct http_req *req, const char *name, long dflt, struct sh_err *err,
	int *rc)
{
	const char *s = http_query_get(req, name);
	char *end;
	long v;

	if (s == NULL)
		return dflt;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0)
		*rc = sh_err_set(err, SH_EINPUT, "%s must be a non-negative integer", name);
	return v;
}

int notify_get_list(struct http_req *req, struct sh_err *err)
{
	struct list_query q = { SH_BUF_INIT, { 0 }, 0, -1 };
	struct sh_buf sql = SH_BUF_INIT, order = SH_BUF_INIT;
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	json_t *list = NULL;
	int rc = 0;
	long offset = number_param(req, "offset", 0, err, &rc);
	long limit = number_param(req, "limit", -1, err, &rc);

	if (rc != 0 || (rc = build_filters(req, &q, err)) != 0 || (rc = order_by(req, &order, err)) != 0)
		goto done;
	sh_buf_printf(&sql, "SELECT count(*) FROM (" NOTIFY_VIEW ") WHERE 1%s", q.where.ptr);
	int64_t total = count_of(db, sql.ptr, me(req), &q);
	sql.len = 0;
	sh_buf_printf(&sql, "SELECT * FROM (" NOTIFY_VIEW ") WHERE 1%s%s LIMIT %ld OFFSET %ld",
		q.where.ptr, order.ptr, limit, offset);
	if (sqlite3_prepare_v2(db, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
		goto done;
	}
	sqlite3_bind_text(st, 1, me(req), -1, SQLITE_STATIC);
	for (int i = 0; i < q.n_binds; i++)
		sqlite3_bind_text(st, i + 2, q.binds[i], -1, SQLITE_STATIC);
	list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(list, notify_row(st));
	http_respond_json(req, 200, json_pack("{s:I,s:O}", "totalCount", (json_int_t)total,
		"notifications", list));
done:
	sqlite3_finalize(st);
	json_decref(list);
	sh_buf_dispose(&q.where);
	sh_buf_dispose(&sql);
	sh_buf_dispose(&order);
	return rc;
}

int notify_get_status(struct http_req *req, struct sh_err *err)
{
	struct list_query q = { SH_BUF_INIT, { 0 }, 0, -1 };
	sqlite3 *db = http_db(req);
	int64_t unread, total;

	(void)err;
	sh_buf_puts(&q.where, "");
	total = count_of(db, "SELECT count(*) FROM (" NOTIFY_VIEW ")", me(req), &q);
	unread = count_of(db, "SELECT count(*) FROM (" NOTIFY_VIEW ") WHERE read IS NULL", me(req), &q);
	sh_buf_dispose(&q.where);
	http_respond_json(req, 200, json_pack("{s:I,s:I}", "unread", (json_int_t)unread, "read",
		(json_int_t)(total - unread)));
	return 0;
}

int notify_get_topics(struct http_req *req, struct sh_err *err)
{
	struct list_query q = { SH_BUF_INIT, { 0 }, 0, -1 };
	struct sh_buf sql = SH_BUF_INIT;
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	json_t *topics = json_array();
	int rc;

	if ((rc = build_filters(req, &q, err)) == 0) {
		sh_buf_printf(&sql, "SELECT DISTINCT topic FROM (" NOTIFY_VIEW ") WHERE topic IS NOT NULL%s "
			"ORDER BY topic", q.where.ptr);
		if (sqlite3_prepare_v2(db, sql.ptr, -1, &st, NULL) != SQLITE_OK)
			rc = sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	}
	if (rc == 0) {
		sqlite3_bind_text(st, 1, me(req), -1, SQLITE_STATIC);
		for (int i = 0; i < q.n_binds; i++)
			sqlite3_bind_text(st, i + 2, q.binds[i], -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			json_array_append_new(topics, json_string((const char *)sqlite3_column_text(st, 0)));
		http_respond_json(req, 200, json_pack("{s:O}", "topics", topics));
	}
	sqlite3_finalize(st);
	json_decref(topics);
	sh_buf_dispose(&q.where);
	sh_buf_dispose(&sql);
	return rc;
}

int notify_get_one(struct http_req *req, struct sh_err *err)
{
	json_t *n = notify_load(http_db(req), http_param(req, "id"), me(req));

	if (n == NULL)
		return sh_err_set(err, SH_ENOTFOUND, "Not found");
	http_respond_json(req, 200, n);
	return 0;
}

/* ---- updates ---------------------------------------------------------------------------- */

static int set_state(sqlite3 *db, const char *id, const char *user, bool broadcast,
	const char *col, const json_t *v, struct sh_err *err)
{
	char *sql = broadcast
		? sh_asprintf("INSERT INTO notification_user_state (notification_id, user_ref, %s) "
			"VALUES (?1, ?2, ?3) ON CONFLICT (notification_id, user_ref) DO UPDATE SET %s = ?3",
			col, col)
		: sh_asprintf("UPDATE notifications SET %s = ?3 WHERE id = ?1 AND user_ref = ?2", col);
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	else {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
		if (json_is_true(v))
			sqlite3_bind_int64(st, 3, notify_now_ms());
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sh_err_set(err, SH_EINTERNAL, "notifications: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	free(sql);
	return rc;
}

static int update_one(sqlite3 *db, const char *id, const char *user, const json_t *body,
	json_t *out, struct sh_err *err)
{
	json_t *n = notify_load(db, id, user);
	bool broadcast;
	int rc = 0;

	if (n == NULL)
		return 0; /* not the caller's: nothing to update */
	broadcast = json_is_null(json_object_get(n, "user"));
	json_decref(n);
	if (json_is_boolean(json_object_get(body, "read")))
		rc = set_state(db, id, user, broadcast, "read", json_object_get(body, "read"), err);
	if (rc == 0 && json_is_boolean(json_object_get(body, "saved")))
		rc = set_state(db, id, user, broadcast, "saved", json_object_get(body, "saved"), err);
	if (rc == 0 && (n = notify_load(db, id, user)) != NULL)
		json_array_append_new(out, n);
	return rc;
}

int notify_post_update(struct http_req *req, struct sh_err *err)
{
	sqlite3 *db = http_db(req);
	json_t *body = NULL, *out = NULL, *id;
	const json_t *ids;
	size_t i;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	ids = json_object_get(body, "ids");
	if (!json_is_array(ids)) {
		json_decref(body);
		return sh_err_set(err, SH_EINPUT, "ids must be a list of notification ids");
	}
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0) {
		json_decref(body);
		return rc;
	}
	out = json_array();
	json_array_foreach(ids, i, id)
		if (json_is_string(id) && (rc = update_one(db, json_string_value(id), me(req), body, out,
			err)) != 0)
			break;
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
	if (rc == 0)
		http_respond_json(req, 200, json_incref(out));
	json_decref(out);
	json_decref(body);
	return rc;
}
