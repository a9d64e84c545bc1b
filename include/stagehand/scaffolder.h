/*
 * scaffolder: software templates (Template entities) run as tasks.
 *
 * A task is created by POST /api/scaffolder/v2/tasks, stored in SQLite and
 * run by one of the scaffolder's own worker threads in a private
 * workspace; its event log is stored as it runs and streamed to clients.
 * Secrets given with a task stay in this process's memory for the run and
 * are redacted from everything that is stored or sent.
 */
#ifndef STAGEHAND_SCAFFOLDER_H
#define STAGEHAND_SCAFFOLDER_H

#include "stagehand/config.h"
#include "stagehand/util.h"

struct scaffolder;
struct db_pool;
struct catalog;
struct http_req;

/* Create the scaffolder and start its workers. Tasks left running by a
 * previous process are failed with an event that says so. *out is the
 * caller's; stop with scaffolder_free. cfg, pool, catalog and hub are
 * borrowed and must outlive it. */
int scaffolder_new(struct scaffolder **out, const struct sh_config *cfg, struct db_pool *pool,
	struct catalog *catalog, struct sh_hub *hub, struct sh_err *err) SH_WUR;

/* Cancel running tasks, join the workers and free s. NULL is fine. */
void scaffolder_free(struct scaffolder *s);

/* REST handlers (routes.c). */
int scaffolder_get_actions(struct http_req *req, struct sh_err *err);
int scaffolder_get_parameter_schema(struct http_req *req, struct sh_err *err);
int scaffolder_post_task(struct http_req *req, struct sh_err *err);
int scaffolder_get_tasks(struct http_req *req, struct sh_err *err);
int scaffolder_get_task(struct http_req *req, struct sh_err *err);
int scaffolder_cancel_task(struct http_req *req, struct sh_err *err);
int scaffolder_retry_task(struct http_req *req, struct sh_err *err);
int scaffolder_get_events(struct http_req *req, struct sh_err *err);
int scaffolder_get_eventstream(struct http_req *req, struct sh_err *err);
int scaffolder_post_dry_run(struct http_req *req, struct sh_err *err);
int scaffolder_get_templating_extensions(struct http_req *req, struct sh_err *err);
int scaffolder_post_autocomplete(struct http_req *req, struct sh_err *err);

#endif
