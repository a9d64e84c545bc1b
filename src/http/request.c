/* The request/response API handlers use, and the error body. */
#include "internal.h"

#include <stdatomic.h>
#include <string.h>
#include <strings.h>

struct sh_arena *http_arena(struct http_req *req) { return req->arena; }
const struct sh_server *http_server_ctx(struct http_req *req) { return req->srv; }
const char *http_method(const struct http_req *req) { return req->method; }
const char *http_path(const struct http_req *req) { return req->path; }
const char *http_request_id(const struct http_req *req) { return req->id; }
const struct sh_identity *http_identity(const struct http_req *req) { return &req->identity; }
const struct http_query *http_query(const struct http_req *req) { return &req->query; }

const char *http_param(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->n_params; i++)
		if (strcmp(req->params[i].name, name) == 0)
			return req->params[i].value;
	return NULL;
}

const char *http_param_tail(const struct http_req *req)
{
	return http_param(req, "*");
}

const char *http_query_get(const struct http_req *req, const char *name)
{
	for (size_t i = 0; i < req->query.n; i++)
		if (strcmp(req->query.pairs[i].name, name) == 0)
			return req->query.pairs[i].value;
	return NULL;
}

const char **http_query_all(struct http_req *req, const char *name, size_t *n)
{
	const char **vals = sh_arena_alloc(req->arena, (req->query.n + 1) * sizeof(*vals));
	size_t k = 0;

	for (size_t i = 0; i < req->query.n; i++)
		if (strcmp(req->query.pairs[i].name, name) == 0)
			vals[k++] = req->query.pairs[i].value;
	vals[k] = NULL;
	*n = k;
	return vals;
}

const char *http_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_body(const struct http_req *req, size_t *len)
{
	*len = req->body.len;
	return req->body.ptr ? req->body.ptr : "";
}

int http_body_json(struct http_req *req, bool any, json_t **out, struct sh_err *err)
{
	const char *ctype = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t jerr;
	json_t *v;

	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		return sh_err_set(err, SH_EINPUT,
			"Request body must be JSON, sent with Content-Type: application/json");
	if (req->body.len == 0)
		return sh_err_set(err, SH_EINPUT, "Request body is empty; expected JSON");
	v = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL)
		return sh_err_set(err, SH_EINPUT, "Malformed JSON body at line %d, column %d: %s",
			jerr.line, jerr.column, jerr.text);
	if (!any && !json_is_object(v)) {
		json_decref(v);
		return sh_err_set(err, SH_EINPUT, "Request body must be a JSON object");
	}
	*out = v;
	return 0;
}

sqlite3 *http_db(struct http_req *req)
{
	if (req->db == NULL)
		req->db = db_acquire(req->srv->db);
	return req->db;
}

/* ---- responses -------------------------------------------------------------- */

void http_header_add(struct http_req *req, const char *name, const char *value)
{
	struct http_header *h = sh_arena_alloc(req->arena, sizeof(*h));

	h->name = sh_arena_strdup(req->arena, name);
	h->value = sh_arena_strdup(req->arena, value);
	h->next = req->headers;
	req->headers = h;
}

void http_set_response(struct http_req *req, int status, struct MHD_Response *r,
	const char *content_type, uint64_t bytes)
{
	if (req->response != NULL)
		MHD_destroy_response(req->response);
	req->response = r;
	req->status = status;
	req->bytes = bytes;
	if (content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
}

void http_respond_bytes(struct http_req *req, int status, const char *content_type,
	const void *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
		MHD_RESPMEM_MUST_COPY);

	http_set_response(req, status, r, content_type, len);
}

void http_respond_json(struct http_req *req, int status, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t len = text ? strlen(text) : 0;
	struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback(
		len, text, free);

	json_decref(body);
	http_set_response(req, status, r, "application/json; charset=utf-8", len);
}

void http_respond_fd(struct http_req *req, int status, const char *content_type,
	int fd, uint64_t size)
{
	struct MHD_Response *r = MHD_create_response_from_fd64(size, fd);

	http_set_response(req, status, r, content_type, size);
}

void http_respond_static(struct http_req *req, int status, const char *content_type,
	const char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
		MHD_RESPMEM_PERSISTENT);

	http_set_response(req, status, r, content_type, len);
}

void http_respond_empty(struct http_req *req, int status)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

	http_set_response(req, status, r, NULL, 0);
}

/* ---- errors ------------------------------------------------------------------- */

static int status_for(int code)
{
	switch (code) {
	case SH_EINPUT: return 400;
	case SH_EAUTH: return 401;
	case SH_ENOTALLOWED: return 403;
	case SH_ENOTFOUND: return 404;
	case SH_EMETHOD: return 405;
	case SH_ECONFLICT: return 409;
	case SH_ETOOLARGE: return 413;
	case SH_EUPSTREAM: return 502;
	case SH_EUNAVAILABLE: return 503;
	default: return 500;
	}
}

/* Backstage reports request.url relative to the plugin's mount point
 * (/api/<plugin>); paths outside a plugin are reported whole. */
static const char *url_for_error(const struct http_req *req)
{
	const char *url = req->raw_url;

	if (req->route != NULL && strncmp(url, "/api/", 5) == 0) {
		const char *rest = strpbrk(url + 5, "/?");
		if (rest != NULL)
			return *rest == '?' ? "/" : rest;
		return "/";
	}
	return url;
}

static void respond_error(struct http_req *req, int code, const struct sh_err *err)
{
	int status = status_for(code);
	const char *message = err->msg;
	json_t *body;

	if (status == 500) {
		/* Internals go to the log, never to the client. */
		log_error("req=%s %s %s: %s", req->id, req->method ? req->method : "-",
			req->path ? req->path : "-", err->msg);
		message = sh_arena_printf(req->arena, "An internal error occurred logId=%s", req->id);
	}
	/* Messages and URLs may echo client bytes that are not UTF-8, which
	 * JSON cannot carry. */
	if (!sh_utf8_valid(message, strlen(message)))
		message = "The request could not be processed (it contains bytes that are not UTF-8)";
	body = json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:{s:i}}",
		"error", "name", sh_status_name(code), "message", message,
		"request", "method", req->method ? req->method : "GET",
		"url", sh_utf8_valid(url_for_error(req), strlen(url_for_error(req))) ? url_for_error(req) : "?",
		"response", "statusCode", status);
	http_respond_json(req, status, body);
}

/* ---- sending -------------------------------------------------------------------- */

void http_finish(struct http_req *req, int rc, const struct sh_err *err)
{
	struct http_header *h;

	if (rc != 0 || req->response == NULL) {
		struct sh_err fallback = { SH_EINTERNAL, "handler set no response" };
		respond_error(req, rc != 0 ? rc : SH_EINTERNAL, rc != 0 ? err : &fallback);
	}
	for (h = req->headers; h != NULL; h = h->next)
		MHD_add_response_header(req->response, h->name, h->value);
	MHD_add_response_header(req->response, "X-Request-Id", req->id);
	MHD_add_response_header(req->response, "X-Content-Type-Options", "nosniff");
	if (atomic_load(&req->hs->draining))
		MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONNECTION, "close");
	if (MHD_queue_response(req->conn, (unsigned)req->status, req->response) != MHD_YES)
		log_warn("req=%s could not queue the response", req->id);
}
