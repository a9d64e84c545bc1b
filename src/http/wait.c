/*
 * Requests that wait without a thread. libmicrohttpd lets the access
 * handler or a content reader suspend its connection; a hub waiter resumes
 * it when its topic is notified or its deadline passes. Resuming only
 * happens after suspending (the waiter is registered after the suspend), as
 * libmicrohttpd requires.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- a handler that waits --------------------------------------------------- */

static void wake_request(void *arg, bool timed_out)
{
	struct http_req *req = arg;

	req->woken = timed_out ? HTTP_WAKE_TIMEOUT : HTTP_WAKE_NOTIFIED;
	MHD_resume_connection(req->conn);
}

static uint64_t deadline_after(const struct http_server *hs, int64_t ms)
{
	if (atomic_load(&hs->draining) || ms <= 0)
		return 0;
	return sh_now_ns() + (uint64_t)ms * 1000000ull;
}

void http_wait(struct http_req *req, const char *topic, uint64_t seen_version,
	int64_t timeout_ms)
{
	req->waiting = true;
	MHD_suspend_connection(req->conn);
	sh_hub_wait(req->srv->hub, topic, seen_version, deadline_after(req->hs, timeout_ms),
		wake_request, req, &req->waiter);
}

enum http_wake http_woken(const struct http_req *req)
{
	return req->woken;
}

void http_state_set(struct http_req *req, void *state, void (*free_fn)(void *))
{
	req->state = state;
	req->state_free = free_fn;
}

void *http_state_get(const struct http_req *req)
{
	return req->state;
}

void *http_state_take(struct http_req *req)
{
	void *s = req->state;

	req->state = NULL;
	req->state_free = NULL;
	return s;
}

/* ---- streams ------------------------------------------------------------------ */

struct stream {
	const struct sh_server *srv;
	struct http_server *hs;
	struct MHD_Connection *conn;
	http_stream_fn next;
	void (*free_fn)(void *);
	void *ctx;
	char *topic;
	int64_t wait_ms;
	struct sh_buf pending;
	size_t sent;               /* of pending */
	bool timed_out;
	bool ended;
	struct sh_hub_waiter *waiter;
};

static void wake_stream(void *arg, bool timed_out)
{
	struct stream *st = arg;

	st->timed_out = timed_out;
	MHD_resume_connection(st->conn);
}

static ssize_t take(struct stream *st, char *buf, size_t max)
{
	size_t n = st->pending.len - st->sent;

	if (n > max)
		n = max;
	memcpy(buf, st->pending.ptr + st->sent, n);
	st->sent += n;
	if (st->sent == st->pending.len)
		st->pending.len = st->sent = 0;
	return (ssize_t)n;
}

static ssize_t read_stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *st = cls;

	(void)pos;
	for (int spins = 0; spins < 64; spins++) {
		uint64_t seen;
		enum http_stream_rc rc;
		bool timed_out = st->timed_out;

		if (st->pending.len > st->sent)
			return take(st, buf, max);
		if (st->ended || atomic_load(&st->hs->draining))
			return MHD_CONTENT_READER_END_OF_STREAM;
		seen = sh_hub_version(st->srv->hub);
		st->timed_out = false;
		rc = st->next(st->ctx, &st->pending, timed_out);
		if (rc == HTTP_STREAM_END)
			st->ended = true;
		else if (rc == HTTP_STREAM_WAIT && st->pending.len == 0) {
			MHD_suspend_connection(st->conn);
			sh_hub_wait(st->srv->hub, st->topic, seen, deadline_after(st->hs, st->wait_ms),
				wake_stream, st, &st->waiter);
			return 0;
		}
	}
	return MHD_CONTENT_READER_END_WITH_ERROR; /* next() keeps producing nothing */
}

static void free_stream(void *cls)
{
	struct stream *st = cls;

	sh_hub_cancel(st->srv->hub, &st->waiter);
	if (st->free_fn != NULL)
		st->free_fn(st->ctx);
	sh_buf_dispose(&st->pending);
	free(st->topic);
	free(st);
}

void http_respond_stream(struct http_req *req, int status, const char *content_type,
	const char *topic, int64_t wait_ms, http_stream_fn next, void (*free_fn)(void *),
	void *ctx)
{
	struct stream *st = sh_calloc(1, sizeof(*st));
	struct MHD_Response *r;

	st->srv = req->srv;
	st->hs = req->hs;
	st->conn = req->conn;
	st->next = next;
	st->free_fn = free_fn;
	st->ctx = ctx;
	st->topic = sh_strdup(topic);
	st->wait_ms = wait_ms;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, read_stream, st,
		free_stream);
	http_set_response(req, status, r, content_type, 0);
}
