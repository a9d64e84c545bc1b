/*
 * Every route of the server, in match order. Modules add their rows here;
 * handlers are declared in the modules' public headers.
 */
#include "internal.h"

#include "stagehand/auth.h"
#include "stagehand/catalog.h"

const struct http_route http_routes[] = {
	{ "GET", "/healthcheck", health_check },
	{ "GET", "/.backstage/health/v1/liveness", health_liveness },
	{ "GET", "/.backstage/health/v1/readiness", health_readiness },
	{ "GET", "/metrics", metrics_handler },

	{ "GET", "/api/auth/v1/userinfo", auth_userinfo },

	{ "GET", "/api/catalog/entities", catalog_get_entities },
	{ "GET", "/api/catalog/entities/by-query", catalog_get_entities_by_query },
	{ "POST", "/api/catalog/entities/by-query", catalog_post_entities_by_query },
	{ "POST", "/api/catalog/entities/by-refs", catalog_post_entities_by_refs },
	{ "GET", "/api/catalog/entities/by-uid/:uid", catalog_get_entity_by_uid },
	{ "DELETE", "/api/catalog/entities/by-uid/:uid", catalog_delete_entity_by_uid },
	{ "GET", "/api/catalog/entities/by-name/:kind/:namespace/:name", catalog_get_entity_by_name },
	{ "GET", "/api/catalog/entities/by-name/:kind/:namespace/:name/ancestry", catalog_get_entity_ancestry },
	{ "GET", "/api/catalog/entity-facets", catalog_get_entity_facets },
	{ "POST", "/api/catalog/entity-facets", catalog_post_entity_facets },
	{ "POST", "/api/catalog/refresh", catalog_post_refresh },
	{ "POST", "/api/catalog/validate-entity", catalog_post_validate_entity },
	{ "POST", "/api/catalog/analyze-location", catalog_post_analyze_location },
	{ "GET", "/api/catalog/locations", catalog_get_locations },
	{ "POST", "/api/catalog/locations", catalog_post_locations },
	{ "POST", "/api/catalog/locations/by-query", catalog_post_locations_by_query },
	{ "GET", "/api/catalog/locations/by-entity/:kind/:namespace/:name", catalog_get_location_by_entity },
	{ "GET", "/api/catalog/locations/:id", catalog_get_location },
	{ "PUT", "/api/catalog/locations/:id", catalog_put_location },
	{ "DELETE", "/api/catalog/locations/:id", catalog_delete_location },
	{ "GET", "/api/catalog/errors", catalog_get_errors },
#ifdef SH_TEST_ROUTES
	{ "POST", "/api/test/echo", test_echo },
	{ "GET", "/api/test/fail", test_fail },
	{ "GET", "/api/test/slow", test_slow },
	{ "GET", "/api/test/params/:kind/:namespace/:name", test_params },
#endif
};

const size_t http_routes_count = SH_ARRAY_LEN(http_routes);
