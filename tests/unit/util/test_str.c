#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/util.h"

static void test_util_str__url_decode(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(sh_url_decode(out, "a%2Fb+c", 7, false), 5);
	assert_string_equal(out, "a/b+c");
	assert_int_equal(sh_url_decode(out, "a%2Fb+c", 7, true), 5);
	assert_string_equal(out, "a/b c");
	assert_int_equal(sh_url_decode(out, "%C3%A9", 6, false), 2);
	assert_string_equal(out, "\xc3\xa9");
	assert_int_equal(sh_url_decode(out, "%zz", 3, false), -1);
	assert_int_equal(sh_url_decode(out, "%4", 2, false), -1);
	assert_int_equal(sh_url_decode(out, "%", 1, false), -1);
	assert_int_equal(sh_url_decode(out, "a%00b", 5, false), -1);
	assert_int_equal(sh_url_decode(out, "", 0, false), 0);
}

static void test_util_str__parse_size(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(sh_parse_size("1048576", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(sh_parse_size("512kb", &v), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(sh_parse_size("2 MiB", &v), 0);
	assert_int_equal(v, 2 * 1024 * 1024);
	assert_int_equal(sh_parse_size("1GB", &v), 0);
	assert_int_equal(sh_parse_size("1tb", &v), -1);
	assert_int_equal(sh_parse_size("mb", &v), -1);
	assert_int_equal(sh_parse_size("-1", &v), -1);
	assert_int_equal(sh_parse_size("99999999999999999999gb", &v), -1);
}

static void test_util_str__arena(void **state)
{
	struct sh_arena *a = sh_arena_new();
	char *big;

	(void)state;
	for (int i = 0; i < 1000; i++) {
		char *s = sh_arena_printf(a, "item-%d", i);
		assert_string_equal(s, sh_arena_printf(a, "item-%d", i));
		assert_int_equal(((uintptr_t)s) % 16, 0);
	}
	big = sh_arena_alloc(a, 100000);
	memset(big, 'x', 100000);
	assert_string_equal(sh_arena_strndup(a, "hello world", 5), "hello");
	sh_arena_free(a);
	sh_arena_free(NULL);
}

static void test_util_str__buf_and_errors(void **state)
{
	struct sh_buf b = SH_BUF_INIT;
	struct sh_err err;
	char *s;

	(void)state;
	sh_buf_printf(&b, "%d-%s", 7, "x");
	sh_buf_putc(&b, '!');
	assert_string_equal(b.ptr, "7-x!");
	s = sh_buf_detach(&b);
	assert_null(b.ptr);
	assert_string_equal(s, "7-x!");
	free(s);
	assert_int_equal(sh_err_set(&err, SH_ENOTFOUND, "no %s", "thing"), SH_ENOTFOUND);
	sh_err_prefix(&err, "file.yaml:%d", 3);
	assert_string_equal(err.msg, "file.yaml:3: no thing");
	assert_string_equal(sh_status_name(SH_ENOTFOUND), "NotFoundError");
	assert_string_equal(sh_status_name(SH_EINTERNAL), "Error");
	assert_int_equal(sh_err_set(NULL, SH_EINPUT, "ignored"), SH_EINPUT);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_str__url_decode),
		cmocka_unit_test(test_util_str__parse_size),
		cmocka_unit_test(test_util_str__arena),
		cmocka_unit_test(test_util_str__buf_and_errors),
	};
	RUN_TESTS(tests, argc, argv);
}
