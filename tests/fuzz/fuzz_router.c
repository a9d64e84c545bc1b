/* The router: the server's real route table against arbitrary paths. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "DELETE", "HEAD" };
	struct sh_err err;
	struct http_router *r = http_router_new(http_routes, http_routes_count, &err);
	struct sh_arena *a = sh_arena_new();
	char *path = sh_strndup((const char *)data, size);
	const struct http_route *route = NULL;
	struct http_pair *params = NULL;
	const char *allow = NULL;
	size_t n = 0;

	if (r == NULL)
		abort();
	http_router_match(r, a, methods[size % 4], path, &route, &params, &n, &allow);
	free(path);
	sh_arena_free(a);
	http_router_free(r);
	return 0;
}
