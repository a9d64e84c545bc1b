/*
 * Processing one entity: validation, defaults, server-set annotations,
 * sorted list fields and the relations its spec declares (each emitted in
 * both directions, as Backstage's built-in processors do).
 */
#include "internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A spec field that names other entities. */
struct ref_field {
	const char *kinds;        /* "|Component|API|" — the kinds that have it */
	const char *field;
	bool many;
	const char *default_kind; /* NULL: the reference must name its kind */
	const char *type;
	const char *inverse;
};

static const struct ref_field ref_fields[] = {
	{ "|Component|API|Resource|System|Domain|Template|", "owner", false, "Group", "ownedBy", "ownerOf" },
	{ "|Component|API|Resource|", "system", false, "System", "partOf", "hasPart" },
	{ "|Component|", "subcomponentOf", false, "Component", "partOf", "hasPart" },
	{ "|System|", "domain", false, "Domain", "partOf", "hasPart" },
	{ "|Domain|", "subdomainOf", false, "Domain", "partOf", "hasPart" },
	{ "|Component|", "providesApis", true, "API", "providesApi", "apiProvidedBy" },
	{ "|Component|", "consumesApis", true, "API", "consumesApi", "apiConsumedBy" },
	{ "|Component|Resource|", "dependsOn", true, NULL, "dependsOn", "dependencyOf" },
	{ "|Component|Resource|", "dependencyOf", true, NULL, "dependencyOf", "dependsOn" },
	{ "|Group|", "parent", false, "Group", "childOf", "parentOf" },
	{ "|Group|", "children", true, "Group", "parentOf", "childOf" },
	{ "|Group|", "members", true, "User", "hasMember", "memberOf" },
	{ "|User|", "memberOf", true, "Group", "memberOf", "hasMember" },
};

static const char *const sorted_lists[] = {
	"providesApis", "consumesApis", "dependsOn", "dependencyOf", "memberOf", "children", "members",
};

static bool kind_has(const char *kinds, const char *kind)
{
	char needle[80];

	snprintf(needle, sizeof(needle), "|%s|", kind);
	return strstr(kinds, needle) != NULL;
}

static int cmp_json_strings(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* Sort an array of strings in place; arrays holding anything else (kinds
 * whose schema does not make the field a string list) are left alone. */
static void sort_string_array(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **items;

	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		if (!json_is_string(json_array_get(arr, i)))
			return;
	items = sh_malloc(n * sizeof(*items));
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	qsort(items, n, sizeof(*items), cmp_json_strings);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	free(items);
}

/* ---- relations ---------------------------------------------------------------- */

struct emitter {
	struct sh_arena *a;
	struct relation *rels;
	size_t n, cap;
};

static void emit(struct emitter *e, const char *source, const char *type, const char *target)
{
	e->rels = sh_arena_grow(e->a, e->rels, e->n, &e->cap, sizeof(*e->rels), 16);
	e->rels[e->n++] = (struct relation){ source, type, target };
}

static int emit_ref(struct emitter *e, const char *self, const char *ns,
	const struct ref_field *f, const json_t *value, const char **pointer, struct sh_err *err)
{
	struct catalog_ref r;
	const char *target;

	if (catalog_ref_parse(&r, e->a, json_string_value(value), f->default_kind, ns, err) != 0) {
		if (pointer != NULL)
			*pointer = sh_arena_printf(e->a, "/spec/%s", f->field);
		sh_err_prefix(err, "spec.%s", f->field);
		return SH_EINPUT;
	}
	target = catalog_ref_string(e->a, r.kind, r.namespace, r.name);
	emit(e, self, f->type, target);
	emit(e, target, f->inverse, self);
	return 0;
}

static int emit_relations(struct emitter *e, const char *self, const char *kind, const char *ns,
	const json_t *spec, const char **pointer, struct sh_err *err)
{
	for (size_t i = 0; i < SH_ARRAY_LEN(ref_fields); i++) {
		const struct ref_field *f = &ref_fields[i];
		json_t *v = json_object_get(spec, f->field);
		size_t k;
		json_t *item;

		if (v == NULL || !kind_has(f->kinds, kind))
			continue;
		if (!f->many) {
			if (json_is_string(v) && emit_ref(e, self, ns, f, v, pointer, err) != 0)
				return SH_EINPUT;
			continue;
		}
		json_array_foreach(v, k, item)
			if (emit_ref(e, self, ns, f, item, pointer, err) != 0)
				return SH_EINPUT;
	}
	return 0;
}

/* ---- annotations ----------------------------------------------------------------- */

/* For url locations, where the file's folder is and how to view/edit it. */
static void url_annotations(json_t *annotations, struct sh_arena *a, const char *location_key)
{
	const char *url = location_key + 4;
	const char *scheme = strstr(url, "://");
	const char *end = url + strcspn(url, "?#");
	const char *slash = NULL;
	const char *blob;

	if (scheme == NULL)
		return; /* not an absolute URL: nothing to derive */
	for (const char *p = scheme + 3; p < end; p++)
		if (*p == '/')
			slash = p;
	if (slash == NULL)
		return;
	if (json_object_get(annotations, ANNOTATION_SOURCE) == NULL)
		json_object_set_new(annotations, ANNOTATION_SOURCE,
			json_string(sh_arena_printf(a, "url:%.*s/", (int)(slash - url), url)));
	if (json_object_get(annotations, ANNOTATION_VIEW_URL) == NULL)
		json_object_set_new(annotations, ANNOTATION_VIEW_URL, json_string(url));
	blob = strstr(url, "/blob/");
	if (blob != NULL && json_object_get(annotations, ANNOTATION_EDIT_URL) == NULL)
		json_object_set_new(annotations, ANNOTATION_EDIT_URL, json_string(sh_arena_printf(a,
			"%.*s/edit/%s", (int)(blob - url), url, blob + 6)));
}

/* Whether a URL would run script in a browser: "javascript:" once leading
 * spaces and control characters and any tab or newline are dropped, as
 * browsers do when they parse it. */
static bool is_script_url(const char *v)
{
	static const char scheme[] = "javascript:";
	size_t k = 0;

	while (*v != '\0' && (unsigned char)*v <= 0x20)
		v++;
	for (; *v != '\0' && k < sizeof(scheme) - 1; v++) {
		if (*v == '\t' || *v == '\n' || *v == '\r')
			continue;
		if (tolower((unsigned char)*v) != scheme[k++])
			return false;
	}
	return k == sizeof(scheme) - 1;
}

static void sanitize_view_urls(json_t *annotations)
{
	static const char *const keys[] = { ANNOTATION_VIEW_URL, ANNOTATION_EDIT_URL };

	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++) {
		const char *v = json_string_value(json_object_get(annotations, keys[i]));
		if (v != NULL && is_script_url(v))
			json_object_set_new(annotations, keys[i],
				json_string("https://backstage.io/annotation-rejected-for-security-reasons"));
	}
}

static void set_annotations(json_t *md, struct sh_arena *a, const char *location_key,
	const char *origin_key)
{
	json_t *ann = json_object_get(md, "annotations");

	if (ann == NULL) {
		ann = json_object();
		json_object_set_new(md, "annotations", ann);
	}
	json_object_set_new(ann, ANNOTATION_LOCATION, json_string(location_key));
	json_object_set_new(ann, ANNOTATION_ORIGIN, json_string(origin_key));
	if (strncmp(location_key, "url:", 4) == 0)
		url_annotations(ann, a, location_key);
	sanitize_view_urls(ann);
}

/* ---- the whole step ---------------------------------------------------------------- */

int process_entity(struct processed *out, struct sh_arena *a, const json_t *raw,
	const char *location_key, const char *origin_key, const char **pointer, struct sh_err *err)
{
	struct emitter e = { a, NULL, 0, 0 };
	json_t *entity, *md, *spec;
	const char *kind, *ns;
	int rc;

	if ((rc = catalog_entity_validate(raw, a, pointer, err)) != 0)
		return rc;
	entity = json_deep_copy(raw);
	md = json_object_get(entity, "metadata");
	spec = json_object_get(entity, "spec");
	kind = json_string_value(json_object_get(entity, "kind"));
	if (json_object_get(md, "namespace") == NULL)
		json_object_set_new(md, "namespace", json_string("default"));
	/* A uid is always the catalog's; an etag the source gives is served
	 * as is (spec 6.4), kept apart so the processed form compares equal. */
	out->source_etag = json_is_string(json_object_get(md, "etag"))
		? sh_arena_strdup(a, json_string_value(json_object_get(md, "etag"))) : NULL;
	json_object_del(md, "uid");
	json_object_del(md, "etag");
	ns = json_string_value(json_object_get(md, "namespace"));
	set_annotations(md, a, location_key, origin_key);
	for (size_t i = 0; i < SH_ARRAY_LEN(sorted_lists); i++) {
		json_t *list = json_object_get(spec, sorted_lists[i]);
		if (json_is_array(list))
			sort_string_array(list);
	}
	out->ref = catalog_ref_string(a, kind, ns, json_string_value(json_object_get(md, "name")));
	if ((rc = emit_relations(&e, out->ref, kind, ns, spec, pointer, err)) != 0) {
		json_decref(entity);
		return rc;
	}
	out->entity = entity;
	out->rels = e.rels;
	out->n_rels = e.n;
	return 0;
}

bool rules_allow(const struct catalog *c, const char *kind, const char *origin_key)
{
	for (size_t i = 0; i < c->n_rules; i++) {
		const struct catalog_rule *r = &c->rules[i];
		bool kind_ok = false, loc_ok = r->locations == NULL;

		for (char **k = r->kinds; *k; k++)
			if (strcasecmp(*k, kind) == 0)
				kind_ok = true;
		for (char **l = r->locations; l && *l; l++)
			if (strcmp(*l, origin_key) == 0)
				loc_ok = true;
		if (kind_ok && loc_ok)
			return true;
	}
	return false;
}
