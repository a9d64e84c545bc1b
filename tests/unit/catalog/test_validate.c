/*
 * Entity validation (spec/catalog.md §2 and §4), table-driven: each case
 * starts from a minimal valid entity of one kind, applies a patch, and
 * expects either success or an InputError whose JSON pointer names the
 * offending field.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/catalog.h"

#define S10 "abcdefghij"
#define S60 S10 S10 S10 S10 S10 S10
#define S63 S60 "abc"
#define S64 S60 "abcd"

enum base { COMPONENT, API, RESOURCE, SYSTEM, DOMAIN, GROUP, USER, LOCATION, TEMPLATE };

/* Minimal valid entities; single quotes stand for double quotes. */
static const char *const bases[] = {
	[COMPONENT] = "{'apiVersion':'backstage.io/v1alpha1','kind':'Component',"
		"'metadata':{'name':'billing'},"
		"'spec':{'type':'service','lifecycle':'production','owner':'team-a'}}",
	[API] = "{'apiVersion':'backstage.io/v1alpha1','kind':'API','metadata':{'name':'billing-api'},"
		"'spec':{'type':'openapi','lifecycle':'production','owner':'team-a',"
		"'definition':'openapi: 3.0.0'}}",
	[RESOURCE] = "{'apiVersion':'backstage.io/v1alpha1','kind':'Resource','metadata':{'name':'db'},"
		"'spec':{'type':'database','owner':'team-a'}}",
	[SYSTEM] = "{'apiVersion':'backstage.io/v1alpha1','kind':'System','metadata':{'name':'pay'},"
		"'spec':{'owner':'team-a'}}",
	[DOMAIN] = "{'apiVersion':'backstage.io/v1alpha1','kind':'Domain','metadata':{'name':'fin'},"
		"'spec':{'owner':'team-a'}}",
	[GROUP] = "{'apiVersion':'backstage.io/v1alpha1','kind':'Group','metadata':{'name':'team-a'},"
		"'spec':{'type':'team','children':[]}}",
	[USER] = "{'apiVersion':'backstage.io/v1alpha1','kind':'User','metadata':{'name':'jdoe'},"
		"'spec':{'memberOf':[]}}",
	[LOCATION] = "{'apiVersion':'backstage.io/v1alpha1','kind':'Location','metadata':{'name':'root'},"
		"'spec':{'target':'./all.yaml'}}",
	[TEMPLATE] = "{'apiVersion':'scaffolder.backstage.io/v1beta3','kind':'Template',"
		"'metadata':{'name':'new-service'},"
		"'spec':{'type':'service','steps':[{'id':'fetch','action':'fetch:template'}]}}",
};

static json_t *load(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *v;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	free(s);
	return v;
}

/* Merge patch into target: objects merge recursively, the string
 * "$delete" removes a key, anything else replaces. */
static void merge(json_t *target, json_t *patch)
{
	const char *key;
	json_t *v;

	json_object_foreach(patch, key, v) {
		json_t *cur = json_object_get(target, key);
		if (json_is_string(v) && strcmp(json_string_value(v), "$delete") == 0)
			json_object_del(target, key);
		else if (json_is_object(v) && json_is_object(cur))
			merge(cur, v);
		else
			json_object_set(target, key, v);
	}
}

static json_t *entity(enum base b, const char *patch)
{
	json_t *e = load(bases[b]);

	if (patch != NULL) {
		json_t *p = load(patch);
		merge(e, p);
		json_decref(p);
	}
	return e;
}

struct vcase {
	const char *name;
	enum base base;
	const char *patch;
	const char *pointer;   /* NULL: the entity is valid */
	const char *message;   /* a part of the expected message, or NULL */
};

static void run_cases(const struct vcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct vcase *c = &cases[i];
		struct sh_arena *a = sh_arena_new();
		struct sh_err err = { 0, "" };
		const char *pointer = "unset";
		json_t *e = entity(c->base, c->patch);
		int rc = catalog_entity_validate(e, a, &pointer, &err);

		if (c->pointer == NULL && rc != 0)
			fail_msg("%s: expected valid, got %d: %s (at %s)", c->name, rc, err.msg, pointer);
		if (c->pointer != NULL) {
			if (rc != SH_EINPUT)
				fail_msg("%s: expected an InputError, got %d", c->name, rc);
			if (err.code != SH_EINPUT)
				fail_msg("%s: err.code %d", c->name, err.code);
			if (strcmp(pointer, c->pointer) != 0)
				fail_msg("%s: pointer \"%s\", expected \"%s\" (%s)", c->name, pointer,
					c->pointer, err.msg);
			if (c->message != NULL && strstr(err.msg, c->message) == NULL)
				fail_msg("%s: message \"%s\" lacks \"%s\"", c->name, err.msg, c->message);
		}
		json_decref(e);
		sh_arena_free(a);
	}
}

#define RUN(cases) run_cases(cases, SH_ARRAY_LEN(cases))

static void test_catalog_validate__every_kind_minimal_is_valid(void **state)
{
	static const struct vcase cases[] = {
		{ "component", COMPONENT, NULL, NULL, NULL },
		{ "api", API, NULL, NULL, NULL },
		{ "resource", RESOURCE, NULL, NULL, NULL },
		{ "system", SYSTEM, NULL, NULL, NULL },
		{ "domain", DOMAIN, NULL, NULL, NULL },
		{ "group", GROUP, NULL, NULL, NULL },
		{ "user", USER, NULL, NULL, NULL },
		{ "location", LOCATION, NULL, NULL, NULL },
		{ "template", TEMPLATE, NULL, NULL, NULL },
		{ "location with empty spec", LOCATION, "{'spec':{'target':'$delete'}}", NULL, NULL },
		{ "every optional field", COMPONENT,
		  "{'metadata':{'namespace':'team-a','title':'Billing','description':'Charges',"
		  "'labels':{'tier':'gold'},'annotations':{'backstage.io/techdocs-ref':'dir:.'},"
		  "'tags':['java'],'links':[{'url':'https://dash.example.com','title':'Dashboard',"
		  "'icon':'dashboard','type':'admin'}]},"
		  "'spec':{'system':'pay','subcomponentOf':'platform','providesApis':['a'],"
		  "'consumesApis':['b'],'dependsOn':['resource:db'],'dependencyOf':['component:web']}}",
		  NULL, NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__api_version(void **state)
{
	static const struct vcase cases[] = {
		{ "v1beta1", COMPONENT, "{'apiVersion':'backstage.io/v1beta1'}", NULL, NULL },
		{ "missing", COMPONENT, "{'apiVersion':'$delete'}", "/apiVersion", "apiVersion" },
		{ "number", COMPONENT, "{'apiVersion':1}", "/apiVersion", "apiVersion" },
		{ "empty", COMPONENT, "{'apiVersion':''}", "/apiVersion", NULL },
		{ "upper-case prefix", COMPONENT, "{'apiVersion':'Backstage.io/v1alpha1'}",
		  "/apiVersion", NULL },
		{ "dash in version", COMPONENT, "{'apiVersion':'backstage.io/v1-alpha1'}",
		  "/apiVersion", NULL },
		{ "empty version", COMPONENT, "{'apiVersion':'backstage.io/'}", "/apiVersion", NULL },
		{ "empty prefix", COMPONENT, "{'apiVersion':'/v1alpha1'}", "/apiVersion", NULL },
		{ "two slashes", COMPONENT, "{'apiVersion':'a/b/v1'}", "/apiVersion", NULL },
		{ "64-character version", COMPONENT, "{'apiVersion':'backstage.io/" S64 "'}",
		  "/apiVersion", NULL },
		/* Well-formed, but not one a built-in kind accepts. */
		{ "other version", COMPONENT, "{'apiVersion':'backstage.io/v1'}", "/apiVersion",
		  "Unsupported apiVersion" },
		{ "no prefix", COMPONENT, "{'apiVersion':'v1alpha1'}", "/apiVersion", NULL },
		{ "template version on a component", COMPONENT,
		  "{'apiVersion':'scaffolder.backstage.io/v1beta3'}", "/apiVersion", NULL },
		{ "template needs v1beta3", TEMPLATE, "{'apiVersion':'backstage.io/v1beta1'}",
		  "/apiVersion", NULL },
		{ "template v1beta2", TEMPLATE, "{'apiVersion':'scaffolder.backstage.io/v1beta2'}",
		  "/apiVersion", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__kind(void **state)
{
	static const struct vcase cases[] = {
		{ "missing", COMPONENT, "{'kind':'$delete'}", "/kind", NULL },
		{ "number", COMPONENT, "{'kind':3}", "/kind", NULL },
		{ "empty", COMPONENT, "{'kind':''}", "/kind", NULL },
		{ "starts with a digit", COMPONENT, "{'kind':'1Component'}", "/kind", NULL },
		{ "dash", COMPONENT, "{'kind':'Comp-onent'}", "/kind", NULL },
		{ "64 characters", COMPONENT, "{'kind':'A" S63 "'}", "/kind", NULL },
		/* Well-formed kinds that no processor knows. */
		{ "63 characters, unknown", COMPONENT, "{'kind':'A" S60 "ab'}", "/kind",
		  "no processor recognized the entity" },
		{ "lower-case built-in", COMPONENT, "{'kind':'component'}", "/kind", NULL },
		{ "custom", COMPONENT, "{'apiVersion':'example.com/v1','kind':'Widget'}", "/kind", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__name(void **state)
{
	static const struct vcase cases[] = {
		{ "one character", COMPONENT, "{'metadata':{'name':'a'}}", NULL, NULL },
		{ "upper case", COMPONENT, "{'metadata':{'name':'Billing2'}}", NULL, NULL },
		{ "inner separators", COMPONENT, "{'metadata':{'name':'a-b_c.d'}}", NULL, NULL },
		{ "63 characters", COMPONENT, "{'metadata':{'name':'" S63 "'}}", NULL, NULL },
		{ "64 characters", COMPONENT, "{'metadata':{'name':'" S64 "'}}", "/metadata/name",
		  "metadata.name" },
		{ "missing", COMPONENT, "{'metadata':{'name':'$delete'}}", "/metadata/name", NULL },
		{ "number", COMPONENT, "{'metadata':{'name':5}}", "/metadata/name", NULL },
		{ "empty", COMPONENT, "{'metadata':{'name':''}}", "/metadata/name", NULL },
		{ "leading dash", COMPONENT, "{'metadata':{'name':'-a'}}", "/metadata/name", NULL },
		{ "trailing dash", COMPONENT, "{'metadata':{'name':'a-'}}", "/metadata/name", NULL },
		{ "leading underscore", COMPONENT, "{'metadata':{'name':'_a'}}", "/metadata/name", NULL },
		{ "trailing dot", COMPONENT, "{'metadata':{'name':'a.'}}", "/metadata/name", NULL },
		{ "space", COMPONENT, "{'metadata':{'name':'a b'}}", "/metadata/name", NULL },
		{ "slash", COMPONENT, "{'metadata':{'name':'a/b'}}", "/metadata/name", NULL },
		{ "non-ASCII", COMPONENT, "{'metadata':{'name':'na\u00efve'}}", "/metadata/name", NULL },
		{ "metadata not an object", COMPONENT, "{'metadata':'billing'}", "/metadata", NULL },
		{ "metadata missing", COMPONENT, "{'metadata':'$delete'}", "/metadata", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__namespace(void **state)
{
	static const struct vcase cases[] = {
		{ "label", COMPONENT, "{'metadata':{'namespace':'team-a'}}", NULL, NULL },
		{ "double dash", COMPONENT, "{'metadata':{'namespace':'a--b'}}", NULL, NULL },
		{ "digits", COMPONENT, "{'metadata':{'namespace':'0a9'}}", NULL, NULL },
		{ "63 characters", COMPONENT, "{'metadata':{'namespace':'" S63 "'}}", NULL, NULL },
		{ "64 characters", COMPONENT, "{'metadata':{'namespace':'" S64 "'}}",
		  "/metadata/namespace", "metadata.namespace" },
		{ "upper case", COMPONENT, "{'metadata':{'namespace':'Team-A'}}", "/metadata/namespace",
		  NULL },
		{ "leading dash", COMPONENT, "{'metadata':{'namespace':'-a'}}", "/metadata/namespace",
		  NULL },
		{ "trailing dash", COMPONENT, "{'metadata':{'namespace':'a-'}}", "/metadata/namespace",
		  NULL },
		{ "dot", COMPONENT, "{'metadata':{'namespace':'a.b'}}", "/metadata/namespace", NULL },
		{ "underscore", COMPONENT, "{'metadata':{'namespace':'a_b'}}", "/metadata/namespace",
		  NULL },
		{ "empty", COMPONENT, "{'metadata':{'namespace':''}}", "/metadata/namespace", NULL },
		{ "number", COMPONENT, "{'metadata':{'namespace':3}}", "/metadata/namespace", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__title_and_description(void **state)
{
	static const struct vcase cases[] = {
		{ "title", COMPONENT, "{'metadata':{'title':'Billing API'}}", NULL, NULL },
		{ "empty description", COMPONENT, "{'metadata':{'description':''}}", NULL, NULL },
		{ "empty title", COMPONENT, "{'metadata':{'title':''}}", "/metadata/title", NULL },
		{ "number title", COMPONENT, "{'metadata':{'title':5}}", "/metadata/title", NULL },
		{ "object description", COMPONENT, "{'metadata':{'description':{}}}",
		  "/metadata/description", NULL },
		{ "number description", COMPONENT, "{'metadata':{'description':1}}",
		  "/metadata/description", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__labels(void **state)
{
	static const struct vcase cases[] = {
		{ "plain", COMPONENT, "{'metadata':{'labels':{'tier':'gold'}}}", NULL, NULL },
		{ "prefixed key", COMPONENT, "{'metadata':{'labels':{'example.com/tier':'gold'}}}", NULL,
		  NULL },
		{ "empty value", COMPONENT, "{'metadata':{'labels':{'tier':''}}}", NULL, NULL },
		{ "63-character value", COMPONENT, "{'metadata':{'labels':{'tier':'" S63 "'}}}", NULL,
		  NULL },
		{ "value with separators", COMPONENT, "{'metadata':{'labels':{'tier':'a.b-c_d'}}}", NULL,
		  NULL },
		{ "64-character value", COMPONENT, "{'metadata':{'labels':{'tier':'" S64 "'}}}",
		  "/metadata/labels/tier", "metadata.labels" },
		{ "space in value", COMPONENT, "{'metadata':{'labels':{'tier':'has space'}}}",
		  "/metadata/labels/tier", NULL },
		{ "value ends in dash", COMPONENT, "{'metadata':{'labels':{'tier':'gold-'}}}",
		  "/metadata/labels/tier", NULL },
		{ "number value", COMPONENT, "{'metadata':{'labels':{'tier':5}}}",
		  "/metadata/labels/tier", NULL },
		{ "space in key", COMPONENT, "{'metadata':{'labels':{'bad key':'x'}}}",
		  "/metadata/labels/bad key", "invalid key" },
		{ "64-character key", COMPONENT, "{'metadata':{'labels':{'" S64 "':'x'}}}",
		  "/metadata/labels/" S64, NULL },
		{ "not an object", COMPONENT, "{'metadata':{'labels':['tier']}}", "/metadata/labels",
		  NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__label_key_prefix(void **state)
{
	static const struct vcase cases[] = {
		{ "subdomain prefix", COMPONENT, "{'metadata':{'labels':{'a.b-c.example.com/x':'y'}}}",
		  NULL, NULL },
		{ "upper-case prefix", COMPONENT, "{'metadata':{'labels':{'Example.com/x':'y'}}}", NULL,
		  "invalid key" },
		{ "empty prefix", COMPONENT, "{'metadata':{'labels':{'/x':'y'}}}", NULL, NULL },
		{ "empty name", COMPONENT, "{'metadata':{'labels':{'example.com/':'y'}}}", NULL, NULL },
		{ "two slashes", COMPONENT, "{'metadata':{'labels':{'a/b/c':'y'}}}", NULL, NULL },
		{ "empty label in prefix", COMPONENT, "{'metadata':{'labels':{'a..b/x':'y'}}}", NULL,
		  NULL },
	};

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(cases); i++) {
		struct sh_arena *a = sh_arena_new();
		struct sh_err err = { 0, "" };
		const char *pointer = NULL;
		json_t *e = entity(cases[i].base, cases[i].patch);
		int rc = catalog_entity_validate(e, a, &pointer, &err);

		if (i == 0) {
			assert_int_equal(rc, 0);
		} else {
			if (rc != SH_EINPUT)
				fail_msg("%s: expected an InputError", cases[i].name);
			/* The pointer names the labels map (the key itself may hold '/'). */
			assert_true(strncmp(pointer, "/metadata/labels", 16) == 0);
		}
		json_decref(e);
		sh_arena_free(a);
	}
}

static void test_catalog_validate__pointer_escapes_slash_in_keys(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct sh_err err = { 0, "" };
	const char *pointer = NULL;
	json_t *e = entity(COMPONENT, "{'metadata':{'labels':{'example.com/tier':'not valid'}}}");

	(void)state;
	assert_int_equal(catalog_entity_validate(e, a, &pointer, &err), SH_EINPUT);
	assert_non_null(pointer);
	assert_true(strncmp(pointer, "/metadata/labels/", 17) == 0);
	assert_string_equal(pointer, "/metadata/labels/example.com~1tier");

	json_decref(e);
	sh_arena_free(a);
}

static void test_catalog_validate__annotations(void **state)
{
	static const struct vcase cases[] = {
		{ "prefixed", COMPONENT,
		  "{'metadata':{'annotations':{'backstage.io/techdocs-ref':'dir:.'}}}", NULL, NULL },
		{ "any string value", COMPONENT,
		  "{'metadata':{'annotations':{'example.com/note':'Any text: with spaces / and more!'}}}",
		  NULL, NULL },
		{ "empty value", COMPONENT, "{'metadata':{'annotations':{'note':''}}}", NULL, NULL },
		{ "number value", COMPONENT, "{'metadata':{'annotations':{'note':1}}}",
		  "/metadata/annotations/note", NULL },
		{ "space in key", COMPONENT, "{'metadata':{'annotations':{'bad key':'x'}}}",
		  "/metadata/annotations/bad key", "invalid key" },
		{ "not an object", COMPONENT, "{'metadata':{'annotations':'x'}}",
		  "/metadata/annotations", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__tags(void **state)
{
	static const struct vcase cases[] = {
		{ "simple", COMPONENT, "{'metadata':{'tags':['java','go-lang','v2']}}", NULL, NULL },
		{ "colon, plus, hash", COMPONENT, "{'metadata':{'tags':['c++','c#','team:pay','a:b-c+d']}}",
		  NULL, NULL },
		{ "63 characters", COMPONENT, "{'metadata':{'tags':['" S63 "']}}", NULL, NULL },
		{ "empty list", COMPONENT, "{'metadata':{'tags':[]}}", NULL, NULL },
		{ "64 characters", COMPONENT, "{'metadata':{'tags':['" S64 "']}}", "/metadata/tags/0",
		  "invalid tag" },
		{ "upper case", COMPONENT, "{'metadata':{'tags':['Java']}}", "/metadata/tags/0", NULL },
		{ "double hyphen", COMPONENT, "{'metadata':{'tags':['a--b']}}", "/metadata/tags/0", NULL },
		{ "leading hyphen", COMPONENT, "{'metadata':{'tags':['-a']}}", "/metadata/tags/0", NULL },
		{ "trailing hyphen", COMPONENT, "{'metadata':{'tags':['a-']}}", "/metadata/tags/0", NULL },
		{ "space", COMPONENT, "{'metadata':{'tags':['a b']}}", "/metadata/tags/0", NULL },
		{ "underscore", COMPONENT, "{'metadata':{'tags':['a_b']}}", "/metadata/tags/0", NULL },
		{ "empty", COMPONENT, "{'metadata':{'tags':['']}}", "/metadata/tags/0", NULL },
		{ "number", COMPONENT, "{'metadata':{'tags':[5]}}", "/metadata/tags/0", NULL },
		{ "second item", COMPONENT, "{'metadata':{'tags':['ok','Not']}}", "/metadata/tags/1",
		  NULL },
		{ "not a list", COMPONENT, "{'metadata':{'tags':'java'}}", "/metadata/tags", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__links(void **state)
{
	static const struct vcase cases[] = {
		{ "full", COMPONENT, "{'metadata':{'links':[{'url':'https://dash.example.com/x?y=1',"
		  "'title':'Dashboard','icon':'dashboard','type':'admin'}]}}", NULL, NULL },
		{ "mailto", COMPONENT, "{'metadata':{'links':[{'url':'mailto:team@example.com'}]}}", NULL,
		  NULL },
		{ "empty list", COMPONENT, "{'metadata':{'links':[]}}", NULL, NULL },
		{ "relative path", COMPONENT, "{'metadata':{'links':[{'url':'/docs'}]}}",
		  "/metadata/links/0", "absolute URL" },
		{ "host only", COMPONENT, "{'metadata':{'links':[{'url':'example.com'}]}}",
		  "/metadata/links/0", NULL },
		{ "scheme only", COMPONENT, "{'metadata':{'links':[{'url':'https:'}]}}",
		  "/metadata/links/0", NULL },
		{ "empty url", COMPONENT, "{'metadata':{'links':[{'url':''}]}}", "/metadata/links/0",
		  NULL },
		{ "no url", COMPONENT, "{'metadata':{'links':[{'title':'x'}]}}", "/metadata/links/0",
		  NULL },
		{ "number url", COMPONENT, "{'metadata':{'links':[{'url':5}]}}", "/metadata/links/0",
		  NULL },
		{ "second link", COMPONENT, "{'metadata':{'links':[{'url':'https://a'},{'url':'b'}]}}",
		  "/metadata/links/1", NULL },
		{ "link not an object", COMPONENT, "{'metadata':{'links':['https://a']}}",
		  "/metadata/links/0", NULL },
		{ "empty title", COMPONENT, "{'metadata':{'links':[{'url':'https://a','title':''}]}}",
		  "/metadata/links/0", "title" },
		{ "number icon", COMPONENT, "{'metadata':{'links':[{'url':'https://a','icon':1}]}}",
		  "/metadata/links/0", "icon" },
		{ "empty type", COMPONENT, "{'metadata':{'links':[{'url':'https://a','type':''}]}}",
		  "/metadata/links/0", "type" },
		{ "not a list", COMPONENT, "{'metadata':{'links':{'url':'https://a'}}}",
		  "/metadata/links", NULL },
		{ "no host", COMPONENT, "{'metadata':{'links':[{'url':'https://'}]}}",
		  "/metadata/links/0", NULL },

	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__root_fields(void **state)
{
	static const struct vcase cases[] = {
		{ "unknown", COMPONENT, "{'extra':1}", "/extra", "Unknown field extra" },
		{ "relations", COMPONENT, "{'relations':[]}", "/relations", "Unknown field relations" },
		{ "status", COMPONENT, "{'status':{}}", "/status", NULL },
		{ "case of a known field", COMPONENT, "{'Spec':{}}", "/Spec", NULL },
		{ "spec missing", COMPONENT, "{'spec':'$delete'}", "/spec", NULL },
		{ "spec not an object", COMPONENT, "{'spec':'x'}", "/spec", NULL },
	};
	struct sh_arena *a = sh_arena_new();
	struct sh_err err = { 0, "" };
	const char *pointer = "unset";
	json_t *arr = json_array();

	(void)state;
	RUN(cases);
	/* Not an object at all. */
	assert_int_equal(catalog_entity_validate(arr, a, &pointer, &err), SH_EINPUT);
	assert_string_equal(pointer, "");
	/* The pointer argument is optional. */
	assert_int_equal(catalog_entity_validate(arr, a, NULL, &err), SH_EINPUT);
	json_decref(arr);
	sh_arena_free(a);
}

static void test_catalog_validate__keys_differing_only_in_case(void **state)
{
	static const char *const patches[] = {
		"{'spec':{'Foo':1,'foo':2}}",
		"{'metadata':{'annotations':{'note':'a','Note':'b'}}}",
		"{'spec':{'deep':{'x':{'Key':1,'kEy':2}}}}",
		"{'spec':{'list':[{'a':1},{'b':1,'B':2}]}}",
	};
	static const char *const where[] = { "/spec", "/metadata/annotations", "/spec/deep/x",
		"/spec/list/1" };

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(patches); i++) {
		struct sh_arena *a = sh_arena_new();
		struct sh_err err = { 0, "" };
		const char *pointer = NULL;
		json_t *e = entity(COMPONENT, patches[i]);

		if (catalog_entity_validate(e, a, &pointer, &err) != SH_EINPUT)
			fail_msg("%s: expected an InputError", patches[i]);
		assert_non_null(strstr(err.msg, "duplicate keys that vary only in casing"));
		assert_non_null(pointer);
		assert_true(strncmp(pointer, where[i], strlen(where[i])) == 0);

		(void)where;
		json_decref(e);
		sh_arena_free(a);
	}
}

static void test_catalog_validate__component_spec(void **state)
{
	static const struct vcase cases[] = {
		{ "no type", COMPONENT, "{'spec':{'type':'$delete'}}", "/spec", "spec.type" },
		{ "no lifecycle", COMPONENT, "{'spec':{'lifecycle':'$delete'}}", "/spec",
		  "spec.lifecycle" },
		{ "no owner", COMPONENT, "{'spec':{'owner':'$delete'}}", "/spec", "spec.owner" },
		{ "empty type", COMPONENT, "{'spec':{'type':''}}", "/spec/type", NULL },
		{ "number owner", COMPONENT, "{'spec':{'owner':5}}", "/spec/owner", NULL },
		{ "list lifecycle", COMPONENT, "{'spec':{'lifecycle':['x']}}", "/spec/lifecycle", NULL },
		{ "list system", COMPONENT, "{'spec':{'system':[]}}", "/spec/system", NULL },
		{ "number subcomponentOf", COMPONENT, "{'spec':{'subcomponentOf':1}}",
		  "/spec/subcomponentOf", NULL },
		{ "string providesApis", COMPONENT, "{'spec':{'providesApis':'a'}}",
		  "/spec/providesApis", NULL },
		{ "empty item in consumesApis", COMPONENT, "{'spec':{'consumesApis':['a','']}}",
		  "/spec/consumesApis", NULL },
		{ "number in dependsOn", COMPONENT, "{'spec':{'dependsOn':[5]}}", "/spec/dependsOn",
		  NULL },
		{ "object in dependencyOf", COMPONENT, "{'spec':{'dependencyOf':[{}]}}",
		  "/spec/dependencyOf", NULL },
		{ "free-form extra field", COMPONENT, "{'spec':{'replicas':3}}", NULL, NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__api_spec(void **state)
{
	static const struct vcase cases[] = {
		{ "no definition", API, "{'spec':{'definition':'$delete'}}", "/spec", "spec.definition" },
		{ "no type", API, "{'spec':{'type':'$delete'}}", "/spec", "spec.type" },
		{ "no lifecycle", API, "{'spec':{'lifecycle':'$delete'}}", "/spec", "spec.lifecycle" },
		{ "no owner", API, "{'spec':{'owner':'$delete'}}", "/spec", "spec.owner" },
		{ "number system", API, "{'spec':{'system':1}}", "/spec/system", NULL },
		{ "mcp-server with remotes", API, "{'spec':{'type':'mcp-server','definition':'$delete',"
		  "'remotes':[{'type':'streamable-http','url':'https://mcp.example.com/mcp'}]}}",
		  NULL, NULL },
		{ "mcp-server without remotes", API,
		  "{'spec':{'type':'mcp-server','definition':'$delete'}}", "/spec", "remotes" },
		{ "mcp-server with no remotes", API,
		  "{'spec':{'type':'mcp-server','definition':'$delete','remotes':[]}}", "/spec",
		  "remotes" },
		{ "other type still needs definition", API,
		  "{'spec':{'type':'grpc','definition':'$delete','remotes':[{'type':'x','url':'y'}]}}",
		  "/spec", "spec.definition" },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__resource_system_domain_spec(void **state)
{
	static const struct vcase cases[] = {
		{ "resource no type", RESOURCE, "{'spec':{'type':'$delete'}}", "/spec", "spec.type" },
		{ "resource no owner", RESOURCE, "{'spec':{'owner':'$delete'}}", "/spec", "spec.owner" },
		{ "resource string dependsOn", RESOURCE, "{'spec':{'dependsOn':'x'}}",
		  "/spec/dependsOn", NULL },
		{ "resource number system", RESOURCE, "{'spec':{'system':2}}", "/spec/system", NULL },
		{ "system no owner", SYSTEM, "{'spec':{'owner':'$delete'}}", "/spec", "spec.owner" },
		{ "system domain and type", SYSTEM, "{'spec':{'domain':'fin','type':'product'}}", NULL,
		  NULL },
		{ "system number domain", SYSTEM, "{'spec':{'domain':1}}", "/spec/domain", NULL },
		{ "domain no owner", DOMAIN, "{'spec':{'owner':'$delete'}}", "/spec", "spec.owner" },
		{ "domain subdomainOf", DOMAIN, "{'spec':{'subdomainOf':'root'}}", NULL, NULL },
		{ "domain empty subdomainOf", DOMAIN, "{'spec':{'subdomainOf':''}}", "/spec/subdomainOf",
		  NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__group_and_user_spec(void **state)
{
	static const struct vcase cases[] = {
		{ "group full", GROUP, "{'spec':{'parent':'eng','children':['a','b'],'members':['jdoe'],"
		  "'profile':{'displayName':'Team A','email':'a@example.com','picture':'https://p'}}}",
		  NULL, NULL },
		{ "group no type", GROUP, "{'spec':{'type':'$delete'}}", "/spec", "spec.type" },
		{ "group no children", GROUP, "{'spec':{'children':'$delete'}}", "/spec",
		  "spec.children" },
		{ "group string children", GROUP, "{'spec':{'children':'a'}}", "/spec/children", NULL },
		{ "group number parent", GROUP, "{'spec':{'parent':1}}", "/spec/parent", NULL },
		{ "group number member", GROUP, "{'spec':{'members':[1]}}", "/spec/members", NULL },
		{ "group string profile", GROUP, "{'spec':{'profile':'x'}}", "/spec/profile", NULL },
		{ "user memberOf", USER, "{'spec':{'memberOf':['team-a'],'profile':{}}}", NULL, NULL },
		{ "user no memberOf", USER, "{'spec':{'memberOf':'$delete'}}", "/spec", "spec.memberOf" },
		{ "user string memberOf", USER, "{'spec':{'memberOf':'team-a'}}", "/spec/memberOf", NULL },
		{ "user list profile", USER, "{'spec':{'profile':[]}}", "/spec/profile", NULL },
	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__location_spec(void **state)
{
	static const struct vcase cases[] = {
		{ "targets", LOCATION, "{'spec':{'type':'url','targets':['https://a/b.yaml'],"
		  "'presence':'optional'}}", NULL, NULL },
		{ "required", LOCATION, "{'spec':{'presence':'required'}}", NULL, NULL },
		{ "other presence", LOCATION, "{'spec':{'presence':'sometimes'}}", "/spec/presence",
		  NULL },
		{ "number presence", LOCATION, "{'spec':{'presence':1}}", "/spec/presence", NULL },
		{ "number target", LOCATION, "{'spec':{'target':5}}", "/spec/target", NULL },
		{ "string targets", LOCATION, "{'spec':{'targets':'x'}}", "/spec/targets", NULL },
		{ "empty type", LOCATION, "{'spec':{'type':''}}", "/spec/type", NULL },
		{ "null presence", LOCATION, "{'spec':{'presence':null}}", "/spec/presence", NULL },

	};

	(void)state;
	RUN(cases);
}

static void test_catalog_validate__template_spec(void **state)
{
	static const struct vcase cases[] = {
		{ "parameters list", TEMPLATE, "{'spec':{'parameters':[{'title':'x'}],'owner':'team-a',"
		  "'lifecycle':'production','output':{'links':[]}}}", NULL, NULL },
		{ "parameters object", TEMPLATE, "{'spec':{'parameters':{'title':'x'}}}", NULL, NULL },
		{ "no type", TEMPLATE, "{'spec':{'type':'$delete'}}", "/spec", "spec.type" },
		{ "no steps", TEMPLATE, "{'spec':{'steps':'$delete'}}", "/spec", "spec.steps" },
		{ "empty steps", TEMPLATE, "{'spec':{'steps':[]}}", NULL, NULL },
		{ "steps not a list", TEMPLATE, "{'spec':{'steps':{'action':'x'}}}", "/spec/steps", NULL },
		{ "step without action", TEMPLATE, "{'spec':{'steps':[{'id':'x'}]}}", "/spec/steps/0",
		  "action" },
		{ "second step without action", TEMPLATE,
		  "{'spec':{'steps':[{'action':'fetch:plain'},{'action':3}]}}", "/spec/steps/1", NULL },
		{ "step not an object", TEMPLATE, "{'spec':{'steps':['fetch:plain']}}", "/spec/steps/0",
		  NULL },
		{ "string parameters", TEMPLATE, "{'spec':{'parameters':'x'}}", "/spec/parameters", NULL },
		{ "list output", TEMPLATE, "{'spec':{'output':[]}}", "/spec/output", NULL },
		{ "number owner", TEMPLATE, "{'spec':{'owner':1}}", "/spec/owner", NULL },
	};

	(void)state;
	RUN(cases);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_validate__every_kind_minimal_is_valid),
		cmocka_unit_test(test_catalog_validate__api_version),
		cmocka_unit_test(test_catalog_validate__kind),
		cmocka_unit_test(test_catalog_validate__name),
		cmocka_unit_test(test_catalog_validate__namespace),
		cmocka_unit_test(test_catalog_validate__title_and_description),
		cmocka_unit_test(test_catalog_validate__labels),
		cmocka_unit_test(test_catalog_validate__label_key_prefix),
		cmocka_unit_test(test_catalog_validate__pointer_escapes_slash_in_keys),
		cmocka_unit_test(test_catalog_validate__annotations),
		cmocka_unit_test(test_catalog_validate__tags),
		cmocka_unit_test(test_catalog_validate__links),
		cmocka_unit_test(test_catalog_validate__root_fields),
		cmocka_unit_test(test_catalog_validate__keys_differing_only_in_case),
		cmocka_unit_test(test_catalog_validate__component_spec),
		cmocka_unit_test(test_catalog_validate__api_spec),
		cmocka_unit_test(test_catalog_validate__resource_system_domain_spec),
		cmocka_unit_test(test_catalog_validate__group_and_user_spec),
		cmocka_unit_test(test_catalog_validate__location_spec),
		cmocka_unit_test(test_catalog_validate__template_spec),
	};
	RUN_TESTS(tests, argc, argv);
}
