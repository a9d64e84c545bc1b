/*
 * Processing one entity (spec/catalog.md §2, §4, §5): defaults, server-set
 * annotations, sorted list fields, and every relation of §5 in both
 * directions.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "../../../src/catalog/internal.h"

#define FILE_KEY "file:/srv/catalog/all.yaml"
#define BLOB_URL "https://github.com/acme/billing/blob/main/svc/catalog-info.yaml"
#define REJECTED "https://backstage.io/annotation-rejected-for-security-reasons"

static json_t *load(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *v;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, 0, &jerr);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	free(s);
	return v;
}

/* Process text (single quotes for double) from location key; the result's
 * entity is the caller's, everything else lives in a. */
static struct processed process_ok(struct sh_arena *a, const char *text, const char *key)
{
	struct processed p = { 0 };
	struct sh_err err = { 0, "" };
	const char *pointer = NULL;
	json_t *raw = load(text);

	if (process_entity(&p, a, raw, key, "url:https://example.com/root.yaml", &pointer, &err) != 0)
		fail_msg("%s: %s (at %s)", text, err.msg, pointer ? pointer : "?");
	json_decref(raw);
	return p;
}

static const char *annotation(const struct processed *p, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(p->entity,
		"metadata"), "annotations"), key));
}

static bool has_relation(const struct processed *p, const char *source, const char *type,
	const char *target)
{
	for (size_t i = 0; i < p->n_rels; i++)
		if (strcmp(p->rels[i].source, source) == 0 && strcmp(p->rels[i].type, type) == 0 &&
			strcmp(p->rels[i].target, target) == 0)
			return true;
	return false;
}

static void test_catalog_process__namespace_defaults_to_default(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'Payments'},'spec':{'owner':'team-a'}}", FILE_KEY);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_object_get(p.entity, "metadata"),
		"namespace")), "default");
	assert_string_equal(p.ref, "system:default/payments");
	/* The name keeps its case in the entity. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(p.entity, "metadata"),
		"name")), "Payments");
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__namespace_is_kept(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay','namespace':'team-a'},'spec':{'owner':'team-a'}}", FILE_KEY);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(json_object_get(p.entity, "metadata"),
		"namespace")), "team-a");
	assert_string_equal(p.ref, "system:team-a/pay");
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__managed_by_annotations(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay','annotations':{'example.com/keep':'me'}},"
		"'spec':{'owner':'team-a'}}", FILE_KEY);

	(void)state;
	assert_string_equal(annotation(&p, ANNOTATION_LOCATION), FILE_KEY);
	assert_string_equal(annotation(&p, ANNOTATION_ORIGIN), "url:https://example.com/root.yaml");
	assert_string_equal(annotation(&p, "example.com/keep"), "me");
	/* A file location has no browse links. */
	assert_null(annotation(&p, ANNOTATION_VIEW_URL));
	assert_null(annotation(&p, ANNOTATION_EDIT_URL));
	assert_null(annotation(&p, ANNOTATION_SOURCE));
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__url_location_annotations(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay'},'spec':{'owner':'team-a'}}", "url:" BLOB_URL);

	(void)state;
	assert_string_equal(annotation(&p, ANNOTATION_LOCATION), "url:" BLOB_URL);
	assert_string_equal(annotation(&p, ANNOTATION_SOURCE),
		"url:https://github.com/acme/billing/blob/main/svc/");
	assert_string_equal(annotation(&p, ANNOTATION_VIEW_URL), BLOB_URL);
	assert_string_equal(annotation(&p, ANNOTATION_EDIT_URL),
		"https://github.com/acme/billing/edit/main/svc/catalog-info.yaml");
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__url_without_blob_has_no_edit_url(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay'},'spec':{'owner':'team-a'}}",
		"url:https://files.example.com/catalog/pay.yaml");

	(void)state;
	assert_string_equal(annotation(&p, ANNOTATION_SOURCE), "url:https://files.example.com/catalog/");
	assert_string_equal(annotation(&p, ANNOTATION_VIEW_URL),
		"https://files.example.com/catalog/pay.yaml");
	assert_null(annotation(&p, ANNOTATION_EDIT_URL));
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__own_view_url_is_kept(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay','annotations':{'backstage.io/view-url':'https://docs.example.com/pay',"
		"'backstage.io/source-location':'url:https://git.example.com/pay/'}},"
		"'spec':{'owner':'team-a'}}", "url:" BLOB_URL);

	(void)state;
	assert_string_equal(annotation(&p, ANNOTATION_VIEW_URL), "https://docs.example.com/pay");
	assert_string_equal(annotation(&p, ANNOTATION_SOURCE), "url:https://git.example.com/pay/");
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__script_urls_are_replaced(void **state)
{
	static const char *const plain[] = { "javascript:alert(1)", "JavaScript:alert(1)" };
	static const char *const disguised[] = { "   javascript:alert(1)", "java\\tscript:alert(1)",
		"\\u0001javascript:alert(1)" };

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(plain) + SH_ARRAY_LEN(disguised); i++) {
		bool is_plain = i < SH_ARRAY_LEN(plain);
		const char *v = is_plain ? plain[i] : disguised[i - SH_ARRAY_LEN(plain)];
		struct sh_arena *a = sh_arena_new();
		const char *text = sh_arena_printf(a, "{'apiVersion':'backstage.io/v1alpha1',"
			"'kind':'System','metadata':{'name':'pay','annotations':{"
			"'backstage.io/view-url':'%s','backstage.io/edit-url':'%s'}},"
			"'spec':{'owner':'team-a'}}", v, v);
		struct processed p = process_ok(a, text, "url:" BLOB_URL);

		if (is_plain) {
			assert_string_equal(annotation(&p, ANNOTATION_VIEW_URL), REJECTED);
			assert_string_equal(annotation(&p, ANNOTATION_EDIT_URL), REJECTED);
		}
		else {
			assert_string_equal(annotation(&p, ANNOTATION_VIEW_URL), REJECTED);
			assert_string_equal(annotation(&p, ANNOTATION_EDIT_URL), REJECTED);
		}

		json_decref(p.entity);
		sh_arena_free(a);
	}
}

static void test_catalog_process__url_key_without_scheme(void **state)
{
	(void)state;
	/* A url key without a scheme ("url:docs/catalog.yaml", reachable
	 * through POST /validate-entity's "location") processes, without
	 * browse annotations. */
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay'},'spec':{'owner':'team-a'}}", "url:docs/catalog.yaml");

	assert_string_equal(annotation(&p, ANNOTATION_LOCATION), "url:docs/catalog.yaml");
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__list_fields_are_sorted(void **state)
{
	struct sh_arena *a = sh_arena_new();
	json_t *raw = load("{'apiVersion':'backstage.io/v1alpha1','kind':'Component',"
		"'metadata':{'name':'web'},'spec':{'type':'website','lifecycle':'production',"
		"'owner':'team-a','providesApis':['b','a','C'],'consumesApis':['z','y'],"
		"'dependsOn':['resource:b','component:a'],'dependencyOf':['component:y','component:x'],"
		"'tags':['z','a']}}");
	struct processed p = { 0 };
	struct sh_err err = { 0, "" };
	json_t *spec, *expect;

	(void)state;
	assert_int_equal(process_entity(&p, a, raw, FILE_KEY, FILE_KEY, NULL, &err), 0);
	spec = json_object_get(p.entity, "spec");
	expect = load("{'providesApis':['C','a','b'],'consumesApis':['y','z'],"
		"'dependsOn':['component:a','resource:b'],'dependencyOf':['component:x','component:y'],"
		"'tags':['z','a']}");
	assert_true(json_equal(json_object_get(spec, "providesApis"), json_object_get(expect, "providesApis")));
	assert_true(json_equal(json_object_get(spec, "consumesApis"), json_object_get(expect, "consumesApis")));
	assert_true(json_equal(json_object_get(spec, "dependsOn"), json_object_get(expect, "dependsOn")));
	assert_true(json_equal(json_object_get(spec, "dependencyOf"), json_object_get(expect, "dependencyOf")));
	/* Other lists keep their order. */
	assert_true(json_equal(json_object_get(spec, "tags"), json_object_get(expect, "tags")));
	/* The input is not touched. */
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(raw,
		"spec"), "providesApis"), 0)), "b");
	json_decref(expect);
	json_decref(p.entity);
	json_decref(raw);
	sh_arena_free(a);
}

static void test_catalog_process__group_and_user_lists_are_sorted(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed g = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'Group',"
		"'metadata':{'name':'eng'},'spec':{'type':'team','children':['web','api'],"
		"'members':['zoe','adam']}}", FILE_KEY);
	struct processed u = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'User',"
		"'metadata':{'name':'zoe'},'spec':{'memberOf':['web','eng']}}", FILE_KEY);
	json_t *gs = json_object_get(g.entity, "spec"), *us = json_object_get(u.entity, "spec");

	(void)state;
	assert_string_equal(json_string_value(json_array_get(json_object_get(gs, "children"), 0)), "api");
	assert_string_equal(json_string_value(json_array_get(json_object_get(gs, "members"), 0)), "adam");
	assert_string_equal(json_string_value(json_array_get(json_object_get(us, "memberOf"), 0)), "eng");
	json_decref(g.entity);
	json_decref(u.entity);
	sh_arena_free(a);
}

static void test_catalog_process__list_named_like_a_relation_on_another_kind(void **state)
{
	(void)state;
	/* The list fields are sorted only when they hold strings: an API with
	 * "members: [2, 1]" (a field API does not know) processes untouched. */
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'API',"
		"'metadata':{'name':'pay'},'spec':{'type':'openapi','lifecycle':'production',"
		"'owner':'team-a','definition':'x','members':[2,1]}}", FILE_KEY);

	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__uid_and_etag_are_dropped(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay','uid':'1b0c6ac6-2e9e-4b39-9d7b-2a2b1b8f0c11',"
		"'etag':'5f0c0f4c'},'spec':{'owner':'team-a'}}", FILE_KEY);
	json_t *md = json_object_get(p.entity, "metadata");

	(void)state;
	assert_null(json_object_get(md, "uid"));
	assert_null(json_object_get(md, "etag"));
	/* The source's etag is kept apart, to be served as is (spec 6.4). */
	assert_non_null(p.source_etag);
	assert_string_equal(p.source_etag, "5f0c0f4c");
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__invalid_entity_names_the_field(void **state)
{
	struct sh_arena *a = sh_arena_new();
	json_t *raw = load("{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay','tags':['Bad']},'spec':{'owner':'team-a'}}");
	struct processed p = { 0 };
	struct sh_err err = { 0, "" };
	const char *pointer = NULL;

	(void)state;
	assert_int_equal(process_entity(&p, a, raw, FILE_KEY, FILE_KEY, &pointer, &err), SH_EINPUT);
	assert_string_equal(pointer, "/metadata/tags/0");
	assert_null(p.entity);
	json_decref(raw);
	sh_arena_free(a);
}

/* ---- relations (§5) ------------------------------------------------------------ */

struct rel_case {
	const char *kind;
	const char *spec;       /* the field under test, merged into a valid spec */
	const char *type;
	const char *target;
	const char *inverse;
};

/* Every row of §5, from an entity in namespace team-a so that the target
 * namespace is seen to default to the source's. */
static const struct rel_case rel_cases[] = {
	{ "Component", "'owner':'platform'", "ownedBy", "group:team-a/platform", "ownerOf" },
	{ "API", "'owner':'platform'", "ownedBy", "group:team-a/platform", "ownerOf" },
	{ "Resource", "'owner':'platform'", "ownedBy", "group:team-a/platform", "ownerOf" },
	{ "System", "'owner':'platform'", "ownedBy", "group:team-a/platform", "ownerOf" },
	{ "Domain", "'owner':'platform'", "ownedBy", "group:team-a/platform", "ownerOf" },
	{ "Template", "'owner':'platform'", "ownedBy", "group:team-a/platform", "ownerOf" },
	{ "Component", "'system':'payments'", "partOf", "system:team-a/payments", "hasPart" },
	{ "API", "'system':'payments'", "partOf", "system:team-a/payments", "hasPart" },
	{ "Resource", "'system':'payments'", "partOf", "system:team-a/payments", "hasPart" },
	{ "Component", "'subcomponentOf':'checkout'", "partOf", "component:team-a/checkout", "hasPart" },
	{ "System", "'domain':'finance'", "partOf", "domain:team-a/finance", "hasPart" },
	{ "Domain", "'subdomainOf':'corporate'", "partOf", "domain:team-a/corporate", "hasPart" },
	{ "Component", "'providesApis':['pay-api']", "providesApi", "api:team-a/pay-api",
	  "apiProvidedBy" },
	{ "Component", "'consumesApis':['fx-api']", "consumesApi", "api:team-a/fx-api",
	  "apiConsumedBy" },
	{ "Component", "'dependsOn':['resource:ledger-db']", "dependsOn", "resource:team-a/ledger-db",
	  "dependencyOf" },
	{ "Component", "'dependencyOf':['component:storefront']", "dependencyOf",
	  "component:team-a/storefront", "dependsOn" },
	{ "Resource", "'dependsOn':['resource:disk']", "dependsOn", "resource:team-a/disk",
	  "dependencyOf" },
	{ "Resource", "'dependencyOf':['component:ledger']", "dependencyOf",
	  "component:team-a/ledger", "dependsOn" },
	{ "Group", "'parent':'engineering'", "childOf", "group:team-a/engineering", "parentOf" },
	{ "Group", "'children':['web-team']", "parentOf", "group:team-a/web-team", "childOf" },
	{ "Group", "'members':['jdoe']", "hasMember", "user:team-a/jdoe", "memberOf" },
	{ "User", "'memberOf':['ops']", "memberOf", "group:team-a/ops", "hasMember" },
};

/* The rest of a valid spec for each kind (without the field under test). */
static const char *spec_base(const char *kind, const char *field)
{
	bool owner = strstr(field, "'owner'") != NULL;

	if (strcmp(kind, "Component") == 0)
		return owner ? "'type':'service','lifecycle':'production'"
			: "'type':'service','lifecycle':'production','owner':'o'";
	if (strcmp(kind, "API") == 0)
		return owner ? "'type':'openapi','lifecycle':'production','definition':'x'"
			: "'type':'openapi','lifecycle':'production','owner':'o','definition':'x'";
	if (strcmp(kind, "Resource") == 0)
		return owner ? "'type':'database'" : "'type':'database','owner':'o'";
	if (strcmp(kind, "System") == 0 || strcmp(kind, "Domain") == 0)
		return owner ? "'type':'x'" : "'owner':'o'";
	if (strcmp(kind, "Template") == 0)
		return "'type':'service','steps':[]";
	if (strcmp(kind, "Group") == 0)
		return strstr(field, "'children'") ? "'type':'team'" : "'type':'team','children':[]";
	return strstr(field, "'memberOf'") ? "'profile':{}" : "'memberOf':[]";
}

static void test_catalog_process__relations_in_both_directions(void **state)
{
	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(rel_cases); i++) {
		const struct rel_case *c = &rel_cases[i];
		struct sh_arena *a = sh_arena_new();
		const char *text = sh_arena_printf(a, "{'apiVersion':'%s','kind':'%s',"
			"'metadata':{'name':'Self','namespace':'team-a'},'spec':{%s,%s}}",
			strcmp(c->kind, "Template") == 0 ? "scaffolder.backstage.io/v1beta3"
				: "backstage.io/v1alpha1", c->kind, spec_base(c->kind, c->spec), c->spec);
		struct processed p = process_ok(a, text, FILE_KEY);
		char *self = catalog_ref_string(a, c->kind, "team-a", "self");

		assert_string_equal(p.ref, self);
		if (!has_relation(&p, self, c->type, c->target))
			fail_msg("%s %s: no %s -> %s", c->kind, c->spec, c->type, c->target);
		if (!has_relation(&p, c->target, c->inverse, self))
			fail_msg("%s %s: no inverse %s %s -> %s", c->kind, c->spec, c->target, c->inverse,
				self);
		json_decref(p.entity);
		sh_arena_free(a);
	}
}

static void test_catalog_process__one_pair_per_reference(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay'},'spec':{'owner':'team-a'}}", FILE_KEY);

	(void)state;
	assert_int_equal(p.n_rels, 2);
	assert_true(has_relation(&p, "system:default/pay", "ownedBy", "group:default/team-a"));
	assert_true(has_relation(&p, "group:default/team-a", "ownerOf", "system:default/pay"));
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__explicit_kind_and_namespace(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'Component',"
		"'metadata':{'name':'web','namespace':'team-a'},'spec':{'type':'website',"
		"'lifecycle':'production','owner':'User:Other-NS/JDoe','system':'shared/Payments',"
		"'providesApis':['api:Public/Pay','fx']}}", FILE_KEY);

	(void)state;
	assert_true(has_relation(&p, "component:team-a/web", "ownedBy", "user:other-ns/jdoe"));
	assert_true(has_relation(&p, "user:other-ns/jdoe", "ownerOf", "component:team-a/web"));
	assert_true(has_relation(&p, "component:team-a/web", "partOf", "system:shared/payments"));
	assert_true(has_relation(&p, "component:team-a/web", "providesApi", "api:public/pay"));
	assert_true(has_relation(&p, "api:public/pay", "apiProvidedBy", "component:team-a/web"));
	assert_true(has_relation(&p, "component:team-a/web", "providesApi", "api:team-a/fx"));
	assert_int_equal(p.n_rels, 8);
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__depends_on_needs_a_kind(void **state)
{
	static const char *const fields[] = { "dependsOn", "dependencyOf" };

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(fields); i++) {
		struct sh_arena *a = sh_arena_new();
		json_t *raw = load(sh_arena_printf(a, "{'apiVersion':'backstage.io/v1alpha1',"
			"'kind':'Component','metadata':{'name':'web'},'spec':{'type':'website',"
			"'lifecycle':'production','owner':'team-a','%s':['ledger-db']}}", fields[i]));
		struct processed p = { 0 };
		struct sh_err err = { 0, "" };
		const char *pointer = NULL;

		assert_int_equal(process_entity(&p, a, raw, FILE_KEY, FILE_KEY, &pointer, &err),
			SH_EINPUT);
		assert_string_equal(pointer, sh_arena_printf(a, "/spec/%s", fields[i]));
		assert_non_null(strstr(err.msg, fields[i]));
		assert_non_null(strstr(err.msg, "had missing or empty kind"));
		assert_null(p.entity);
		json_decref(raw);
		sh_arena_free(a);
	}
}

static void test_catalog_process__fields_of_other_kinds_emit_nothing(void **state)
{
	struct sh_arena *a = sh_arena_new();
	/* providesApis belongs to Component; on a System it is just data. */
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'System',"
		"'metadata':{'name':'pay'},'spec':{'owner':'team-a','providesApis':['x'],"
		"'parent':'y','memberOf':['z']}}", FILE_KEY);

	(void)state;
	assert_int_equal(p.n_rels, 2);
	json_decref(p.entity);
	sh_arena_free(a);
}

static void test_catalog_process__location_has_no_relations(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct processed p = process_ok(a, "{'apiVersion':'backstage.io/v1alpha1','kind':'Location',"
		"'metadata':{'name':'root'},'spec':{'targets':['./a.yaml','./b.yaml']}}", FILE_KEY);

	(void)state;
	assert_int_equal(p.n_rels, 0);
	assert_string_equal(p.ref, "location:default/root");
	json_decref(p.entity);
	sh_arena_free(a);
}

/* ---- rules ------------------------------------------------------------------------ */

static void test_catalog_process__rules_allow(void **state)
{
	char *kinds_all[] = { "component", "api", "location", NULL };
	char *kinds_group[] = { "group", "user", NULL };
	char *only[] = { "file:/srv/org.yaml", NULL };
	struct catalog_rule rules[] = {
		{ kinds_all, NULL },
		{ kinds_group, only },
	};
	struct catalog c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.rules = rules;
	c.n_rules = 2;
	assert_true(rules_allow(&c, "Component", "url:https://example.com/a.yaml"));
	assert_true(rules_allow(&c, "API", "file:/srv/any.yaml"));
	assert_true(rules_allow(&c, "Location", "file:/srv/any.yaml"));
	assert_false(rules_allow(&c, "System", "file:/srv/any.yaml"));
	assert_true(rules_allow(&c, "Group", "file:/srv/org.yaml"));
	assert_true(rules_allow(&c, "user", "file:/srv/org.yaml"));
	assert_false(rules_allow(&c, "Group", "file:/srv/other.yaml"));
	/* No rules at all: nothing is allowed. */
	c.n_rules = 0;
	assert_false(rules_allow(&c, "Component", "file:/srv/org.yaml"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_process__namespace_defaults_to_default),
		cmocka_unit_test(test_catalog_process__namespace_is_kept),
		cmocka_unit_test(test_catalog_process__managed_by_annotations),
		cmocka_unit_test(test_catalog_process__url_location_annotations),
		cmocka_unit_test(test_catalog_process__url_without_blob_has_no_edit_url),
		cmocka_unit_test(test_catalog_process__own_view_url_is_kept),
		cmocka_unit_test(test_catalog_process__script_urls_are_replaced),
		cmocka_unit_test(test_catalog_process__url_key_without_scheme),
		cmocka_unit_test(test_catalog_process__list_fields_are_sorted),
		cmocka_unit_test(test_catalog_process__group_and_user_lists_are_sorted),
		cmocka_unit_test(test_catalog_process__list_named_like_a_relation_on_another_kind),
		cmocka_unit_test(test_catalog_process__uid_and_etag_are_dropped),
		cmocka_unit_test(test_catalog_process__invalid_entity_names_the_field),
		cmocka_unit_test(test_catalog_process__relations_in_both_directions),
		cmocka_unit_test(test_catalog_process__one_pair_per_reference),
		cmocka_unit_test(test_catalog_process__explicit_kind_and_namespace),
		cmocka_unit_test(test_catalog_process__depends_on_needs_a_kind),
		cmocka_unit_test(test_catalog_process__fields_of_other_kinds_emit_nothing),
		cmocka_unit_test(test_catalog_process__location_has_no_relations),
		cmocka_unit_test(test_catalog_process__rules_allow),
	};
	RUN_TESTS(tests, argc, argv);
}
