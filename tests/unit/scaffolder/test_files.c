/* Workspace paths, globs, and the YAML that catalog:write emits. */
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "../../../src/scaffolder/internal.h"
#include "stagehand/yaml.h"

static void test_files__paths_stay_inside_the_workspace(void **state)
{
	struct sh_err err;
	char *p;

	(void)state;
	p = path_inside("/ws", "./a//b/./c.txt", &err);
	assert_string_equal(p, "/ws/a/b/c.txt");
	free(p);
	p = path_inside("/ws", "./", &err);
	assert_string_equal(p, "/ws");
	free(p);
	assert_null(path_inside("/ws", "../etc/passwd", &err));
	assert_int_equal(err.code, SH_EINPUT);
	assert_null(path_inside("/ws", "a/../../x", &err));
	assert_null(path_inside("/ws", "/etc/passwd", &err));
	p = path_inside("/ws", "a..b/..c", &err); /* dots inside names are fine */
	assert_string_equal(p, "/ws/a..b/..c");
	free(p);
}

static void test_files__globs_match_like_the_scaffolder(void **state)
{
	(void)state;
	assert_true(glob_match("*.png", "logo.png"));
	assert_false(glob_match("*.png", "img/logo.png"));
	assert_true(glob_match("**/*.png", "img/deep/logo.png"));
	assert_true(glob_match("**/*.png", "logo.png"));
	assert_true(glob_match("static/**", "static/a/b.js"));
	assert_true(glob_match("./static/**", "static/x"));
	assert_true(glob_match(".github/workflows/*.yml", ".github/workflows/ci.yml"));
	assert_true(glob_match("file-[0-9].txt", "file-7.txt"));
	assert_false(glob_match("file-[!0-9].txt", "file-7.txt"));
	assert_true(glob_match("?.md", "a.md"));
	assert_false(glob_match("?.md", "/.md"));
	assert_false(glob_match("a*b", "a/b"));
}

static char *emit(const char *json)
{
	struct sh_buf b = SH_BUF_INIT;
	json_t *v = json_loads(json, 0, NULL);

	yaml_emit(&b, v);
	json_decref(v);
	return sh_buf_detach(&b);
}

static void test_files__yaml_emit_round_trips(void **state)
{
	const char *doc = "{\"apiVersion\":\"backstage.io/v1alpha1\",\"kind\":\"Component\","
		"\"metadata\":{\"name\":\"demo\",\"description\":\"a: b # c\",\"tags\":[\"x\",\"true\",\"1.5\"],"
		"\"annotations\":{\"backstage.io/source-template\":\"template:default/t\"},\"empty\":{},"
		"\"none\":[]},\"spec\":{\"type\":\"service\",\"replicas\":3,\"on\":true,\"owner\":null,"
		"\"list\":[{\"a\":1,\"b\":[1,2]},[3,4],\"-dash\"],\"multi\":\"line1\\nline2\"}}";
	char *text = emit(doc);
	json_t *back = NULL, *orig = json_loads(doc, 0, NULL);
	struct sh_err err;

	assert_int_equal(yaml_parse(&back, NULL, text, strlen(text), "emitted", NULL, &err), 0);
	assert_true(json_equal(json_array_get(back, 0), orig));
	assert_non_null(strstr(text, "kind: Component\n"));
	assert_non_null(strstr(text, "  name: demo\n"));
	json_decref(back);
	json_decref(orig);
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files__paths_stay_inside_the_workspace),
		cmocka_unit_test(test_files__globs_match_like_the_scaffolder),
		cmocka_unit_test(test_files__yaml_emit_round_trips),
	};
	RUN_TESTS(tests, argc, argv);
}
