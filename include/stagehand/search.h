/*
 * search: one full-text search over the catalog and the TechDocs sites,
 * answered in Backstage's shape (GET /api/search/query).
 *
 * The index is an SQLite FTS5 table of documents: one per entity
 * ("software-catalog") and one per docs section ("techdocs"). Triggers mark
 * the refs an entity or site change touches (migration 0007); the indexer,
 * a job on the background workers, rebuilds the documents of those refs
 * only. Nothing ever re-reads the whole catalog on a schedule.
 */
#ifndef STAGEHAND_SEARCH_H
#define STAGEHAND_SEARCH_H

#include "stagehand/config.h"
#include "stagehand/jobs.h"
#include "stagehand/util.h"

struct search;
struct http_req;

#define SEARCH_QUEUE "search.index"

/* *out is the caller's (search_free); cfg is borrowed. */
int search_new(struct search **out, const struct sh_config *cfg, struct sh_err *err) SH_WUR;
void search_free(struct search *s);

/* The job queue that keeps the index current; add it to the worker pool. */
struct jobs_queue search_jobs_queue(struct search *s);

/* REST handlers (routes.c): Backstage's query, and the counts per type,
 * kind and owner of what a query matches (the search page's facets). */
int search_get_query(struct http_req *req, struct sh_err *err);
int search_get_facets(struct http_req *req, struct sh_err *err);

#endif
