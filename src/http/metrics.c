/*
 * Prometheus metrics. Counters are atomics in one block per route (plus the
 * static-file and unmatched pseudo-routes), so observing a request takes no
 * lock; a scrape reads them relaxed, which is what Prometheus expects.
 */
#include "internal.h"

#include "stagehand/catalog.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STATUS_MIN 100
#define STATUS_SLOTS 500 /* 100..599 */

static const double bucket_le[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
#define N_BUCKETS (SH_ARRAY_LEN(bucket_le) + 1) /* the last is +Inf */

struct route_metrics {
	_Atomic uint64_t by_status[STATUS_SLOTS];
	_Atomic uint64_t buckets[N_BUCKETS];
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t count;
};

struct metrics {
	size_t n_routes; /* real routes; pseudo-routes follow */
	struct route_metrics *routes;
};

struct metrics *metrics_new(size_t n_routes)
{
	struct metrics *m = sh_calloc(1, sizeof(*m));

	m->n_routes = n_routes;
	m->routes = sh_calloc(n_routes + ROUTE_PSEUDO_COUNT, sizeof(*m->routes));
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	free(m->routes);
	free(m);
}

void metrics_observe(struct metrics *m, int route_index, int status, uint64_t ns)
{
	size_t idx = route_index < 0 ? m->n_routes + ROUTE_UNMATCHED : (size_t)route_index;
	struct route_metrics *r = &m->routes[idx];
	double secs = (double)ns / 1e9;
	size_t b = 0;

	if (status >= STATUS_MIN && status < STATUS_MIN + STATUS_SLOTS)
		atomic_fetch_add_explicit(&r->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
	while (b < SH_ARRAY_LEN(bucket_le) && secs > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_ns, ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
}

static void route_labels(const struct metrics *m, size_t i, char *out, size_t outsz)
{
	if (i < m->n_routes)
		snprintf(out, outsz, "method=\"%s\",route=\"%s\"", http_routes[i].method,
			http_routes[i].pattern);
	else if (i == m->n_routes + ROUTE_STATIC)
		snprintf(out, outsz, "method=\"GET\",route=\"(static)\"");
	else
		snprintf(out, outsz, "method=\"*\",route=\"(unmatched)\"");
}

static void write_requests(struct sh_buf *b, const struct metrics *m)
{
	char labels[256];

	sh_buf_puts(b, "# HELP stagehand_http_requests_total HTTP requests by route and status.\n"
		"# TYPE stagehand_http_requests_total counter\n");
	for (size_t i = 0; i < m->n_routes + ROUTE_PSEUDO_COUNT; i++) {
		const struct route_metrics *r = &m->routes[i];
		if (atomic_load_explicit(&r->count, memory_order_relaxed) == 0)
			continue;
		route_labels(m, i, labels, sizeof(labels));
		for (int s = 0; s < STATUS_SLOTS; s++) {
			uint64_t n = atomic_load_explicit(&r->by_status[s], memory_order_relaxed);
			if (n > 0)
				sh_buf_printf(b, "stagehand_http_requests_total{%s,status=\"%d\"} %llu\n",
					labels, s + STATUS_MIN, (unsigned long long)n);
		}
	}
}

static void write_latency(struct sh_buf *b, const struct metrics *m)
{
	char labels[256];

	sh_buf_puts(b, "# HELP stagehand_http_request_duration_seconds Time from request line to response sent.\n"
		"# TYPE stagehand_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->n_routes + ROUTE_PSEUDO_COUNT; i++) {
		const struct route_metrics *r = &m->routes[i];
		uint64_t cumulative = 0;
		uint64_t count = atomic_load_explicit(&r->count, memory_order_relaxed);
		if (count == 0)
			continue;
		route_labels(m, i, labels, sizeof(labels));
		for (size_t k = 0; k < N_BUCKETS; k++) {
			cumulative += atomic_load_explicit(&r->buckets[k], memory_order_relaxed);
			if (k < SH_ARRAY_LEN(bucket_le))
				sh_buf_printf(b, "stagehand_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
					labels, bucket_le[k], (unsigned long long)cumulative);
			else
				sh_buf_printf(b, "stagehand_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
					labels, (unsigned long long)cumulative);
		}
		sh_buf_printf(b, "stagehand_http_request_duration_seconds_sum{%s} %.6f\n", labels,
			(double)atomic_load_explicit(&r->sum_ns, memory_order_relaxed) / 1e9);
		sh_buf_printf(b, "stagehand_http_request_duration_seconds_count{%s} %llu\n", labels,
			(unsigned long long)cumulative);
	}
}

static long resident_bytes(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * sysconf(_SC_PAGESIZE);
}

static void write_process(struct sh_buf *b, struct http_req *req)
{
	const struct sh_server *srv = http_server_ctx(req);
	int64_t dbsize = db_size_bytes(http_db(req));

	sh_buf_printf(b, "# HELP stagehand_info Build information.\n# TYPE stagehand_info gauge\n"
		"stagehand_info{version=\"%s\"} 1\n", srv->version);
	sh_buf_printf(b, "# HELP stagehand_database_size_bytes Size of the SQLite database file.\n"
		"# TYPE stagehand_database_size_bytes gauge\nstagehand_database_size_bytes %lld\n",
		(long long)dbsize);
	sh_buf_printf(b, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
		"# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n",
		resident_bytes());
	sh_buf_printf(b, "# HELP process_start_time_seconds Start time of the process since the epoch.\n"
		"# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %lld\n",
		(long long)srv->started_unix);
	sh_buf_printf(b, "# HELP stagehand_http_in_flight_requests Requests being served now.\n"
		"# TYPE stagehand_http_in_flight_requests gauge\nstagehand_http_in_flight_requests %ld\n",
		(long)atomic_load(&req->hs->in_flight));
}

int metrics_handler(struct http_req *req, struct sh_err *err)
{
	struct sh_buf b = SH_BUF_INIT;

	(void)err;
	write_requests(&b, req->hs->metrics);
	write_latency(&b, req->hs->metrics);
	write_process(&b, req);
	catalog_metrics_write(http_server_ctx(req)->catalog, &b);
	http_respond_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", b.ptr, b.len);
	sh_buf_dispose(&b);
	return 0;
}
