/* The scaffolder's REST API: /api/scaffolder/v2/... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "github.h"
#include "internal.h"
#include "schema.h"
#include "stagehand/catalog.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/server.h"


static struct scaffolder *scaf(struct http_req *req)
{
	return http_server_ctx(req)->scaffolder;
}

/* ---- templates ------------------------------------------------------------------- */

/* The Template entity named by ref (default kind template); 404 when none,
 * 400 when it is not a v1beta3 Template. *out is a new reference. */
static int load_template(struct http_req *req, const char *ref_text, json_t **out,
	const char **ref_out, struct sh_err *err)
{
	struct sh_arena *a = http_arena(req);
	struct catalog_ref ref;
	const char *canonical, *api;
	int rc;

	*out = NULL;
	if ((rc = catalog_ref_parse(&ref, a, ref_text, "template", "default", err)) != 0)
		return rc;
	if (strcasecmp(ref.kind, "template") != 0)
		return sh_err_set(err, SH_EINPUT, "Invalid kind, only 'Template' kind is supported");
	canonical = catalog_ref_string(a, ref.kind, ref.namespace, ref.name);
	if ((rc = catalog_entity_get(scaf(req)->catalog, http_db(req), canonical, out, err)) != 0)
		return rc;
	if (*out == NULL)
		return sh_err_set(err, SH_ENOTFOUND, "Template %s not found", canonical);
	api = json_string_value(json_object_get(*out, "apiVersion"));
	if (api == NULL || strcmp(api, "scaffolder.backstage.io/v1beta3") != 0) {
		json_decref(*out);
		*out = NULL;
		return sh_err_set(err, SH_EINPUT, "Template %s has apiVersion %s; only "
			"scaffolder.backstage.io/v1beta3 is supported", canonical, api ? api : "(none)");
	}
	if (ref_out != NULL)
		*ref_out = canonical;
	return 0;
}

static json_t *form_step(const json_t *page)
{
	json_t *schema = json_deep_copy(page);
	json_t *step = json_object();
	const char *title = json_string_value(json_object_get(page, "title"));

	json_object_set_new(step, "title", json_string(title ? title
		: "Please enter the following information"));
	if (json_object_get(page, "description"))
		json_object_set(step, "description", json_object_get(page, "description"));
	if (json_object_get(page, "when"))
		json_object_set(step, "when", json_object_get(page, "when"));
	json_object_del(schema, "title");
	json_object_del(schema, "description");
	json_object_del(schema, "when");
	json_object_set_new(step, "schema", schema);
	return step;
}

int scaffolder_get_parameter_schema(struct http_req *req, struct sh_err *err)
{
	const char *ref = sh_arena_printf(http_arena(req), "%s:%s/%s", http_param(req, "kind"),
		http_param(req, "namespace"), http_param(req, "name"));
	json_t *entity = NULL, *pages, *page, *steps = json_array(), *out;
	const json_t *meta, *spec;
	size_t i;
	int rc;

	if ((rc = load_template(req, ref, &entity, NULL, err)) != 0) {
		json_decref(steps);
		return rc;
	}
	meta = json_object_get(entity, "metadata");
	spec = json_object_get(entity, "spec");
	pages = template_pages(entity);
	json_array_foreach(pages, i, page)
		json_array_append_new(steps, form_step(page));
	out = json_pack("{s:O,s:o}", "title", json_object_get(meta, "title") ? json_object_get(meta,
		"title") : json_object_get(meta, "name"), "steps", steps);
	if (json_object_get(meta, "description"))
		json_object_set(out, "description", json_object_get(meta, "description"));
	if (json_object_get(meta, "ui:options"))
		json_object_set(out, "ui:options", json_object_get(meta, "ui:options"));
	if (json_object_get(spec, "presentation"))
		json_object_set(out, "presentation", json_object_get(spec, "presentation"));
	if (json_object_get(spec, "formDecorators"))
		json_object_set(out, "formDecorators", json_object_get(spec, "formDecorators"));
	json_decref(pages);
	json_decref(entity);
	http_respond_json(req, 200, out);
	return 0;
}

int scaffolder_get_actions(struct http_req *req, struct sh_err *err)
{
	(void)err;
	http_respond_json(req, 200, json_incref(scaf(req)->actions_json));
	return 0;
}

int scaffolder_get_templating_extensions(struct http_req *req, struct sh_err *err)
{
	(void)err;
	http_respond_json(req, 200, json_pack("{s:o,s:{s:{},s:{}}}", "filters", tmpl_extensions(),
		"globals", "functions", "values"));
	return 0;
}

/* ---- creating tasks ---------------------------------------------------------------- */

/* 400 with {errors} as Backstage answers a failed validation. */
static int respond_invalid(struct http_req *req, json_t *errors)
{
	http_respond_json(req, 400, json_pack("{s:o}", "errors", errors));
	return 0;
}

static json_t *caller(struct http_req *req, struct sh_err *err, int *rc)
{
	const char *ref = http_identity(req)->user_ref;
	json_t *entity = NULL, *user = json_pack("{s:s}", "ref", ref ? ref : "user:default/guest");

	*rc = 0;
	if (ref != NULL && (*rc = catalog_entity_get(scaf(req)->catalog, http_db(req), ref, &entity,
		err)) != 0) {
		json_decref(user);
		return NULL;
	}
	if (entity != NULL)
		json_object_set_new(user, "entity", entity);
	return user;
}

static bool secrets_ok(const json_t *secrets)
{
	const char *k;
	json_t *v;

	if (secrets == NULL)
		return true;
	if (!json_is_object(secrets))
		return false;
	json_object_foreach((json_t *)secrets, k, v)
		if (!json_is_string(v))
			return false;
	return true;
}

/* Errors of secrets against the template's secrets schema, appended to
 * errors; a missing secret reads as Backstage words it: property
 * "secrets.x", message "secrets.x is required". */
static void secret_errors(json_t *errors, const json_t *schema, const json_t *secrets)
{
	json_t *found = json_array(), *e, *empty = json_object();
	size_t i;

	(void)schema_validate(found, schema, schema, secrets ? secrets : empty, "secrets"); /* the array counts */
	json_array_foreach(found, i, e) {
		const char *arg = json_string_value(json_object_get(e, "argument"));
		const char *name = json_string_value(json_object_get(e, "name"));
		if (name != NULL && strcmp(name, "required") == 0 && arg != NULL) {
			json_t *prop = json_sprintf("secrets.%s", arg);
			json_object_set(e, "property", prop);
			json_object_set_new(e, "message", json_sprintf("%s is required", json_string_value(prop)));
			json_object_set_new(e, "stack", json_sprintf("%s is required", json_string_value(prop)));
			json_object_set_new(e, "path", json_pack("[s]", arg));
			json_decref(prop);
		}
		json_array_append(errors, e);
	}
	json_decref(empty);
	json_decref(found);
}

/* Validate values and secrets; *values_out is the values to run with. */
static int check_request(struct http_req *req, const json_t *entity, const json_t *values,
	const json_t *secrets, json_t **values_out, bool *answered, struct sh_err *err)
{
	json_t *errors = json_array(), *copy;
	const json_t *secret_schema = json_object_get(json_object_get(json_object_get(entity, "spec"),
		"secrets"), "schema");

	*answered = false;
	if (values != NULL && !json_is_object(values)) {
		json_decref(errors);
		return sh_err_set(err, SH_EINPUT, "values must be an object");
	}
	if (!secrets_ok(secrets)) {
		json_decref(errors);
		return sh_err_set(err, SH_EINPUT, "secrets must be an object of strings");
	}
	copy = values ? json_deep_copy(values) : json_object();
	template_validate_values(entity, copy, errors);
	if (secret_schema != NULL)
		secret_errors(errors, secret_schema, secrets);
	if (json_array_size(errors) > 0) {
		json_decref(copy);
		*answered = true;
		return respond_invalid(req, errors);
	}
	json_decref(errors);
	*values_out = copy;
	return 0;
}

int scaffolder_post_task(struct http_req *req, struct sh_err *err)
{
	struct scaffolder *sc = scaf(req);
	json_t *body = NULL, *entity = NULL, *values = NULL, *user = NULL, *spec = NULL;
	const json_t *secrets;
	const char *template_ref = NULL, *ref_text;
	char id[37], *base = NULL;
	bool answered = false, has_secrets;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	ref_text = json_string_value(json_object_get(body, "templateRef"));
	secrets = json_object_get(body, "secrets");
	if (ref_text == NULL) {
		rc = sh_err_set(err, SH_EINPUT, "templateRef must be a string");
		goto done;
	}
	if ((rc = load_template(req, ref_text, &entity, &template_ref, err)) != 0 ||
		(rc = check_request(req, entity, json_object_get(body, "values"), secrets, &values,
			&answered, err)) != 0 || answered)
		goto done;
	if ((user = caller(req, err, &rc)) == NULL)
		goto done;
	base = template_base_url(entity);
	spec = template_task_spec(entity, template_ref, base, values, user);
	sh_uuid_v4(id);
	has_secrets = json_object_size(secrets) > 0;
	if (has_secrets)
		live_add(sc, id, json_deep_copy(secrets));
	if ((rc = store_task_insert(http_db(req), id, spec, json_string_value(json_object_get(user,
		"ref")), has_secrets, err)) != 0)
		goto done;
	workers_wake(sc);
	http_respond_json(req, 201, json_pack("{s:s}", "id", id));
done:
	free(base);
	json_decref(spec);
	json_decref(user);
	json_decref(values);
	json_decref(entity);
	json_decref(body);
	return rc;
}

/* ---- reading tasks --------------------------------------------------------------------- */

static const char *order_sql(const char *order, struct sh_err *err, int *rc)
{
	static const struct { const char *name, *sql; } fields[] = {
		{ "created_at", "created_at" }, { "status", "status" }, { "created_by", "created_by" },
		{ "createdAt", "created_at" }, { "createdBy", "created_by" },
	};
	const char *colon;

	*rc = 0;
	if (order == NULL)
		return "created_at DESC";
	colon = strchr(order, ':');
	const char *dir = colon ? order : "desc", *field = colon ? colon + 1 : order;
	bool asc = strncasecmp(dir, "asc", 3) == 0;
	for (size_t i = 0; i < SH_ARRAY_LEN(fields); i++)
		if (strcmp(field, fields[i].name) == 0) {
			static char const *const out[][2] = {
				{ "created_at ASC", "created_at DESC" }, { "status ASC", "status DESC" },
				{ "created_by ASC", "created_by DESC" }, { "created_at ASC", "created_at DESC" },
				{ "created_by ASC", "created_by DESC" } };
			return out[i][asc ? 0 : 1];
		}
	*rc = sh_err_set(err, SH_EINPUT, "Invalid order %s: use asc:|desc: with created_at, status "
		"or created_by", order);
	return NULL;
}

static void where_in(struct sh_buf *sql, const char *col, size_t n, int *bind)
{
	sh_buf_printf(sql, " AND %s IN (", col);
	for (size_t i = 0; i < n; i++)
		sh_buf_printf(sql, "%s?%d", i ? "," : "", (*bind)++);
	sh_buf_puts(sql, ")");
}

static int64_t number(const char *s, int64_t dflt, int64_t max)
{
	char *end;
	long long v;

	if (s == NULL)
		return dflt;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0)
		return -1;
	return v > max ? max : v;
}

int scaffolder_get_tasks(struct http_req *req, struct sh_err *err)
{
	size_t n_by = 0, n_status = 0;
	const char **by = http_query_all(req, "createdBy", &n_by);
	const char **status = http_query_all(req, "status", &n_status);
	int64_t limit = number(http_query_get(req, "limit"), 1000, 1000);
	int64_t offset = number(http_query_get(req, "offset"), 0, INT64_MAX);
	struct sh_buf where = SH_BUF_INIT, sql = SH_BUF_INIT;
	sqlite3 *db = http_db(req);
	sqlite3_stmt *st = NULL;
	json_t *tasks = json_array();
	int64_t total = 0;
	int rc = 0, bind = 1;
	const char *order = order_sql(http_query_get(req, "order"), err, &rc);

	if (rc == 0 && (limit < 0 || offset < 0))
		rc = sh_err_set(err, SH_EINPUT, "limit and offset must be non-negative integers");
	if (rc != 0)
		goto done;
	sh_buf_puts(&where, "1");
	if (n_by > 0)
		where_in(&where, "created_by", n_by, &bind);
	if (n_status > 0)
		where_in(&where, "status", n_status, &bind);
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		sql.len = 0;
		if (pass == 0)
			sh_buf_printf(&sql, "SELECT count(*) FROM scaffolder_tasks WHERE %s", where.ptr);
		else
			sh_buf_printf(&sql, "SELECT id FROM scaffolder_tasks WHERE %s ORDER BY %s, rowid "
				"LIMIT %lld OFFSET %lld", where.ptr, order, (long long)limit, (long long)offset);
		if (sqlite3_prepare_v2(db, sql.ptr, -1, &st, NULL) != SQLITE_OK) {
			rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
			break;
		}
		bind = 1;
		for (size_t i = 0; i < n_by; i++)
			sqlite3_bind_text(st, bind++, by[i], -1, SQLITE_STATIC);
		for (size_t i = 0; i < n_status; i++)
			sqlite3_bind_text(st, bind++, status[i], -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (pass == 0) {
				total = sqlite3_column_int64(st, 0);
				continue;
			}
			json_t *t = store_task_get(http_server_ctx(req)->db, db,
				(const char *)sqlite3_column_text(st, 0), err, &rc);
			if (t != NULL)
				json_array_append_new(tasks, t);
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	if (rc == 0) {
		http_respond_json(req, 200, json_pack("{s:O,s:I}", "tasks", tasks, "totalTasks",
			(json_int_t)total));
	}
done:
	json_decref(tasks);
	sh_buf_dispose(&where);
	sh_buf_dispose(&sql);
	return rc;
}

/* The task (new reference), or 404. */
static json_t *task_or_404(struct http_req *req, const char *id, struct sh_err *err, int *rc)
{
	json_t *t = store_task_get(http_server_ctx(req)->db, http_db(req), id, err, rc);

	if (*rc == 0 && t == NULL)
		*rc = sh_err_set(err, SH_ENOTFOUND, "Task with id %s does not exist", id);
	return t;
}

int scaffolder_get_task(struct http_req *req, struct sh_err *err)
{
	int rc = 0;
	json_t *t = task_or_404(req, http_param(req, "taskId"), err, &rc);

	if (rc == 0)
		http_respond_json(req, 200, t);
	return rc;
}

/* ---- cancel and retry ------------------------------------------------------------------- */

static int exec_bound(sqlite3 *db, const char *sql, const char *id, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

/* An open task that no worker took yet ends here and now. */
static int cancel_open(struct http_req *req, const char *id, struct sh_err *err)
{
	sqlite3 *db = http_db(req);
	json_t *ev = json_pack("{s:s,s:s}", "message", "The task was cancelled before it started",
		"status", "cancelled");
	json_t *done = json_pack("{s:s,s:{s:s,s:s}}", "message", "Run completed with status: cancelled",
		"error", "name", "CancelledError", "message", "The task was cancelled");
	int rc;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		goto out;
	rc = exec_bound(db, "UPDATE scaffolder_tasks SET status = 'cancelled' WHERE id = ?1 AND "
		"status = 'open'", id, err);
	if (rc == 0 && sqlite3_changes(db) == 1 && (store_event_add(db, id, "cancelled", ev) < 0 ||
		store_event_add(db, id, "completion", done) < 0))
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: cannot store the cancellation");
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
out:
	json_decref(ev);
	json_decref(done);
	return rc;
}

int scaffolder_cancel_task(struct http_req *req, struct sh_err *err)
{
	const char *id = http_param(req, "taskId");
	struct scaffolder *sc = scaf(req);
	char topic[64];
	int rc = 0;
	json_t *t = task_or_404(req, id, err, &rc);
	const char *status;

	if (rc != 0)
		return rc;
	status = json_string_value(json_object_get(t, "status"));
	if (strcmp(status, "open") == 0 && !live_cancel(sc, id))
		rc = cancel_open(req, id, err);
	else if (strcmp(status, "processing") == 0 || strcmp(status, "open") == 0) {
		(void)live_cancel(sc, id); /* a task of another process stops at its next step */
		rc = exec_bound(http_db(req), "UPDATE scaffolder_tasks SET cancel_requested = 1 "
			"WHERE id = ?1", id, err);
	}
	json_decref(t);
	if (rc != 0)
		return rc;
	task_topic(topic, id);
	sh_hub_notify(http_server_ctx(req)->hub, topic);
	http_respond_json(req, 200, json_pack("{s:s}", "status", "cancelled"));
	return 0;
}

static int reopen(struct http_req *req, const char *id, bool has_secrets, struct sh_err *err)
{
	sqlite3 *db = http_db(req);
	json_t *ev = json_pack("{s:s,s:s}", "recoverStrategy", "retryFromFailedStep", "message",
		"Retrying the task from the step that failed");
	int rc;

	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0) {
		json_decref(ev);
		return rc;
	}
	rc = exec_bound(db, "DELETE FROM scaffolder_events WHERE task_id = ?1 AND type IN "
		"('cancelled', 'completion')", id, err);
	if (rc == 0)
		rc = exec_bound(db, has_secrets ? "UPDATE scaffolder_tasks SET status = 'open', "
			"cancel_requested = 0, has_secrets = 1 WHERE id = ?1" : "UPDATE scaffolder_tasks "
			"SET status = 'open', cancel_requested = 0, has_secrets = 0 WHERE id = ?1", id, err);
	if (rc == 0 && store_event_add(db, id, "recovered", ev) < 0)
		rc = sh_err_set(err, SH_EINTERNAL, "scaffolder: cannot store the retry");
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	else
		db_rollback(db);
	json_decref(ev);
	return rc;
}

int scaffolder_retry_task(struct http_req *req, struct sh_err *err)
{
	const char *id = http_param(req, "taskId");
	json_t *body = NULL, *t = NULL;
	const json_t *secrets;
	const char *status;
	size_t len = 0;
	int rc = 0;

	if (http_body(req, &len) != NULL && len > 0 && (rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	secrets = json_object_get(body, "secrets");
	if (!secrets_ok(secrets))
		rc = sh_err_set(err, SH_EINPUT, "secrets must be an object of strings");
	else if ((t = task_or_404(req, id, err, &rc)) != NULL) {
		status = json_string_value(json_object_get(t, "status"));
		if (strcmp(status, "failed") != 0 && strcmp(status, "cancelled") != 0)
			rc = sh_err_set(err, SH_ECONFLICT, "Task %s is %s; only failed or cancelled tasks "
				"can be retried", id, status);
	}
	if (rc == 0) {
		bool has = json_object_size(secrets) > 0;
		if (has)
			live_add(scaf(req), id, json_deep_copy(secrets));
		if ((rc = reopen(req, id, has, err)) == 0) {
			workers_wake(scaf(req));
			http_respond_json(req, 201, json_pack("{s:s}", "id", id));
		}
	}
	json_decref(t);
	json_decref(body);
	return rc;
}

/* ---- autocomplete ---------------------------------------------------------------------- */

/* GitHub: "repositories" (the token's, optionally of context.owner) and
 * "branches" (of context.owner/context.repository), as [{id}]. */
static int github_autocomplete(struct http_req *req, const char *resource, const char *token,
	const json_t *context, json_t **results, struct sh_err *err)
{
	const char *host = json_string_value(json_object_get(context, "host"));
	const char *owner = json_string_value(json_object_get(context, "owner"));
	const char *repo = json_string_value(json_object_get(context, "repository"));
	struct gh g;
	json_t *list = NULL, *item;
	char *path;
	long status;
	size_t i;
	int rc;

	if (strcmp(resource, "branches") == 0 && (owner == NULL || repo == NULL))
		return sh_err_set(err, SH_EINPUT, "context.owner and context.repository are required");
	if (strcmp(resource, "branches") != 0 && strcmp(resource, "repositories") != 0)
		return sh_err_set(err, SH_EINPUT, "Invalid resource: %s", resource);
	if ((rc = gh_open(&g, http_server_ctx(req)->scaffolder->cfg, host ? host : "github.com", token,
		err)) != 0)
		return rc;
	if (strcmp(resource, "branches") == 0)
		path = gh_path("/repos/", owner, "/", repo, "/branches?per_page=100");
	else if (owner != NULL)
		path = gh_path("/users/", owner, "", NULL, "/repos?per_page=100");
	else
		path = sh_strdup("/user/repos?per_page=100");
	rc = gh_call(&g, "GET", path, NULL, &status, &list, err);
	if (rc == 0) {
		*results = json_array();
		json_array_foreach(list, i, item) {
			const char *id = json_string_value(json_object_get(item,
				strcmp(resource, "branches") == 0 ? "name" : "full_name"));
			if (id != NULL)
				json_array_append_new(*results, json_pack("{s:s}", "id", id));
		}
	}
	json_decref(list);
	free(path);
	gh_close(&g);
	return rc;
}

int scaffolder_post_autocomplete(struct http_req *req, struct sh_err *err)
{
	const char *provider = http_param(req, "provider"), *resource = http_param(req, "resource");
	json_t *body = NULL, *results = NULL;
	const char *token;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0)
		return rc;
	token = json_string_value(json_object_get(body, "token"));
	if (strcmp(provider, "github") != 0)
		rc = sh_err_set(err, SH_EINPUT, "Unsupported provider: %s", provider);
	else if (token == NULL || token[0] == '\0')
		rc = sh_err_set(err, SH_EINPUT, "token is required");
	else
		rc = github_autocomplete(req, resource, token, json_object_get(body, "context"), &results,
			err);
	if (rc == 0)
		http_respond_json(req, 200, json_pack("{s:o}", "results", results));
	json_decref(body);
	return rc;
}
