/*
 * Entity validation: Backstage's envelope policy, field formats and the
 * per-kind spec schemas, as tables and small hand-written matchers (no
 * regex engine on a path that runs once per entity per refresh).
 */
#include "stagehand/catalog.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- formats -------------------------------------------------------------- */

static bool is_alnum(char c) { return isalnum((unsigned char)c) != 0; }
static bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* [A-Za-z0-9] runs separated by [-_.], at most 63 characters. */
static bool is_entity_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 63 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

/* ^[a-z0-9]+(-+[a-z0-9]+)*$, 1 to 63 characters. */
static bool is_dns_label_n(const char *s, size_t n)
{
	if (n < 1 || n > 63 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool is_dns_label(const char *s)
{
	return is_dns_label_n(s, strlen(s));
}

static bool is_dns_subdomain_n(const char *s, size_t n)
{
	size_t start = 0;

	if (n < 1 || n > 253)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!is_dns_label_n(s + start, i - start))
				return false;
			start = i + 1;
		}
	}
	return true;
}

static bool is_kind(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 63 || !isalpha((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(s[i]))
			return false;
	return true;
}

static bool is_api_version(const char *s)
{
	const char *slash = strrchr(s, '/');
	const char *suffix = slash ? slash + 1 : s;
	size_t n = strlen(suffix);

	if (slash != NULL && !is_dns_subdomain_n(s, (size_t)(slash - s)))
		return false;
	if (n < 1 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(suffix[i]))
			return false;
	return true;
}

/* [prefix/]name: prefix a DNS subdomain, name an entity name. */
static bool is_meta_key(const char *s)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL)
		return is_entity_name(s);
	return is_dns_subdomain_n(s, (size_t)(slash - s)) && is_entity_name(slash + 1);
}

static bool is_tag_char(char c)
{
	return is_lower_alnum(c) || c == ':' || c == '+' || c == '#';
}

/* ^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$, 1 to 63 characters. */
static bool is_tag(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 63 || !is_tag_char(s[0]) || !is_tag_char(s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (s[i + 1] == '-')
				return false;
		} else if (!is_tag_char(s[i])) {
			return false;
		}
	}
	return true;
}

static bool is_absolute_url(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':' || p[1] == '\0')
		return false;
	/* With an authority ("scheme://"), a host must follow. */
	return strncmp(p, "://", 3) != 0 || (p[3] != '\0' && p[3] != '/');
}

/* ---- envelope and metadata --------------------------------------------------------- */

struct check {
	struct sh_arena *a;
	const char **pointer;
	struct sh_err *err;
};

/* Every message takes exactly two string arguments (either may be NULL). */
static int bad(struct check *c, const char *pointer, const char *fmt, const char *a1,
	const char *a2)
{
	if (c->pointer != NULL)
		*c->pointer = pointer;
	return sh_err_set(c->err, SH_EINPUT, fmt, a1 ? a1 : "", a2 ? a2 : "");
}

static const char *shown(struct check *c, const json_t *v)
{
	char *s;

	if (json_is_string(v))
		return sh_arena_printf(c->a, "\"%s\"", json_string_value(v));
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	const char *out = sh_arena_strdup(c->a, s ? s : "?");
	free(s);
	return out;
}

/* A key as a JSON pointer token (RFC 6901: '~' is "~0", '/' is "~1"). */
static const char *ptr_token(struct sh_arena *a, const char *key)
{
	size_t extra = 0;
	char *out, *o;

	for (const char *k = key; *k; k++)
		extra += *k == '~' || *k == '/';
	if (extra == 0)
		return key;
	o = out = sh_arena_alloc(a, strlen(key) + extra + 1);
	for (const char *k = key; *k; k++) {
		if (*k == '~' || *k == '/') {
			*o++ = '~';
			*o++ = *k == '~' ? '0' : '1';
		} else {
			*o++ = *k;
		}
	}
	*o = '\0';
	return out;
}

static int check_string_map(struct check *c, const json_t *map, const char *field,
	bool label_values)
{
	const char *key;
	json_t *v;

	if (map == NULL)
		return 0;
	if (!json_is_object(map))
		return bad(c, sh_arena_printf(c->a, "/metadata/%s", field),
			"\"metadata.%s\" must be an object%s", field, "");
	json_object_foreach((json_t *)map, key, v) {
		const char *ptr = sh_arena_printf(c->a, "/metadata/%s/%s", field, ptr_token(c->a, key));
		if (!is_meta_key(key))
			return bad(c, ptr, "\"metadata.%s\" has an invalid key \"%s\"; expected [prefix/]name "
				"where prefix is a DNS subdomain and name is sequences of [a-zA-Z0-9] "
				"separated by any of [-_.], at most 63 characters", field, key);
		if (!json_is_string(v))
			return bad(c, ptr, "\"metadata.%s.%s\" must be a string", field, key);
		if (label_values && json_string_length(v) > 0 && !is_entity_name(json_string_value(v)))
			return bad(c, ptr, "\"metadata.labels.%s\" has an invalid value %s; expected sequences "
				"of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters",
				key, shown(c, v));
	}
	return 0;
}

static int check_tags(struct check *c, const json_t *tags)
{
	size_t i;
	json_t *t;

	if (tags == NULL)
		return 0;
	if (!json_is_array(tags))
		return bad(c, "/metadata/tags", "\"metadata.tags\" must be an array of strings%s%s", "", "");
	json_array_foreach(tags, i, t) {
		const char *ptr = sh_arena_printf(c->a, "/metadata/tags/%zu", i);
		if (!json_is_string(t) || !is_tag(json_string_value(t)))
			return bad(c, ptr, "\"metadata.tags\" has an invalid tag %s; expected sequences of "
				"[a-z0-9:+#] separated by [-], at most 63 characters%s", shown(c, t), "");
	}
	return 0;
}

static int check_links(struct check *c, const json_t *links)
{
	static const char *const optional[] = { "title", "icon", "type" };
	size_t i;
	json_t *l;

	if (links == NULL)
		return 0;
	if (!json_is_array(links))
		return bad(c, "/metadata/links", "\"metadata.links\" must be an array%s%s", "", "");
	json_array_foreach(links, i, l) {
		const char *ptr = sh_arena_printf(c->a, "/metadata/links/%zu", i);
		json_t *url = json_object_get(l, "url");
		if (!json_is_object(l) || !json_is_string(url) || !is_absolute_url(json_string_value(url)))
			return bad(c, ptr, "\"metadata.links[%s]\" needs a \"url\" that is an absolute URL%s",
				sh_arena_printf(c->a, "%zu", i), "");
		for (size_t k = 0; k < SH_ARRAY_LEN(optional); k++) {
			json_t *v = json_object_get(l, optional[k]);
			if (v != NULL && (!json_is_string(v) || json_string_length(v) == 0))
				return bad(c, ptr, "\"metadata.links\" field \"%s\" must be a non-empty string%s",
					optional[k], "");
		}
	}
	return 0;
}

static int check_metadata(struct check *c, const json_t *md)
{
	json_t *name = json_object_get(md, "name");
	json_t *ns = json_object_get(md, "namespace");
	json_t *title = json_object_get(md, "title");
	json_t *desc = json_object_get(md, "description");
	int rc;

	if (!json_is_object(md))
		return bad(c, "/metadata", "\"metadata\" must be an object%s%s", "", "");
	if (!json_is_string(name))
		return bad(c, "/metadata/name", "\"metadata.name\" is required and must be a string%s%s",
			NULL, "");
	if (!is_entity_name(json_string_value(name)))
		return bad(c, "/metadata/name", "\"metadata.name\" is not valid; expected a string that is "
			"sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total "
			"but found %s%s", shown(c, name), "");
	if (ns != NULL && (!json_is_string(ns) || !is_dns_label(json_string_value(ns))))
		return bad(c, "/metadata/namespace", "\"metadata.namespace\" is not valid; expected a string "
			"that is sequences of [a-z0-9] separated by [-], at most 63 characters in total but "
			"found %s%s", shown(c, ns), "");
	if (title != NULL && (!json_is_string(title) || json_string_length(title) == 0))
		return bad(c, "/metadata/title", "\"metadata.title\" must be a non-empty string%s%s", "", "");
	if (desc != NULL && !json_is_string(desc))
		return bad(c, "/metadata/description", "\"metadata.description\" must be a string%s%s",
			NULL, "");
	if ((rc = check_string_map(c, json_object_get(md, "labels"), "labels", true)) != 0 ||
		(rc = check_string_map(c, json_object_get(md, "annotations"), "annotations", false)) != 0 ||
		(rc = check_tags(c, json_object_get(md, "tags"))) != 0)
		return rc;
	return check_links(c, json_object_get(md, "links"));
}

/* Keys differing only in case anywhere in the entity are rejected. Each
 * object's keys are sorted case-insensitively, so neighbours are the only
 * candidates: O(n log n) however many keys a hostile file holds. */
static int cmp_nocase(const void *x, const void *y)
{
	return strcasecmp(*(const char *const *)x, *(const char *const *)y);
}

static int check_case_duplicates(struct check *c, const json_t *v, const char *path, int depth)
{
	const char *key;
	json_t *child;
	size_t i, n;
	const char **keys;
	int rc;

	if (depth > 128)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			if ((rc = check_case_duplicates(c, child, sh_arena_printf(c->a, "%s/%zu", path, i),
				depth + 1)) != 0)
				return rc;
		return 0;
	}
	if (!json_is_object(v) || (n = json_object_size(v)) == 0)
		return 0;
	keys = sh_malloc(n * sizeof(*keys));
	i = 0;
	json_object_foreach((json_t *)v, key, child)
		keys[i++] = key;
	qsort(keys, n, sizeof(*keys), cmp_nocase);
	for (i = 1; i < n; i++) {
		if (strcasecmp(keys[i - 1], keys[i]) == 0) {
			const char *a = sh_arena_strdup(c->a, keys[i - 1]), *b = sh_arena_strdup(c->a, keys[i]);
			free(keys);
			return bad(c, path, "Entity has duplicate keys that vary only in casing: "
				"\"%s\" and \"%s\"", a, b);
		}
	}
	free(keys);
	json_object_foreach((json_t *)v, key, child)
		if ((rc = check_case_duplicates(c, child,
			sh_arena_printf(c->a, "%s/%s", path, ptr_token(c->a, key)), depth + 1)) != 0)
			return rc;
	return 0;
}

/* ---- kinds -------------------------------------------------------------------------- */

enum field_type { F_STRING, F_STRING_ARRAY, F_OBJECT, F_ARRAY, F_OBJECT_OR_ARRAY, F_ANY };

struct field {
	const char *name;
	enum field_type type;
	bool required;
};

struct kind_schema {
	const char *kind;
	const struct field *fields;
};

static const struct field component_fields[] = {
	{ "type", F_STRING, true }, { "lifecycle", F_STRING, true }, { "owner", F_STRING, true },
	{ "system", F_STRING, false }, { "subcomponentOf", F_STRING, false },
	{ "providesApis", F_STRING_ARRAY, false }, { "consumesApis", F_STRING_ARRAY, false },
	{ "dependsOn", F_STRING_ARRAY, false }, { "dependencyOf", F_STRING_ARRAY, false },
	{ NULL, F_ANY, false },
};
static const struct field api_fields[] = {
	{ "type", F_STRING, true }, { "lifecycle", F_STRING, true }, { "owner", F_STRING, true },
	{ "definition", F_ANY, true }, { "system", F_STRING, false }, { NULL, F_ANY, false },
};
static const struct field resource_fields[] = {
	{ "type", F_STRING, true }, { "owner", F_STRING, true }, { "system", F_STRING, false },
	{ "dependsOn", F_STRING_ARRAY, false }, { "dependencyOf", F_STRING_ARRAY, false },
	{ NULL, F_ANY, false },
};
static const struct field system_fields[] = {
	{ "owner", F_STRING, true }, { "domain", F_STRING, false }, { "type", F_STRING, false },
	{ NULL, F_ANY, false },
};
static const struct field domain_fields[] = {
	{ "owner", F_STRING, true }, { "subdomainOf", F_STRING, false }, { "type", F_STRING, false },
	{ NULL, F_ANY, false },
};
static const struct field group_fields[] = {
	{ "type", F_STRING, true }, { "children", F_STRING_ARRAY, true }, { "parent", F_STRING, false },
	{ "members", F_STRING_ARRAY, false }, { "profile", F_OBJECT, false }, { NULL, F_ANY, false },
};
static const struct field user_fields[] = {
	{ "memberOf", F_STRING_ARRAY, true }, { "profile", F_OBJECT, false }, { NULL, F_ANY, false },
};
static const struct field location_fields[] = {
	{ "type", F_STRING, false }, { "target", F_STRING, false }, { "targets", F_STRING_ARRAY, false },
	{ "presence", F_STRING, false }, { NULL, F_ANY, false },
};
static const struct field template_fields[] = {
	{ "type", F_STRING, true }, { "steps", F_ARRAY, true }, { "owner", F_STRING, false },
	{ "lifecycle", F_STRING, false }, { "parameters", F_OBJECT_OR_ARRAY, false },
	{ "output", F_OBJECT, false }, { NULL, F_ANY, false },
};

static const struct kind_schema kinds[] = {
	{ "Component", component_fields }, { "API", api_fields }, { "Resource", resource_fields },
	{ "System", system_fields }, { "Domain", domain_fields }, { "Group", group_fields },
	{ "User", user_fields }, { "Location", location_fields }, { "Template", template_fields },
};

static bool field_ok(const json_t *v, enum field_type t)
{
	size_t i;
	json_t *item;

	switch (t) {
	case F_STRING:
		return json_is_string(v) && json_string_length(v) > 0;
	case F_STRING_ARRAY:
		if (!json_is_array(v))
			return false;
		json_array_foreach(v, i, item)
			if (!json_is_string(item) || json_string_length(item) == 0)
				return false;
		return true;
	case F_OBJECT: return json_is_object(v);
	case F_ARRAY: return json_is_array(v);
	case F_OBJECT_OR_ARRAY: return json_is_object(v) || json_is_array(v);
	case F_ANY: return true;
	}
	return false;
}

static const char *type_words(enum field_type t)
{
	switch (t) {
	case F_STRING: return "a non-empty string";
	case F_STRING_ARRAY: return "an array of non-empty strings";
	case F_OBJECT: return "an object";
	case F_ARRAY: return "an array";
	case F_OBJECT_OR_ARRAY: return "an object or an array";
	default: return "a value";
	}
}

static bool is_mcp_api(const json_t *spec)
{
	return json_is_string(json_object_get(spec, "type")) &&
		strcmp(json_string_value(json_object_get(spec, "type")), "mcp-server") == 0;
}

static int check_fields(struct check *c, const char *kind, const json_t *spec,
	const struct field *fields)
{
	for (const struct field *f = fields; f->name != NULL; f++) {
		json_t *v = json_object_get(spec, f->name);
		const char *ptr = sh_arena_printf(c->a, "/spec/%s", f->name);
		bool required = f->required;

		if (strcmp(kind, "API") == 0 && strcmp(f->name, "definition") == 0 && is_mcp_api(spec))
			required = false;
		if (v == NULL || json_is_null(v)) {
			if (required)
				return bad(c, "/spec", "%s entity is missing the required field \"spec.%s\"",
					kind, f->name);
			continue;
		}
		if (!field_ok(v, f->type))
			return bad(c, ptr, "\"spec.%s\" must be %s", f->name, type_words(f->type));
	}
	return 0;
}

static int check_kind(struct check *c, const char *kind, const char *api_version,
	const json_t *spec)
{
	bool template = strcmp(kind, "Template") == 0;
	size_t i;
	json_t *step;

	for (i = 0; i < SH_ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			break;
	if (i == SH_ARRAY_LEN(kinds))
		return bad(c, "/kind", "Unsupported kind \"%s\"; no processor recognized the entity%s",
			kind, "");
	if (template ? strcmp(api_version, "scaffolder.backstage.io/v1beta3") != 0
		: (strcmp(api_version, "backstage.io/v1alpha1") != 0 &&
		   strcmp(api_version, "backstage.io/v1beta1") != 0))
		return bad(c, "/apiVersion", "Unsupported apiVersion \"%s\" for kind %s", api_version, kind);
	if (!json_is_object(spec))
		return bad(c, "/spec", "%s entity needs a \"spec\" object%s", kind, "");
	if (check_fields(c, kind, spec, kinds[i].fields) != 0)
		return SH_EINPUT;
	if (strcmp(kind, "API") == 0 && is_mcp_api(spec) &&
		json_array_size(json_object_get(spec, "remotes")) == 0 &&
		json_object_get(spec, "definition") == NULL)
		return bad(c, "/spec", "API of type mcp-server needs \"spec.remotes\" with at least one item%s%s",
			NULL, "");
	if (template) {
		json_array_foreach(json_object_get(spec, "steps"), i, step)
			if (!json_is_string(json_object_get(step, "action")))
				return bad(c, sh_arena_printf(c->a, "/spec/steps/%zu", i),
					"Template step %s needs an \"action\"%s", sh_arena_printf(c->a, "%zu", i), "");
	}
	if (strcmp(kind, "Location") == 0) {
		json_t *p = json_object_get(spec, "presence");
		if (p != NULL && (!json_is_string(p) || (strcmp(json_string_value(p), "required") != 0 &&
			strcmp(json_string_value(p), "optional") != 0)))
			return bad(c, "/spec/presence",
				"\"spec.presence\" must be \"required\" or \"optional\"%s%s", "", "");
	}
	return 0;
}

int catalog_entity_validate(const json_t *entity, struct sh_arena *a, const char **pointer,
	struct sh_err *err)
{
	struct check c = { a, pointer, err };
	json_t *api_version = json_object_get(entity, "apiVersion");
	json_t *kind = json_object_get(entity, "kind");
	const char *key;
	json_t *v;
	int rc;

	if (pointer != NULL)
		*pointer = "";
	if (!json_is_object(entity))
		return bad(&c, "", "Entity must be an object%s%s", "", "");
	json_object_foreach((json_t *)entity, key, v) {
		if (strcmp(key, "apiVersion") != 0 && strcmp(key, "kind") != 0 &&
			strcmp(key, "metadata") != 0 && strcmp(key, "spec") != 0)
			return bad(&c, sh_arena_printf(a, "/%s", key), "Unknown field %s%s", key, "");
	}
	if (!json_is_string(api_version) || !is_api_version(json_string_value(api_version)))
		return bad(&c, "/apiVersion", "\"apiVersion\" is required and must look like "
			"[prefix/]version, for example backstage.io/v1alpha1%s%s", "", "");
	if (!json_is_string(kind) || !is_kind(json_string_value(kind)))
		return bad(&c, "/kind", "\"kind\" is required and must be 1 to 63 letters and digits, "
			"starting with a letter%s%s", "", "");
	if ((rc = check_metadata(&c, json_object_get(entity, "metadata"))) != 0 ||
		(rc = check_case_duplicates(&c, entity, "", 0)) != 0)
		return rc;
	return check_kind(&c, json_string_value(kind), json_string_value(api_version),
		json_object_get(entity, "spec"));
}
