/* mkdocs.yml: settings, the nav in all its forms, what is refused and what
 * is only warned about, and the nav MkDocs makes when there is none. */
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "../../../src/techdocs/internal.h"

static int parse(struct mkdocs *m, const char *text, struct sh_err *err)
{
	return mkdocs_parse(m, text, strlen(text), "mkdocs.yml", "Fallback", err);
}

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

static void test_mkdocs__settings_and_nested_nav(void **state)
{
	struct mkdocs m;
	struct sh_err err;
	char *nav;

	(void)state;
	assert_int_equal(parse(&m, "site_name: Payments\nsite_description: How payments work\n"
		"repo_url: https://github.com/acme/payments\nedit_uri: edit/main/docs/\n"
		"nav:\n  - Home: index.md\n  - setup.md\n  - Guides:\n      - Ops:\n          - Runbook: guides/ops/runbook.md\n"
		"  - Site: https://example.com\n", &err), 0);
	assert_string_equal(m.site_name, "Payments");
	assert_string_equal(m.site_description, "How payments work");
	assert_string_equal(m.docs_dir, "docs");
	assert_string_equal(m.repo_url, "https://github.com/acme/payments");
	assert_string_equal(m.edit_uri, "edit/main/docs/");
	nav = dump(m.nav);
	assert_string_equal(nav, "[{\"title\":\"Home\",\"page\":\"index.md\"},{\"title\":null,\"page\":\"setup.md\"},"
		"{\"title\":\"Guides\",\"children\":[{\"title\":\"Ops\",\"children\":[{\"title\":\"Runbook\","
		"\"page\":\"guides/ops/runbook.md\"}]}]},{\"title\":\"Site\",\"url\":\"https://example.com\"}]");
	assert_int_equal(json_array_size(m.warnings), 0);
	free(nav);
	mkdocs_dispose(&m);
}

static void test_mkdocs__defaults_and_warnings(void **state)
{
	struct mkdocs m;
	struct sh_err err;

	(void)state;
	assert_int_equal(parse(&m, "plugins:\n  - techdocs-core\n  - mermaid2\n"
		"markdown_extensions:\n  - admonition\n  - toc: {permalink: true}\n  - pymdownx.emoji: {}\n", &err), 0);
	assert_string_equal(m.site_name, "Fallback");
	assert_null(m.site_description);
	assert_string_equal(m.docs_dir, "docs");
	assert_null(m.nav);
	assert_int_equal(json_array_size(m.warnings), 2);
	assert_string_equal(json_string_value(json_array_get(m.warnings, 0)),
		"plugin \"mermaid2\" is not supported and is ignored");
	assert_string_equal(json_string_value(json_array_get(m.warnings, 1)),
		"Markdown extension \"pymdownx.emoji\" is not supported and is ignored");
	mkdocs_dispose(&m);
	assert_int_equal(parse(&m, "", &err), 0); /* an empty file is a site with defaults */
	assert_string_equal(m.site_name, "Fallback");
	mkdocs_dispose(&m);
}

static void test_mkdocs__refuses_what_cannot_be_built(void **state)
{
	struct mkdocs m;
	struct sh_err err;

	(void)state;
	assert_int_equal(parse(&m, "site_name: x\ndocs_dir: ../secrets\n", &err), SH_EINPUT);
	assert_string_equal(err.msg, "mkdocs.yml:2: docs_dir \"../secrets\" must be a folder inside the site");
	assert_int_equal(parse(&m, "docs_dir: /etc\n", &err), SH_EINPUT);
	assert_int_equal(parse(&m, "nav:\n  - a: 1\n", &err), SH_EINPUT);
	assert_string_equal(err.msg, "mkdocs.yml:1: nav: \"a\" must be a page, a link or a list");
	assert_int_equal(parse(&m, "nav: index.md\n", &err), SH_EINPUT);
	assert_int_equal(parse(&m, "- just\n- a list\n", &err), SH_EINPUT);
	assert_int_equal(parse(&m, "site_name: [unclosed\n", &err), SH_EINPUT);
	assert_non_null(strstr(err.msg, "mkdocs.yml:"));
}

static void test_mkdocs__default_nav_orders_like_mkdocs(void **state)
{
	json_t *pages = json_pack("[sssssss]", "zeta.md", "guides/setup.md", "index.md",
		"guides/index.md", "alpha.md", "getting-started/ops/run.md", "guides/a.md");
	json_t *nav = mkdocs_default_nav(pages);
	char *text = dump(nav);

	(void)state;
	assert_string_equal(text, "[{\"title\":null,\"page\":\"index.md\"},{\"title\":null,\"page\":\"alpha.md\"},"
		"{\"title\":null,\"page\":\"zeta.md\"},{\"title\":\"Getting started\",\"children\":[{\"title\":\"Ops\","
		"\"children\":[{\"title\":null,\"page\":\"getting-started/ops/run.md\"}]}]},{\"title\":\"Guides\","
		"\"children\":[{\"title\":null,\"page\":\"guides/index.md\"},{\"title\":null,\"page\":\"guides/a.md\"},"
		"{\"title\":null,\"page\":\"guides/setup.md\"}]}]");
	free(text);
	json_decref(nav);
	json_decref(pages);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkdocs__settings_and_nested_nav),
		cmocka_unit_test(test_mkdocs__defaults_and_warnings),
		cmocka_unit_test(test_mkdocs__refuses_what_cannot_be_built),
		cmocka_unit_test(test_mkdocs__default_nav_orders_like_mkdocs),
	};
	RUN_TESTS(tests, argc, argv);
}
