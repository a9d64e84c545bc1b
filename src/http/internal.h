/* Private to src/http. */
#ifndef STAGEHAND_HTTP_INTERNAL_H
#define STAGEHAND_HTTP_INTERNAL_H

#include <microhttpd.h>

#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/server.h"

struct http_header {
	struct http_header *next;
	const char *name;
	const char *value;
};

struct http_req {
	struct sh_arena *arena;
	struct http_server *hs;
	struct MHD_Connection *conn;
	const struct sh_server *srv;
	uint64_t started_ns;
	char id[24];

	const char *method;
	const char *raw_url;       /* path and query as received */
	const char *path;          /* raw path, no query */
	const char *query_raw;     /* after '?', or "" */
	struct http_query query;
	const struct http_route *route;
	int route_index;           /* for metrics; -1 when no route matched */
	struct http_pair *params;
	size_t n_params;
	struct sh_identity identity;
	bool waiting;              /* suspended in http_wait */
	enum http_wake woken;
	struct sh_hub_waiter *waiter;
	void *state;               /* http_state_set */
	void (*state_free)(void *);

	struct sh_buf body;
	bool started;
	bool too_large;
	sqlite3 *db;

	/* response */
	int status;
	struct MHD_Response *response;
	struct http_header *headers;
	uint64_t bytes;
};

/* Pseudo-routes for metrics, after the real ones. */
enum { ROUTE_STATIC = 0, ROUTE_UNMATCHED = 1, ROUTE_PSEUDO_COUNT = 2 };

struct metrics;

struct http_server {
	struct metrics *metrics;
	struct MHD_Daemon *daemon;
	const struct sh_server *srv;
	http_identify_fn identify;
	struct http_router *router;
	uint16_t port;
	_Atomic long in_flight;
	_Atomic bool draining;
	_Atomic uint64_t next_id;
	char id_prefix[9];
};

/* Replace req's response with r (stolen). */
void http_set_response(struct http_req *req, int status, struct MHD_Response *r,
	const char *content_type, uint64_t bytes);

/* Send req's response (or an error body for rc != 0) to the client. */
void http_finish(struct http_req *req, int rc, const struct sh_err *err);

/* Metrics (metrics.c). */
struct metrics *metrics_new(size_t n_routes);
void metrics_free(struct metrics *m);
/* Count one request; lock-free, from any thread. */
void metrics_observe(struct metrics *m, int route_index, int status, uint64_t ns);
int metrics_handler(struct http_req *req, struct sh_err *err);

/* Handlers in health.c. */
int health_liveness(struct http_req *req, struct sh_err *err);
int health_readiness(struct http_req *req, struct sh_err *err);
int health_check(struct http_req *req, struct sh_err *err);

/* Test-build routes (testroutes.c, -Dtest_routes=true). */
int test_echo(struct http_req *req, struct sh_err *err);
int test_fail(struct http_req *req, struct sh_err *err);
int test_slow(struct http_req *req, struct sh_err *err);
int test_params(struct http_req *req, struct sh_err *err);

/* Static files (static.c). */
int static_handler(struct http_req *req, struct sh_err *err);
int fonts_handler(struct http_req *req, struct sh_err *err);

#endif
