#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/config.h"

static int load(struct sh_config *cfg, const char *text, struct sh_err *err)
{
	return config_load_text(cfg, text, strlen(text), "stagehand.yaml", err);
}

static void expect_error(const char *text, const char *expected)
{
	struct sh_config cfg;
	struct sh_err err = { 0, "" };

	assert_int_equal(load(&cfg, text, &err), SH_EINPUT);
	if (strstr(err.msg, expected) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", expected, err.msg);
}

static void test_util_config__defaults(void **state)
{
	struct sh_config cfg;
	struct sh_err err;

	(void)state;
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_null(cfg.file);
	assert_string_equal(cfg.listen_host, "127.0.0.1");
	assert_int_equal(cfg.listen_port, 7007);
	assert_string_equal(cfg.data_dir, "./var");
	assert_int_equal(cfg.max_body, 1024 * 1024);
	assert_string_equal(cfg.log_level, "info");
	assert_true(cfg.access_log);
	assert_false(cfg.log_json);
	config_dispose(&cfg);
}

static void test_util_config__values(void **state)
{
	struct sh_config cfg;
	struct sh_err err;

	(void)state;
	assert_int_equal(load(&cfg,
		"app:\n  title: Acme portal\n"
		"backend:\n  listen:\n    host: 0.0.0.0\n    port: 8080\n"
		"  http:\n    maxBodySize: 512kb\n  log:\n    level: debug\n    json: true\n", &err), 0);
	assert_string_equal(cfg.app_title, "Acme portal");
	assert_string_equal(cfg.listen_host, "0.0.0.0");
	assert_int_equal(cfg.listen_port, 8080);
	assert_int_equal(cfg.max_body, 512 * 1024);
	assert_string_equal(cfg.log_level, "debug");
	assert_true(cfg.log_json);
	assert_string_equal(cfg.file, "stagehand.yaml");
	config_dispose(&cfg);
}

static void test_util_config__empty_file_is_defaults(void **state)
{
	struct sh_config cfg;
	struct sh_err err;

	(void)state;
	assert_int_equal(load(&cfg, "# nothing here\n", &err), 0);
	assert_int_equal(cfg.listen_port, 7007);
	config_dispose(&cfg);
}

static void test_util_config__unknown_key_names_file_line_key(void **state)
{
	(void)state;
	expect_error("backend:\n  listen:\n    prot: 1\n",
		"stagehand.yaml:3: backend.listen.prot: unknown key");
	expect_error("frontend: {}\n", "stagehand.yaml:1: frontend: unknown key");
}

static void test_util_config__wrong_type(void **state)
{
	(void)state;
	expect_error("backend:\n  listen:\n    port: abc\n",
		"stagehand.yaml:3: backend.listen.port: expected an integer from 0 to 65535, got \"abc\"");
	expect_error("backend:\n  listen:\n    port: [1]\n", "backend.listen.port: expected an integer");
	expect_error("backend:\n  log:\n    json: yes\n", "backend.log.json: expected a boolean");
	expect_error("app:\n  title: 5\n", "app.title: expected a string");
	expect_error("backend: 5\n", "backend: expected a mapping");
}

static void test_util_config__out_of_range(void **state)
{
	(void)state;
	expect_error("backend:\n  listen:\n    port: 70000\n", "stagehand.yaml:3: backend.listen.port");
	expect_error("backend:\n  http:\n    maxBodySize: 12\n", "backend.http.maxBodySize");
	expect_error("backend:\n  log:\n    level: loud\n",
		"backend.log.level: expected one of error|warn|info|debug, got \"loud\"");
}

static void test_util_config__bad_yaml_names_line(void **state)
{
	(void)state;
	expect_error("backend:\n  listen: [1,\n", "stagehand.yaml:");
	expect_error("a: 1\n---\nb: 2\n", "expected one YAML document");
	expect_error("- 1\n- 2\n", "expected a mapping of settings at the top");
}

static void test_util_config__env_substitution(void **state)
{
	struct sh_config cfg;
	struct sh_err err;

	(void)state;
	setenv("SH_TEST_PORT", "9090", 1);
	setenv("SH_TEST_TITLE", "Team", 1);
	assert_int_equal(load(&cfg,
		"app:\n  title: ${SH_TEST_TITLE} portal $${literal}\n"
		"backend:\n  listen:\n    port: ${SH_TEST_PORT}\n", &err), 0);
	assert_int_equal(cfg.listen_port, 9090);
	assert_string_equal(cfg.app_title, "Team portal ${literal}");
	config_dispose(&cfg);
	unsetenv("SH_TEST_UNSET_VAR");
	expect_error("app:\n  title: ${SH_TEST_UNSET_VAR}\n",
		"stagehand.yaml:2: app.title: environment variable SH_TEST_UNSET_VAR is not set");
	expect_error("app:\n  title: ${unterminated\n", "malformed ${...}");
}

static void test_util_config__set_overrides(void **state)
{
	struct sh_config cfg;
	struct sh_err err;

	(void)state;
	assert_int_equal(config_load(&cfg, NULL, &err), 0);
	assert_int_equal(config_set(&cfg, "backend.listen.port", "0", &err), 0);
	assert_int_equal(cfg.listen_port, 0);
	assert_int_equal(config_set(&cfg, "backend.listen.port", "x", &err), SH_EINPUT);
	assert_int_equal(config_set(&cfg, "no.such.key", "x", &err), SH_EINPUT);
	config_dispose(&cfg);
}

static void test_util_config__missing_file(void **state)
{
	struct sh_config cfg;
	struct sh_err err;

	(void)state;
	assert_int_equal(config_load(&cfg, "/nonexistent/stagehand.yaml", &err), SH_EINPUT);
	assert_non_null(strstr(err.msg, "/nonexistent/stagehand.yaml"));
}

static void test_util_config__reference_lists_every_key(void **state)
{
	char *md = config_reference_markdown();

	(void)state;
	assert_non_null(strstr(md, "`backend.listen.port`"));
	assert_non_null(strstr(md, "`backend.http.maxBodySize`"));
	assert_non_null(strstr(md, "`app.webRoot`"));
	free(md);
}

/* docs/configuration.md embeds the generated reference; they must agree. */
static void test_util_config__reference_matches_docs(void **state)
{
	char *md = config_reference_markdown();
	struct sh_buf doc = SH_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(SH_SOURCE_ROOT "/docs/configuration.md", "rb");

	(void)state;
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sh_buf_put(&doc, chunk, n);
	fclose(f);
	if (strstr(doc.ptr, md) == NULL)
		fail_msg("docs/configuration.md is out of date: paste the output of "
			"`stagehand config-reference` between its config-reference markers");
	sh_buf_dispose(&doc);
	free(md);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_config__defaults),
		cmocka_unit_test(test_util_config__values),
		cmocka_unit_test(test_util_config__empty_file_is_defaults),
		cmocka_unit_test(test_util_config__unknown_key_names_file_line_key),
		cmocka_unit_test(test_util_config__wrong_type),
		cmocka_unit_test(test_util_config__out_of_range),
		cmocka_unit_test(test_util_config__bad_yaml_names_line),
		cmocka_unit_test(test_util_config__env_substitution),
		cmocka_unit_test(test_util_config__set_overrides),
		cmocka_unit_test(test_util_config__missing_file),
		cmocka_unit_test(test_util_config__reference_lists_every_key),
		cmocka_unit_test(test_util_config__reference_matches_docs),
	};
	RUN_TESTS(tests, argc, argv);
}
