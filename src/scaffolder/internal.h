/* Private to src/scaffolder. */
#ifndef STAGEHAND_SCAFFOLDER_INTERNAL_H
#define STAGEHAND_SCAFFOLDER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "stagehand/git.h"
#include "stagehand/scaffolder.h"
#include "tmpl.h"

#define SCAF_TOPIC_PREFIX "scaffolder:"
#define SCAF_MAX_STEPS 200
#define SCAF_MAX_EACH 1000

struct run;
struct dry_job;

/* A task the workers are running now: what cancel and the secrets need. */
struct live_task {
	struct live_task *next;
	char id[37];
	json_t *secrets;           /* given with the task; never stored */
	atomic_bool cancel;
	bool claimed;
};

struct scaffolder {
	const struct sh_config *cfg;
	struct db_pool *pool;
	struct catalog *catalog;
	struct sh_hub *hub;
	char *work_root;           /* workspaces of running and failed tasks */
	int n_threads;
	pthread_t *threads;
	pthread_mutex_t lock;      /* guards everything below */
	pthread_cond_t wake;
	bool stopping;
	struct live_task *live;
	struct dry_job *dry_head, *dry_tail;
	uint64_t next_clean_ns;    /* when an idle worker next cleans work_root */
	json_t *actions_json;      /* GET /v2/actions, built once */
	json_t *default_parameters; /* scaffolder.defaultEnvironment.parameters */
	json_t *default_secrets;    /* scaffolder.defaultEnvironment.secrets */
	const char *default_author_name, *default_author_email, *default_commit_message;
};

/* ---- actions (actions.c and actions_*.c) ------------------------------------ */

struct action_ctx {
	struct scaffolder *sc;
	struct run *run;
	const char *step_id;
	const char *workspace;     /* absolute; every path stays inside it */
	const char *template_base; /* where relative urls resolve: a directory
	                              ("/abs/dir/"), or a url ending in '/' */
	const char *template_ref;  /* "template:default/x" */
	const char *local_root;    /* local files may be read only under here;
	                              NULL: none at all (see source.c) */
	const json_t *user;        /* {ref, entity?} */
	bool dry_run;
	atomic_bool *cancel;
};

struct action {
	const char *id;
	const char *description;
	const char *input_schema;  /* JSON text */
	const char *output_schema; /* JSON text, or NULL: no outputs */
	bool supports_dry_run;
	/* Run with the rendered, validated input (borrowed); set outputs on
	 * output (borrowed object). */
	int (*run)(struct action_ctx *ac, const json_t *input, json_t *output, struct sh_err *err);
};

const struct action *action_find(const char *id);
/* GET /v2/actions: every action with parsed schemas (new reference). */
json_t *actions_list(void);

/* A log line from an action, shown as "<level>: text" in the task log. */
void action_log(struct action_ctx *ac, const char *level, const char *fmt, ...) SH_PRINTF(3, 4);

extern const struct action actions_fetch[], actions_fs[], actions_debug[], actions_catalog[],
	actions_git[], actions_github[], actions_notify[];
extern const size_t actions_fetch_n, actions_fs_n, actions_debug_n, actions_catalog_n,
	actions_git_n, actions_github_n, actions_notify_n;

/* ---- files (files.c) ---------------------------------------------------------- */

/* The absolute path of rel inside root (root/rel), or NULL with err set
 * when rel is absolute or climbs out with "..". Caller frees. */
char *path_inside(const char *root, const char *rel, struct sh_err *err);
/* remove_tree for scratch space: a failure is logged, nothing more. */
void remove_scratch(const char *path);
/* Copy the tree at src into dst (created), files byte for byte with their
 * modes, symlinks as symlinks. */
int copy_tree(const char *src, const char *dst, struct sh_err *err) SH_WUR;
/* Read a whole file (limit bytes at most). *out is the caller's. */
int read_file_all(const char *path, size_t limit, char **out, size_t *len,
	struct sh_err *err) SH_WUR;
/* Write a whole file with mode, creating parents. */
int write_file_all(const char *path, const void *data, size_t len, mode_t mode,
	struct sh_err *err) SH_WUR;
/* A fresh private directory under parent (created). Caller frees. */
char *make_temp_dir(const char *parent, const char *prefix, struct sh_err *err);

/* Each entry under root, depth-first, as a relative path (directories end
 * in '/'); symlinks are listed, not followed. A new JSON array of strings. */
json_t *list_tree(const char *root);

/* Whether path (relative, '/'-separated) matches a glob with *, ?, [..]
 * and ** (any number of directories); dot files match like any other. */
bool glob_match(const char *glob, const char *path);

/* ---- sources: where template files come from (source.c) ---------------------- */

/* The directory local reads of a template with this base are confined to:
 * the base itself when it is a local directory, else NULL. Caller frees. */
char *source_local_root(const char *template_base);

/*
 * Make the file or directory at url (relative to ac->template_base, or
 * absolute: a path, file:, http(s): or a git repository url of the form
 * <repo>/tree/<ref>/<path> or <repo>/blob/<ref>/<path>) available as a
 * local path: *out is the local path, *tmp (may be NULL) a temporary
 * directory to remove afterwards. Both are the caller's.
 */
int source_fetch(struct action_ctx *ac, const char *url, bool want_dir, char **out, char **tmp,
	struct sh_err *err) SH_WUR;

/* ---- runs (runner.c) ---------------------------------------------------------- */

/* Where a run's events go. */
struct run_sink {
	void (*event)(void *ctx, const char *type, json_t *body); /* body stolen */
	void *ctx;
};

struct run_params {
	const char *task_id;
	const json_t *spec;         /* TaskSpec */
	const json_t *secrets;      /* may be NULL */
	json_t *state;              /* {"steps": {...}} read and updated for retry; may be NULL */
	const char *workspace;
	const char *template_base;
	const char *local_root;     /* see struct action_ctx */
	bool dry_run;
	atomic_bool *cancel;
	struct run_sink sink;
	/* Called after each step with state updated; may be NULL. */
	void (*checkpoint)(void *ctx, const json_t *state);
	void *checkpoint_ctx;
};

enum run_result { RUN_COMPLETED, RUN_FAILED, RUN_CANCELLED };

/* Run every step of a task and emit its events, the last a completion.
 * *output receives the rendered output (new reference; NULL if failed). */
enum run_result run_task(struct scaffolder *sc, const struct run_params *p, json_t **output);

/* Emit a log event for step_id (may be NULL); message is redacted. */
void run_log(struct run *r, const char *step_id, const char *message);

/* Replace every secret value inside s with "***": a new heap string. */
char *run_redact(const struct run *r, const char *s);

/* ---- tasks in the database (store.c) --------------------------------------- */

int store_task_insert(sqlite3 *db, const char *id, const json_t *spec, const char *created_by,
	bool has_secrets, struct sh_err *err) SH_WUR;
/* The Task JSON for GET (no secrets), or NULL when unknown. New reference. */
json_t *store_task_get(struct db_pool *pool, sqlite3 *db, const char *id, struct sh_err *err,
	int *rc);
/* Append an event; returns its id (or -1). */
int64_t store_event_add(sqlite3 *db, const char *task_id, const char *type, const json_t *body);
/* Events of a task with id > after (plus the completion event, always),
 * at most limit. New reference (array). */
json_t *store_events_after(struct db_pool *pool, sqlite3 *db, const char *task_id, int64_t after,
	int limit, struct sh_err *err, int *rc);
int store_task_status(sqlite3 *db, const char *id, const char *status, struct sh_err *err) SH_WUR;

/* ---- worker (worker.c) ------------------------------------------------------------ */

int workers_start(struct scaffolder *sc, int n, struct sh_err *err) SH_WUR;
void workers_stop(struct scaffolder *sc);
/* Wake a worker for a new task or dry run. */
void workers_wake(struct scaffolder *sc);
/* Register a task's secrets in memory before it is queued (stolen). */
void live_add(struct scaffolder *sc, const char *id, json_t *secrets);
/* Ask a task to stop: true if it is running here now. */
bool live_cancel(struct scaffolder *sc, const char *id);
/* Remove what a previous process left under work_root (start-up). */
void clean_work_root(struct scaffolder *sc, bool clean_dry);
/* Fail tasks a previous process left open or processing (start-up). */
int recover_tasks(struct scaffolder *sc, struct sh_err *err) SH_WUR;

/* The topic a task's new events are notified on (buf of 64). */
void task_topic(char buf[64], const char *task_id);

/* ---- dry runs (dryrun.c) ---------------------------------------------------------- */

struct dry_job {
	struct dry_job *next;
	json_t *template;          /* the posted Template entity */
	json_t *values;
	json_t *secrets;
	json_t *files;             /* directoryContents */
	json_t *user;
	char *base;                /* the stored template's base, when the
	                              request sent no files; else NULL */
	char topic[64];
	/* results, set by the worker under sc->lock */
	bool done;
	int rc;
	struct sh_err err;
	json_t *result;            /* {log, directoryContents, output, steps} */
	int refs;                  /* the request and the queue; under sc->lock */
};

/* Run one dry run (worker thread). */
void dry_run_execute(struct scaffolder *sc, struct dry_job *job);
void dry_job_release(struct scaffolder *sc, struct dry_job *job);

/* ---- templates (template.c) ------------------------------------------------------ */

/* The form pages of a Template entity's spec.parameters (array, new ref). */
json_t *template_pages(const json_t *template_entity);
/* Validate values against the visible pages; errors appended (jsonschema
 * shape). Pages whose `when` is false are skipped and their own keys are
 * removed from values. */
void template_validate_values(const json_t *template_entity, json_t *values, json_t *errors);
/* The TaskSpec for a template and values (new reference). */
json_t *template_task_spec(const json_t *template_entity, const char *template_ref,
	const char *base_url, const json_t *values, const json_t *user);
/* Where relative urls in a template resolve: from its source-location or
 * managed-by-location annotation. Caller frees; NULL if neither. */
char *template_base_url(const json_t *template_entity);

#endif
