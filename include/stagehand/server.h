/*
 * server: the one process-wide context. main fills it before any thread
 * starts; afterwards it is read-only, and handlers reach it through
 * http_server_ctx(req). Anything mutable inside has its own lock.
 */
#ifndef STAGEHAND_SERVER_H
#define STAGEHAND_SERVER_H

#include <stdint.h>

#include "stagehand/config.h"
#include "stagehand/jobs.h"

struct db_pool;
struct http_server;
struct static_files;
struct jobs;
struct catalog;
struct scaffolder;
struct techdocs;
struct search;
struct sh_hub;

struct sh_server {
	struct sh_config cfg;
	const char *version;
	char *db_path;              /* resolved database file */
	struct db_pool *db;
	struct static_files *web;   /* static frontend; has its own cache lock */
	struct http_server *http;
	struct jobs *jobs;          /* background workers */
	struct jobs_queue queues[3]; /* what the workers run */
	struct catalog *catalog;
	struct scaffolder *scaffolder;
	struct techdocs *techdocs;
	struct search *search;
	struct sh_hub *hub;         /* wake-ups for waiting requests; own lock */
	int64_t started_unix;       /* process start, seconds since the epoch */
};

#endif
