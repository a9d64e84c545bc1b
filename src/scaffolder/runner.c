/*
 * Running a task: steps in order, each with its `if` and `each`, inputs
 * rendered and validated against the action's schema, outputs kept for the
 * steps after it; then the template's output, and one completion event.
 * Every string that leaves a run (events, stored state) passes through
 * redaction of the run's secrets first.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "schema.h"

struct run {
	struct scaffolder *sc;
	const struct run_params *p;
	json_t *ctx;               /* parameters, steps, user, context, environment */
	json_t *secrets;           /* the task's secrets */
	char **secret_values;
	size_t n_secret_values;
	bool failed;
	bool cancelled;
	struct sh_err error;       /* the first failure */
};

/* ---- redaction -------------------------------------------------------------------- */

static void collect_secrets(struct run *r, const json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_string(v) && json_string_length(v) > 0) {
		r->secret_values = sh_realloc(r->secret_values, (r->n_secret_values + 1) * sizeof(char *));
		r->secret_values[r->n_secret_values++] = sh_strdup(json_string_value(v));
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child)
			collect_secrets(r, child);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			collect_secrets(r, child);
	}
}

char *run_redact(const struct run *r, const char *s)
{
	struct sh_buf out = SH_BUF_INIT;

	sh_buf_puts(&out, s);
	for (size_t k = 0; k < r->n_secret_values; k++) {
		const char *sv = r->secret_values[k];
		size_t n = strlen(sv);
		char *hit;
		while ((hit = strstr(out.ptr, sv)) != NULL) {
			size_t at = (size_t)(hit - out.ptr);
			struct sh_buf next = SH_BUF_INIT;
			sh_buf_put(&next, out.ptr, at);
			sh_buf_puts(&next, "***");
			sh_buf_puts(&next, out.ptr + at + n);
			sh_buf_dispose(&out);
			out = next;
		}
	}
	return sh_buf_detach(&out);
}

/* A copy of v with secrets redacted from every string. */
static json_t *redact_json(const struct run *r, const json_t *v)
{
	const char *key;
	json_t *child, *out;
	size_t i;

	if (json_is_string(v)) {
		char *s = run_redact(r, json_string_value(v));
		out = json_string(s);
		free(s);
		return out ? out : json_string("***");
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach((json_t *)v, key, child) {
			char *k = run_redact(r, key);
			json_object_set_new(out, k, redact_json(r, child));
			free(k);
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, child)
			json_array_append_new(out, redact_json(r, child));
		return out;
	}
	return json_deep_copy(v);
}

/* ---- events --------------------------------------------------------------------- */

static void emit(struct run *r, const char *type, json_t *body)
{
	json_t *clean = r->n_secret_values ? redact_json(r, body) : json_incref(body);

	json_decref(body);
	r->p->sink.event(r->p->sink.ctx, type, clean);
}

void run_log(struct run *r, const char *step_id, const char *message)
{
	json_t *body = json_pack("{s:s}", "message", message);

	if (step_id != NULL)
		json_object_set_new(body, "stepId", json_string(step_id));
	emit(r, "log", body);
}

static void step_log(struct run *r, const char *step_id, const char *status, const char *fmt, ...)
	SH_PRINTF(4, 5);

static void step_log(struct run *r, const char *step_id, const char *status, const char *fmt, ...)
{
	struct sh_buf b = SH_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sh_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	emit(r, "log", json_pack("{s:s,s:s,s:s}", "message", b.ptr, "stepId", step_id,
		"status", status));
	sh_buf_dispose(&b);
}

/* ---- rendering ------------------------------------------------------------------- */

/* The context with secrets (and each) for a step's input. New reference. */
static json_t *input_ctx(struct run *r, const json_t *each)
{
	json_t *ctx = json_copy(r->ctx);

	json_object_set(ctx, "secrets", r->secrets);
	json_object_set_new(ctx, "environment", json_pack("{s:O,s:O}", "parameters",
		r->sc->default_parameters, "secrets", r->sc->default_secrets));
	if (each != NULL)
		json_object_set(ctx, "each", (json_t *)each);
	return ctx;
}

/* parseRepoUrl's hosts: github.com and the configured GitHub hosts. */
static const char *scm_type(void *arg, const char *host)
{
	const struct scaffolder *sc = arg;
	const json_t *item;
	size_t i;

	if (strcmp(host, "github.com") == 0)
		return "github";
	json_array_foreach(sc->cfg->github_integrations, i, item)
		if (json_is_string(json_object_get(item, "host")) &&
			strcmp(json_string_value(json_object_get(item, "host")), host) == 0)
			return "github";
	return NULL;
}

static json_t *render_with(const struct run *r, const json_t *v, const json_t *ctx)
{
	struct tmpl_opts o = { 0 };

	o.failed = r->failed;
	o.scm_type = scm_type;
	o.scm_ctx = r->sc;
	return tmpl_render_value(v, ctx, &o);
}

/* Backstage's isTruthy. */
static bool truthy(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return true;
}

static bool condition(struct run *r, const json_t *cond, const json_t *ctx)
{
	json_t *v;
	bool out;

	if (cond == NULL)
		return true;
	if (!json_is_string(cond))
		return truthy(cond);
	v = render_with(r, cond, ctx);
	out = truthy(v);
	json_decref(v);
	return out;
}

static bool runs_after_failure(const json_t *cond)
{
	const char *s = json_string_value(cond);

	return s != NULL && (strstr(s, "failure()") != NULL || strstr(s, "always()") != NULL);
}

/* ---- one step ---------------------------------------------------------------------- */

/* The parsed input schema of action a, from the list GET /v2/actions
 * serves (parsed once at start-up). Borrowed; NULL if a has none. */
static const json_t *input_schema(const struct scaffolder *sc, const struct action *a)
{
	const json_t *item;
	size_t i;

	json_array_foreach(sc->actions_json, i, item)
		if (strcmp(json_string_value(json_object_get(item, "id")), a->id) == 0)
			return json_object_get(json_object_get(item, "schema"), "input");
	return NULL;
}

static int validate_input(const struct scaffolder *sc, const struct action *a,
	const json_t *input, struct sh_err *err)
{
	const json_t *schema = input_schema(sc, a);
	json_t *errors = json_array(), *e;
	struct sh_buf msg = SH_BUF_INIT;
	size_t i;
	int rc = 0;

	if (schema != NULL && schema_validate(errors, schema, schema, input, "instance") > 0) {
		sh_buf_printf(&msg, "Invalid input passed to action %s, ", a->id);
		json_array_foreach(errors, i, e)
			sh_buf_printf(&msg, "%s%s", i ? ", " : "",
				json_string_value(json_object_get(e, "stack")));
		rc = sh_err_set(err, SH_EINPUT, "%s", msg.ptr);
	}
	sh_buf_dispose(&msg);
	json_decref(errors);
	return rc;
}

/* Outputs for an action skipped in a dry run, made up from its schema. */
static json_t *fake_outputs(const struct action *a)
{
	json_t *schema = a->output_schema ? json_loads(a->output_schema, 0, NULL) : NULL;
	json_t *props = json_object_get(schema, "properties"), *p, *out = json_object();
	const char *key;

	json_object_foreach(props, key, p) {
		const char *type = json_string_value(json_object_get(p, "type"));
		json_t *v = json_object_get(p, "default") ? json_incref(json_object_get(p, "default"))
			: type && strcmp(type, "number") == 0 ? json_integer(0)
			: type && strcmp(type, "boolean") == 0 ? json_false()
			: type && strcmp(type, "array") == 0 ? json_array()
			: type && strcmp(type, "object") == 0 ? json_object()
			: json_sprintf("dry-run-%s", key);
		json_object_set_new(out, key, v);
	}
	json_decref(schema);
	return out;
}

/* Strings of input that change when the secrets are blanked are derived
 * from a secret (`${{ secrets.t | upper }}`): they are redacted from now on,
 * like the secrets themselves. */
static void note_derived(struct run *r, const json_t *input, const json_t *blanked)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(input) && json_string_length(input) > 0 && !json_equal(input, blanked)) {
		r->secret_values = sh_realloc(r->secret_values, (r->n_secret_values + 1) * sizeof(char *));
		r->secret_values[r->n_secret_values++] = sh_strdup(json_string_value(input));
	} else if (json_is_object(input)) {
		json_object_foreach((json_t *)input, k, v)
			note_derived(r, v, json_object_get(blanked, k));
	} else if (json_is_array(input)) {
		json_array_foreach(input, i, v)
			note_derived(r, v, json_array_get(blanked, i));
	}
}

static void redact_derived(struct run *r, const json_t *raw, const json_t *input, const json_t *each)
{
	json_t *blank, *blanked;

	if (r->n_secret_values == 0 || raw == NULL)
		return;
	blank = json_copy(r->ctx);
	json_object_set_new(blank, "secrets", json_object());
	if (each != NULL)
		json_object_set(blank, "each", (json_t *)each);
	blanked = render_with(r, raw, blank);
	note_derived(r, input, blanked);
	json_decref(blanked);
	json_decref(blank);
}

/* Log the rendered input in a dry run: strings that depend on a secret
 * (they change when the secrets are blanked) show as ***. */
static void log_dry_input(struct run *r, const struct action *a, const json_t *input,
	const json_t *raw, const json_t *each, const char *step_id)
{
	json_t *blank = json_copy(r->ctx), *blanked, *shown;
	char *text;

	json_object_set_new(blank, "secrets", json_object());
	if (each != NULL)
		json_object_set(blank, "each", (json_t *)each);
	blanked = render_with(r, raw, blank);
	shown = json_deep_copy(input);
	if (json_is_object(shown) && json_is_object(blanked)) {
		const char *k;
		json_t *v;
		json_object_foreach(shown, k, v)
			if (json_is_string(v) && !json_equal(v, json_object_get(blanked, k)))
				json_object_set_new(shown, k, json_string("***"));
	}
	text = json_dumps(shown, JSON_COMPACT);
	step_log(r, step_id, "processing", "Running %s in dry-run mode with inputs (secrets "
		"redacted): %s", a->id, text ? text : "{}");
	free(text);
	json_decref(shown);
	json_decref(blanked);
	json_decref(blank);
}

static int run_action_once(struct run *r, const struct action *a, const json_t *step,
	const char *step_id, const json_t *each, json_t *output, struct sh_err *err)
{
	const json_t *info = json_object_get(r->p->spec, "templateInfo");
	struct action_ctx ac = { r->sc, r, step_id, r->p->workspace, r->p->template_base,
		json_string_value(json_object_get(info, "entityRef")), r->p->local_root,
		json_object_get(r->ctx, "user"), r->p->dry_run, r->p->cancel };
	const json_t *raw = json_object_get(step, "input");
	json_t *ctx = input_ctx(r, each);
	json_t *input = raw ? render_with(r, raw, ctx) : json_object();
	int rc;

	if (input == NULL)
		input = json_object();
	redact_derived(r, raw, input, each);
	if ((rc = validate_input(r->sc, a, input, err)) == 0) {
		if (r->p->dry_run)
			log_dry_input(r, a, input, raw ? raw : input, each, step_id);
		rc = a->run(&ac, input, output, err);
	}
	json_decref(input);
	json_decref(ctx);
	return rc;
}

/* Merge one iteration's outputs into arrays (each). */
static void merge_each(json_t *into, const json_t *one)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)one, k, v) {
		json_t *list = json_object_get(into, k);
		if (!json_is_array(list))
			json_object_set_new(into, k, list = json_array());
		json_array_append(list, v);
	}
}

static int run_each(struct run *r, const struct action *a, const json_t *step, const char *id,
	json_t *output, struct sh_err *err)
{
	json_t *ctx = input_ctx(r, NULL);
	json_t *items = render_with(r, json_object_get(step, "each"), ctx);
	json_t *pairs = json_array(), *pair;
	const char *k;
	json_t *v;
	size_t i;
	int rc = 0;

	json_decref(ctx);
	if (json_is_array(items))
		json_array_foreach(items, i, v)
			json_array_append_new(pairs, json_pack("{s:I,s:O}", "key", (json_int_t)i, "value", v));
	else if (json_is_object(items))
		json_object_foreach(items, k, v)
			json_array_append_new(pairs, json_pack("{s:s,s:O}", "key", k, "value", v));
	else
		rc = sh_err_set(err, SH_EINPUT, "Invalid value on action %s.each parameter, \"%s\" "
			"cannot be resolved to a value", a->id, json_string_value(json_object_get(step, "each"))
			? json_string_value(json_object_get(step, "each")) : "?");
	if (rc == 0 && json_array_size(pairs) > SCAF_MAX_EACH)
		rc = sh_err_set(err, SH_EINPUT, "each has more than %d entries", SCAF_MAX_EACH);
	json_array_foreach(pairs, i, pair) {
		json_t *one = json_object();
		if (rc == 0) {
			char *key = json_dumps(json_object_get(pair, "key"), JSON_ENCODE_ANY);
			step_log(r, id, "processing", "Running step each: {\"key\":%s}", key ? key : "null");
			free(key);
			rc = run_action_once(r, a, step, id, pair, one, err);
		}
		if (rc == 0)
			merge_each(output, one);
		json_decref(one);
	}
	json_decref(pairs);
	json_decref(items);
	return rc;
}

static void record_step(struct run *r, const char *id, const char *status, const json_t *output)
{
	json_t *steps;

	if (r->p->state == NULL)
		return;
	if (!json_is_object(steps = json_object_get(r->p->state, "steps")))
		json_object_set_new(r->p->state, "steps", steps = json_object());
	json_object_set_new(steps, id, output ? json_pack("{s:s,s:o}", "status", status, "output",
		redact_json(r, output)) : json_pack("{s:s}", "status", status));
	if (r->p->checkpoint != NULL)
		r->p->checkpoint(r->p->checkpoint_ctx, r->p->state);
}

/* A step completed before a retry: its outputs come back, it does not run. */
static bool restored(struct run *r, const char *id)
{
	json_t *prior = json_object_get(json_object_get(r->p->state, "steps"), id);

	if (!json_is_object(prior) || !json_is_string(json_object_get(prior, "status")) ||
		strcmp(json_string_value(json_object_get(prior, "status")), "completed") != 0)
		return false;
	json_object_set_new(json_object_get(r->ctx, "steps"), id, json_pack("{s:o}", "output",
		json_object_get(prior, "output") ? json_incref(json_object_get(prior, "output"))
		: json_object()));
	step_log(r, id, "completed", "Skipping step %s: it completed before the retry", id);
	return true;
}

static void fail_step(struct run *r, const char *id, const struct sh_err *e)
{
	step_log(r, id, "failed", "%s", e->msg);
	if (!r->failed)
		r->error = *e;
	r->failed = true;
	record_step(r, id, "failed", NULL);
}

static void run_step(struct run *r, const json_t *step, const char *id, const char *name)
{
	const json_t *cond = json_object_get(step, "if");
	const char *action_id = json_string_value(json_object_get(step, "action"));
	const struct action *a = action_id ? action_find(action_id) : NULL;
	struct sh_err err = { 0, "" };
	json_t *output;
	int rc;

	if (r->failed && !runs_after_failure(cond)) {
		step_log(r, id, "skipped", "Skipping step %s because a previous step failed", id);
		return;
	}
	if (!condition(r, cond, r->ctx)) {
		step_log(r, id, "skipped", "Skipping step %s because its if condition was false", id);
		record_step(r, id, "skipped", NULL);
		return;
	}
	step_log(r, id, "processing", "Beginning step %s", name);
	if (a == NULL) {
		sh_err_set(&err, SH_EINPUT, "Template action with ID '%s' is not registered.",
			action_id ? action_id : "");
		fail_step(r, id, &err);
		return;
	}
	if (r->p->dry_run && !a->supports_dry_run) {
		step_log(r, id, "processing", "Skipping because %s does not support dry-run", a->id);
		output = fake_outputs(a);
		rc = 0;
	} else {
		output = json_object();
		rc = json_object_get(step, "each") ? run_each(r, a, step, id, output, &err)
			: run_action_once(r, a, step, id, NULL, output, &err);
	}
	if (rc != 0) {
		if (atomic_load(r->p->cancel))
			r->cancelled = true;
		fail_step(r, id, &err);
	} else {
		json_object_set_new(json_object_get(r->ctx, "steps"), id, json_pack("{s:O}", "output",
			output));
		record_step(r, id, "completed", output);
		step_log(r, id, "completed", "Finished step %s", name);
	}
	json_decref(output);
}

/* ---- the whole run ------------------------------------------------------------------ */

/* ctx[key] = from[key], or {} when from has none. */
static void copy_or_empty(json_t *ctx, const char *key, const json_t *from)
{
	json_t *v = json_object_get(from, key);

	json_object_set_new(ctx, key, v ? json_incref(v) : json_object());
}

static json_t *base_ctx(struct scaffolder *sc, const struct run_params *p)
{
	json_t *ctx = json_object();

	copy_or_empty(ctx, "parameters", p->spec);
	copy_or_empty(ctx, "user", p->spec);
	json_object_set_new(ctx, "steps", json_object());
	json_object_set_new(ctx, "context", json_pack("{s:{s:s}}", "task", "id", p->task_id));
	json_object_set_new(ctx, "environment", json_pack("{s:O}", "parameters",
		sc->default_parameters));
	return ctx;
}

/* Drop output items whose `if` is falsy; remove `if` from the rest. */
static void filter_items(json_t *list)
{
	for (size_t i = 0; i < json_array_size(list); ) {
		json_t *item = json_array_get(list, i), *cond = json_object_get(item, "if");
		if (cond != NULL && !truthy(cond)) {
			json_array_remove(list, i);
			continue;
		}
		json_object_del(item, "if");
		i++;
	}
}

static json_t *render_output(struct run *r)
{
	const json_t *raw = json_object_get(r->p->spec, "output");
	json_t *out = raw ? render_with(r, raw, r->ctx) : NULL;

	if (!json_is_object(out)) {
		json_decref(out);
		return json_object();
	}
	filter_items(json_object_get(out, "links"));
	filter_items(json_object_get(out, "text"));
	return out;
}

static void complete(struct run *r, json_t **output)
{
	if (r->cancelled) {
		emit(r, "completion", json_pack("{s:s,s:{s:s,s:s}}", "message",
			"Run completed with status: cancelled", "error", "name", "CancelledError",
			"message", "The task was cancelled"));
	} else if (r->failed) {
		emit(r, "completion", json_pack("{s:s,s:{s:s,s:s}}", "message",
			"Run completed with status: failed", "error", "name", sh_status_name(r->error.code),
			"message", r->error.msg));
	} else {
		json_t *out = render_output(r);
		*output = redact_json(r, out);
		json_decref(out);
		emit(r, "completion", json_pack("{s:s,s:O}", "message",
			"Run completed with status: completed", "output", *output));
	}
}

static void cancel_at(struct run *r, const char *id)
{
	emit(r, "cancelled", json_pack("{s:s++,s:s,s:s}", "message", "Step ", id ? id : "",
		" has been cancelled.", "stepId", id ? id : "", "status", "cancelled"));
	r->cancelled = true;
}

enum run_result run_task(struct scaffolder *sc, const struct run_params *p, json_t **output)
{
	struct run r = { sc, p, base_ctx(sc, p), json_object(), NULL, 0, false, false, { 0, "" } };
	const json_t *steps = json_object_get(p->spec, "steps"), *step;
	size_t i;

	*output = NULL;
	if (p->secrets != NULL)
		json_object_update(r.secrets, (json_t *)p->secrets);
	collect_secrets(&r, r.secrets);
	collect_secrets(&r, sc->default_secrets);
	{
		char start[64];
		snprintf(start, sizeof(start), "Starting up task with %zu steps", json_array_size(steps));
		run_log(&r, NULL, start);
	}
	json_array_foreach(steps, i, step) {
		char idbuf[32];
		const char *id = json_string_value(json_object_get(step, "id"));
		const char *name = json_string_value(json_object_get(step, "name"));

		if (id == NULL) {
			snprintf(idbuf, sizeof(idbuf), "step-%zu", i + 1);
			id = idbuf;
		}
		if (name == NULL)
			name = json_is_string(json_object_get(step, "action"))
				? json_string_value(json_object_get(step, "action")) : id;
		if (atomic_load(p->cancel) && !r.cancelled)
			cancel_at(&r, id);
		if (r.cancelled)
			break;
		if (restored(&r, id))
			continue;
		run_step(&r, step, id, name);
		if (r.cancelled && !atomic_load(p->cancel))
			r.cancelled = false;
		else if (r.cancelled)
			cancel_at(&r, id);
	}
	complete(&r, output);
	json_decref(r.ctx);
	json_decref(r.secrets);
	for (size_t k = 0; k < r.n_secret_values; k++)
		free(r.secret_values[k]);
	free(r.secret_values);
	return r.cancelled ? RUN_CANCELLED : r.failed ? RUN_FAILED : RUN_COMPLETED;
}
