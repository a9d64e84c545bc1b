/*
 * techdocs: documentation sites built in-process from mkdocs.yml and
 * Markdown, for every entity with a backstage.io/techdocs-ref annotation.
 *
 * A build runs on the background workers (a jobs queue), reads the site's
 * sources (a folder next to the entity's file, or a git repository),
 * renders every page with cmark-gfm and stores the site in SQLite; a build
 * whose sources did not change stores nothing. The REST API serves the
 * site Backstage's way: metadata, static files, and a sync stream.
 */
#ifndef STAGEHAND_TECHDOCS_H
#define STAGEHAND_TECHDOCS_H

#include "stagehand/config.h"
#include "stagehand/jobs.h"
#include "stagehand/util.h"

struct techdocs;
struct db_pool;
struct catalog;
struct http_req;

#define TECHDOCS_QUEUE "techdocs.build"

/* *out is the caller's (techdocs_free); everything given is borrowed. */
int techdocs_new(struct techdocs **out, const struct sh_config *cfg, struct db_pool *pool,
	struct catalog *catalog, struct sh_hub *hub, struct sh_err *err) SH_WUR;
void techdocs_free(struct techdocs *t);

/* The job queue that builds sites; add it to the worker pool. */
struct jobs_queue techdocs_jobs_queue(struct techdocs *t);
/* Tell the module which worker pool runs its jobs (for prompt wake-ups). */
void techdocs_set_jobs(struct techdocs *t, struct jobs *jobs);

/* REST handlers (routes.c). */
int techdocs_get_metadata(struct http_req *req, struct sh_err *err);
int techdocs_get_entity_metadata(struct http_req *req, struct sh_err *err);
int techdocs_get_static(struct http_req *req, struct sh_err *err);
int techdocs_get_sync(struct http_req *req, struct sh_err *err);

#endif
