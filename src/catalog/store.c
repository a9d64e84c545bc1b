/*
 * Writing the catalog: entity rows, their relations, and stitching — turning
 * a processed entity plus every relation row that points from it into the
 * final JSON the API serves, and its rows in the search index.
 *
 * A struct store lives for one transaction on one connection and caches its
 * prepared statements, because ingesting a large catalog runs each of them
 * hundreds of thousands of times.
 */
#include "store.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INDEX_LEN 200
#define ETAG_MAX 256      /* a computed etag is 40 hex digits; a source's may be longer */

static const char *const sql[ST_COUNT] = {
	[ST_GET] = "SELECT id, uid, parent_ref, location_key, input_hash, final IS NOT NULL, "
		"source_hash, orphan FROM catalog_entities WHERE ref = ?1",
	[ST_INSERT] = "INSERT INTO catalog_entities (ref, uid, parent_ref, location_key, origin_key, "
		"input_hash, errors, updated_at, kind, source_etag) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_UPDATE] = "UPDATE catalog_entities SET parent_ref = ?2, location_key = ?3, origin_key = ?4, "
		"input_hash = ?5, errors = ?6, updated_at = ?7, orphan = 0, "
		"source_etag = CASE WHEN ?9 THEN ?8 ELSE source_etag END WHERE id = ?1",
	[ST_RELS_OF] = "SELECT source_ref, target_ref FROM catalog_relations WHERE originating_id = ?1",
	[ST_DEL_RELS] = "DELETE FROM catalog_relations WHERE originating_id = ?1",
	[ST_INS_REL] = "INSERT INTO catalog_relations (originating_id, source_ref, type, target_ref) "
		"VALUES (?1, ?2, ?3, ?4)",
	[ST_STITCH_GET] = "SELECT id, uid, errors, final, source_etag, orphan FROM catalog_entities "
		"WHERE ref = ?1",
	[ST_STITCH_RELS] = "SELECT DISTINCT type, target_ref FROM catalog_relations WHERE source_ref = ?1 "
		"ORDER BY type, target_ref",
	[ST_SET_FINAL] = "UPDATE catalog_entities SET final = ?2, etag = ?3 WHERE id = ?1",
	[ST_DEL_SEARCH] = "DELETE FROM catalog_search WHERE entity_id = ?1",
	[ST_INS_SEARCH] = "INSERT INTO catalog_search (entity_id, key_id, kind, value, original, seq, "
		"uid_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_CHILDREN] = "SELECT ref FROM catalog_entities WHERE parent_ref = ?1",
	[ST_DELETE] = "DELETE FROM catalog_entities WHERE id = ?1",
	[ST_KEY_GET] = "SELECT id FROM catalog_keys WHERE key = ?1",
	[ST_ROWS_OF] = "SELECT seq, key_id, value, original FROM catalog_search WHERE entity_id = ?1",
	[ST_DEL_ROW] = "DELETE FROM catalog_search WHERE entity_id = ?1 AND key_id = ?2 AND seq = ?3",
	[ST_KIND_COUNT] = "INSERT INTO catalog_kind_counts (kind, n) VALUES (?1, ?2) "
		"ON CONFLICT (kind) DO UPDATE SET n = n + excluded.n",
	[ST_KEY_ADD] = "INSERT INTO catalog_keys (key) VALUES (?1)",
	[ST_ORPHAN] = "UPDATE catalog_entities SET parent_ref = NULL, orphan = 1 WHERE id = ?1",
	[ST_SET_SOURCE] = "UPDATE catalog_entities SET source_hash = ?2, "
		"errors = ?3, emitted = coalesce(?4, emitted) WHERE ref = ?1",
};

/* ---- hashing and ids ---------------------------------------------------------- */

void sha1_hex(char out[41], const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha1(), NULL);
	for (unsigned int i = 0; i < n && i < 20; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[40] = '\0';
}

int64_t uid_key(const char *uid)
{
	int64_t k = 0;
	int digits = 0;

	for (const char *p = uid; *p != '\0' && digits < 15; p++) {
		int v;
		if (*p == '-')
			continue;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else
			return 0;
		k = k * 16 + v;
		digits++;
	}
	return digits == 15 ? k : 0;
}

/* ---- the store ---------------------------------------------------------------------- */

void store_init(struct store *s, sqlite3 *db, struct sh_arena *a, bool keep_orphans)
{
	memset(s, 0, sizeof(*s));
	s->db = db;
	s->a = a;
	s->keep_orphans = keep_orphans;
	s->pending = json_object();
	s->key_ids = json_object();
	s->kind_delta = json_object();
	s->existing = json_object();
}

void store_dispose(struct store *s)
{
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	json_decref(s->pending);
	json_decref(s->key_ids);
	free(s->row_seen.slots);
	json_decref(s->kind_delta);
	json_decref(s->existing);
	free(s->rows);
	free(s->row_ids.ids);
	free(s->written.refs);
	free(s->related.refs);
	memset(s, 0, sizeof(*s));
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which)
{
	if (s->st[which] == NULL) {
		if (sqlite3_prepare_v3(s->db, sql[which], -1, SQLITE_PREPARE_PERSISTENT,
			&s->st[which], NULL) != SQLITE_OK) {
			log_error("catalog: cannot prepare statement %d: %s", which, sqlite3_errmsg(s->db));
			abort(); /* the SQL above is fixed: this is a programming error */
		}
	}
	sqlite3_reset(s->st[which]);
	sqlite3_clear_bindings(s->st[which]);
	return s->st[which];
}

int store_step_done(struct store *s, sqlite3_stmt *st, struct sh_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	return sh_err_set(err, SH_EINTERNAL, "catalog store: %s", sqlite3_errmsg(s->db));
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* ---- the dirty set: refs to stitch at the end ---------------------------------------- */

/* A removed ref: lookups go on past it, iteration skips it. */
static const char gone_ref[] = "";

static bool live(const char *slot)
{
	return slot != NULL && slot != gone_ref;
}

static void refset_add(struct refset *set, struct sh_arena *a, const char *ref)
{
	size_t i;

	if (set->used * 2 >= set->cap) {
		size_t cap = set->cap == 0 ? 256 : set->n * 4 > set->cap ? set->cap * 2 : set->cap;
		const char **old = set->refs;
		size_t old_cap = set->cap;
		set->refs = sh_calloc(cap, sizeof(*set->refs));
		set->cap = cap;
		set->n = set->used = 0;
		for (size_t k = 0; k < old_cap; k++)
			if (live(old[k]))
				refset_add(set, a, old[k]);
		free(old);
	}
	for (i = sh_str_hash(ref) & (set->cap - 1); set->refs[i] != NULL; i = (i + 1) & (set->cap - 1))
		if (live(set->refs[i]) && strcmp(set->refs[i], ref) == 0)
			return;
	set->refs[i] = sh_arena_strdup(a, ref);
	set->n++;
	set->used++;
}

static void refset_remove(struct refset *set, const char *ref)
{
	if (set->n == 0)
		return;
	for (size_t i = sh_str_hash(ref) & (set->cap - 1); set->refs[i] != NULL;
		i = (i + 1) & (set->cap - 1))
		if (live(set->refs[i]) && strcmp(set->refs[i], ref) == 0) {
			set->refs[i] = gone_ref;
			set->n--;
			return;
		}
}

void store_mark(struct store *s, const char *ref)
{
	refset_add(&s->written, s->a, ref);
}

static void mark_related(struct store *s, const char *ref)
{
	refset_add(&s->related, s->a, ref);
}

void store_defer(struct store *s, const char *ref)
{
	refset_remove(&s->written, ref);
	mark_related(s, ref);
}

/* ---- rows ----------------------------------------------------------------------------- */

int store_get(struct store *s, const char *ref, struct entity_row *out)
{
	sqlite3_stmt *st = store_stmt(s, ST_GET);

	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0;
	out->id = sqlite3_column_int64(st, 0);
	out->uid = sh_arena_strdup(s->a, (const char *)sqlite3_column_text(st, 1));
	out->parent_ref = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL
		: sh_arena_strdup(s->a, (const char *)sqlite3_column_text(st, 2));
	out->location_key = sh_arena_strdup(s->a, (const char *)sqlite3_column_text(st, 3));
	out->input_hash = sqlite3_column_type(st, 4) == SQLITE_NULL ? NULL
		: sh_arena_strdup(s->a, (const char *)sqlite3_column_text(st, 4));
	out->has_processed = sqlite3_column_int(st, 5) != 0;
	out->source_hash = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL
		: sh_arena_strdup(s->a, (const char *)sqlite3_column_text(st, 6));
	out->orphan = sqlite3_column_int(st, 7) != 0;
	return 1;
}

/* Replace the relations entity id originates (none yet when is_new),
 * marking both ends of the old and the new ones for stitching. */
static int replace_relations(struct store *s, int64_t id, bool is_new, const struct relation *rels,
	size_t n, struct sh_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (!is_new) {
		st = store_stmt(s, ST_RELS_OF);
		sqlite3_bind_int64(st, 1, id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			mark_related(s, (const char *)sqlite3_column_text(st, 0));
			mark_related(s, (const char *)sqlite3_column_text(st, 1));
		}
		st = store_stmt(s, ST_DEL_RELS);
		sqlite3_bind_int64(st, 1, id);
		if ((rc = store_step_done(s, st, err)) != 0)
			return rc;
	}
	for (size_t i = 0; i < n; i++) {
		st = store_stmt(s, ST_INS_REL);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, rels[i].source, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, rels[i].type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rels[i].target, -1, SQLITE_STATIC);
		if ((rc = store_step_done(s, st, err)) != 0)
			return rc;
		mark_related(s, rels[i].source);
	}
	return 0;
}

int store_put(struct store *s, const struct entity_put *p, struct sh_err *err)
{
	struct entity_row row;
	sqlite3_stmt *st;
	int64_t now = jobs_now_ms();
	int found = store_get(s, p->ref, &row);
	int rc;

	if (found) {
		st = store_stmt(s, ST_UPDATE);
		sqlite3_bind_int64(st, 1, row.id);
		bind_text(st, 2, p->parent_ref);
		bind_text(st, 3, p->location_key);
		bind_text(st, 4, p->origin_key);
		bind_text(st, 5, p->input_hash);
		bind_text(st, 6, p->errors);
		sqlite3_bind_int64(st, 7, now);
		/* Only a newly processed form says what the source's etag is. */
		bind_text(st, 8, p->source_etag);
		sqlite3_bind_int(st, 9, p->processed != NULL);
	} else {
		char uid[37];
		sh_uuid_v4(uid);
		st = store_stmt(s, ST_INSERT);
		bind_text(st, 1, p->ref);
		bind_text(st, 2, uid);
		bind_text(st, 3, p->parent_ref);
		bind_text(st, 4, p->location_key);
		bind_text(st, 5, p->origin_key);
		bind_text(st, 6, p->input_hash);
		bind_text(st, 7, p->errors);
		sqlite3_bind_int64(st, 8, now);
		sqlite3_bind_text(st, 9, p->ref, (int)strcspn(p->ref, ":"), SQLITE_TRANSIENT);
		bind_text(st, 10, p->source_etag);
	}
	if ((rc = store_step_done(s, st, err)) != 0)
		return rc;
	if (!found)
		row.id = sqlite3_last_insert_rowid(s->db);
	store_mark(s, p->ref);
	if (p->processed == NULL)
		return 0;
	/* Stitching takes the new form from here rather than the database. */
	json_object_set_new(s->pending, p->ref, json_string(p->processed));
	return replace_relations(s, row.id, !found, p->rels, p->n_rels, err);
}

int store_set_source(struct store *s, const char *ref, const char *source_hash,
	const char *errors, long emitted, struct sh_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_SET_SOURCE);

	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	bind_text(st, 2, source_hash);
	bind_text(st, 3, errors);
	if (emitted >= 0)
		sqlite3_bind_int64(st, 4, emitted);
	store_mark(s, ref);
	return store_step_done(s, st, err);
}

/* Count ref's kind in or out of the served totals. */
static void count_kind(struct store *s, const char *ref, int delta)
{
	char *kind = sh_arena_strndup(s->a, ref, strcspn(ref, ":"));

	json_object_set_new(s->kind_delta, kind,
		json_integer(json_integer_value(json_object_get(s->kind_delta, kind)) + delta));
}

/* Delete ref, and drop everything it emitted: deleted in turn, or kept as
 * orphans. */
int store_delete(struct store *s, const char *ref, struct sh_err *err)
{
	struct entity_row row;
	sqlite3_stmt *st;
	const char **children = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (!store_get(s, ref, &row))
		return 0;
	st = store_stmt(s, ST_CHILDREN);
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		children = sh_arena_grow(s->a, children, n, &cap, sizeof(*children), 16);
		children[n++] = sh_arena_strdup(s->a, (const char *)sqlite3_column_text(st, 0));
	}
	for (size_t i = 0; i < n; i++)
		if ((rc = store_drop(s, children[i], err)) != 0)
			return rc;
	if ((rc = replace_relations(s, row.id, false, NULL, 0, err)) != 0)
		return rc;
	if (row.has_processed)
		count_kind(s, ref, -1);
	st = store_stmt(s, ST_DEL_SEARCH);
	sqlite3_bind_int64(st, 1, row.id);
	if ((rc = store_step_done(s, st, err)) != 0)
		return rc;
	st = store_stmt(s, ST_DELETE);
	sqlite3_bind_int64(st, 1, row.id);
	return store_step_done(s, st, err);
}

/* Keep ref, which no location emits any more, as an orphan: no parent,
 * served with the orphan annotation until a location emits it again. */
static int store_orphan(struct store *s, const char *ref, struct sh_err *err)
{
	struct entity_row row;
	sqlite3_stmt *st;
	int rc;

	if (!store_get(s, ref, &row) || row.orphan)
		return 0;
	st = store_stmt(s, ST_ORPHAN);
	sqlite3_bind_int64(st, 1, row.id);
	if ((rc = store_step_done(s, st, err)) != 0)
		return rc;
	store_mark(s, ref);
	return 0;
}

int store_drop(struct store *s, const char *ref, struct sh_err *err)
{
	return s->keep_orphans ? store_orphan(s, ref, err) : store_delete(s, ref, err);
}

/* ---- search index ---------------------------------------------------------------------- */

/* The interned id of a lower-case key, adding it when new. */
static int key_id(struct store *s, const char *key, int64_t *out, struct sh_err *err)
{
	json_t *cached = json_object_get(s->key_ids, key);
	sqlite3_stmt *st;
	int rc;

	if (cached != NULL) {
		*out = json_integer_value(cached);
		return 0;
	}
	st = store_stmt(s, ST_KEY_GET);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
	} else {
		st = store_stmt(s, ST_KEY_ADD);
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if ((rc = store_step_done(s, st, err)) != 0)
			return rc;
		*out = sqlite3_last_insert_rowid(s->db);
	}
	json_object_set_new(s->key_ids, key, json_integer(*out));
	return 0;
}

/* Lower-case src into dst (size n); false when it does not fit. */
static bool lower_into(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	for (; src[i] && i + 1 < n; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
	return src[i] == '\0';
}

/* A search row's identity: key id, value and original (NULL kept apart
 * from ""). */
static char *row_identity(struct sh_arena *a, int64_t kid, const char *value,
	const char *original)
{
	return sh_arena_printf(a, "%lld\n%c%s\n%c%s", (long long)kid, value ? 'v' : '-',
		value ? value : "", original ? 'o' : '-', original ? original : "");
}

static int flush_rows(struct store *s, struct sh_err *err);

/* Add id to set; true if it was not there yet. */
static bool idset_add(struct idset *set, int64_t id)
{
	size_t i;

	if (set->n * 2 >= set->cap) {
		struct idset grown = { sh_calloc(set->cap ? set->cap * 2 : 256, sizeof(int64_t)), 0,
			set->cap ? set->cap * 2 : 256 };
		for (size_t k = 0; k < set->cap; k++)
			if (set->ids[k] != 0)
				idset_add(&grown, set->ids[k]);
		free(set->ids);
		*set = grown;
	}
	for (i = (uint64_t)id * 0x9e3779b97f4a7c15ull >> 7 & (set->cap - 1); set->ids[i] != 0;
		i = (i + 1) & (set->cap - 1))
		if (set->ids[i] == id)
			return false;
	set->ids[i] = id;
	set->n++;
	return true;
}

static bool idset_has(const struct idset *set, int64_t id)
{
	if (set->n == 0)
		return false;
	for (size_t i = (uint64_t)id * 0x9e3779b97f4a7c15ull >> 7 & (set->cap - 1); set->ids[i] != 0;
		i = (i + 1) & (set->cap - 1))
		if (set->ids[i] == id)
			return true;
	return false;
}

/* Load the entity's current rows into s->existing (identity -> [key id,
 * seq]) and start new rows' seq after the highest in use. If rows of the
 * entity are still buffered, they are written first, so that none is
 * missed; other entities' rows stay buffered, to be written in order. */
static int load_existing(struct store *s, int64_t id, struct sh_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (idset_has(&s->row_ids, id) && (rc = flush_rows(s, err)) != 0)
		return rc;
	st = store_stmt(s, ST_ROWS_OF);
	json_object_clear(s->existing);
	s->next_seq = 0;
	sqlite3_bind_int64(st, 1, id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *value = (const char *)sqlite3_column_text(st, 2);
		const char *original = (const char *)sqlite3_column_text(st, 3);
		int64_t seq = sqlite3_column_int64(st, 0), kid = sqlite3_column_int64(st, 1);
		json_object_set_new(s->existing, row_identity(s->a, kid, value, original),
			json_pack("[II]", (json_int_t)kid, (json_int_t)seq));
		if (seq >= s->next_seq)
			s->next_seq = seq + 1;
	}
	return 0;
}

/* Delete the rows re-indexing did not produce again. */
static int drop_remaining(struct store *s, int64_t id, struct sh_err *err)
{
	const char *ident;
	json_t *row;
	int rc;

	json_object_foreach(s->existing, ident, row) {
		sqlite3_stmt *st = store_stmt(s, ST_DEL_ROW);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, json_integer_value(json_array_get(row, 0)));
		sqlite3_bind_int64(st, 3, json_integer_value(json_array_get(row, 1)));
		if ((rc = store_step_done(s, st, err)) != 0)
			return rc;
	}
	json_object_clear(s->existing);
	return 0;
}

static void rowset_clear(struct rowset *set)
{
	if (set->n > 0)
		memset(set->slots, 0, set->cap * sizeof(*set->slots));
	set->n = 0;
}

/* Add (key id, value) to set; false if it was there already. value must
 * live until the set is cleared. */
static bool rowset_add(struct rowset *set, int64_t kid, const char *value)
{
	size_t i;

	if (set->n * 2 >= set->cap) {
		struct rowset grown = { sh_calloc(set->cap ? set->cap * 2 : 64, sizeof(*set->slots)), 0,
			set->cap ? set->cap * 2 : 64 };
		for (size_t k = 0; k < set->cap; k++)
			if (set->slots[k].key_id != 0)
				rowset_add(&grown, set->slots[k].key_id, set->slots[k].value);
		free(set->slots);
		*set = grown;
	}
	for (i = (sh_str_hash(value) ^ (uint64_t)kid * 0x9e3779b97f4a7c15ull) & (set->cap - 1);
		set->slots[i].key_id != 0; i = (i + 1) & (set->cap - 1))
		if (set->slots[i].key_id == kid && strcmp(set->slots[i].value, value) == 0)
			return false;
	set->slots[i] = (struct seen_row){ kid, value };
	set->n++;
	return true;
}

static int index_row(struct store *s, int64_t id, const char *kind, const char *key,
	const char *value, struct sh_err *err)
{
	char lkey[MAX_INDEX_LEN + 1], lvalue[MAX_INDEX_LEN + 1];
	int64_t kid;
	int rc;

	if (!lower_into(lkey, sizeof(lkey), key))
		return 0; /* keys longer than 200 characters are not indexed */
	if ((rc = key_id(s, lkey, &kid, err)) != 0)
		return rc;
	/* One row per (key, value) and entity, so that counting rows counts
	 * entities. */
	if (!rowset_add(&s->row_seen, kid, value ? value : ""))
		return 0;
	bool short_value = value != NULL && lower_into(lvalue, sizeof(lvalue), value);
	const char *original = short_value && strcmp(lvalue, value) != 0 ? value : NULL;
	if (json_object_size(s->existing) > 0) {
		/* Re-indexing: a row the entity already has stays as it is. */
		char *ident = row_identity(s->a, kid, short_value ? lvalue : NULL, original);
		if (json_object_get(s->existing, ident) != NULL) {
			json_object_del(s->existing, ident);
			return 0;
		}
	}
	/* Buffered: flush_rows writes them in index order. */
	if (s->n_rows == s->cap_rows) {
		s->cap_rows = s->cap_rows ? s->cap_rows * 2 : 1024;
		s->rows = sh_realloc(s->rows, s->cap_rows * sizeof(*s->rows));
	}
	idset_add(&s->row_ids, id);
	s->rows[s->n_rows++] = (struct pending_row){ id, kid, s->next_seq++, s->uid_key, kind,
		short_value ? sh_arena_strdup(s->a, lvalue) : NULL,
		original ? sh_arena_strdup(s->a, original) : NULL };
	return 0;
}

static int cmp_text(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x != NULL) - (y != NULL); /* NULL first, as SQLite sorts */
	return strcmp(x, y);
}

/* The order of catalog_search_key: (key, kind, value, original, uid key,
 * entity). */
static int cmp_rows(const void *a, const void *b)
{
	const struct pending_row *x = a, *y = b;
	int c;

	if (x->key_id != y->key_id)
		return x->key_id < y->key_id ? -1 : 1;
	if ((x->kind != y->kind && (c = strcmp(x->kind, y->kind)) != 0) ||
		(c = cmp_text(x->value, y->value)) != 0 ||
		(c = cmp_text(x->original, y->original)) != 0)
		return c;
	if (x->uid_key != y->uid_key)
		return x->uid_key < y->uid_key ? -1 : 1;
	return x->entity_id < y->entity_id ? -1 : x->entity_id > y->entity_id;
}

/* Insert the buffered rows sorted in the order of the large index, so
 * that its pages are visited once, in sequence, instead of at random. */
static int flush_rows(struct store *s, struct sh_err *err)
{
	int rc;

	if (s->n_rows == 0)
		return 0;
	qsort(s->rows, s->n_rows, sizeof(*s->rows), cmp_rows);
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct pending_row *r = &s->rows[i];
		sqlite3_stmt *st = store_stmt(s, ST_INS_SEARCH);
		sqlite3_bind_int64(st, 1, r->entity_id);
		sqlite3_bind_int64(st, 2, r->key_id);
		sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
		if (r->value != NULL)
			sqlite3_bind_text(st, 4, r->value, -1, SQLITE_STATIC);
		if (r->original != NULL)
			sqlite3_bind_text(st, 5, r->original, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, r->seq);
		sqlite3_bind_int64(st, 7, r->uid_key);
		if ((rc = store_step_done(s, st, err)) != 0)
			return rc;
	}
	s->n_rows = 0;
	if (s->row_ids.n > 0)
		memset(s->row_ids.ids, 0, s->row_ids.cap * sizeof(int64_t));
	s->row_ids.n = 0;
	return 0;
}

static int index_value(struct store *s, int64_t id, const char *kind, const char *path,
	const json_t *v, struct sh_err *err)
{
	const char *key;
	json_t *child;
	size_t i;
	int rc = 0;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, child) {
			const char *p = path[0] ? sh_arena_printf(s->a, "%s.%s", path, key) : key;
			if (path[0] == '\0' && (strcmp(key, "relations") == 0 || strcmp(key, "status") == 0 ||
				strcmp(key, "attachments") == 0))
				continue;
			if (strcmp(p, "metadata.etag") == 0)
				continue;
			if ((rc = index_value(s, id, kind, p, child, err)) != 0)
				return rc;
		}
		return 0;
	case JSON_ARRAY:
		json_array_foreach(v, i, child) {
			if ((rc = index_value(s, id, kind, path, child, err)) != 0)
				return rc;
			if (json_is_string(child) &&
				(rc = index_row(s, id, kind, sh_arena_printf(s->a, "%s.%s", path,
					json_string_value(child)), "true", err)) != 0)
				return rc;
		}
		return 0;
	case JSON_STRING:
		return index_row(s, id, kind, path, json_string_value(v), err);
	case JSON_INTEGER:
		return index_row(s, id, kind, path, sh_arena_printf(s->a, "%lld",
			(long long)json_integer_value(v)), err);
	case JSON_REAL:
		return index_row(s, id, kind, path, sh_number_text(s->a, json_real_value(v)), err);
	case JSON_TRUE:
		return index_row(s, id, kind, path, "true", err);
	case JSON_FALSE:
		return index_row(s, id, kind, path, "false", err);
	default:
		return 0;
	}
}

static int reindex(struct store *s, int64_t id, const char *ref, const json_t *entity,
	bool had_rows, struct sh_err *err)
{
	json_t *rels = json_object_get(entity, "relations");
	char *kind = sh_arena_strndup(s->a, ref, strcspn(ref, ":"));
	json_t *rel;
	size_t i;
	int rc;

	rowset_clear(&s->row_seen);
	s->next_seq = 0;
	/* Only the rows that differ are written: an entity that gains one
	 * relation gets one new row, not a rewrite of all of them. */
	if (had_rows && (rc = load_existing(s, id, err)) != 0)
		return rc;
	if ((rc = index_value(s, id, kind, "", entity, err)) != 0)
		return rc;
	json_array_foreach(rels, i, rel) {
		const char *type = json_string_value(json_object_get(rel, "type"));
		if ((rc = index_row(s, id, kind, sh_arena_printf(s->a, "relations.%s", type),
			json_string_value(json_object_get(rel, "targetRef")), err)) != 0)
			return rc;
	}
	return drop_remaining(s, id, err);
}

/* ---- stitching ---------------------------------------------------------------------------- */

static json_t *load_relations(struct store *s, const char *ref)
{
	sqlite3_stmt *st = store_stmt(s, ST_STITCH_RELS);
	json_t *rels = json_array();

	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(rels, json_pack("{s:s,s:s}",
			"type", (const char *)sqlite3_column_text(st, 0),
			"targetRef", (const char *)sqlite3_column_text(st, 1)));
	return rels;
}

static int write_final(struct store *s, int64_t id, const char *final_text, const char *etag,
	struct sh_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_SET_FINAL);

	sqlite3_bind_int64(st, 1, id);
	bind_text(st, 2, final_text);
	bind_text(st, 3, etag);
	return store_step_done(s, st, err);
}

char *processed_of_final(const char *final_text)
{
	json_t *e = json_loads(final_text, 0, NULL);
	json_t *md = json_object_get(e, "metadata");
	char *text;

	if (e == NULL)
		return NULL;
	json_object_del(md, "uid");
	json_object_del(md, "etag");
	json_object_del(json_object_get(md, "annotations"), ANNOTATION_ORPHAN); /* set at stitching */
	json_object_del(e, "relations");
	json_object_del(e, "status");
	text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(e);
	return text;
}

/* Build the final entity of ref from its processed form; the etag hashes
 * exactly what the entity holds apart from uid and etag. */
static json_t *build_final(struct store *s, sqlite3_stmt *st, const char *ref,
	const char *processed, char etag[ETAG_MAX])
{
	const char *errors_text = (const char *)sqlite3_column_text(st, 2);
	bool orphan = sqlite3_column_int(st, 5) != 0;
	json_t *entity, *md, *rels, *errors = NULL;
	struct sh_buf h = SH_BUF_INIT;
	char *rels_text;

	entity = json_loads(processed, 0, NULL);
	if (entity == NULL)
		return NULL;
	if (errors_text != NULL)
		errors = json_loads(errors_text, 0, NULL);
	rels = load_relations(s, ref);
	rels_text = json_dumps(rels, JSON_COMPACT);
	sh_buf_puts(&h, processed);
	sh_buf_putc(&h, '\n');
	sh_buf_puts(&h, rels_text ? rels_text : "");
	sh_buf_putc(&h, '\n');
	if (json_array_size(errors) > 0)
		sh_buf_puts(&h, errors_text);
	if (orphan)
		sh_buf_puts(&h, "\norphan");
	sha1_hex(etag, h.ptr, h.len);
	if (sqlite3_column_type(st, 4) != SQLITE_NULL)
		snprintf(etag, ETAG_MAX, "%s", (const char *)sqlite3_column_text(st, 4));
	sh_buf_dispose(&h);
	free(rels_text);
	md = json_object_get(entity, "metadata");
	if (orphan) {
		json_t *annotations = json_object_get(md, "annotations");
		if (!json_is_object(annotations))
			json_object_set_new(md, "annotations", annotations = json_object());
		json_object_set_new(annotations, ANNOTATION_ORPHAN, json_string("true"));
	}
	json_object_set_new(md, "uid", json_string((const char *)sqlite3_column_text(st, 1)));
	json_object_set_new(md, "etag", json_string(etag));
	json_object_set_new(entity, "relations", rels);
	if (json_array_size(errors) > 0)
		json_object_set_new(entity, "status", json_pack("{s:O}", "items", errors));
	json_decref(errors);
	return entity;
}

static int stitch_one(struct store *s, const char *ref, struct sh_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_STITCH_GET);
	const char *pending = json_string_value(json_object_get(s->pending, ref));
	const char *old_final;
	char *derived = NULL, *text;
	json_t *entity;
	char etag[ETAG_MAX];
	int64_t id;
	int rc;

	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		return 0; /* a relation target that does not exist */
	id = sqlite3_column_int64(st, 0);
	s->uid_key = uid_key((const char *)sqlite3_column_text(st, 1));
	old_final = (const char *)sqlite3_column_text(st, 3);
	if (pending == NULL && old_final == NULL)
		return 0; /* never processed cleanly: stays invisible */
	if (pending == NULL)
		pending = derived = processed_of_final(old_final);
	entity = pending ? build_final(s, st, ref, pending, etag) : NULL;
	free(derived);
	if (entity == NULL)
		return sh_err_set(err, SH_EINTERNAL, "catalog: stored entity %s is not JSON", ref);
	text = json_dumps(entity, JSON_COMPACT);
	if (old_final != NULL && strcmp(old_final, text) == 0) {
		rc = 0; /* nothing changed: keep the etag and the index */
	} else if ((rc = write_final(s, id, text, etag, err)) == 0) {
		if (old_final == NULL)
			count_kind(s, ref, 1); /* served from now on */
		rc = reindex(s, id, ref, entity, old_final != NULL, err);
	}
	free(text);
	json_decref(entity);
	/* Stitched: a later stitch derives it from the final form again. */
	json_object_del(s->pending, ref);
	return rc;
}

static int flush_kind_counts(struct store *s, struct sh_err *err)
{
	const char *kind;
	json_t *delta;
	int rc;

	json_object_foreach(s->kind_delta, kind, delta) {
		sqlite3_stmt *st;
		if (json_integer_value(delta) == 0)
			continue;
		st = store_stmt(s, ST_KIND_COUNT);
		sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, json_integer_value(delta));
		if ((rc = store_step_done(s, st, err)) != 0)
			return rc;
	}
	json_object_clear(s->kind_delta);
	return 0;
}

/* Stitch every ref of set and empty it. A ref stitched is current: it
 * leaves the related set until a later write marks it again. */
static int stitch_set(struct store *s, struct refset *set, struct sh_err *err)
{
	int rc;

	for (size_t i = 0; i < set->cap; i++) {
		if (!live(set->refs[i]))
			continue;
		if (set != &s->related)
			refset_remove(&s->related, set->refs[i]);
		if ((rc = stitch_one(s, set->refs[i], err)) != 0)
			return rc;
		set->refs[i] = NULL;
	}
	if (set->refs != NULL)
		memset(set->refs, 0, set->cap * sizeof(*set->refs));
	set->n = set->used = 0;
	return 0;
}

int store_stitch_written(struct store *s, struct sh_err *err)
{
	int rc = stitch_set(s, &s->written, err);

	if (rc == 0)
		rc = flush_rows(s, err);
	return rc == 0 ? flush_kind_counts(s, err) : rc;
}

int store_stitch(struct store *s, struct sh_err *err)
{
	int rc = stitch_set(s, &s->written, err);

	if (rc == 0)
		rc = stitch_set(s, &s->related, err);
	if (rc == 0)
		rc = flush_rows(s, err);
	return rc == 0 ? flush_kind_counts(s, err) : rc;
}
