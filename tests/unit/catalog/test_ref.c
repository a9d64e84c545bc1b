/* Entity references: "[kind:][namespace/]name" and the canonical string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/catalog.h"

static struct catalog_ref parse_ok(struct sh_arena *a, const char *s, const char *default_kind,
	const char *default_ns)
{
	struct catalog_ref r = { NULL, NULL, NULL };
	struct sh_err err = { 0, "" };

	if (catalog_ref_parse(&r, a, s, default_kind, default_ns, &err) != 0)
		fail_msg("%s: %s", s, err.msg);
	return r;
}

static void assert_ref(struct catalog_ref r, const char *kind, const char *ns, const char *name)
{
	assert_string_equal(r.kind, kind);
	assert_string_equal(r.namespace, ns);
	assert_string_equal(r.name, name);
}

static void test_catalog_ref__full_reference_keeps_case(void **state)
{
	struct sh_arena *a = sh_arena_new();

	(void)state;
	assert_ref(parse_ok(a, "Component:Team-A/Billing-API", NULL, NULL),
		"Component", "Team-A", "Billing-API");
	assert_ref(parse_ok(a, "group:default/ops", "User", "other"), "group", "default", "ops");
	sh_arena_free(a);
}

static void test_catalog_ref__missing_kind_takes_default(void **state)
{
	struct sh_arena *a = sh_arena_new();

	(void)state;
	assert_ref(parse_ok(a, "team-a/platform", "Group", "default"), "Group", "team-a", "platform");
	assert_ref(parse_ok(a, "platform", "Group", "team-b"), "Group", "team-b", "platform");
	sh_arena_free(a);
}

static void test_catalog_ref__missing_namespace_takes_default(void **state)
{
	struct sh_arena *a = sh_arena_new();

	(void)state;
	assert_ref(parse_ok(a, "api:payments", NULL, "team-a"), "api", "team-a", "payments");
	/* No namespace default at all: "default". */
	assert_ref(parse_ok(a, "api:payments", NULL, NULL), "api", "default", "payments");
	assert_ref(parse_ok(a, "payments", "API", NULL), "API", "default", "payments");
	sh_arena_free(a);
}

static void test_catalog_ref__slash_before_colon_means_no_kind(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct catalog_ref r;
	struct sh_err err = { 0, "" };

	(void)state;
	/* "ns/a:b" is namespace ns, name "a:b" — the colon belongs to the name. */
	assert_ref(parse_ok(a, "ns/a:b", "Component", NULL), "Component", "ns", "a:b");
	assert_int_equal(catalog_ref_parse(&r, a, "ns/a:b", NULL, NULL, &err), SH_EINPUT);
	assert_non_null(strstr(err.msg, "had missing or empty kind"));
	sh_arena_free(a);
}

static void test_catalog_ref__name_keeps_later_separators(void **state)
{
	struct sh_arena *a = sh_arena_new();

	(void)state;
	assert_ref(parse_ok(a, "k:ns/a:b", NULL, NULL), "k", "ns", "a:b");
	assert_ref(parse_ok(a, "k:a/b/c", NULL, NULL), "k", "a", "b/c");
	assert_ref(parse_ok(a, "k:a:b", NULL, NULL), "k", "default", "a:b");
	sh_arena_free(a);
}

static void test_catalog_ref__missing_kind_without_default_is_an_error(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct catalog_ref r;
	struct sh_err err = { 0, "" };

	(void)state;
	assert_int_equal(catalog_ref_parse(&r, a, "billing", NULL, "default", &err), SH_EINPUT);
	assert_int_equal(err.code, SH_EINPUT);
	assert_non_null(strstr(err.msg, "Entity reference \"billing\" had missing or empty kind"));
	assert_string_equal(err.msg, "Entity reference \"billing\" had missing or empty kind "
		"(e.g. did not start with \"component:\" or similar)");
	sh_arena_free(a);
}

static void test_catalog_ref__empty_parts_are_errors(void **state)
{
	static const struct {
		const char *ref;
		const char *default_kind;
		const char *backstage_message;
	} cases[] = {
		{ ":billing", "Component",
		  "Entity reference \":billing\" was not on the form [<kind>:][<namespace>/]<name>" },
		{ "component:/billing", NULL,
		  "Entity reference \"component:/billing\" was not on the form [<kind>:][<namespace>/]<name>" },
		{ "component:default/", NULL,
		  "Entity reference \"component:default/\" was not on the form [<kind>:][<namespace>/]<name>" },
		{ "component:", NULL,
		  "Entity reference \"component:\" was not on the form [<kind>:][<namespace>/]<name>" },
		{ "default/", "Component",
		  "Entity reference \"default/\" was not on the form [<kind>:][<namespace>/]<name>" },
		{ "/billing", "Component",
		  "Entity reference \"/billing\" was not on the form [<kind>:][<namespace>/]<name>" },
		{ "", "Component", "Entity reference must not be empty" },
	};
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(cases); i++) {
		struct catalog_ref r;
		struct sh_err err = { 0, "" };
		int rc = catalog_ref_parse(&r, a, cases[i].ref, cases[i].default_kind, NULL, &err);

		if (rc != SH_EINPUT)
			fail_msg("\"%s\": expected an InputError, got %d", cases[i].ref, rc);
		assert_int_equal(err.code, SH_EINPUT);
		assert_non_null(strstr(err.msg, "Entity reference"));
		assert_string_equal(err.msg, cases[i].backstage_message);
	}
	sh_arena_free(a);
}

static void test_catalog_ref__parts_do_not_borrow_from_the_input(void **state)
{
	static const char *const inputs[] = { "component:default/billing", "default/billing",
		"component:billing", "billing" };
	struct sh_arena *a = sh_arena_new();

	(void)state;
	for (size_t i = 0; i < SH_ARRAY_LEN(inputs); i++) {
		size_t n = strlen(inputs[i]);
		char *s = malloc(n + 1);
		uintptr_t lo = (uintptr_t)s, hi = lo + n + 1;
		struct catalog_ref r;

		memcpy(s, inputs[i], n + 1);
		r = parse_ok(a, s, "Component", "default");
		assert_false((uintptr_t)r.kind >= lo && (uintptr_t)r.kind < hi);
		assert_false((uintptr_t)r.namespace >= lo && (uintptr_t)r.namespace < hi);
		assert_false((uintptr_t)r.name >= lo && (uintptr_t)r.name < hi);

		memset(s, 'x', n);
		free(s);
		(void)hi;
	}
	sh_arena_free(a);
}

static void test_catalog_ref__string_is_lower_case(void **state)
{
	struct sh_arena *a = sh_arena_new();

	(void)state;
	assert_string_equal(catalog_ref_string(a, "Component", "Default", "Billing-API"),
		"component:default/billing-api");
	assert_string_equal(catalog_ref_string(a, "API", "team-a", "pay.v2_ext"),
		"api:team-a/pay.v2_ext");
	sh_arena_free(a);
}

static void test_catalog_ref__parse_then_string_round_trip(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct catalog_ref r = parse_ok(a, "Team-A/Platform", "Group", "default");

	(void)state;
	assert_string_equal(catalog_ref_string(a, r.kind, r.namespace, r.name),
		"group:team-a/platform");
	r = parse_ok(a, "user:jdoe", NULL, "ops");
	assert_string_equal(catalog_ref_string(a, r.kind, r.namespace, r.name), "user:ops/jdoe");
	sh_arena_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_ref__full_reference_keeps_case),
		cmocka_unit_test(test_catalog_ref__missing_kind_takes_default),
		cmocka_unit_test(test_catalog_ref__missing_namespace_takes_default),
		cmocka_unit_test(test_catalog_ref__slash_before_colon_means_no_kind),
		cmocka_unit_test(test_catalog_ref__name_keeps_later_separators),
		cmocka_unit_test(test_catalog_ref__missing_kind_without_default_is_an_error),
		cmocka_unit_test(test_catalog_ref__empty_parts_are_errors),
		cmocka_unit_test(test_catalog_ref__parts_do_not_borrow_from_the_input),
		cmocka_unit_test(test_catalog_ref__string_is_lower_case),
		cmocka_unit_test(test_catalog_ref__parse_then_string_round_trip),
	};
	RUN_TESTS(tests, argc, argv);
}
