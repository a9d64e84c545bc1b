#include <string.h>

#include "../harness.h"
#include "stagehand/http.h"

static struct http_query parse_ok(struct sh_arena *a, const char *qs)
{
	struct http_query q;
	struct sh_err err;

	if (http_query_parse(&q, a, qs, strlen(qs), &err) != 0)
		fail_msg("%s: %s", qs, err.msg);
	return q;
}

static void test_http_query__repeated_keys_in_order(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct http_query q = parse_ok(a, "filter=kind=component&filter=spec.type=service&limit=20");

	(void)state;
	assert_int_equal(q.n, 3);
	assert_string_equal(q.pairs[0].name, "filter");
	assert_string_equal(q.pairs[0].value, "kind=component");
	assert_string_equal(q.pairs[1].value, "spec.type=service");
	assert_string_equal(q.pairs[2].name, "limit");
	assert_string_equal(q.pairs[2].value, "20");
	sh_arena_free(a);
}

static void test_http_query__decoding(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct http_query q = parse_ok(a, "a+b=c%20d%2Be&%C3%A9=%26");

	(void)state;
	assert_int_equal(q.n, 2);
	assert_string_equal(q.pairs[0].name, "a b");
	assert_string_equal(q.pairs[0].value, "c d+e");
	assert_string_equal(q.pairs[1].name, "\xc3\xa9");
	assert_string_equal(q.pairs[1].value, "&");
	sh_arena_free(a);
}

static void test_http_query__empty_segments_and_flags(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct http_query q = parse_ok(a, "&&flag&x=&=v&");

	(void)state;
	assert_int_equal(q.n, 3);
	assert_string_equal(q.pairs[0].name, "flag");
	assert_string_equal(q.pairs[0].value, "");
	assert_string_equal(q.pairs[1].name, "x");
	assert_string_equal(q.pairs[1].value, "");
	assert_string_equal(q.pairs[2].name, "");
	assert_string_equal(q.pairs[2].value, "v");
	q = parse_ok(a, "");
	assert_int_equal(q.n, 0);
	sh_arena_free(a);
}

static void test_http_query__malformed_escape(void **state)
{
	struct sh_arena *a = sh_arena_new();
	struct http_query q;
	struct sh_err err;

	(void)state;
	assert_int_equal(http_query_parse(&q, a, "a=%zz", 5, &err), SH_EINPUT);
	assert_int_equal(http_query_parse(&q, a, "a=%2", 4, &err), SH_EINPUT);
	assert_int_equal(http_query_parse(&q, a, "a=%00", 5, &err), SH_EINPUT);
	assert_int_equal(http_query_parse(&q, a, "%=1", 3, &err), SH_EINPUT);
	sh_arena_free(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_query__repeated_keys_in_order),
		cmocka_unit_test(test_http_query__decoding),
		cmocka_unit_test(test_http_query__empty_segments_and_flags),
		cmocka_unit_test(test_http_query__malformed_escape),
	};
	RUN_TESTS(tests, argc, argv);
}
