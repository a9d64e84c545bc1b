/* Building a site: pages in nav order with titles, urls and neighbours,
 * assets, metadata, a log that names what was left out, and a source hash
 * that changes exactly when the sources do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../harness.h"
#include "../../../src/techdocs/internal.h"

#define SITE SH_FIXTURES "/techdocs/site"

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static bool log_has(const json_t *log, const char *needle)
{
	const json_t *l;
	size_t i;

	json_array_foreach(log, i, l)
		if (strstr(json_string_value(l), needle) != NULL)
			return true;
	return false;
}

static void test_build__pages_in_nav_order_with_neighbours(void **state)
{
	struct site s;
	struct sh_err err;
	const json_t *p;

	(void)state;
	assert_int_equal(site_build(&s, SITE, "fallback", NULL, &err), 0);
	assert_int_equal(json_array_size(s.pages), 3);
	p = json_array_get(s.pages, 0);
	assert_string_equal(str(p, "source"), "index.md");
	assert_string_equal(str(p, "url"), "");
	assert_string_equal(str(p, "title"), "Payments");
	assert_true(json_is_null(json_object_get(p, "prev")));
	assert_string_equal(str(p, "next"), "guides/setup/");
	assert_non_null(strstr(str(p, "html"), "href=\"guides/setup/#install\""));
	p = json_array_get(s.pages, 1);
	assert_string_equal(str(p, "url"), "guides/setup/");
	assert_string_equal(str(p, "title"), "Setting up");
	assert_string_equal(str(p, "prev"), "");
	assert_string_equal(str(p, "next"), "unlisted/");
	p = json_array_get(s.pages, 2); /* not in the nav: built, last */
	assert_string_equal(str(p, "source"), "unlisted.md");
	assert_string_equal(str(p, "title"), "Unlisted");
	/* the nav: titles filled in, the missing page dropped, the link kept */
	assert_string_equal(str(json_array_get(json_object_get(json_array_get(s.nav, 1), "children"), 0),
		"title"), "Setting up");
	assert_int_equal(json_array_size(json_object_get(json_array_get(s.nav, 1), "children")), 1);
	assert_string_equal(str(json_array_get(s.nav, 2), "url"), "https://status.example.com");
	assert_true(log_has(s.log, "the nav names guides/missing.md, which is not in the docs"));
	assert_true(log_has(s.log, "plugin \"mermaid2\" is not supported"));
	/* a broken page: its problems named by file and line, the page built */
	assert_true(log_has(s.log, "unlisted.md:3: link 'old-guide.md' points to a page that does not exist"));
	assert_true(log_has(s.log, "unlisted.md:5: unknown admonition type 'bogus'"));
	assert_string_equal(str(json_array_get(s.assets, 0), "path"), "img/arch.png");
	assert_string_equal(str(s.metadata, "site_name"), "Payments service");
	assert_string_equal(str(s.metadata, "site_description"), "How payments work");
	assert_string_equal(str(s.metadata, "engine"), "mkdocs");
	assert_true(json_integer_value(json_object_get(s.metadata, "build_timestamp")) > 0);
	assert_int_equal(strlen(s.source_hash), 64);
	site_dispose(&s);
}

static void test_build__the_hash_follows_the_sources(void **state)
{
	char tmpl[] = "/tmp/stagehand-site-XXXXXX", *dir = mkdtemp(tmpl), cmd[512];
	struct site a, b, c;
	struct sh_err err;
	FILE *f;

	(void)state;
	snprintf(cmd, sizeof(cmd), "cp -r %s/. %s/", SITE, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(site_build(&a, dir, "x", NULL, &err), 0);
	assert_false(a.unchanged);
	/* Unchanged sources: hashed, not rendered. */
	assert_int_equal(site_build(&b, dir, "x", a.source_hash, &err), 0);
	assert_string_equal(a.source_hash, b.source_hash);
	assert_true(b.unchanged);
	assert_null(b.pages);
	snprintf(cmd, sizeof(cmd), "%s/docs/img/arch.png", dir);
	f = fopen(cmd, "ab");
	fputc('!', f);
	fclose(f);
	assert_int_equal(site_build(&c, dir, "x", a.source_hash, &err), 0);
	assert_string_not_equal(a.source_hash, c.source_hash);
	assert_false(c.unchanged);
	assert_non_null(c.pages);
	site_dispose(&a);
	site_dispose(&b);
	site_dispose(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_build__without_mkdocs_yml_or_pages(void **state)
{
	char tmpl[] = "/tmp/stagehand-site-XXXXXX", *dir = mkdtemp(tmpl), path[512];
	struct site s;
	struct sh_err err;
	FILE *f;

	(void)state;
	assert_int_equal(site_build(&s, dir, "My entity", NULL, &err), SH_EINPUT);
	assert_string_equal(err.msg, "the docs folder docs does not exist");
	snprintf(path, sizeof(path), "%s/docs", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(site_build(&s, dir, "My entity", NULL, &err), SH_EINPUT);
	assert_string_equal(err.msg, "docs has no Markdown pages");
	snprintf(path, sizeof(path), "%s/docs/index.md", dir);
	f = fopen(path, "w");
	fputs("# Hello\n", f);
	fclose(f);
	assert_int_equal(site_build(&s, dir, "My entity", NULL, &err), 0);
	assert_string_equal(str(s.metadata, "site_name"), "My entity");
	assert_string_equal(str(s.metadata, "site_description"), "None");
	site_dispose(&s);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build__pages_in_nav_order_with_neighbours),
		cmocka_unit_test(test_build__the_hash_follows_the_sources),
		cmocka_unit_test(test_build__without_mkdocs_yml_or_pages),
	};
	RUN_TESTS(tests, argc, argv);
}
