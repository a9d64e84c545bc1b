/*
 * Routes that exist only in test builds (meson -Dtest_routes=true): they let
 * the black-box tests reach code paths no production route reaches on
 * demand — a JSON body echoed, an internal failure, a slow request during
 * shutdown. Release builds do not compile this file.
 */
#include "internal.h"

#include <stdlib.h>
#include <time.h>

int test_echo(struct http_req *req, struct sh_err *err)
{
	json_t *body = NULL;
	int rc;

	if ((rc = http_body_json(req, true, &body, err)) != 0)
		return rc;
	http_respond_json(req, 200, json_pack("{s:o}", "body", body));
	return 0;
}

int test_fail(struct http_req *req, struct sh_err *err)
{
	(void)req;
	/* The detail must reach the log and never the client. */
	return sh_err_set(err, SH_EINTERNAL, "simulated failure: secret-detail-7f3a");
}

int test_slow(struct http_req *req, struct sh_err *err)
{
	const char *ms = http_query_get(req, "ms");
	long n = ms ? strtol(ms, NULL, 10) : 500;
	struct timespec ts;

	(void)err;
	if (n < 0 || n > 10000)
		return sh_err_set(err, SH_EINPUT, "ms must be from 0 to 10000");
	ts.tv_sec = n / 1000;
	ts.tv_nsec = (n % 1000) * 1000000L;
	nanosleep(&ts, NULL);
	http_respond_json(req, 200, json_pack("{s:i}", "sleptMs", (int)n));
	return 0;
}

int test_params(struct http_req *req, struct sh_err *err)
{
	const struct http_query *q = http_query(req);
	json_t *query = json_array();

	(void)err;
	for (size_t i = 0; i < q->n; i++)
		json_array_append_new(query, json_pack("[ss]", q->pairs[i].name, q->pairs[i].value));
	http_respond_json(req, 200, json_pack("{s:s,s:s,s:s,s:o,s:s?,s:s}",
		"kind", http_param(req, "kind"), "namespace", http_param(req, "namespace"),
		"name", http_param(req, "name"), "query", query,
		"identity", http_identity(req)->user_ref, "requestId", http_request_id(req)));
	return 0;
}
