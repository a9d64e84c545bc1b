/*
 * Location targets: resolving a Location entity's relative targets against
 * the location it came from (spec/catalog.md §6.1), and file globs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../harness.h"
#include "../../../src/catalog/internal.h"

struct resolve_case {
	const char *base;
	const char *target;
	const char *expected;
};

static void run_resolve(const char *type, const struct resolve_case *cases, size_t n)
{
	struct sh_arena *a = sh_arena_new();

	for (size_t i = 0; i < n; i++) {
		const char *got = resolve_target(a, type, cases[i].base, cases[i].target);
		if (strcmp(got, cases[i].expected) != 0)
			fail_msg("%s: %s against %s: got %s, expected %s", type, cases[i].target,
				cases[i].base, got, cases[i].expected);
	}
	sh_arena_free(a);
}

#define RESOLVE(type, cases) run_resolve(type, cases, SH_ARRAY_LEN(cases))

static void test_catalog_read__file_relative_to_the_folder(void **state)
{
	static const struct resolve_case cases[] = {
		{ "/srv/catalog/all.yaml", "./a.yaml", "/srv/catalog/a.yaml" },
		{ "/srv/catalog/all.yaml", "./teams/b.yaml", "/srv/catalog/teams/b.yaml" },
		{ "/srv/catalog/all.yaml", "../other/c.yaml", "/srv/other/c.yaml" },
		{ "/srv/catalog/all.yaml", "./sub/../d.yaml", "/srv/catalog/d.yaml" },
		{ "/srv/catalog/all.yaml", "./././e.yaml", "/srv/catalog/e.yaml" },
		{ "/srv/catalog/all.yaml", "../../../../../f.yaml", "/f.yaml" },
		{ "/srv/catalog/all.yaml", "./*.yaml", "/srv/catalog/*.yaml" },
		{ "/all.yaml", "./g.yaml", "/g.yaml" },
	};

	(void)state;
	RESOLVE("file", cases);
}

static void test_catalog_read__file_absolute_target(void **state)
{
	static const struct resolve_case cases[] = {
		{ "/srv/catalog/all.yaml", "/etc/catalog/x.yaml", "/etc/catalog/x.yaml" },
		{ "/srv/catalog/all.yaml", "/etc/./catalog/../y.yaml", "/etc/y.yaml" },
	};

	(void)state;
	RESOLVE("file", cases);
}

static void test_catalog_read__file_target_without_dot(void **state)
{
	(void)state;
	/* A deliberate difference (docs/catalog.md): Backstage reads "x.yaml"
	 * relative to its own working directory; stagehand reads every relative
	 * target relative to the Location's folder, which is what the file's
	 * author meant. */
	static const struct resolve_case cases[] = {
		{ "/srv/catalog/all.yaml", "x.yaml", "/srv/catalog/x.yaml" },
	};
	RESOLVE("file", cases);
}

#define GH "https://github.com/acme/catalog/blob/main"

static void test_catalog_read__url_relative(void **state)
{
	static const struct resolve_case cases[] = {
		{ GH "/org/all.yaml", "./teams.yaml", GH "/org/teams.yaml" },
		{ GH "/org/all.yaml", "teams.yaml", GH "/org/teams.yaml" },
		{ GH "/org/all.yaml", "people/users.yaml", GH "/org/people/users.yaml" },
		{ GH "/org/all.yaml", "../services/pay.yaml", GH "/services/pay.yaml" },
		{ GH "/org/all.yaml", "sub/../x.yaml", GH "/org/x.yaml" },
		{ GH "/org/all.yaml", "../../../../../../../top.yaml", "https://github.com/top.yaml" },
		{ "https://files.example.com", "a.yaml", "https://files.example.com/a.yaml" },
		{ "https://files.example.com/", "a.yaml", "https://files.example.com/a.yaml" },
		{ "https://u@files.example.com:8443/c/all.yaml", "a.yaml",
		  "https://u@files.example.com:8443/c/a.yaml" },
	};

	(void)state;
	RESOLVE("url", cases);
}

static void test_catalog_read__url_absolute_path_and_url(void **state)
{
	static const struct resolve_case cases[] = {
		{ GH "/org/all.yaml", "/acme/other/blob/main/x.yaml",
		  "https://github.com/acme/other/blob/main/x.yaml" },
		{ "https://files.example.com:8443/a/b.yaml", "/x.yaml", "https://files.example.com:8443/x.yaml" },
		{ GH "/org/all.yaml", "https://gitlab.example.com/g/p/-/blob/main/c.yaml",
		  "https://gitlab.example.com/g/p/-/blob/main/c.yaml" },
		{ GH "/org/all.yaml", "http://plain.example.com/c.yaml", "http://plain.example.com/c.yaml" },
	};

	(void)state;
	RESOLVE("url", cases);
}

static void test_catalog_read__url_query_strings(void **state)
{
	static const struct resolve_case cases[] = {
		{ "https://files.example.com/c/all.yaml", "a.yaml?ref=dev",
		  "https://files.example.com/c/a.yaml?ref=dev" },
		{ "https://files.example.com/c/all.yaml?ref=main", "a.yaml",
		  "https://files.example.com/c/a.yaml" },
		{ "https://files.example.com/c/all.yaml?ref=main", "/x.yaml?ref=dev",
		  "https://files.example.com/x.yaml?ref=dev" },
		{ "https://files.example.com/c/all.yaml", "https://other.example.com/x.yaml?a=1&b=2",
		  "https://other.example.com/x.yaml?a=1&b=2" },
	};

	(void)state;
	RESOLVE("url", cases);
	static const struct resolve_case broken[] = {
		{ "https://files.example.com/c/all.yaml?path=x/y", "a.yaml",
		  "https://files.example.com/c/a.yaml" },
		{ "https://files.example.com/c/all.yaml", "a.yaml?next=/p/../q",
		  "https://files.example.com/c/a.yaml?next=/p/../q" },
	};
	RESOLVE("url", broken);

}

/* ---- globs -------------------------------------------------------------------------- */

static void touch(const char *dir, const char *name)
{
	char *path = sh_asprintf("%s/%s", dir, name);
	FILE *f;

	f = fopen(path, "w");
	free(path);
	assert_non_null(f);
	fputs("kind: Component\n", f);
	fclose(f);
}

static size_t count(const char **paths)
{
	size_t n = 0;

	while (paths[n] != NULL)
		n++;
	return n;
}

static void test_catalog_read__expand_glob(void **state)
{
	char dir[] = "/tmp/stagehand-glob-XXXXXX";
	char sub[600];
	struct sh_arena *a = sh_arena_new();
	const char **got;
	const char *pattern;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/teams", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	touch(dir, "b.yaml");
	touch(dir, "a.yaml");
	touch(dir, "notes.txt");
	touch(sub, "ops.yaml");

	/* Matches come back sorted, with their full paths. */
	got = expand_glob(a, sh_arena_printf(a, "%s/*.yaml", dir));
	assert_int_equal(count(got), 2);
	assert_string_equal(got[0], sh_arena_printf(a, "%s/a.yaml", dir));
	assert_string_equal(got[1], sh_arena_printf(a, "%s/b.yaml", dir));

	got = expand_glob(a, sh_arena_printf(a, "%s/?.yaml", dir));
	assert_int_equal(count(got), 2);
	got = expand_glob(a, sh_arena_printf(a, "%s/[b].yaml", dir));
	assert_int_equal(count(got), 1);
	assert_string_equal(got[0], sh_arena_printf(a, "%s/b.yaml", dir));
	got = expand_glob(a, sh_arena_printf(a, "%s/*/*.yaml", dir));
	assert_int_equal(count(got), 1);
	assert_string_equal(got[0], sh_arena_printf(a, "%s/teams/ops.yaml", dir));

	/* A pattern that matches nothing gives an empty list. */
	got = expand_glob(a, sh_arena_printf(a, "%s/*.json", dir));
	assert_int_equal(count(got), 0);

	/* Without wildcards the path comes back as it is, existing or not. */
	pattern = sh_arena_printf(a, "%s/missing.yaml", dir);
	got = expand_glob(a, pattern);
	assert_int_equal(count(got), 1);
	assert_string_equal(got[0], pattern);

	unlink(sh_arena_printf(a, "%s/ops.yaml", sub));
	rmdir(sub);
	unlink(sh_arena_printf(a, "%s/a.yaml", dir));
	unlink(sh_arena_printf(a, "%s/b.yaml", dir));
	unlink(sh_arena_printf(a, "%s/notes.txt", dir));
	rmdir(dir);
	sh_arena_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_read__file_relative_to_the_folder),
		cmocka_unit_test(test_catalog_read__file_absolute_target),
		cmocka_unit_test(test_catalog_read__file_target_without_dot),
		cmocka_unit_test(test_catalog_read__url_relative),
		cmocka_unit_test(test_catalog_read__url_absolute_path_and_url),
		cmocka_unit_test(test_catalog_read__url_query_strings),
		cmocka_unit_test(test_catalog_read__expand_glob),
	};
	RUN_TESTS(tests, argc, argv);
}
