/*
 * libmicrohttpd glue. The request lifecycle:
 *   uri_log   — first sight of a request: allocate it, keep the raw URI
 *   on_access — called for headers, then for each body chunk, then once more
 *               with no data: the body is complete and the handler runs
 *   completed — the response has gone (or the client left): access log,
 *               metrics, database connection back to the pool, arena freed
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* ---- request lifecycle ------------------------------------------------------ */

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *hs = cls;
	struct http_req *req = sh_calloc(1, sizeof(*req));

	req->arena = sh_arena_new();
	req->hs = hs;
	req->srv = hs->srv;
	req->conn = conn;
	req->started_ns = sh_now_ns();
	req->route_index = -1;
	req->raw_url = sh_arena_strdup(req->arena, uri ? uri : "/");
	snprintf(req->id, sizeof(req->id), "%s%08llx", hs->id_prefix,
		(unsigned long long)atomic_fetch_add(&hs->next_id, 1));
	atomic_fetch_add(&hs->in_flight, 1);
	return req;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	struct http_server *hs = cls;
	struct http_req *req = *con_cls;
	uint64_t ns;

	(void)conn;
	if (req == NULL)
		return;
	ns = sh_now_ns() - req->started_ns;
	if (req->status == 0)
		req->status = 499; /* the client went away before any response */
	metrics_observe(hs->metrics, req->route_index, req->status, ns);
	if (req->srv->cfg.access_log)
		log_info("req=%s %s %s %d %lluB %.2fms%s", req->id,
			req->method ? req->method : "-", req->path ? req->path : "-",
			req->status, (unsigned long long)req->bytes, (double)ns / 1e6,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	sh_hub_cancel(req->srv->hub, &req->waiter);
	if (req->state != NULL && req->state_free != NULL)
		req->state_free(req->state);
	if (req->db != NULL)
		db_release(req->srv->db, req->db);
	if (req->response != NULL)
		MHD_destroy_response(req->response);
	sh_buf_dispose(&req->body);
	sh_arena_free(req->arena);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&hs->in_flight, 1);
}

/* ---- dispatch -------------------------------------------------------------------- */

static int split_url(struct http_req *req, struct sh_err *err)
{
	const char *q;

	/* Absolute-form ("GET http://host/path"), which HTTP/1.1 servers must
	 * accept: keep the path. */
	if (strncasecmp(req->raw_url, "http://", 7) == 0 || strncasecmp(req->raw_url, "https://", 8) == 0) {
		const char *p = strchr(strstr(req->raw_url, "//") + 2, '/');
		req->raw_url = p ? p : "/";
	}
	q = strchr(req->raw_url, '?');
	size_t plen = q ? (size_t)(q - req->raw_url) : strlen(req->raw_url);

	req->path = sh_arena_strndup(req->arena, req->raw_url, plen);
	req->query_raw = q ? q + 1 : "";
	if (req->path[0] != '/')
		return sh_err_set(err, SH_EINPUT, "Request target must be an absolute path");
	return http_query_parse(&req->query, req->arena, req->query_raw,
		strlen(req->query_raw), err);
}

/* Paths that are never the app's pages: unknown ones get a JSON 404. */
static bool is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
		strncmp(path, "/.backstage/", 12) == 0;
}

static int route_request(struct http_req *req, struct sh_err *err)
{
	const struct http_route *route = NULL;
	const char *allow = NULL;
	enum http_match m;
	int rc;

	m = http_router_match(req->hs->router, req->arena, req->method, req->path, &route,
		&req->params, &req->n_params, &allow);
	req->route_index = (int)http_routes_count + ROUTE_UNMATCHED;
	if (m == HTTP_MATCH_INVALID && is_api_path(req->path))
		return sh_err_set(err, SH_EINPUT, "Malformed path %s: bad percent-encoding", req->path);
	if (m == HTTP_MATCH_METHOD) {
		http_header_add(req, "Allow", allow);
		return sh_err_set(err, SH_EMETHOD, "Method %s is not allowed on %s; use %s",
			req->method, req->path, allow);
	}
	if (m == HTTP_MATCH_NONE || m == HTTP_MATCH_INVALID) {
		if (is_api_path(req->path))
			return sh_err_set(err, SH_ENOTFOUND, "No route for %s %s", req->method, req->path);
		if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
			http_header_add(req, "Allow", "GET, HEAD");
			return sh_err_set(err, SH_EMETHOD, "Method %s is not allowed on %s; use GET, HEAD",
				req->method, req->path);
		}
		req->route_index = (int)http_routes_count + ROUTE_STATIC;
		return strncmp(req->path, "/fonts/", 7) == 0 ? fonts_handler(req, err)
			: static_handler(req, err);
	}
	req->route = route;
	req->route_index = (int)(route - http_routes);
	if ((rc = req->hs->identify(&req->identity, req, err)) != 0)
		return rc;
	return route->handler(req, err);
}

static void dispatch(struct http_req *req)
{
	struct sh_err err = { 0, "" };
	int rc;

	rc = split_url(req, &err);
	if (rc == 0 && req->too_large) {
		/* Route only to report request.url as the plugin sees it. */
		const struct http_route *route = NULL;
		if (http_router_match(req->hs->router, req->arena, req->method, req->path, &route,
			&req->params, &req->n_params, NULL) == HTTP_MATCH_OK)
			req->route = route;
		rc = sh_err_set(&err, SH_ETOOLARGE, "Request body is larger than %lld bytes",
			(long long)req->srv->cfg.max_body);
	} else if (rc == 0) {
		rc = route_request(req, &err);
	}
	if (rc == 0 && req->waiting)
		return; /* suspended; the handler runs again when woken */
	http_finish(req, rc, &err);
}

static bool body_too_large(struct http_req *req)
{
	const char *cl = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_CONTENT_LENGTH);

	return cl != NULL && strtoull(cl, NULL, 10) > (unsigned long long)req->srv->cfg.max_body;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
	const char *method, const char *version, const char *upload_data,
	size_t *upload_data_size, void **con_cls)
{
	struct http_req *req = *con_cls;

	(void)cls; (void)url; (void)version; (void)conn;
	if (!req->started) {
		req->started = true;
		req->method = sh_arena_strdup(req->arena, method);
		if (body_too_large(req)) {
			/* Answer at once; MHD closes the connection rather than
			 * read a body nobody wants. */
			req->too_large = true;
			dispatch(req);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!req->too_large && req->body.len + *upload_data_size >
			(size_t)req->srv->cfg.max_body)
			req->too_large = true;
		if (!req->too_large)
			sh_buf_put(&req->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->response == NULL) {
		if (req->waiting) {
			/* Woken: run the handler again on a fresh parse. */
			req->waiting = false;
			req->query.n = 0;
		}
		dispatch(req);
	}
	return MHD_YES;
}

/* ---- server ---------------------------------------------------------------------- */

static size_t unescape_none(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls; (void)c;
	return strlen(s); /* the router decodes each segment itself */
}

static int bind_address(struct sockaddr_storage *ss, socklen_t *len, const char *host,
	uint16_t port, struct sh_err *err)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	const char *h = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, h, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		*len = sizeof(*v6);
		return 0;
	}
	return sh_err_set(err, SH_EINPUT,
		"backend.listen.host: %s is not an IPv4 or IPv6 address", host);
}

static int listen_socket(int *out, const char *host, uint16_t port, struct sh_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int fd, one = 1, rc;

	if ((rc = bind_address(&ss, &len, host, port, err)) != 0)
		return rc;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return sh_err_set(err, SH_EINTERNAL, "socket: %m");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0) {
		sh_err_set(err, SH_EINTERNAL, "cannot listen on %s:%u: %m", host, port);
		close(fd);
		return SH_EINTERNAL;
	}
	*out = fd;
	return 0;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static unsigned threads_for(int64_t configured)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (configured > 0)
		return (unsigned)configured;
	return cores > 0 ? (unsigned)cores : 1;
}

int http_server_start(struct http_server **out, const struct sh_server *srv,
	http_identify_fn identify, struct sh_err *err)
{
	struct http_server *hs = sh_calloc(1, sizeof(*hs));
	unsigned threads = threads_for(srv->cfg.http_threads);
	int fd = -1, rc;

	hs->srv = srv;
	hs->identify = identify;
	sh_random_hex(hs->id_prefix, 4);
	hs->router = http_router_new(http_routes, http_routes_count, err);
	if (hs->router == NULL) {
		free(hs);
		return SH_EINTERNAL;
	}
	hs->metrics = metrics_new(http_routes_count);
	if ((rc = listen_socket(&fd, srv->cfg.listen_host, (uint16_t)srv->cfg.listen_port, err)) != 0)
		goto fail;
	hs->port = bound_port(fd);
	hs->daemon = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TURBO |
		MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, on_access, hs,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_URI_LOG_CALLBACK, uri_log, hs,
		MHD_OPTION_NOTIFY_COMPLETED, completed, hs,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape_none, NULL,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->cfg.conn_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		MHD_OPTION_CONNECTION_LIMIT, 4096u,
		MHD_OPTION_END);
	if (hs->daemon == NULL) {
		rc = sh_err_set(err, SH_EINTERNAL, "cannot start the HTTP server on %s:%u",
			srv->cfg.listen_host, hs->port);
		close(fd);
		goto fail;
	}
	*out = hs;
	return 0;
fail:
	http_router_free(hs->router);
	metrics_free(hs->metrics);
	free(hs);
	return rc;
}

uint16_t http_server_port(const struct http_server *hs)
{
	return hs->port;
}

bool http_server_stop(struct http_server *hs, int64_t grace_ms)
{
	uint64_t deadline;
	MHD_socket lfd;

	if (hs == NULL)
		return true;
	atomic_store(&hs->draining, true);
	lfd = MHD_quiesce_daemon(hs->daemon);
	if (lfd != MHD_INVALID_SOCKET)
		close(lfd);
	sh_hub_flush(hs->srv->hub); /* parked requests answer now */
	deadline = sh_now_ns() + (uint64_t)grace_ms * 1000000ull;
	while (atomic_load(&hs->in_flight) > 0 && sh_now_ns() < deadline)
		usleep(5000);
	if (atomic_load(&hs->in_flight) > 0) {
		/* MHD_stop_daemon would wait for the handler threads. */
		log_warn("shutdown: %ld requests still running after %lldms",
			(long)atomic_load(&hs->in_flight), (long long)grace_ms);
		return false;
	}
	MHD_stop_daemon(hs->daemon);
	http_router_free(hs->router);
	metrics_free(hs->metrics);
	free(hs);
	return true;
}
