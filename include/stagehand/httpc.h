/*
 * httpc: outbound HTTP requests (libcurl), always with a timeout and a
 * response size limit. One easy handle per call: thread-safe, nothing
 * shared. curl_global_init runs in main before threads.
 */
#ifndef STAGEHAND_HTTPC_H
#define STAGEHAND_HTTPC_H

#include <stddef.h>

#include "stagehand/util.h"

struct httpc_req {
	const char *method;          /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *url;
	const char *const *headers;  /* "Name: value" lines, NULL-terminated; may be NULL */
	const char *body;            /* may be NULL */
	size_t body_len;
	long timeout_ms;             /* whole request; 0: 30 s */
	size_t max_bytes;            /* response body limit; 0: 8 MiB */
};

struct httpc_resp {
	long status;
	struct sh_buf body;          /* the caller's: sh_buf_dispose */
};

/* Perform r. A response of any status is success (check out->status);
 * a connection failure, timeout or oversized body is SH_EUPSTREAM with a
 * message that names the url's host, never its query or credentials. */
int httpc_do(const struct httpc_req *r, struct httpc_resp *out, struct sh_err *err) SH_WUR;

#endif
