/*
 * Processing a Location entity — the catalog's one kind of background job.
 *
 * A round reads every target of the Location; targets holding the same
 * bytes as last round cost one read and one hash and nothing else. A
 * changed round parses each YAML document and processes the entities in
 * it, and only then writes what changed, deletes what its files no longer
 * hold, and stitches every entity whose relations moved — in transactions
 * of at most ROUND_CHUNK entities, each leaving a consistent catalog. If a
 * target cannot be read or parsed, the round applies nothing but the
 * error, so a flaky source never empties the catalog.
 */
#include "store.h"

#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stagehand/yaml.h"

#define PROCESSING_TYPE "backstage.io/catalog-processing"
#define ROUND_CHUNK 10000     /* entities written per transaction */
#define MAX_PARTS 4           /* threads parsing one round's texts */
#define PART_MIN_BYTES (256 * 1024) /* less text than this a thread is not worth it */

struct item {
	const char *ref;
	const char *kind;
	const char *location_key;
	int line;                 /* of the document in location_key */
	struct processed p;       /* p.entity is always NULL: see processed */
	char *processed;          /* key-sorted JSON text; NULL when processing failed */
	json_t *errors;           /* entity-level status items, or NULL */
};

struct text {
	const char *key;           /* type:target */
	char *data;                /* malloc'ed; NULL while deferred */
	size_t len;
	char hash[41];             /* of data */
	char *etag;                /* url targets: the ETag it came with (malloc'ed), or NULL */
	bool deferred;             /* answered 304: read it only if the round is not skipped */
};

struct round {
	struct catalog *c;
	struct sh_arena *a;
	const char *self;          /* the Location entity's ref */
	const char *self_key;      /* where it came from */
	const char *origin;
	json_t *errors;            /* the Location's own status items */
	json_t *refs;              /* set of the refs in items */
	bool fatal;
	struct item *items;
	size_t n, cap;
	struct sh_buf source;      /* each target's key and content hash */
	struct text *texts;        /* what the targets held, read but not parsed */
	size_t n_texts, cap_texts;
	sqlite3 *db;               /* for the url targets' ETags; NULL in dry runs */
	struct sh_arena *part_arenas[MAX_PARTS]; /* items parsed by other threads live here */
	int n_parts;
};

static json_t *status_item(const char *name, const char *message)
{
	return json_pack("{s:s,s:s,s:s,s:{s:s,s:s}}", "type", PROCESSING_TYPE, "level", "error",
		"message", "", "error", "name", name, "message", message);
}

static void add_error(json_t *list, const char *name, const char *message)
{
	json_t *item = status_item(name, message);
	char *text = sh_asprintf("%s: %s", name, message);

	json_object_set_new(item, "message", json_string(text));
	free(text);
	json_array_append_new(list, item);
}

/* ---- one document ----------------------------------------------------------------- */

static struct item *new_item(struct round *r)
{
	r->items = sh_arena_grow(r->a, r->items, r->n, &r->cap, sizeof(*r->items), 32);
	memset(&r->items[r->n], 0, sizeof(r->items[0]));
	return &r->items[r->n++];
}

static bool seen(const struct round *r, const char *ref)
{
	return json_object_get(r->refs, ref) != NULL;
}

/* ---- placeholders ------------------------------------------------------------------ */

static int placeholder_value(struct round *r, const char *key, const json_t *v, json_t **out,
	struct sh_err *err);

/* Replace {"$text"|"$json"|"$yaml": "path-or-url"} values under v with the
 * referenced file's content, read relative to key (type:target). */
static int resolve_placeholders(struct round *r, const char *key, json_t *v, int depth,
	struct sh_err *err)
{
	const char *k;
	json_t *child;
	size_t i;

	if (depth > 32)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			json_t *rep = NULL;
			int rc = placeholder_value(r, key, child, &rep, err);
			if (rc != 0)
				return rc;
			if (rep != NULL)
				json_array_set_new(v, i, rep);
			else if ((rc = resolve_placeholders(r, key, child, depth + 1, err)) != 0)
				return rc;
		}
		return 0;
	}
	json_object_foreach(v, k, child) {
		json_t *rep = NULL;
		int rc = placeholder_value(r, key, child, &rep, err);
		if (rc != 0)
			return rc;
		if (rep != NULL)
			json_object_set_new(v, k, rep);
		else if ((rc = resolve_placeholders(r, key, child, depth + 1, err)) != 0)
			return rc;
	}
	return 0;
}

static int placeholder_value(struct round *r, const char *key, const json_t *v, json_t **out,
	struct sh_err *err)
{
	static const char *const ops[] = { "$text", "$json", "$yaml" };
	const char *colon = strchr(key, ':');
	const char *type, *base, *target = NULL, *resolved;
	bool missing = false;
	char *text = NULL;
	size_t len = 0, op;
	int rc;

	if (!json_is_object(v) || json_object_size(v) != 1 || colon == NULL)
		return 0;
	for (op = 0; op < SH_ARRAY_LEN(ops); op++)
		if ((target = json_string_value(json_object_get(v, ops[op]))) != NULL)
			break;
	if (target == NULL)
		return 0;
	type = sh_arena_strndup(r->a, key, (size_t)(colon - key));
	base = colon + 1;
	if (strncmp(target, "http://", 7) == 0 || strncmp(target, "https://", 8) == 0)
		type = "url"; /* an absolute URL, wherever the entity came from */
	resolved = resolve_target(r->a, type, base, target);
	if ((rc = read_target(r->c, type, resolved, &text, &len, &missing, err)) != 0) {
		sh_err_prefix(err, "Placeholder %s", ops[op]);
		return rc;
	}
	if (op == 0) {
		*out = json_stringn(text, len);
	} else {
		json_t *docs = NULL;
		json_error_t jerr;
		if (op == 1)
			*out = json_loadb(text, len, 0, &jerr);
		else if ((rc = yaml_parse(&docs, NULL, text, len, resolved, NULL, err)) == 0)
			*out = json_incref(json_array_get(docs, 0));
		json_decref(docs);
		if (*out == NULL && rc == 0)
			rc = sh_err_set(err, SH_EINPUT, "Placeholder %s: %s:%s is not valid %s", ops[op],
				type, resolved, op == 1 ? "JSON" : "YAML");
	}
	free(text);
	return rc;
}

static void take_document(struct round *r, const char *key, const json_t *doc, const json_t *lines)
{
	json_t *md = json_object_get(doc, "metadata");
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	const char *name = json_string_value(json_object_get(md, "name"));
	const char *ns = json_string_value(json_object_get(md, "namespace"));
	const char *pointer = "";
	struct sh_err err = { 0, "" };
	json_t *resolved;
	struct item *it;
	const char *ref;
	int line;

	if (!json_is_object(doc) || kind == NULL || name == NULL) {
		line = yaml_line_of(lines, "");
		add_error(r->errors, "InputError", sh_arena_printf(r->a,
			"%s:%d: not an entity: it needs an object with \"kind\" and \"metadata.name\"", key, line));
		return;
	}
	ref = catalog_ref_string(r->a, kind, ns ? ns : "default", name);
	if (!rules_allow(r->c, kind, r->origin)) {
		add_error(r->errors, "NotAllowedError", sh_arena_printf(r->a,
			"%s:%d: entity %s of kind %s is not allowed from location %s by catalog.rules",
			key, yaml_line_of(lines, "/kind"), ref, kind, r->origin));
		return;
	}
	if (seen(r, ref)) {
		add_error(r->errors, "InputError", sh_arena_printf(r->a,
			"%s:%d: Duplicate nested entity: %s", key, yaml_line_of(lines, ""), ref));
		return;
	}
	it = new_item(r);
	json_object_set_new(r->refs, ref, json_true());
	it->line = yaml_line_of(lines, "");
	it->ref = ref;
	it->kind = sh_arena_strdup(r->a, kind);
	it->location_key = key;
	resolved = json_deep_copy(doc);
	if (resolve_placeholders(r, key, json_object_get(resolved, "spec"), 0, &err) != 0 ||
		process_entity(&it->p, r->a, resolved, key, r->origin, &pointer, &err) != 0) {
		const char *msg = sh_arena_printf(r->a, "%s:%d: %s", key, yaml_line_of(lines, pointer), err.msg);
		it->p.entity = NULL;
		it->errors = json_array();
		add_error(it->errors, "InputError", msg);
		add_error(r->errors, "InputError", sh_arena_printf(r->a, "%s: %s", ref, msg));
	} else {
		/* Text is a fifth of the tree's memory, and what gets stored, in
		 * the order the file has (form fields of templates keep theirs). */
		it->processed = json_dumps(it->p.entity, JSON_COMPACT);
		json_decref(it->p.entity);
		it->p.entity = NULL;
	}
	json_decref(resolved);
}

/* ---- reading targets ------------------------------------------------------------------ */

static void take_text(struct round *r, const char *key, const char *text, size_t len)
{
	json_t *docs = NULL, *lines = NULL;
	struct sh_err err = { 0, "" };
	size_t i;
	json_t *doc;

	if (yaml_parse(&docs, &lines, text, len, key, NULL, &err) != 0) {
		add_error(r->errors, "InputError", err.msg);
		r->fatal = true;
		return;
	}
	json_array_foreach(docs, i, doc)
		take_document(r, key, doc, json_array_get(lines, i));
	/* Items keep nothing of docs but copies (their text and arena
	 * strings), so docs can go now. */
	json_decref(lines);
	json_decref(docs);
}

static struct text *new_text(struct round *r, const char *key)
{
	if (r->n_texts == r->cap_texts) {
		r->cap_texts = r->cap_texts ? r->cap_texts * 2 : 8;
		r->texts = sh_realloc(r->texts, r->cap_texts * sizeof(*r->texts));
	}
	memset(&r->texts[r->n_texts], 0, sizeof(r->texts[0]));
	r->texts[r->n_texts].key = key;
	return &r->texts[r->n_texts++];
}

/* The ETag and hash a url target had when last read; false if unknown. */
static bool known_source(struct round *r, const char *key, const char **etag, const char **hash)
{
	static const char sql[] = "SELECT etag, hash FROM catalog_sources WHERE key = ?1";
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (r->db == NULL || sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*etag = sh_arena_strdup(r->a, (const char *)sqlite3_column_text(st, 0));
		*hash = sh_arena_strdup(r->a, (const char *)sqlite3_column_text(st, 1));
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

static void read_one(struct round *r, const char *type, const char *target, bool optional)
{
	const char *key = sh_arena_printf(r->a, "%s:%s", type, target);
	const char *old_etag = NULL, *old_hash = NULL;
	struct read_cond cond = { NULL, false, NULL };
	struct sh_err err = { 0, "" };
	bool missing = false;
	char *text = NULL;
	size_t len = 0;
	struct text *t;
	int rc;

	if (strcmp(type, "url") == 0) {
		if (known_source(r, key, &old_etag, &old_hash))
			cond.if_none_match = old_etag;
		rc = read_url_conditional(r->c, target, &cond, &text, &len, &missing, &err);
	} else {
		rc = read_target(r->c, type, target, &text, &len, &missing, &err);
	}
	if (rc != 0) {
		if (missing && optional)
			return;
		add_error(r->errors, sh_status_name(err.code), err.msg);
		r->fatal = true;
		return;
	}
	/* Keep it unparsed: if every target holds what it held last time,
	 * the round stops at the hash. */
	t = new_text(r, key);
	if (cond.not_modified) {
		t->deferred = true;
		t->etag = sh_strdup(old_etag);
		snprintf(t->hash, sizeof(t->hash), "%s", old_hash);
	} else {
		t->data = text;
		t->len = len;
		t->etag = cond.etag;
		sha1_hex(t->hash, text, len);
	}
	sh_buf_printf(&r->source, "%s\n%s\n", key, t->hash);
}

/* Read a target that answered 304 after all: the round needs every text. */
static void read_deferred(struct round *r, struct text *t)
{
	struct sh_err err = { 0, "" };
	bool missing = false;

	if (read_target(r->c, "url", t->key + 4, &t->data, &t->len, &missing, &err) != 0) {
		add_error(r->errors, sh_status_name(err.code), err.msg);
		r->fatal = true;
		return;
	}
	sha1_hex(t->hash, t->data, t->len);
	free(t->etag); /* the 304 vouched for the old content, not this one */
	t->etag = NULL;
}

/* Parse texts [from, to), letting go of each once parsed. */
static void parse_range(struct round *r, struct text *texts, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (texts[i].deferred)
			read_deferred(r, &texts[i]);
		if (texts[i].data == NULL)
			continue;
		take_text(r, texts[i].key, texts[i].data, texts[i].len);
		free(texts[i].data);
		texts[i].data = NULL;
	}
}

/* A run of texts parsed on a thread of its own into a round of its own
 * (its items, refs, errors and arena), joined to the real one in order. */
struct part {
	struct round sub;
	struct text *texts;
	size_t from, to;
	pthread_t thread;
	bool threaded;
};

static void *parse_part(void *arg)
{
	struct part *p = arg;

	parse_range(&p->sub, p->texts, p->from, p->to);
	return NULL;
}

/* Add what a part parsed to r, as if r had parsed it itself: a ref that an
 * earlier part already holds is a duplicate, reported where it was found. */
static void join_part(struct round *r, struct part *p)
{
	for (size_t i = 0; i < p->sub.n; i++) {
		struct item *it = &p->sub.items[i];
		if (seen(r, it->ref)) {
			add_error(r->errors, "InputError", sh_arena_printf(r->a,
				"%s:%d: Duplicate nested entity: %s", it->location_key, it->line, it->ref));
			free(it->processed);
			json_decref(it->errors);
			continue;
		}
		*new_item(r) = *it;
		json_object_set_new(r->refs, it->ref, json_true());
	}
	json_array_extend(r->errors, p->sub.errors);
	json_decref(p->sub.errors);
	json_decref(p->sub.refs);
	r->fatal = r->fatal || p->sub.fatal;
	r->part_arenas[r->n_parts++] = p->sub.a;
}

/* How many threads are worth it for bytes of text: one per core, at most
 * MAX_PARTS, each with PART_MIN_BYTES at least. */
static int parts_for(size_t bytes, size_t n_texts)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = bytes / PART_MIN_BYTES;

	if (cores < 1)
		cores = 1;
	if (n > (size_t)cores)
		n = (size_t)cores;
	if (n > MAX_PARTS)
		n = MAX_PARTS;
	if (n > n_texts)
		n = n_texts;
	return n < 1 ? 1 : (int)n;
}

/* Parse every target read, then let go of the texts. Large rounds split
 * their texts into runs of about equal size, one per core: this thread
 * parses the first, helper threads the others. */
static void parse_texts(struct round *r)
{
	struct part parts[MAX_PARTS];
	size_t bytes = 0, done = 0, at = 0;
	int n;

	for (size_t i = 0; i < r->n_texts; i++)
		bytes += r->texts[i].len;
	n = parts_for(bytes, r->n_texts);
	if (n == 1) {
		parse_range(r, r->texts, 0, r->n_texts);
		return;
	}
	for (int k = 0; k < n; k++) {
		struct part *p = &parts[k];
		size_t goal = bytes / (size_t)n * (size_t)(k + 1);
		p->from = at;
		while (at < r->n_texts && (done < goal || k == n - 1))
			done += r->texts[at++].len;
		p->to = at;
		p->texts = r->texts;
		p->threaded = false;
		if (k == 0)
			continue;
		p->sub = (struct round){ .c = r->c, .a = sh_arena_new(), .self = r->self,
			.self_key = r->self_key, .origin = r->origin, .errors = json_array(),
			.refs = json_object() };
		/* If no thread can be had, this thread parses the part itself. */
		p->threaded = pthread_create(&p->thread, NULL, parse_part, p) == 0;
	}
	parse_range(r, r->texts, parts[0].from, parts[0].to);
	for (int k = 1; k < n; k++) {
		if (parts[k].threaded)
			pthread_join(parts[k].thread, NULL);
		else
			parse_part(&parts[k]);
		join_part(r, &parts[k]);
	}
}

/* Remember the url targets' ETags for the next round's conditional reads. */
static int save_sources(struct round *r, sqlite3 *db, struct sh_err *err)
{
	static const char sql[] = "INSERT INTO catalog_sources (key, etag, hash) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, hash = excluded.hash";
	int rc = 0;

	for (size_t i = 0; i < r->n_texts && rc == 0; i++) {
		sqlite3_stmt *st = NULL;
		if (r->texts[i].etag == NULL)
			continue;
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
		sqlite3_bind_text(st, 1, r->texts[i].key, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->texts[i].etag, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->texts[i].hash, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	return rc;
}

static void round_dispose(struct round *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].processed);
		json_decref(r->items[i].errors);
	}
	for (size_t i = 0; i < r->n_texts; i++) {
		free(r->texts[i].data);
		free(r->texts[i].etag);
	}
	free(r->texts);
	json_decref(r->errors);
	json_decref(r->refs);
	sh_buf_dispose(&r->source);
	for (int i = 0; i < r->n_parts; i++)
		sh_arena_free(r->part_arenas[i]);
}

static void read_targets(struct round *r, const json_t *location)
{
	json_t *spec = json_object_get(location, "spec");
	const char *self_type = r->self_key;
	const char *colon = strchr(self_type, ':');
	const char *type = json_string_value(json_object_get(spec, "type"));
	const char *base = colon ? colon + 1 : "";
	bool optional = json_is_string(json_object_get(spec, "presence")) &&
		strcmp(json_string_value(json_object_get(spec, "presence")), "optional") == 0;
	json_t *targets = json_array();
	size_t i;
	json_t *t;

	if (type == NULL)
		type = sh_arena_strndup(r->a, self_type, colon ? (size_t)(colon - self_type) : 0);
	if (json_is_string(json_object_get(spec, "target")))
		json_array_append(targets, json_object_get(spec, "target"));
	json_array_extend(targets, json_object_get(spec, "targets"));
	json_array_foreach(targets, i, t) {
		const char *resolved = resolve_target(r->a, type, base, json_string_value(t));
		if (strcmp(type, "file") == 0) {
			const char **paths = expand_glob(r->a, resolved);
			if (paths[0] == NULL && !optional && strpbrk(resolved, "*?[") == NULL)
				read_one(r, type, resolved, optional);
			for (const char **p = paths; *p; p++)
				read_one(r, type, *p, optional);
		} else {
			read_one(r, type, resolved, optional);
		}
	}
	json_decref(targets);
}

/* ---- applying a round ------------------------------------------------------------------ */

static char *errors_text(const json_t *errors)
{
	return json_array_size(errors) > 0 ? json_dumps(errors, JSON_COMPACT) : NULL;
}

static int apply_item(struct round *r, struct store *s, struct item *it, bool *changed,
	struct sh_err *err)
{
	struct entity_row row;
	struct entity_put put = { 0 };
	const char *processed = it->processed;
	char *errs = errors_text(it->errors);
	struct sh_buf h = SH_BUF_INIT;
	char hash[41];
	int found = store_get(s, it->ref, &row);
	int rc = 0;

	*changed = false;
	if (found && row.parent_ref != NULL && strcmp(row.parent_ref, r->self) != 0 &&
		strcmp(row.location_key, it->location_key) != 0) {
		add_error(r->errors, "ConflictError", sh_arena_printf(r->a,
			"%s: %s is already provided by %s; this location's copy is ignored",
			it->location_key, it->ref, row.location_key));
		goto done;
	}
	sh_buf_printf(&h, "%s\n%s\n%s\n%s\n%s\n%s", r->self, it->location_key, r->origin,
		processed ? processed : "", errs ? errs : "",
		it->p.source_etag ? it->p.source_etag : "");
	sha1_hex(hash, h.ptr, h.len);
	if (found && !row.orphan && row.input_hash != NULL && strcmp(row.input_hash, hash) == 0)
		goto done; /* unchanged since the last round */
	put = (struct entity_put){ it->ref, r->self, it->location_key, r->origin, hash, processed,
		errs, it->p.rels, it->p.n_rels, it->p.source_etag };
	rc = store_put(s, &put, err);
	*changed = rc == 0;
done:
	sh_buf_dispose(&h);
	free(errs);
	return rc;
}

static int drop_gone(struct round *r, struct store *s, struct sh_err *err)
{
	sqlite3_stmt *st = store_stmt(s, ST_CHILDREN);
	const char **gone = NULL;
	size_t n = 0, cap = 0;
	int rc;

	sqlite3_bind_text(st, 1, r->self, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		if (seen(r, ref))
			continue;
		gone = sh_arena_grow(r->a, gone, n, &cap, sizeof(*gone), 16);
		gone[n++] = sh_arena_strdup(r->a, ref);
	}
	for (size_t i = 0; i < n; i++) {
		log_info("catalog: %s no longer emits %s; %s", r->self, gone[i],
			r->c->keep_orphans ? "keeping it as an orphan" : "deleting it");
		if ((rc = store_drop(s, gone[i], err)) != 0)
			return rc;
	}
	return 0;
}

/* Commit what the round wrote so far and go on in a new transaction, so
 * that a round over a very large file never builds one huge transaction.
 * Each step leaves a consistent catalog: every entity stitched. Returns
 * 1 when the Location itself has been deleted meanwhile. */
static int next_chunk(struct round *r, struct store *s, sqlite3 *db, struct sh_err *err)
{
	struct entity_row self;
	int rc;

	if ((rc = store_stitch_written(s, err)) != 0 || (rc = db_exec(db, "COMMIT", err)) != 0)
		return rc;
	db_bound_wal(r->c->pool, db);
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0)
		return rc;
	return store_get(s, r->self, &self) ? 0 : 1;
}

/* ref -> index of the last item giving ref a relation (other than ref's
 * own item), for the refs that get any. */
static json_t *last_incoming(const struct round *r)
{
	json_t *last = json_object();

	for (size_t i = 0; i < r->n; i++) {
		const struct item *it = &r->items[i];
		for (size_t k = 0; k < it->p.n_rels; k++) {
			const char *source = it->p.rels[k].source;
			json_t *at;
			if (strcmp(source, it->ref) == 0)
				continue;
			if ((at = json_object_get(last, source)) != NULL)
				json_integer_set(at, (json_int_t)i);
			else
				json_object_set_new(last, source, json_integer((json_int_t)i));
		}
	}
	return last;
}

/* Whether the item at i gets relations from an item of a later chunk: then
 * stitching it with its own chunk would be undone at the round's end. */
static bool stitch_later(const json_t *last, const struct item *it, size_t i, size_t n)
{
	json_t *at = json_object_get(last, it->ref);
	size_t chunk_end = (i / ROUND_CHUNK + 1) * ROUND_CHUNK;

	return at != NULL && chunk_end < n && (size_t)json_integer_value(at) >= chunk_end;
}

static int apply_round(struct round *r, struct store *s, sqlite3 *db, const char *source_hash,
	struct sh_err *err)
{
	struct entity_row self;
	json_t *last = NULL;
	char *errs;
	int rc = 0;

	/* The Location may have been deleted while its targets were read. */
	if (!store_get(s, r->self, &self))
		return 0;
	if (!r->fatal) {
		if (r->n > ROUND_CHUNK)
			last = last_incoming(r);
		for (size_t i = 0; i < r->n && rc == 0; i++) {
			bool changed = false;
			rc = apply_item(r, s, &r->items[i], &changed, err);
			if (rc == 0 && changed && last != NULL && stitch_later(last, &r->items[i], i, r->n))
				store_defer(s, r->items[i].ref);
			/* Written out now: the round's memory shrinks as it goes. */
			free(r->items[i].processed);
			r->items[i].processed = NULL;
			if (rc == 0 && changed && strcmp(r->items[i].kind, "Location") == 0)
				rc = jobs_enqueue(db, CATALOG_QUEUE, r->items[i].ref, NULL, 0, err);
			if (rc == 0 && (i + 1) % ROUND_CHUNK == 0 && i + 1 < r->n &&
				(rc = next_chunk(r, s, db, err)) == 1)
				break;
		}
		json_decref(last);
		if (rc == 1)
			return 0; /* the Location was deleted meanwhile */
		if (rc == 0)
			rc = drop_gone(r, s, err);
		if (rc == 0)
			rc = save_sources(r, db, err);
	}
	errs = errors_text(r->errors);
	if (rc == 0)
		rc = store_set_source(s, r->self, r->fatal ? NULL : source_hash, errs,
			r->fatal ? -1 : (long)r->n, err);
	free(errs);
	if (rc == 0)
		rc = store_stitch(s, err);
	return rc;
}

/* ---- the job ------------------------------------------------------------------------------ */

struct self_row {
	json_t *entity;
	const char *location_key;
	const char *origin_key;
	const char *source_hash;
	long emitted;
};

static int load_self(sqlite3 *db, struct sh_arena *a, const char *ref, struct self_row *out)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(db, "SELECT final, location_key, origin_key, source_hash, emitted "
		"FROM catalog_entities WHERE ref = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		char *processed = processed_of_final((const char *)sqlite3_column_text(st, 0));
		out->entity = processed ? json_loads(processed, 0, NULL) : NULL;
		free(processed);
		out->location_key = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 1));
		out->origin_key = sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 2));
		out->source_hash = sqlite3_column_type(st, 3) == SQLITE_NULL ? NULL
			: sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 3));
		out->emitted = (long)sqlite3_column_int64(st, 4);
		found = out->entity != NULL;
	}
	sqlite3_finalize(st);
	return found;
}

static int run_round(struct round *r, sqlite3 *db, const struct self_row *self, bool force,
	struct sh_err *err)
{
	struct store s;
	char hash[41];
	int rc;

	sh_buf_puts(&r->source, SH_VERSION "\n");
	sha1_hex(hash, r->source.ptr ? r->source.ptr : "", r->source.len);
	if (!force && !r->fatal && self->source_hash != NULL && strcmp(self->source_hash, hash) == 0) {
		/* Every target holds what it held last time. */
		atomic_fetch_add(&r->c->rounds_unchanged, 1);
		atomic_fetch_add(&r->c->entities_unchanged, (uint64_t)self->emitted);
		return 0;
	}
	parse_texts(r);
	if (r->n > 1000)
		db_bulk(db, true);
	if ((rc = db_exec(db, "BEGIN IMMEDIATE", err)) != 0) {
		db_bulk(db, false);
		return rc;
	}
	store_init(&s, db, r->a, r->c->keep_orphans);
	rc = apply_round(r, &s, db, hash, err);
	store_dispose(&s);
	if (rc == 0)
		rc = db_exec(db, "COMMIT", err);
	if (rc != 0) {
		struct sh_err ignored;
		int rb = db_exec(db, "ROLLBACK", &ignored);
		(void)rb; /* the error being reported is the round's */
	}
	if (r->n > 1000)
		db_bulk(db, false);
	atomic_fetch_add(r->fatal || rc != 0 ? &r->c->rounds_failed : &r->c->rounds_applied, 1);
	if (rc == 0 && !r->fatal)
		atomic_fetch_add(&r->c->entities_applied, (uint64_t)r->n);
	return rc;
}

static int location_job(void *ctx, sqlite3 *db, const char *ref, const json_t *payload,
	struct sh_err *err)
{
	struct catalog *c = ctx;
	struct sh_arena *a = sh_arena_new();
	struct self_row self = { 0 };
	struct round r = { .c = c, .a = a, .self = ref };
	bool force = json_is_true(json_object_get(payload, "force"));
	uint64_t t0 = sh_now_ns();
	bool big;
	int rc = 0, found;

	found = load_self(db, a, ref, &self);
	if (found <= 0)
		goto done; /* deleted since it was queued */
	r.self_key = self.location_key;
	r.origin = self.origin_key;
	r.errors = json_array();
	r.refs = json_object();
	r.db = db;
	read_targets(&r, self.entity);
	rc = run_round(&r, db, &self, force, err);
	if (rc == 0)
		rc = jobs_enqueue(db, CATALOG_QUEUE, ref, NULL, c->interval_ms, err);
	if (rc == 0)
		jobs_wake(c->jobs); /* nested Locations queued by this round */
	log_debug("catalog: processed %s: %zu entities, %zu errors in %.1fms", ref, r.n,
		json_array_size(r.errors), (double)(sh_now_ns() - t0) / 1e6);
done:
	json_decref(self.entity);
	big = r.n > 1000;
	round_dispose(&r);
	sh_arena_free(a);
	if (big)
		malloc_trim(0); /* a large round's memory goes back to the system */
	return rc;
}

struct jobs_queue catalog_jobs_queue(struct catalog *c)
{
	return (struct jobs_queue){ CATALOG_QUEUE, location_job, c, 0 };
}

/* ---- dry runs -------------------------------------------------------------------------------- */

/* Read loc (a processed Location entity whose own location is key) and
 * everything nested under it, appending processed entities to out and
 * problems to errors. Nothing is written. */
static void dry_round(struct catalog *c, struct sh_arena *a, const json_t *loc, const char *key,
	const char *origin, json_t *out, json_t *errors, int depth)
{
	struct round r = { .c = c, .a = a, .self_key = key, .origin = origin };

	r.self = "";
	r.errors = json_array();
	r.refs = json_object();
	read_targets(&r, loc);
	parse_texts(&r);
	json_array_extend(errors, r.errors);
	for (size_t i = 0; i < r.n; i++) {
		struct item *it = &r.items[i];
		json_t *entity = it->processed ? json_loads(it->processed, 0, NULL) : NULL;
		if (entity == NULL)
			continue;
		json_array_append(out, entity);
		if (strcmp(it->kind, "Location") == 0 && depth < 8)
			dry_round(c, a, entity, it->location_key, origin, out, errors, depth + 1);
		else if (strcmp(it->kind, "Location") == 0)
			add_error(errors, "InputError", "Locations are nested more than 8 deep");
		json_decref(entity);
	}
	round_dispose(&r);
}

int ingest_dry_run(struct catalog *c, struct sh_arena *a, const char *type, const char *target,
	const char *presence, json_t **entities, json_t **errors)
{
	const char *key = sh_arena_printf(a, "%s:%s", type, target);
	json_t *loc = location_entity(key, type, target, presence);
	json_t *out = json_array();
	json_t *errs = json_array();

	json_array_append(out, loc);
	dry_round(c, a, loc, key, key, out, errs, 0);
	json_decref(loc);
	*entities = out;
	*errors = errs;
	return 0;
}
