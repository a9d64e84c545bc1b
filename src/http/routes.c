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
};

const size_t http_routes_count = SH_ARRAY_LEN(http_routes);
