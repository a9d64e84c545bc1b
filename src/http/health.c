/* Health endpoints, in Backstage's shapes. */
#include "internal.h"

#include <stdatomic.h>

static const char ok_body[] = "{\"status\":\"ok\"}";

/* The hottest route a load balancer calls: no JSON building, no copy. */
int health_liveness(struct http_req *req, struct sh_err *err)
{
	(void)err;
	http_respond_static(req, 200, "application/json; charset=utf-8", ok_body,
		sizeof(ok_body) - 1);
	return 0;
}

int health_check(struct http_req *req, struct sh_err *err)
{
	return health_liveness(req, err);
}

/* Ready while not draining and the database answers a query. */
int health_readiness(struct http_req *req, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	bool db_ok;

	(void)err;
	if (atomic_load(&req->hs->draining)) {
		http_respond_json(req, 503, json_pack("{s:s,s:s}", "status", "error",
			"message", "Backend is shutting down"));
		return 0;
	}
	db_ok = sqlite3_prepare_v2(http_db(req), "SELECT 1", -1, &st, NULL) == SQLITE_OK &&
		sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!db_ok) {
		log_error("req=%s readiness: database check failed: %s", req->id,
			sqlite3_errmsg(http_db(req)));
		http_respond_json(req, 503, json_pack("{s:s,s:s}", "status", "error",
			"message", "Database is not available"));
		return 0;
	}
	http_respond_static(req, 200, "application/json; charset=utf-8", ok_body, sizeof(ok_body) - 1);
	return 0;
}
