/* Private to src/catalog. */
#ifndef STAGEHAND_CATALOG_INTERNAL_H
#define STAGEHAND_CATALOG_INTERNAL_H

#include <sqlite3.h>

#include "stagehand/catalog.h"
#include "stagehand/db.h"
#include "stagehand/jobs.h"

#define CATALOG_QUEUE "catalog.location"
#define ANNOTATION_LOCATION "backstage.io/managed-by-location"
#define ANNOTATION_ORIGIN "backstage.io/managed-by-origin-location"
#define ANNOTATION_SOURCE "backstage.io/source-location"
#define ANNOTATION_VIEW_URL "backstage.io/view-url"
#define ANNOTATION_EDIT_URL "backstage.io/edit-url"
#define ANNOTATION_ORPHAN "backstage.io/orphan"

/* One allowed host (and optional path prefixes) for url locations. */
struct read_allow {
	char *host;          /* "example.com", "*.example.com", "localhost:8080" */
	char **paths;        /* NULL-terminated prefixes, or NULL for any */
};

/* A catalog rule: kinds allowed, optionally only for some locations. */
struct catalog_rule {
	char **kinds;        /* NULL-terminated, lower-case */
	char **locations;    /* NULL-terminated "type:target" globs, or NULL for all */
};

struct catalog {
	struct db_pool *pool;
	struct jobs *jobs;
	int64_t interval_ms;       /* re-read every location this often */
	bool keep_orphans;         /* catalog.orphanStrategy: keep */
	struct sh_text_cache *cache; /* single-entity reads, at db_generation */
	int64_t read_timeout_ms;
	int64_t read_max_bytes;
	struct read_allow *allow;
	size_t n_allow;
	const json_t *github;      /* integrations.github (borrowed from the config) */
	struct catalog_rule *rules;
	size_t n_rules;

	/* Counters for /metrics (catalog_metrics_write). */
	_Atomic uint64_t rounds_applied, rounds_unchanged, rounds_failed;
	_Atomic uint64_t entities_applied, entities_unchanged;
};

/* A relation row: source --type--> target (lower-case refs). */
struct relation {
	const char *source;
	const char *type;
	const char *target;
};

/* An entity after processing, ready to store. */
struct processed {
	json_t *entity;              /* owned */
	const char *ref;             /* arena */
	struct relation *rels;       /* arena */
	size_t n_rels;
	const char *source_etag;     /* metadata.etag as the source gave it (arena), or NULL */
};

/* process.c: validate, apply defaults and server-set annotations, sort
 * list fields and emit relations. raw is borrowed; out->entity is a new
 * value the caller owns. On failure *pointer names the offending field. */
int process_entity(struct processed *out, struct sh_arena *a, const json_t *raw,
	const char *location_key, const char *origin_key, const char **pointer,
	struct sh_err *err) SH_WUR;

/* Whether rules allow kind for an entity whose origin is origin_key. */
bool rules_allow(const struct catalog *c, const char *kind, const char *origin_key);

/* read.c: fetch the text of a location target ("file" path or "url").
 * *out is malloc'ed (caller frees); *missing is set when the target does
 * not exist (so optional locations can be quiet about it). */
int read_target(const struct catalog *c, const char *type, const char *target, char **out,
	size_t *len, bool *missing, struct sh_err *err) SH_WUR;

/* A conditional GET: if_none_match (NULL: none) is sent; not_modified
 * tells a 304, in which case nothing is read; etag receives the response's
 * ETag (malloc'ed, the caller frees) when the body is read. */
struct read_cond {
	const char *if_none_match;
	bool not_modified;
	char *etag;
};

/* read_target for a url, conditionally when cond is not NULL. */
int read_url_conditional(const struct catalog *c, const char *url, struct read_cond *cond,
	char **out, size_t *len, bool *missing, struct sh_err *err) SH_WUR;

/* Resolve a Location entity's target relative to the location it came from;
 * result from arena. */
const char *resolve_target(struct sh_arena *a, const char *type, const char *base_target,
	const char *target);

/* Expand a file glob into matching paths (arena, NULL-terminated). */
const char **expand_glob(struct sh_arena *a, const char *pattern);

/* catalog.c: registered locations. location_register writes the root
 * Location entity and the catalog_locations row (kept if it exists) and
 * queues its first round; location_unregister deletes both, and deletes
 * what the location emitted or, with keep_orphans, keeps it as orphans.
 * Both run inside the caller's transaction. */
json_t *location_entity(const char *key, const char *type, const char *target,
	const char *presence);
int location_register(sqlite3 *db, struct sh_arena *a, const char *id, const char *type,
	const char *target, const char *presence, const char *source, const char **entity_ref,
	struct sh_err *err) SH_WUR;
/* Point registered location id (whose entity is entity_ref) at type:target
 * and queue a round. */
int location_update(sqlite3 *db, struct sh_arena *a, const char *id, const char *entity_ref,
	const char *type, const char *target, const char *presence, struct sh_err *err) SH_WUR;
int location_unregister(sqlite3 *db, struct sh_arena *a, const char *entity_ref, const char *id,
	bool keep_orphans, struct sh_err *err) SH_WUR;

/* ingest.c: what registering type:target would produce, without writing:
 * *entities (the Location entity first) and *errors (status items); both
 * new references. */
int ingest_dry_run(struct catalog *c, struct sh_arena *a, const char *type, const char *target,
	const char *presence, json_t **entities, json_t **errors);

/* Hex SHA-1 of data (41 bytes out). */
void sha1_hex(char out[41], const void *data, size_t len);

/* The first 15 hex digits of a uid as a number: the search index's order
 * for entities with equal values (see migrations/0003). 0 if uid is not
 * hex where those digits should be. */
int64_t uid_key(const char *uid);

#endif
