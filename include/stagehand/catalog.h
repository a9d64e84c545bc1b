/*
 * catalog: Backstage-compatible software catalog — entities, locations,
 * processing, relations and the REST API under /api/catalog.
 */
#ifndef STAGEHAND_CATALOG_H
#define STAGEHAND_CATALOG_H

#include <jansson.h>
#include <stdbool.h>

#include "stagehand/http.h"
#include "stagehand/jobs.h"
#include "stagehand/util.h"

struct db_pool;
struct sh_config;
struct catalog;

/* ---- entity references -------------------------------------------------- */

/* A parsed entity reference; strings are borrowed from the arena given to
 * catalog_ref_parse. kind/namespace/name keep their case. */
struct catalog_ref {
	const char *kind;
	const char *namespace;
	const char *name;
};

/*
 * Parse "[kind:][namespace/]name". A missing kind takes default_kind (NULL:
 * an error), a missing namespace default_ns. Strings come from arena.
 */
int catalog_ref_parse(struct catalog_ref *out, struct sh_arena *arena, const char *s,
	const char *default_kind, const char *default_ns, struct sh_err *err) SH_WUR;

/* The canonical lower-case "kind:namespace/name", from arena. */
char *catalog_ref_string(struct sh_arena *arena, const char *kind, const char *ns,
	const char *name);

/* ---- validation --------------------------------------------------------------- */

/*
 * Check an unprocessed entity against Backstage's rules: the envelope
 * (apiVersion, kind, metadata formats and lengths) and the kind's spec.
 * Returns 0 or SH_EINPUT with a message; *pointer (may be NULL) gets the
 * JSON pointer of the offending value (static or from arena) so callers can
 * name a line.
 */
int catalog_entity_validate(const json_t *entity, struct sh_arena *arena,
	const char **pointer, struct sh_err *err) SH_WUR;

/* ---- the running catalog -------------------------------------------------------- */

/* Read the catalog settings from cfg (validated earlier by the config
 * loader), register the configured locations and schedule their
 * processing. *out is the caller's; free with catalog_free. */
int catalog_new(struct catalog **out, const struct sh_config *cfg, struct db_pool *pool,
	struct sh_err *err) SH_WUR;
void catalog_free(struct catalog *c);

/* Tell the catalog which worker pool runs its jobs (for prompt wake-ups). */
void catalog_set_jobs(struct catalog *c, struct jobs *jobs);

/* Append the catalog's Prometheus metrics to out. NULL c writes nothing. */
void catalog_metrics_write(const struct catalog *c, struct sh_buf *out);

/* The job queue that processes locations; add it to the worker pool. */
struct jobs_queue catalog_jobs_queue(struct catalog *c);

/* ---- for other modules (the scaffolder) ----------------------------------------- */

/* The stored entity named ref ("kind:namespace/name", any case), or NULL
 * when there is none (*out stays NULL and 0 is returned). db is the
 * caller's connection. *out is a new reference. */
int catalog_entity_get(struct catalog *c, sqlite3 *db, const char *ref, json_t **out,
	struct sh_err *err) SH_WUR;

/* Register type:target as a location (or, when it exists, queue it for a
 * forced refresh) and wake the workers. *entities (may be NULL) receives
 * what the location holds now, read without writing (a new reference).
 * Runs its own transaction on db. */
int catalog_location_add(struct catalog *c, sqlite3 *db, const char *type, const char *target,
	json_t **entities, struct sh_err *err) SH_WUR;

/* Read a url (within backend.reading.allow, with its timeout and size
 * limit). *out is the caller's (free); *missing tells a 404. */
int catalog_read_url(struct catalog *c, const char *url, char **out, size_t *len,
	bool *missing, struct sh_err *err) SH_WUR;

/* Whether url may be read at all: http(s) on a host of integrations.github,
 * or within backend.reading.allow. */
bool catalog_url_allowed(struct catalog *c, const char *url);

/* `stagehand catalog validate FILE...`: print "file:line: message" for each
 * problem to stderr. Returns 0 when every file is valid, 1 otherwise. */
int catalog_validate_files(int n, char **files);

/* ---- REST handlers (routes in src/http/routes.c) -------------------------------- */

int catalog_get_entities(struct http_req *req, struct sh_err *err);
int catalog_get_entities_by_query(struct http_req *req, struct sh_err *err);
int catalog_post_entities_by_query(struct http_req *req, struct sh_err *err);
int catalog_get_entity_by_uid(struct http_req *req, struct sh_err *err);
int catalog_delete_entity_by_uid(struct http_req *req, struct sh_err *err);
int catalog_get_entity_by_name(struct http_req *req, struct sh_err *err);
int catalog_get_entity_ancestry(struct http_req *req, struct sh_err *err);
int catalog_post_entities_by_refs(struct http_req *req, struct sh_err *err);
int catalog_get_entity_facets(struct http_req *req, struct sh_err *err);
int catalog_post_entity_facets(struct http_req *req, struct sh_err *err);
int catalog_post_refresh(struct http_req *req, struct sh_err *err);
int catalog_post_validate_entity(struct http_req *req, struct sh_err *err);
int catalog_post_analyze_location(struct http_req *req, struct sh_err *err);
int catalog_get_locations(struct http_req *req, struct sh_err *err);
int catalog_post_locations_by_query(struct http_req *req, struct sh_err *err);
int catalog_put_location(struct http_req *req, struct sh_err *err);
int catalog_post_locations(struct http_req *req, struct sh_err *err);
int catalog_get_location(struct http_req *req, struct sh_err *err);
int catalog_delete_location(struct http_req *req, struct sh_err *err);
int catalog_get_location_by_entity(struct http_req *req, struct sh_err *err);
int catalog_get_errors(struct http_req *req, struct sh_err *err);

#endif
