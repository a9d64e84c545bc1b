#include <jansson.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/yaml.h"

static json_t *parse_one(const char *text)
{
	json_t *docs = NULL;
	struct sh_err err = { 0, "" };
	int rc = yaml_parse(&docs, NULL, text, strlen(text), "t.yaml", NULL, &err);

	if (rc != 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_int_equal(json_array_size(docs), 1);
	json_t *doc = json_incref(json_array_get(docs, 0));
	json_decref(docs);
	return doc;
}

static int parse_err(const char *text, const struct yaml_limits *lim, struct sh_err *err)
{
	json_t *docs = NULL;
	int rc = yaml_parse(&docs, NULL, text, strlen(text), "t.yaml", lim, err);

	assert_null(docs);
	return rc;
}

static void test_util_yaml__core_schema_scalars(void **state)
{
	json_t *d = parse_one(
		"a: yes\nb: on\nc: no\nd: true\ne: False\nf: 1.0\ng: 42\nh: -7\n"
		"i: 0x1f\nj: 0o17\nk: ~\nl: null\nm: '42'\nn: \"true\"\no: 1e3\np: .inf\n"
		"q: 012\nr: !!str 5\ns:\n");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(d, "a")), "yes");
	assert_string_equal(json_string_value(json_object_get(d, "b")), "on");
	assert_string_equal(json_string_value(json_object_get(d, "c")), "no");
	assert_true(json_is_true(json_object_get(d, "d")));
	assert_true(json_is_false(json_object_get(d, "e")));
	assert_true(json_is_real(json_object_get(d, "f")));
	assert_int_equal(json_integer_value(json_object_get(d, "g")), 42);
	assert_int_equal(json_integer_value(json_object_get(d, "h")), -7);
	assert_int_equal(json_integer_value(json_object_get(d, "i")), 31);
	assert_int_equal(json_integer_value(json_object_get(d, "j")), 15);
	assert_true(json_is_null(json_object_get(d, "k")));
	assert_true(json_is_null(json_object_get(d, "l")));
	assert_string_equal(json_string_value(json_object_get(d, "m")), "42");
	assert_string_equal(json_string_value(json_object_get(d, "n")), "true");
	assert_true(json_real_value(json_object_get(d, "o")) == 1000.0);
	assert_string_equal(json_string_value(json_object_get(d, "p")), ".inf");
	assert_int_equal(json_integer_value(json_object_get(d, "q")), 12);
	assert_string_equal(json_string_value(json_object_get(d, "r")), "5");
	assert_true(json_is_null(json_object_get(d, "s")));
	json_decref(d);
}

static void test_util_yaml__multi_document_skips_empty(void **state)
{
	const char *text = "---\nkind: A\n---\n---\nkind: B\n...\n";
	json_t *docs = NULL;
	struct sh_err err;

	(void)state;
	assert_int_equal(yaml_parse(&docs, NULL, text, strlen(text), "t", NULL, &err), 0);
	assert_int_equal(json_array_size(docs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(docs, 1), "kind")), "B");
	json_decref(docs);
}

static void test_util_yaml__anchors_and_aliases(void **state)
{
	json_t *d = parse_one("base: &b {x: 1, y: [1, 2]}\ncopy: *b\n");

	(void)state;
	assert_true(json_equal(json_object_get(d, "base"), json_object_get(d, "copy")));
	/* Copies are independent values. */
	assert_ptr_not_equal(json_object_get(d, "base"), json_object_get(d, "copy"));
	json_decref(d);
}

static void test_util_yaml__merge_key_is_plain(void **state)
{
	json_t *d = parse_one("a: &a {x: 1}\nb:\n  <<: *a\n");

	(void)state;
	assert_non_null(json_object_get(json_object_get(d, "b"), "<<"));
	json_decref(d);
}

static void test_util_yaml__billion_laughs_is_an_error(void **state)
{
	const char *text =
		"a: &a [x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
		"h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
		"i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err(text, NULL, &err), SH_EINPUT);
	assert_non_null(strstr(err.msg, "limit"));
}

static void test_util_yaml__depth_limit(void **state)
{
	struct yaml_limits lim = { 1 << 20, 8, 1000 };
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err("[[[[[[[[[[1]]]]]]]]]]", &lim, &err), SH_EINPUT);
	assert_non_null(strstr(err.msg, "too deep"));
}

static void test_util_yaml__size_limit(void **state)
{
	struct yaml_limits lim = { 10, 8, 1000 };
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err("key: a long value\n", &lim, &err), SH_EINPUT);
}

static void test_util_yaml__duplicate_key_names_line(void **state)
{
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err("a: 1\nb: 2\na: 3\n", NULL, &err), SH_EINPUT);
	assert_string_equal(err.msg, "t.yaml:3: duplicate key \"a\"");
}

static void test_util_yaml__syntax_error_names_line(void **state)
{
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err("a: 1\nb: [1, 2\nc: 3\n", NULL, &err), SH_EINPUT);
	assert_true(strncmp(err.msg, "t.yaml:", 7) == 0);
}

static void test_util_yaml__unknown_alias(void **state)
{
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err("a: *nope\n", NULL, &err), SH_EINPUT);
	assert_non_null(strstr(err.msg, "unknown alias"));
}

static void test_util_yaml__line_map(void **state)
{
	const char *text = "kind: Component\nmetadata:\n  name: x\nspec:\n  owner: team\n  list:\n    - a\n    - b\n";
	json_t *docs = NULL, *lines = NULL;
	struct sh_err err;

	(void)state;
	assert_int_equal(yaml_parse(&docs, &lines, text, strlen(text), "t", NULL, &err), 0);
	json_t *l = json_array_get(lines, 0);
	assert_int_equal(yaml_line_of(l, "/kind"), 1);
	assert_int_equal(yaml_line_of(l, "/metadata/name"), 3);
	assert_int_equal(yaml_line_of(l, "/spec/owner"), 5);
	assert_int_equal(yaml_line_of(l, "/spec/list/1"), 8);
	assert_int_equal(yaml_line_of(l, "/spec/owner/missing/deeper"), 5);
	json_decref(docs);
	json_decref(lines);
}

static void test_util_yaml__numeric_keys_become_strings(void **state)
{
	json_t *d = parse_one("responses:\n  200: ok\n  true: yes\n");

	(void)state;
	assert_non_null(json_object_get(json_object_get(d, "responses"), "200"));
	assert_non_null(json_object_get(json_object_get(d, "responses"), "true"));
	json_decref(d);
}

static void test_util_yaml__collection_key_is_an_error(void **state)
{
	struct sh_err err;

	(void)state;
	assert_int_equal(parse_err("? [a, b]\n: c\n", NULL, &err), SH_EINPUT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_yaml__core_schema_scalars),
		cmocka_unit_test(test_util_yaml__multi_document_skips_empty),
		cmocka_unit_test(test_util_yaml__anchors_and_aliases),
		cmocka_unit_test(test_util_yaml__merge_key_is_plain),
		cmocka_unit_test(test_util_yaml__billion_laughs_is_an_error),
		cmocka_unit_test(test_util_yaml__depth_limit),
		cmocka_unit_test(test_util_yaml__size_limit),
		cmocka_unit_test(test_util_yaml__duplicate_key_names_line),
		cmocka_unit_test(test_util_yaml__syntax_error_names_line),
		cmocka_unit_test(test_util_yaml__unknown_alias),
		cmocka_unit_test(test_util_yaml__line_map),
		cmocka_unit_test(test_util_yaml__numeric_keys_become_strings),
		cmocka_unit_test(test_util_yaml__collection_key_is_an_error),
	};
	RUN_TESTS(tests, argc, argv);
}
