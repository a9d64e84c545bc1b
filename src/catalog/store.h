/* The catalog's write side (store.c); private to src/catalog. */
#ifndef STAGEHAND_CATALOG_STORE_H
#define STAGEHAND_CATALOG_STORE_H

#include "filter.h"

enum store_stmt {
	ST_GET, ST_INSERT, ST_UPDATE, ST_RELS_OF, ST_DEL_RELS, ST_INS_REL, ST_STITCH_GET,
	ST_STITCH_RELS, ST_SET_FINAL, ST_DEL_SEARCH, ST_INS_SEARCH, ST_CHILDREN, ST_DELETE,
	ST_SET_SOURCE, ST_KEY_GET, ST_KEY_ADD, ST_KIND_COUNT, ST_ROWS_OF, ST_DEL_ROW, ST_ORPHAN,
	ST_COUNT
};

/* A search-index row waiting to be written (store.c, flush_rows). */
struct pending_row {
	int64_t entity_id, key_id, seq, uid_key;
	const char *kind, *value, *original;   /* arena; value/original may be NULL; kind is
	                                        * shared by the rows of one entity */
};

/* One transaction's worth of writes on one connection. Strings it returns
 * come from the arena it was given. */
struct store {
	sqlite3 *db;
	struct sh_arena *a;
	sqlite3_stmt *st[ST_COUNT];
	struct refset {       /* open-addressing set of refs */
		const char **refs;
		size_t n, used, cap;  /* live refs; slots taken, removed ones included */
	} written, related;   /* to stitch: entities written; ends of their relations */
	json_t *pending;      /* ref -> processed JSON text written this batch */
	json_t *key_ids;      /* key -> catalog_keys.id, as looked up so far */
	struct rowset {       /* open addressing: the entity being indexed's (key, value) rows */
		struct seen_row {
			int64_t key_id;   /* 0: a free slot */
			const char *value;
		} *slots;
		size_t n, cap;
	} row_seen;
	json_t *kind_delta;   /* kind -> change in served entities, flushed by store_stitch */
	json_t *existing;     /* re-indexing: the entity's current rows, identity -> [key id, seq] */
	int64_t next_seq;     /* seq of the next row written for the entity being indexed */
	int64_t uid_key;      /* uid_key() of the entity being indexed */
	bool keep_orphans;    /* catalog.orphanStrategy: keep */
	struct pending_row *rows; /* search rows to insert at the next stitch's end */
	size_t n_rows, cap_rows;
	struct idset {        /* open-addressing set of the entity ids in rows */
		int64_t *ids;     /* 0 is a free slot: ids start at 1 */
		size_t n, cap;
	} row_ids;
};

struct entity_row {
	int64_t id;
	const char *uid;
	const char *parent_ref;
	const char *location_key;
	const char *input_hash;
	const char *source_hash;
	bool has_processed;   /* it has a final form: it processed cleanly once */
	bool orphan;          /* no location emits it; kept (catalog.orphanStrategy) */
};

/* What to write for one entity. processed NULL keeps the last good
 * processed form (and its relations) and only records errors. */
struct entity_put {
	const char *ref;
	const char *parent_ref;
	const char *location_key;
	const char *origin_key;
	const char *input_hash;
	const char *processed;
	const char *errors;            /* JSON array text, or NULL */
	const struct relation *rels;
	size_t n_rels;
	const char *source_etag;       /* or NULL */
};

/* keep_orphans: what store_delete does to the entities ref emitted, and
 * store_drop to ref: orphan them (keep) or delete them (delete). */
void store_init(struct store *s, sqlite3 *db, struct sh_arena *a, bool keep_orphans);
void store_dispose(struct store *s);
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which);
int store_step_done(struct store *s, sqlite3_stmt *st, struct sh_err *err) SH_WUR;

/* 1 and *out filled when ref exists, else 0. */
int store_get(struct store *s, const char *ref, struct entity_row *out);
int store_put(struct store *s, const struct entity_put *p, struct sh_err *err) SH_WUR;
/* Record a Location's round: source_hash NULL (a failed round) makes the
 * next round run in full; emitted < 0 keeps the old count. */
int store_set_source(struct store *s, const char *ref, const char *source_hash,
	const char *errors, long emitted, struct sh_err *err) SH_WUR;
/* Delete ref; what it emitted is dropped (store_drop). */
int store_delete(struct store *s, const char *ref, struct sh_err *err) SH_WUR;
/* ref is no longer emitted by its parent: delete it, or keep it as an
 * orphan, as the store was set up to. */
int store_drop(struct store *s, const char *ref, struct sh_err *err) SH_WUR;

/* The processed form inside a final entity (without uid, etag, relations
 * and status), as key-sorted compact JSON; malloc'ed, NULL if not JSON. */
char *processed_of_final(const char *final_text);

/* Mark ref for stitching; store_stitch rebuilds every marked entity. */
void store_mark(struct store *s, const char *ref);
int store_stitch(struct store *s, struct sh_err *err) SH_WUR;

/* Stitch only the entities written since the last stitch, leaving the
 * other ends of their relations for store_stitch: between the chunks of a
 * large round, a team owning thousands of entities is rebuilt once, at the
 * end, instead of once per chunk. */
int store_stitch_written(struct store *s, struct sh_err *err) SH_WUR;

/* Leave ref, written since the last stitch, to store_stitch: it is about to
 * get relations from entities still to be written. */
void store_defer(struct store *s, const char *ref);

#endif
