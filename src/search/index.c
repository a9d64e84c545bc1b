/*
 * The indexer: turns the refs marked in search_pending into documents.
 * For each ref it drops what the index held and writes it again from the
 * entity's served form and, when the entity has a built docs site, from
 * the site's MkDocs search index (one document per section). A ref whose
 * entity is gone simply loses its documents.
 */
#include <string.h>
#include <time.h>

#include "internal.h"
#include "stagehand/db.h"

#define BATCH 256             /* refs per transaction: writers never wait long */
#define BATCH_PAUSE_NS 5000000 /* between two batches: others get the write lock */

/* ---- documents ------------------------------------------------------------------------------ */

static const char *str_at(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* The name part of the entity's first ownedBy relation, lower-case, or "". */
static const char *owner_name(const json_t *entity, struct sh_arena *a)
{
	const json_t *rel;
	size_t i;

	json_array_foreach(json_object_get(entity, "relations"), i, rel) {
		const char *target = str_at(rel, "targetRef");
		if (strcmp(str_at(rel, "type"), "ownedBy") == 0 && target[0]) {
			const char *slash = strrchr(target, '/');
			return sh_arena_lower(a, slash ? slash + 1 : target);
		}
	}
	return "";
}

/* What an entity says about itself, for the documents made from it. */
struct entity_info {
	const char *ref, *kind, *namespace, *name, *title, *type, *lifecycle, *owner;
	const char *owner_name;  /* of the ownedBy relation, lower-case */
	const char *keywords;    /* kind, type, owner, lifecycle, system, tags */
	const json_t *entity;
};

static void entity_info(struct entity_info *e, struct sh_arena *a, const char *ref,
	const json_t *entity)
{
	const json_t *md = json_object_get(entity, "metadata"), *spec = json_object_get(entity, "spec");
	const json_t *tag;
	struct sh_buf kw = SH_BUF_INIT;
	size_t i;

	e->ref = ref;
	e->entity = entity;
	e->kind = str_at(entity, "kind");
	e->namespace = str_at(md, "namespace")[0] ? str_at(md, "namespace") : "default";
	e->name = str_at(md, "name");
	e->title = str_at(md, "title");
	e->type = json_is_string(json_object_get(spec, "type")) ? str_at(spec, "type") : "other";
	e->lifecycle = str_at(spec, "lifecycle");
	e->owner = str_at(spec, "owner");
	e->owner_name = owner_name(entity, a);
	sh_buf_printf(&kw, "%s %s %s %s %s", e->kind, json_is_string(json_object_get(spec, "type"))
		? e->type : "", e->owner, e->lifecycle, str_at(spec, "system"));
	json_array_foreach(json_object_get(md, "tags"), i, tag)
		if (json_is_string(tag))
			sh_buf_printf(&kw, " %s", json_string_value(tag));
	e->keywords = sh_arena_strdup(a, kw.ptr);
	sh_buf_dispose(&kw);
}

/* A path segment of a document location: percent-encoded, lower-case. */
static void put_segment(struct sh_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
			c == '~')
			sh_buf_putc(b, (char)c);
		else if (c >= 'A' && c <= 'Z')
			sh_buf_putc(b, (char)(c - 'A' + 'a'));
		else {
			sh_buf_putc(b, '%');
			sh_buf_putc(b, hex[c >> 4]);
			sh_buf_putc(b, hex[c & 15]);
		}
	}
}

/* "/<prefix>/<namespace>/<kind>/<name>" (arena). */
static const char *entity_path(struct sh_arena *a, const char *prefix, const struct entity_info *e)
{
	struct sh_buf b = SH_BUF_INIT;
	const char *out;

	sh_buf_printf(&b, "/%s/", prefix);
	put_segment(&b, e->namespace);
	sh_buf_putc(&b, '/');
	put_segment(&b, e->kind);
	sh_buf_putc(&b, '/');
	put_segment(&b, e->name);
	out = sh_arena_strdup(a, b.ptr);
	sh_buf_dispose(&b);
	return out;
}

/* The text of a software-catalog document: description, and for users
 * and groups their display name (and a user's email), joined by " : ". */
static char *catalog_text(const struct entity_info *e)
{
	const json_t *md = json_object_get(e->entity, "metadata");
	const json_t *profile = json_object_get(json_object_get(e->entity, "spec"), "profile");
	const char *parts[3] = { str_at(md, "description"), "", "" };
	struct sh_buf b = SH_BUF_INIT;

	if (strcmp(e->kind, "User") == 0 || strcmp(e->kind, "Group") == 0)
		parts[1] = str_at(profile, "displayName");
	if (strcmp(e->kind, "User") == 0)
		parts[2] = str_at(profile, "email");
	for (size_t i = 0; i < 3; i++)
		if (parts[i][0])
			sh_buf_printf(&b, "%s%s", b.len ? " : " : "", parts[i]);
	return b.ptr ? b.ptr : sh_strdup("");
}

struct doc_row {
	const char *type, *source, *name, *title, *keywords, *text, *kind, *owner;
	json_t *document; /* stolen */
};

static int insert_doc(sqlite3 *db, struct doc_row *d, struct sh_err *err)
{
	static const char sql[] = "INSERT INTO search_docs (type, source, name, title, keywords, text, "
		"kind, owner, document) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	char *doc = json_dumps(d->document, JSON_COMPACT);
	sqlite3_stmt *st = NULL;
	const char *v[8] = { d->type, d->source, d->name, d->title, d->keywords, d->text, d->kind,
		d->owner };
	int rc = 0;

	json_decref(d->document);
	if (doc == NULL)
		return sh_err_set(err, SH_EINTERNAL, "search: cannot encode a document");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	for (int i = 0; rc == 0 && i < 8; i++)
		sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
	if (rc == 0) {
		sqlite3_bind_text(st, 9, doc, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	free(doc);
	return rc;
}

static int index_entity(sqlite3 *db, struct sh_arena *a, const struct entity_info *e,
	struct sh_err *err)
{
	char *text = catalog_text(e);
	const char *title = e->title[0] ? e->title : e->name;
	struct doc_row d = { SEARCH_TYPE_CATALOG, e->ref, sh_arena_lower(a, e->name), title,
		e->keywords, text, sh_arena_lower(a, e->kind), e->owner_name, NULL };
	int rc;

	d.document = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "title", title, "text", text,
		"location", entity_path(a, "catalog", e), "kind", e->kind, "namespace", e->namespace,
		"type", e->type, "componentType", e->type, "lifecycle", e->lifecycle, "owner", e->owner);
	rc = insert_doc(db, &d, err);
	free(text);
	return rc;
}

/* One techdocs document per entry of the site's MkDocs search index. */
static int index_site(sqlite3 *db, struct sh_arena *a, const struct entity_info *e,
	const json_t *index, struct sh_err *err)
{
	const char *base = entity_path(a, "docs", e);
	const char *kind = sh_arena_lower(a, e->kind);
	const char *ns = sh_arena_lower(a, e->namespace), *name = sh_arena_lower(a, e->name);
	json_t *annotations = json_object_get(json_object_get(e->entity, "metadata"), "annotations");
	const char *keywords = sh_arena_printf(a, "%s %s", e->name, e->title);
	const json_t *entry;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(index, "docs"), i, entry) {
		const char *path = str_at(entry, "location");
		struct doc_row d = { SEARCH_TYPE_TECHDOCS, e->ref, "", str_at(entry, "title"), keywords,
			str_at(entry, "text"), kind, e->owner_name, NULL };
		d.document = json_pack("{s:s,s:s,s:s,s:s++,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "title",
			d.title, "text", d.text, "path", path, "location", base, "/", path,
			"kind", kind, "namespace", ns, "name", name, "componentType", e->type, "type", e->type,
			"lifecycle", e->lifecycle, "owner", e->owner_name, "annotations",
			annotations ? json_incref(annotations) : json_object());
		if (d.document != NULL && e->title[0])
			json_object_set_new(d.document, "entityTitle", json_string(e->title));
		if ((rc = insert_doc(db, &d, err)) != 0)
			break;
	}
	return rc;
}

/* ---- one ref ---------------------------------------------------------------------------- */

/* The text of the first column of sql's row for ref, or NULL (heap). */
static char *read_text(sqlite3 *db, const char *sql, const char *ref, struct sh_err *err, int *rc)
{
	sqlite3_stmt *st = NULL;
	char *out = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		*rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
		return NULL;
	}
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		out = sh_strndup((const char *)sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
		break;
	case SQLITE_DONE:
		break;
	default:
		*rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return out;
}

static int drop_docs(sqlite3 *db, const char *ref, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "DELETE FROM search_docs WHERE source = ?1", -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int search_reindex_ref(sqlite3 *db, const char *ref, struct sh_err *err)
{
	struct sh_arena *a;
	struct entity_info e;
	json_t *entity = NULL, *index = NULL;
	char *final, *site = NULL;
	int rc = drop_docs(db, ref, err);

	if (rc != 0)
		return rc;
	final = read_text(db, "SELECT final FROM catalog_entities WHERE ref = ?1 AND final IS NOT NULL",
		ref, err, &rc);
	if (final == NULL || (entity = json_loads(final, 0, NULL)) == NULL) {
		free(final);
		return rc; /* gone (or never served): its documents go with it */
	}
	a = sh_arena_new();
	entity_info(&e, a, ref, entity);
	rc = index_entity(db, a, &e, err);
	/* A site is searchable while its entity says it has docs. */
	if (rc == 0 && json_object_get(json_object_get(json_object_get(entity, "metadata"),
		"annotations"), "backstage.io/techdocs-ref") != NULL)
		site = read_text(db, "SELECT f.body FROM techdocs_files f JOIN techdocs_sites s "
			"ON s.entity_ref = f.entity_ref WHERE f.entity_ref = ?1 AND s.built_at IS NOT NULL "
			"AND f.path = 'search/search_index.json'", ref, err, &rc);
	if (site != NULL && (index = json_loads(site, 0, NULL)) != NULL)
		rc = index_site(db, a, &e, index, err);
	json_decref(index);
	free(site);
	sh_arena_free(a);
	json_decref(entity);
	free(final);
	return rc;
}

/* ---- the job ------------------------------------------------------------------------------ */

/* Reindex up to BATCH marked refs in one transaction; *n gets how many. */
static int index_batch(sqlite3 *db, size_t *n, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(db, "DELETE FROM search_pending WHERE id IN (SELECT id FROM "
		"search_pending ORDER BY id LIMIT ?1) RETURNING ref", -1, &st, NULL) != SQLITE_OK) {
		db_rollback(db);
		return sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
	}
	sqlite3_bind_int(st, 1, BATCH);
	{
		/* RETURNING rows are all computed before the first is returned,
		 * so the refs are copied out before indexing writes anything. */
		struct sh_arena *a = sh_arena_new();
		const char **refs = NULL;
		size_t cap = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			refs = sh_arena_grow(a, refs, *n, &cap, sizeof(*refs), 64);
			refs[(*n)++] = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
		}
		if (sqlite3_finalize(st) != SQLITE_OK)
			rc = sh_err_set(err, SH_EINTERNAL, "search: %s", sqlite3_errmsg(db));
		for (size_t i = 0; rc == 0 && i < *n; i++)
			rc = search_reindex_ref(db, refs[i], err);
		sh_arena_free(a);
	}
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	if (rc != 0)
		db_rollback(db);
	return rc;
}

static int index_job(void *ctx, sqlite3 *db, const char *key, const json_t *payload,
	struct sh_err *err)
{
	struct search *s = ctx;
	size_t n;
	int rc;

	(void)key;
	(void)payload;
	for (;;) {
		rc = index_batch(db, &n, err);
		if (rc == 0 && n > 0) {
			atomic_fetch_add(&s->indexed, n);
			atomic_fetch_add(&s->generation, 1); /* cached answers are stale */
		}
		if (rc != 0 || n < BATCH)
			return rc;
		/* SQLite does not queue writers: leave a gap between batches
		 * for whoever is waiting for the lock (a request's refresh, a
		 * job claim), or a long reindex would starve them. */
		nanosleep(&(struct timespec){ 0, BATCH_PAUSE_NS }, NULL);
	}
}

struct jobs_queue search_jobs_queue(struct search *s)
{
	return (struct jobs_queue){ SEARCH_QUEUE, index_job, s, 0 };
}
