#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/http.h"

static int h_a(struct http_req *r, struct sh_err *e) { (void)r; (void)e; return 0; }
static int h_b(struct http_req *r, struct sh_err *e) { (void)r; (void)e; return 0; }
static int h_c(struct http_req *r, struct sh_err *e) { (void)r; (void)e; return 0; }
static int h_d(struct http_req *r, struct sh_err *e) { (void)r; (void)e; return 0; }

static const struct http_route routes[] = {
	{ "GET", "/", h_a },
	{ "GET", "/api/catalog/entities/by-name/:kind/:namespace/:name", h_b },
	{ "DELETE", "/api/catalog/entities/by-uid/:uid", h_c },
	{ "GET", "/api/catalog/entities/by-uid/:uid", h_b },
	{ "GET", "/api/techdocs/static/docs/:namespace/:kind/:name/*", h_d },
	{ "POST", "/api/catalog/refresh", h_c },
};

struct fixture {
	struct http_router *r;
	struct sh_arena *a;
};

static int setup(void **state)
{
	struct fixture *f = sh_calloc(1, sizeof(*f));
	struct sh_err err;

	f->r = http_router_new(routes, SH_ARRAY_LEN(routes), &err);
	f->a = sh_arena_new();
	*state = f;
	return f->r == NULL;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	http_router_free(f->r);
	sh_arena_free(f->a);
	free(f);
	return 0;
}

static enum http_match match(struct fixture *f, const char *method, const char *path,
	const struct http_route **route, struct http_pair **ps, size_t *n, const char **allow)
{
	return http_router_match(f->r, f->a, method, path, route, ps, n, allow);
}

static const char *param(struct http_pair *ps, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ps[i].name, name) == 0)
			return ps[i].value;
	return NULL;
}

static void test_http_router__params_are_decoded(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-name/Component/default/my%20svc%2Fx",
		&route, &ps, &n, NULL), HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[1]);
	assert_int_equal(n, 3);
	assert_string_equal(param(ps, n, "kind"), "Component");
	assert_string_equal(param(ps, n, "namespace"), "default");
	assert_string_equal(param(ps, n, "name"), "my svc/x");
}

static void test_http_router__root_and_trailing_slash(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "GET", "/", &route, &ps, &n, NULL), HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[0]);
	assert_int_equal(match(f, "POST", "/api/catalog/refresh/", &route, &ps, &n, NULL),
		HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[5]);
}

static void test_http_router__method_selects_route(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "DELETE", "/api/catalog/entities/by-uid/123", &route, &ps, &n, NULL),
		HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[2]);
	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-uid/123", &route, &ps, &n, NULL),
		HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[3]);
	assert_int_equal(match(f, "HEAD", "/api/catalog/entities/by-uid/123", &route, &ps, &n, NULL),
		HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[3]);
}

static void test_http_router__wrong_method_lists_allowed(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	const char *allow = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "PUT", "/api/catalog/entities/by-uid/1", &route, &ps, &n, &allow),
		HTTP_MATCH_METHOD);
	assert_string_equal(allow, "DELETE, GET");
}

static void test_http_router__no_match(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-name/a/b", &route, &ps, &n, NULL),
		HTTP_MATCH_NONE);
	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-name/a/b/c/d", &route, &ps, &n, NULL),
		HTTP_MATCH_NONE);
	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-name//b/c", &route, &ps, &n, NULL),
		HTTP_MATCH_NONE);
	assert_int_equal(match(f, "GET", "relative", &route, &ps, &n, NULL), HTTP_MATCH_NONE);
	assert_int_equal(match(f, "GET", "", &route, &ps, &n, NULL), HTTP_MATCH_NONE);
}

static void test_http_router__malformed_escape_never_matches(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-uid/%zz", &route, &ps, &n, NULL),
		HTTP_MATCH_INVALID);
	assert_int_equal(match(f, "GET", "/api/catalog/entities/by-uid/a%00b", &route, &ps, &n, NULL),
		HTTP_MATCH_INVALID);
}

static void test_http_router__tail(void **state)
{
	struct fixture *f = *state;
	const struct http_route *route = NULL;
	struct http_pair *ps = NULL;
	size_t n = 0;

	assert_int_equal(match(f, "GET", "/api/techdocs/static/docs/default/component/x/a/b%20c.html",
		&route, &ps, &n, NULL), HTTP_MATCH_OK);
	assert_ptr_equal(route, &routes[4]);
	assert_string_equal(param(ps, n, "*"), "a/b%20c.html");
	assert_string_equal(param(ps, n, "name"), "x");
	/* The tail may be empty: a site's root, with or without the slash. */
	assert_int_equal(match(f, "GET", "/api/techdocs/static/docs/default/component/x/",
		&route, &ps, &n, NULL), HTTP_MATCH_OK);
	assert_string_equal(param(ps, n, "*"), "");
	assert_int_equal(match(f, "GET", "/api/techdocs/static/docs/default/component/x",
		&route, &ps, &n, NULL), HTTP_MATCH_OK);
	assert_string_equal(param(ps, n, "*"), "");
	assert_int_equal(match(f, "GET", "/api/techdocs/static/docs/default/component",
		&route, &ps, &n, NULL), HTTP_MATCH_NONE);
}

static void test_http_router__bad_pattern_is_rejected(void **state)
{
	static const struct http_route bad[] = { { "GET", "/a/*/b", h_a } };
	static const struct http_route bad2[] = { { "GET", "no-slash", h_a } };
	struct sh_err err;

	(void)state;
	assert_null(http_router_new(bad, 1, &err));
	assert_null(http_router_new(bad2, 1, &err));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_http_router__params_are_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_router__root_and_trailing_slash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_router__method_selects_route, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_router__wrong_method_lists_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_router__no_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_router__malformed_escape_never_matches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_http_router__tail, setup, teardown),
		cmocka_unit_test(test_http_router__bad_pattern_is_rejected),
	};
	RUN_TESTS(tests, argc, argv);
}
