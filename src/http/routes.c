/*
 * Every route of the server, in match order. Modules add their rows here;
 * handlers are declared in the modules' public headers.
 */
#include "internal.h"

#include "stagehand/auth.h"
#include "stagehand/catalog.h"
#include "stagehand/notify.h"
#include "stagehand/scaffolder.h"
#include "stagehand/search.h"
#include "stagehand/techdocs.h"

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

	{ "GET", "/api/notifications/notifications", notify_get_list },
	{ "GET", "/api/notifications", notify_get_list },
	{ "GET", "/api/notifications/status", notify_get_status },
	{ "GET", "/api/notifications/topics", notify_get_topics },
	{ "POST", "/api/notifications/notifications/update", notify_post_update },
	{ "POST", "/api/notifications/update", notify_post_update },
	{ "GET", "/api/notifications/notifications/:id", notify_get_one },
	{ "GET", "/api/notifications/:id", notify_get_one },

	{ "GET", "/api/search/query", search_get_query },
	{ "GET", "/api/search/facets", search_get_facets },

	{ "GET", "/api/techdocs/metadata/techdocs/:namespace/:kind/:name", techdocs_get_metadata },
	{ "GET", "/api/techdocs/metadata/entity/:namespace/:kind/:name", techdocs_get_entity_metadata },
	{ "GET", "/api/techdocs/sync/:namespace/:kind/:name", techdocs_get_sync },
	{ "GET", "/api/techdocs/static/docs/:namespace/:kind/:name/*", techdocs_get_static },

	{ "GET", "/api/scaffolder/v2/actions", scaffolder_get_actions },
	{ "GET", "/api/scaffolder/v2/templating-extensions", scaffolder_get_templating_extensions },
	{ "GET", "/api/scaffolder/v2/templates/:namespace/:kind/:name/parameter-schema",
	  scaffolder_get_parameter_schema },
	{ "POST", "/api/scaffolder/v2/tasks", scaffolder_post_task },
	{ "GET", "/api/scaffolder/v2/tasks", scaffolder_get_tasks },
	{ "GET", "/api/scaffolder/v2/tasks/:taskId", scaffolder_get_task },
	{ "POST", "/api/scaffolder/v2/tasks/:taskId/cancel", scaffolder_cancel_task },
	{ "POST", "/api/scaffolder/v2/tasks/:taskId/retry", scaffolder_retry_task },
	{ "GET", "/api/scaffolder/v2/tasks/:taskId/events", scaffolder_get_events },
	{ "GET", "/api/scaffolder/v2/tasks/:taskId/eventstream", scaffolder_get_eventstream },
	{ "POST", "/api/scaffolder/v2/dry-run", scaffolder_post_dry_run },
	{ "POST", "/api/scaffolder/v2/autocomplete/:provider/:resource", scaffolder_post_autocomplete },
#ifdef SH_TEST_ROUTES
	{ "POST", "/api/test/echo", test_echo },
	{ "GET", "/api/test/fail", test_fail },
	{ "GET", "/api/test/slow", test_slow },
	{ "GET", "/api/test/params/:kind/:namespace/:name", test_params },
#endif
};

const size_t http_routes_count = SH_ARRAY_LEN(http_routes);
