/*
 * http: the HTTP server (libmicrohttpd, a thread pool on epoll), the router,
 * and the request/response API that handlers use.
 *
 * A handler is `int fn(struct http_req *req, struct sh_err *err)`. It either
 * sets a response with one of the http_respond_* calls and returns 0, or
 * returns a negative sh_status with err filled; the server then answers
 * with Backstage's error body. Everything a handler allocates comes from
 * req->arena and is released when the response has been sent.
 */
#ifndef STAGEHAND_HTTP_H
#define STAGEHAND_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stagehand/util.h"

struct sh_server;
struct http_server;
struct http_req;
typedef struct sqlite3 sqlite3;

/* Who is calling. Strings are borrowed from the request arena. */
struct sh_identity {
	const char *user_ref;            /* "user:default/guest" */
	const char *const *ownership_refs; /* the user and their groups */
	size_t n_ownership_refs;
};

typedef int (*http_handler_fn)(struct http_req *req, struct sh_err *err);

/* Resolves the caller of a request into out (arena strings). Installed by
 * main; the sign-in providers plug in here. */
typedef int (*http_identify_fn)(struct sh_identity *out, struct http_req *req,
	struct sh_err *err);

/* One decoded name=value pair (query parameter or path parameter). */
struct http_pair {
	const char *name;
	const char *value;
};

/* A parsed query string: pairs in the order received, repeated keys kept. */
struct http_query {
	struct http_pair *pairs;
	size_t n;
};

/* ---- server lifecycle -------------------------------------------------- */

/* Start listening and serving on cfg's host/port with srv as the context
 * handlers see. *out is the caller's; stop it with http_server_stop. */
int http_server_start(struct http_server **out, const struct sh_server *srv,
	http_identify_fn identify, struct sh_err *err) SH_WUR;

/* The port actually bound (useful when the config said 0). */
uint16_t http_server_port(const struct http_server *hs);

/* Graceful stop: stop accepting, give in-flight requests up to grace_ms to
 * finish, then close every connection and free hs, and return true. If a
 * request is still running after grace_ms, return false and leave hs alone
 * (its threads are busy; the caller exits the process). NULL is fine. */
bool http_server_stop(struct http_server *hs, int64_t grace_ms) SH_WUR;

/* ---- static files ------------------------------------------------------ */

struct static_files;

/* Serve web_root (the frontend; unknown paths get its index.html) and
 * fonts_root (under /fonts/). Both must exist. *out is the caller's. */
int http_static_new(struct static_files **out, const char *web_root,
	const char *fonts_root, struct sh_err *err) SH_WUR;
void http_static_free(struct static_files *sf);

/* ---- request ------------------------------------------------------------ */

struct sh_arena *http_arena(struct http_req *req);
const struct sh_server *http_server_ctx(struct http_req *req);
const char *http_method(const struct http_req *req);
/* The path as received (still percent-encoded), without the query. */
const char *http_path(const struct http_req *req);
const char *http_request_id(const struct http_req *req);
const struct sh_identity *http_identity(const struct http_req *req);

/* A path parameter (":name" in the route), URL-decoded; NULL if absent. */
const char *http_param(const struct http_req *req, const char *name);
/* The wildcard tail ("*" at the end of a route), still encoded; or NULL. */
const char *http_param_tail(const struct http_req *req);

/* The first value of a query parameter, or NULL. */
const char *http_query_get(const struct http_req *req, const char *name);
/* Every value of a repeated query parameter, in order; *n gets the count.
 * The array is from the arena. */
const char **http_query_all(struct http_req *req, const char *name, size_t *n);
const struct http_query *http_query(const struct http_req *req);

/* A request header (case-insensitive), or NULL. */
const char *http_header(struct http_req *req, const char *name);

/* The raw body (NUL-terminated; body_len may be 0). */
const char *http_body(const struct http_req *req, size_t *len);

/* Parse the body as a JSON object (or any value when any is true). Returns
 * SH_EINPUT with a message for a missing or malformed body. *out is the
 * caller's (json_decref). */
int http_body_json(struct http_req *req, bool any, json_t **out, struct sh_err *err) SH_WUR;

/* A database connection checked out for the rest of this request. */
sqlite3 *http_db(struct http_req *req);

/* ---- response ----------------------------------------------------------- */

/* Respond with a JSON value (reference stolen). */
void http_respond_json(struct http_req *req, int status, json_t *body);
/* Respond with bytes copied from body[0..len). */
void http_respond_bytes(struct http_req *req, int status, const char *content_type,
	const void *body, size_t len);
/* Respond with a file; fd is stolen and closed after sending. */
void http_respond_fd(struct http_req *req, int status, const char *content_type,
	int fd, uint64_t size);
/* Respond with a body that lives as long as the process (a string
 * literal): nothing is copied or allocated for it. */
void http_respond_static(struct http_req *req, int status, const char *content_type,
	const char *body, size_t len);
/* Respond with no body (204, 304). */
void http_respond_empty(struct http_req *req, int status);
/* Add a response header; name and value are copied. */
void http_header_add(struct http_req *req, const char *name, const char *value);

/* ---- waiting and streaming ------------------------------------------------ */

/*
 * Park the request without holding a thread: the connection is suspended
 * until topic is notified on the server's hub, timeout_ms passes, or
 * anything was notified after seen_version (read sh_hub_version before
 * looking for data). Then the handler runs again from the start and
 * http_woken tells why. The handler returns 0 right after this call,
 * without a response. While the server shuts down the wait ends at once.
 */
void http_wait(struct http_req *req, const char *topic, uint64_t seen_version,
	int64_t timeout_ms);

enum http_wake { HTTP_WAKE_FIRST = 0, HTTP_WAKE_NOTIFIED, HTTP_WAKE_TIMEOUT };
enum http_wake http_woken(const struct http_req *req);

/* State a waiting handler keeps across its runs: state is handed to
 * free_fn when the request ends, unless the handler took it back with
 * http_state_take first. */
void http_state_set(struct http_req *req, void *state, void (*free_fn)(void *));
void *http_state_get(const struct http_req *req);
void *http_state_take(struct http_req *req);

/* What a stream's next() says. */
enum http_stream_rc {
	HTTP_STREAM_MORE,   /* appended to out (or call again at once) */
	HTTP_STREAM_WAIT,   /* nothing now: call again after a notify or the timeout */
	HTTP_STREAM_END     /* appended the last bytes, if any */
};

/* Produce more of a stream: append to out. timed_out says the wait before
 * this call ended by its timeout (time for a keep-alive). Runs on a server
 * thread; it may check out a database connection, briefly. */
typedef enum http_stream_rc (*http_stream_fn)(void *ctx, struct sh_buf *out, bool timed_out);

/*
 * Respond with a stream (Server-Sent Events): next is called whenever the
 * client can take more; between calls that return WAIT the connection is
 * suspended until topic is notified or wait_ms passes. ctx is the
 * caller's heap object, given to free_fn (may be NULL) when the response
 * is gone; it must not point into the request arena.
 */
void http_respond_stream(struct http_req *req, int status, const char *content_type,
	const char *topic, int64_t wait_ms, http_stream_fn next, void (*free_fn)(void *),
	void *ctx);

/* ---- parsing, exposed for tests and fuzzing ----------------------------------- */

/* Parse a query string (without '?') into out, allocating from arena.
 * '+' decodes to space, %XX escapes are decoded. A malformed escape or
 * NUL byte gives SH_EINPUT. */
int http_query_parse(struct http_query *out, struct sh_arena *arena, const char *qs,
	size_t len, struct sh_err *err) SH_WUR;

/* The router, exposed for tests. */
struct http_route {
	const char *method;      /* "GET", "POST", ... */
	const char *pattern;     /* "/api/catalog/entities/by-name/:kind/:namespace/:name" */
	http_handler_fn handler;
};

/* INVALID: the path has a malformed escape or an escaped NUL. */
enum http_match { HTTP_MATCH_NONE, HTTP_MATCH_METHOD, HTTP_MATCH_OK, HTTP_MATCH_INVALID };

struct http_router;

/* Compile routes (borrowed; must outlive the router). Returns NULL with err
 * set for a malformed pattern. */
struct http_router *http_router_new(const struct http_route *routes, size_t n,
	struct sh_err *err);
void http_router_free(struct http_router *r);

/*
 * Match method and raw path. On HTTP_MATCH_OK, *route is the route and
 * params/n_params the decoded path parameters (arena-allocated; a "*" tail
 * is returned under the name "*", undecoded). HTTP_MATCH_METHOD means the
 * path exists for other methods: *allow receives them, comma-separated
 * (arena). A decoded '/' stays inside its parameter.
 */
enum http_match http_router_match(const struct http_router *r, struct sh_arena *arena,
	const char *method, const char *path, const struct http_route **route,
	struct http_pair **params, size_t *n_params, const char **allow);

/* The routes of the whole server (src/http/routes.c). */
extern const struct http_route http_routes[];
extern const size_t http_routes_count;

#endif
