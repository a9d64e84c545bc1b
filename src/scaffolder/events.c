/* Task events over HTTP: long polling, Server-Sent Events, and dry runs,
 * all waiting without holding a server thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "stagehand/catalog.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/server.h"

#define EVENTS_WAIT_MS 30000
#define STREAM_KEEPALIVE_MS 15000
#define DRY_RUN_WAIT_MS 120000
#define EVENTS_PAGE 500

static int64_t after_param(struct http_req *req, struct sh_err *err, int *rc)
{
	const char *s = http_query_get(req, "after");
	char *end;
	long long v;

	*rc = 0;
	if (s == NULL || *s == '\0')
		return 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || v < 0)
		*rc = sh_err_set(err, SH_EINPUT, "after must be an event id (a non-negative integer)");
	return v;
}

static bool task_exists(struct http_req *req, const char *id, struct sh_err *err, int *rc)
{
	json_t *t = store_task_get(http_server_ctx(req)->db, http_db(req), id, err, rc);
	bool found = t != NULL;

	json_decref(t);
	if (*rc == 0 && !found)
		*rc = sh_err_set(err, SH_ENOTFOUND, "Task with id %s does not exist", id);
	return found;
}

int scaffolder_get_events(struct http_req *req, struct sh_err *err)
{
	const char *id = http_param(req, "taskId");
	const struct sh_server *srv = http_server_ctx(req);
	uint64_t seen = sh_hub_version(srv->hub);
	int rc = 0;
	int64_t after = after_param(req, err, &rc);
	json_t *events;
	char topic[64];

	if (rc != 0 || !task_exists(req, id, err, &rc))
		return rc;
	events = store_events_after(srv->db, http_db(req), id, after, EVENTS_PAGE, err, &rc);
	if (rc != 0)
		return rc;
	if (json_array_size(events) > 0 || http_woken(req) == HTTP_WAKE_TIMEOUT) {
		http_respond_json(req, 200, events);
		return 0;
	}
	json_decref(events);
	task_topic(topic, id);
	http_wait(req, topic, seen, EVENTS_WAIT_MS);
	return 0;
}

/* ---- Server-Sent Events ------------------------------------------------------------------ */

struct stream {
	const struct sh_server *srv;
	char id[64];
	int64_t after;
	bool done;
};

static void append_event(struct sh_buf *out, const json_t *ev)
{
	char *text = json_dumps(ev, JSON_COMPACT);

	sh_buf_printf(out, "event: %s\ndata: %s\n\n", json_string_value(json_object_get(ev, "type")),
		text ? text : "{}");
	free(text);
}

static enum http_stream_rc next_events(void *ctx, struct sh_buf *out, bool timed_out)
{
	struct stream *s = ctx;
	struct sh_err err = { 0, "" };
	sqlite3 *db;
	json_t *events, *ev;
	size_t i;
	int rc = 0;

	if (s->done)
		return HTTP_STREAM_END;
	db = db_acquire(s->srv->db);
	events = store_events_after(s->srv->db, db, s->id, s->after, EVENTS_PAGE, &err, &rc);
	db_release(s->srv->db, db);
	if (rc != 0) {
		log_error("scaffolder: event stream of %s: %s", s->id, err.msg);
		return HTTP_STREAM_END;
	}
	json_array_foreach(events, i, ev) {
		int64_t eid = json_integer_value(json_object_get(ev, "id"));
		append_event(out, ev);
		if (eid > s->after)
			s->after = eid;
		if (strcmp(json_string_value(json_object_get(ev, "type")), "completion") == 0)
			s->done = true;
	}
	json_decref(events);
	if (s->done)
		return HTTP_STREAM_END;
	if (out->len > 0)
		return HTTP_STREAM_MORE;
	if (timed_out) {
		sh_buf_puts(out, ": keep-alive\n\n");
		return HTTP_STREAM_MORE;
	}
	return HTTP_STREAM_WAIT;
}

int scaffolder_get_eventstream(struct http_req *req, struct sh_err *err)
{
	const char *id = http_param(req, "taskId");
	struct stream *s;
	char topic[64];
	int rc = 0;
	int64_t after = after_param(req, err, &rc);

	if (rc != 0 || !task_exists(req, id, err, &rc))
		return rc;
	s = sh_calloc(1, sizeof(*s));
	s->srv = http_server_ctx(req);
	snprintf(s->id, sizeof(s->id), "%s", id);
	s->after = after;
	task_topic(topic, id);
	http_header_add(req, "Cache-Control", "no-cache");
	http_header_add(req, "X-Accel-Buffering", "no");
	http_respond_stream(req, 200, "text/event-stream", topic, STREAM_KEEPALIVE_MS, next_events,
		free, s);
	return 0;
}

/* ---- dry runs ----------------------------------------------------------------------------- */

struct dry_wait {
	struct scaffolder *sc;
	struct dry_job *job;
};

static void dry_wait_free(void *p)
{
	struct dry_wait *w = p;

	dry_job_release(w->sc, w->job);
	free(w);
}

static int check_dry_template(const json_t *body, struct sh_err *err)
{
	const json_t *t = json_object_get(body, "template");
	const char *kind = json_string_value(json_object_get(t, "kind"));
	const char *api = json_string_value(json_object_get(t, "apiVersion"));

	if (!json_is_object(t) || kind == NULL || strcmp(kind, "Template") != 0)
		return sh_err_set(err, SH_EINPUT, "template must be a Template entity");
	if (api == NULL || strcmp(api, "scaffolder.backstage.io/v1beta3") != 0)
		return sh_err_set(err, SH_EINPUT, "Template has apiVersion %s; only "
			"scaffolder.backstage.io/v1beta3 is supported", api ? api : "(none)");
	if (!json_is_array(json_object_get(json_object_get(t, "spec"), "steps")))
		return sh_err_set(err, SH_EINPUT, "template.spec.steps must be an array");
	if (json_object_get(body, "directoryContents") != NULL &&
		!json_is_array(json_object_get(body, "directoryContents")))
		return sh_err_set(err, SH_EINPUT, "directoryContents must be an array");
	return 0;
}

/* The base of the stored Template named like t (its steps are not
 * trusted: only where the stored one lives is). */
static char *stored_template_base(struct http_req *req, const json_t *t)
{
	const json_t *meta = json_object_get(t, "metadata");
	const char *name = json_string_value(json_object_get(meta, "name"));
	const char *ns = json_string_value(json_object_get(meta, "namespace"));
	struct sh_err err = { 0, "" };
	json_t *stored = NULL;
	char *base = NULL;

	if (name == NULL)
		return NULL;
	if (catalog_entity_get(http_server_ctx(req)->catalog, http_db(req), sh_arena_printf(
		http_arena(req), "template:%s/%s", ns ? ns : "default", name), &stored, &err) == 0 &&
		stored != NULL)
		base = template_base_url(stored);
	json_decref(stored);
	return base;
}

static int start_dry_run(struct http_req *req, struct sh_err *err)
{
	struct scaffolder *sc = http_server_ctx(req)->scaffolder;
	json_t *body = NULL, *errors = json_array(), *values;
	const json_t *secrets;
	struct dry_job *job;
	struct dry_wait *w;
	const char *user = http_identity(req)->user_ref;
	int rc;

	if ((rc = http_body_json(req, false, &body, err)) != 0 || (rc = check_dry_template(body, err)) != 0)
		goto done;
	secrets = json_object_get(body, "secrets");
	values = json_is_object(json_object_get(body, "values"))
		? json_deep_copy(json_object_get(body, "values")) : json_object();
	template_validate_values(json_object_get(body, "template"), values, errors);
	if (json_array_size(errors) > 0) {
		json_decref(values);
		http_respond_json(req, 400, json_pack("{s:O}", "errors", errors));
		goto done;
	}
	job = sh_calloc(1, sizeof(*job));
	job->template = json_incref(json_object_get(body, "template"));
	job->values = values;
	job->secrets = json_is_object(secrets) ? json_deep_copy(secrets) : json_object();
	job->files = json_incref(json_object_get(body, "directoryContents"));
	if (job->files == NULL)
		job->files = json_array();
	job->user = json_pack("{s:s}", "ref", user ? user : "user:default/guest");
	if (json_array_size(job->files) == 0)
		job->base = stored_template_base(req, job->template);
	job->refs = 2;
	sh_random_hex(job->topic + snprintf(job->topic, sizeof(job->topic), "dry-run:"), 8);
	w = sh_calloc(1, sizeof(*w));
	w->sc = sc;
	w->job = job;
	http_state_set(req, w, dry_wait_free);
	pthread_mutex_lock(&sc->lock);
	if (sc->dry_tail != NULL)
		sc->dry_tail->next = job;
	else
		sc->dry_head = job;
	sc->dry_tail = job;
	pthread_cond_signal(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
	http_wait(req, job->topic, sh_hub_version(http_server_ctx(req)->hub), DRY_RUN_WAIT_MS);
done:
	json_decref(errors);
	json_decref(body);
	return rc;
}

int scaffolder_post_dry_run(struct http_req *req, struct sh_err *err)
{
	struct dry_wait *w = http_state_get(req);
	uint64_t seen;
	bool done;
	int rc = 0;

	if (w == NULL)
		return start_dry_run(req, err);
	seen = sh_hub_version(http_server_ctx(req)->hub);
	pthread_mutex_lock(&w->sc->lock);
	done = w->job->done;
	pthread_mutex_unlock(&w->sc->lock);
	if (!done) {
		if (http_woken(req) == HTTP_WAKE_TIMEOUT)
			return sh_err_set(err, SH_EUNAVAILABLE, "The dry run did not finish in time");
		http_wait(req, w->job->topic, seen, DRY_RUN_WAIT_MS);
		return 0;
	}
	if (w->job->rc != 0)
		rc = sh_err_set(err, w->job->rc, "%s", w->job->err.msg);
	else
		http_respond_json(req, 200, json_incref(w->job->result));
	return rc;
}
