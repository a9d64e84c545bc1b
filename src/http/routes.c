/*
 * Every route of the server, in match order. Modules add their rows here;
 * handlers are declared in the modules' public headers.
 */
#include "internal.h"

const struct http_route http_routes[] = {
	{ "GET", "/healthcheck", health_check },
	{ "GET", "/.backstage/health/v1/liveness", health_liveness },
	{ "GET", "/.backstage/health/v1/readiness", health_readiness },
	{ "GET", "/metrics", metrics_handler },
#ifdef SH_TEST_ROUTES
	{ "POST", "/api/test/echo", test_echo },
	{ "GET", "/api/test/fail", test_fail },
	{ "GET", "/api/test/slow", test_slow },
	{ "GET", "/api/test/params/:kind/:namespace/:name", test_params },
#endif
};

const size_t http_routes_count = SH_ARRAY_LEN(http_routes);
