/* Template entities: their form pages, value validation and task specs. */
#include <string.h>

#include "internal.h"
#include "schema.h"

json_t *template_pages(const json_t *entity)
{
	const json_t *params = json_object_get(json_object_get(entity, "spec"), "parameters");

	if (json_is_array(params))
		return json_deep_copy(params);
	if (json_is_object(params))
		return json_pack("[O]", params);
	return json_array();
}

/* A page's `when`: a boolean, or an expression (with or without ${{ }});
 * an expression that cannot be evaluated counts as true. */
static bool page_visible(const json_t *page, const json_t *values)
{
	const json_t *when = json_object_get(page, "when");
	json_t *ctx;
	struct sh_err err;
	bool out = true;

	if (when == NULL)
		return true;
	if (json_is_boolean(when))
		return json_is_true(when);
	if (!json_is_string(when))
		return true;
	ctx = json_pack("{s:O}", "parameters", values);
	if (tmpl_eval_bool(&out, json_string_value(when), ctx, NULL, &err) != 0)
		out = true;
	json_decref(ctx);
	return out;
}

void template_validate_values(const json_t *entity, json_t *values, json_t *errors)
{
	json_t *pages = template_pages(entity), *page, *hidden_keys = json_object(), *shown = json_object();
	size_t i;
	const char *key;
	json_t *v;

	json_array_foreach(pages, i, page) {
		json_t *props = json_object_get(page, "properties");
		bool visible = page_visible(page, values);
		json_object_foreach(props, key, v)
			json_object_set_new(visible ? shown : hidden_keys, key, json_true());
		if (visible) {
			json_t *schema = json_deep_copy(page);
			json_object_del(schema, "when");
			(void)schema_validate(errors, schema, schema, values, "instance"); /* errors appended */
			json_decref(schema);
		}
	}
	/* Values only a hidden page defines go. */
	json_object_foreach(hidden_keys, key, v)
		if (json_object_get(shown, key) == NULL)
			json_object_del(values, key);
	json_decref(hidden_keys);
	json_decref(shown);
	json_decref(pages);
}

json_t *template_task_spec(const json_t *entity, const char *template_ref, const char *base_url,
	const json_t *values, const json_t *user)
{
	const json_t *spec = json_object_get(entity, "spec");
	const json_t *meta = json_object_get(entity, "metadata");
	json_t *steps = json_deep_copy(json_object_get(spec, "steps")), *step;
	json_t *out;
	size_t i;

	if (!json_is_array(steps)) {
		json_decref(steps);
		steps = json_array();
	}
	/* Defaulted ids and names, as the task will show them. */
	json_array_foreach(steps, i, step) {
		if (!json_is_object(step))
			continue;
		if (!json_is_string(json_object_get(step, "id")))
			json_object_set_new(step, "id", json_sprintf("step-%zu", i + 1));
		if (!json_is_string(json_object_get(step, "name")) &&
			json_is_string(json_object_get(step, "action")))
			json_object_set(step, "name", json_object_get(step, "action"));
	}
	out = json_pack("{s:s,s:o,s:O,s:O,s:{s:s,s:{s:O}}}",
		"apiVersion", "scaffolder.backstage.io/v1beta3", "steps", steps,
		"parameters", values, "user", user,
		"templateInfo", "entityRef", template_ref, "entity", "metadata", meta ? meta : json_null());
	json_object_set_new(out, "output", json_object_get(spec, "output")
		? json_incref(json_object_get(spec, "output")) : json_object());
	if (base_url != NULL)
		json_object_set_new(json_object_get(out, "templateInfo"), "baseUrl", json_string(base_url));
	if (json_object_get(spec, "EXPERIMENTAL_recovery"))
		json_object_set(out, "EXPERIMENTAL_recovery", json_object_get(spec, "EXPERIMENTAL_recovery"));
	return out;
}

/* "url:X" -> X; "file:/a/b/t.yaml" -> "/a/b/" (the directory). */
static char *location_base(const char *loc)
{
	if (strncmp(loc, "url:", 4) == 0) {
		const char *u = loc + 4;
		size_t n = strlen(u);
		return n > 0 && u[n - 1] == '/' ? sh_strdup(u) : sh_asprintf("%s/", u);
	}
	if (strncmp(loc, "file:", 5) == 0) {
		const char *p = loc + 5, *slash = strrchr(p, '/');
		return slash ? sh_strndup(p, (size_t)(slash - p) + 1) : NULL;
	}
	return NULL;
}

char *template_base_url(const json_t *entity)
{
	const json_t *ann = json_object_get(json_object_get(entity, "metadata"), "annotations");
	const char *src = json_string_value(json_object_get(ann, "backstage.io/source-location"));
	const char *managed = json_string_value(json_object_get(ann, "backstage.io/managed-by-location"));

	if (src != NULL && strncmp(src, "url:", 4) == 0)
		return location_base(src);
	if (managed != NULL && strncmp(managed, "url:", 4) == 0) {
		/* The url of the template file: its directory. */
		const char *u = managed + 4, *slash = strrchr(u, '/');
		return slash ? sh_strndup(u, (size_t)(slash - u) + 1) : NULL;
	}
	if (managed != NULL)
		return location_base(managed);
	return src ? location_base(src) : NULL;
}
