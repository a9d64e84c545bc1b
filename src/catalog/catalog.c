/*
 * The catalog's settings and its registered locations. Each location (from
 * the API or from configuration) is a row in catalog_locations plus a root
 * Location entity, "location:default/generated-<sha1 of type:target>",
 * whose processing reads the target.
 */
#include "store.h"

#include <ctype.h>
#include <git2.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stagehand/config.h"

#define ENTITY_CACHE_SLOTS 4096   /* entities kept for by-name and by-uid reads */

static char **string_list(const json_t *arr, bool lower)
{
	size_t n = json_array_size(arr);
	char **out = sh_calloc(n + 1, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		out[i] = sh_strdup(json_string_value(json_array_get(arr, i)));
		for (char *p = out[i]; lower && *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	return out;
}

static void free_list(char **list)
{
	for (char **p = list; p && *p; p++)
		free(*p);
	free(list);
}

/* "type:target" of a config location, with relative file targets made
 * absolute so that the same file is the same location from any cwd. */
static char *location_key_of(const char *type, const char *target)
{
	char buf[PATH_MAX];

	if (strcmp(type, "file") == 0 && target[0] != '/' && realpath(target, buf) != NULL)
		return sh_asprintf("file:%s", buf);
	if (strcmp(type, "file") == 0 && target[0] != '/') {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof(cwd)) != NULL)
			return sh_asprintf("file:%s/%s", cwd, target);
	}
	return sh_asprintf("%s:%s", type, target);
}

static void add_rule(struct catalog *c, const json_t *rule, const char *only_location)
{
	struct catalog_rule *r;
	json_t *locs = json_object_get(rule, "locations");

	c->rules = sh_realloc(c->rules, (c->n_rules + 1) * sizeof(*c->rules));
	r = &c->rules[c->n_rules++];
	r->kinds = string_list(json_object_get(rule, "allow"), true);
	r->locations = NULL;
	if (only_location != NULL) {
		r->locations = sh_calloc(2, sizeof(char *));
		r->locations[0] = sh_strdup(only_location);
	} else if (json_is_array(locs)) {
		size_t i;
		json_t *l;
		r->locations = sh_calloc(json_array_size(locs) + 1, sizeof(char *));
		json_array_foreach(locs, i, l)
			r->locations[i] = location_key_of(json_string_value(json_object_get(l, "type")),
				json_string_value(json_object_get(l, "target")));
	}
}

static void read_settings(struct catalog *c, const struct sh_config *cfg)
{
	size_t i;
	json_t *v;

	c->interval_ms = cfg->catalog_interval_s * 1000;
	c->keep_orphans = strcmp(cfg->catalog_orphan_strategy, "keep") == 0;
	c->read_timeout_ms = cfg->reading_timeout_ms;
	c->read_max_bytes = cfg->reading_max_bytes;
	c->github = cfg->github_integrations;
	c->n_allow = json_array_size(cfg->reading_allow);
	c->allow = sh_calloc(c->n_allow + 1, sizeof(*c->allow));
	json_array_foreach(cfg->reading_allow, i, v) {
		c->allow[i].host = sh_strdup(json_string_value(json_object_get(v, "host")));
		for (char *p = c->allow[i].host; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (json_is_array(json_object_get(v, "paths")))
			c->allow[i].paths = string_list(json_object_get(v, "paths"), false);
	}
	json_array_foreach(cfg->catalog_rules, i, v)
		add_rule(c, v, NULL);
	json_array_foreach(cfg->catalog_locations, i, v) {
		json_t *rules = json_object_get(v, "rules");
		size_t k;
		json_t *rule;
		char *key = location_key_of(json_string_value(json_object_get(v, "type")),
			json_string_value(json_object_get(v, "target")));
		json_array_foreach(rules, k, rule)
			add_rule(c, rule, key);
		free(key);
	}
}

/* ---- registering locations -------------------------------------------------------- */

/* The root Location entity of type:target (a new value). */
json_t *location_entity(const char *key, const char *type, const char *target,
	const char *presence)
{
	char hash[41];
	char *name;
	json_t *e;

	sha1_hex(hash, key, strlen(key));
	name = sh_asprintf("generated-%s", hash);
	e = json_pack("{s:s,s:s,s:{s:s,s:s,s:{s:s,s:s}},s:{s:s,s:s}}",
		"apiVersion", "backstage.io/v1alpha1", "kind", "Location",
		"metadata", "name", name, "namespace", "default",
		"annotations", "backstage.io/managed-by-location", key,
		"backstage.io/managed-by-origin-location", key,
		"spec", "type", type, "target", target);
	if (presence != NULL && strcmp(presence, "optional") == 0)
		json_object_set_new(json_object_get(e, "spec"), "presence", json_string(presence));
	free(name);
	return e;
}

/* Store e (stolen) as the root Location entity ref, read from key, and
 * rebuild what that touches. */
static int put_root(sqlite3 *db, struct sh_arena *a, const char *ref, const char *key, json_t *e,
	struct sh_err *err)
{
	char *processed = json_dumps(e, JSON_COMPACT);
	struct entity_put put = { ref, NULL, key, key, NULL, processed, NULL, NULL, 0 };
	struct store s;
	int rc;

	json_decref(e);
	store_init(&s, db, a, false);
	rc = store_put(&s, &put, err);
	if (rc == 0)
		rc = store_stitch(&s, err);
	store_dispose(&s);
	free(processed);
	return rc;
}

int location_register(sqlite3 *db, struct sh_arena *a, const char *id, const char *type,
	const char *target, const char *presence, const char *source, const char **entity_ref,
	struct sh_err *err)
{
	const char *key = sh_arena_printf(a, "%s:%s", type, target);
	json_t *e = location_entity(key, type, target, presence);
	const char *ref = catalog_ref_string(a, "location", "default",
		json_string_value(json_object_get(json_object_get(e, "metadata"), "name")));
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = put_root(db, a, ref, key, e, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(db, "INSERT INTO catalog_locations (id, type, target, presence, source, "
		"entity_ref, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		"ON CONFLICT (type, target) DO NOTHING", -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, presence ? presence : "required", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, ref, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, jobs_now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	if (rc == 0)
		rc = jobs_enqueue(db, CATALOG_QUEUE, ref, NULL, 0, err);
	if (rc == 0 && entity_ref != NULL)
		*entity_ref = ref;
	return rc;
}

int location_unregister(sqlite3 *db, struct sh_arena *a, const char *entity_ref, const char *id,
	bool keep_orphans, struct sh_err *err)
{
	sqlite3_stmt *st = NULL;
	struct store s;
	int rc;

	store_init(&s, db, a, keep_orphans);
	rc = store_delete(&s, entity_ref, err);
	if (rc == 0)
		rc = store_stitch(&s, err);
	store_dispose(&s);
	if (rc != 0)
		return rc;
	if (sqlite3_prepare_v2(db, "DELETE FROM catalog_locations WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		return sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0
		: sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

/* Make catalog_locations' config rows match the configuration: add new
 * ones, drop (with everything they emitted: deleted or orphaned) the ones
 * no longer listed, and queue every root for a first round. */
static int sync_config_locations(sqlite3 *db, const struct catalog *c, const struct sh_config *cfg,
	struct sh_err *err)
{
	struct sh_arena *a = sh_arena_new();
	sqlite3_stmt *st = NULL;
	json_t *keep = json_object();
	size_t i;
	json_t *v;
	int rc = 0;

	json_array_foreach(cfg->catalog_locations, i, v) {
		const char *type = json_string_value(json_object_get(v, "type"));
		char *key = location_key_of(type, json_string_value(json_object_get(v, "target")));
		const char *target = sh_arena_strdup(a, key + strlen(type) + 1);
		char id[37];
		sh_uuid_v4(id);
		json_object_set_new(keep, key, json_true());
		free(key);
		rc = location_register(db, a, id, type, target,
			json_string_value(json_object_get(v, "presence")), "config", NULL, err);
		if (rc != 0)
			goto done;
	}
	if (sqlite3_prepare_v2(db, "SELECT id, type || ':' || target, entity_ref FROM catalog_locations "
		"WHERE source = 'config'", -1, &st, NULL) != SQLITE_OK) {
		rc = sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
		goto done;
	}
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 1);
		if (json_object_get(keep, key) != NULL)
			continue;
		log_info("catalog: %s is no longer configured; removing what it provided", key);
		rc = location_unregister(db, a, sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 2)),
			sh_arena_strdup(a, (const char *)sqlite3_column_text(st, 0)), c->keep_orphans, err);
	}
done:
	sqlite3_finalize(st);
	json_decref(keep);
	sh_arena_free(a);
	return rc;
}

int catalog_new(struct catalog **out, const struct sh_config *cfg, struct db_pool *pool,
	struct sh_err *err)
{
	struct catalog *c = sh_calloc(1, sizeof(*c));
	sqlite3 *db;
	int rc;

	git_libgit2_init(); /* reference-counted; catalog_free shuts it down */
	c->pool = pool;
	c->cache = sh_text_cache_new(ENTITY_CACHE_SLOTS);
	read_settings(c, cfg);
	db = db_acquire(pool);
	rc = db_exec(db, "BEGIN IMMEDIATE", err);
	if (rc == 0 && (rc = sync_config_locations(db, c, cfg, err)) == 0)
		rc = db_exec(db, "COMMIT", err);
	db_release(pool, db); /* rolls back whatever is left open */
	if (rc != 0) {
		catalog_free(c);
		return SH_EINTERNAL;
	}
	*out = c;
	return 0;
}

void catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	sh_text_cache_free(c->cache);
	for (size_t i = 0; i < c->n_allow; i++) {
		free(c->allow[i].host);
		free_list(c->allow[i].paths);
	}
	free(c->allow);
	for (size_t i = 0; i < c->n_rules; i++) {
		free_list(c->rules[i].kinds);
		free_list(c->rules[i].locations);
	}
	free(c->rules);
	free(c);
	git_libgit2_shutdown();
}

void catalog_metrics_write(const struct catalog *c, struct sh_buf *out)
{
	if (c == NULL)
		return;
	sh_buf_printf(out, "# HELP stagehand_catalog_rounds_total Location processing rounds by outcome.\n"
		"# TYPE stagehand_catalog_rounds_total counter\n"
		"stagehand_catalog_rounds_total{result=\"applied\"} %llu\n"
		"stagehand_catalog_rounds_total{result=\"unchanged\"} %llu\n"
		"stagehand_catalog_rounds_total{result=\"failed\"} %llu\n",
		(unsigned long long)atomic_load(&c->rounds_applied),
		(unsigned long long)atomic_load(&c->rounds_unchanged),
		(unsigned long long)atomic_load(&c->rounds_failed));
	sh_buf_printf(out, "# HELP stagehand_catalog_entities_processed_total Entities in processed rounds: "
		"written (applied) or recognised as unchanged by hash.\n"
		"# TYPE stagehand_catalog_entities_processed_total counter\n"
		"stagehand_catalog_entities_processed_total{result=\"applied\"} %llu\n"
		"stagehand_catalog_entities_processed_total{result=\"unchanged\"} %llu\n",
		(unsigned long long)atomic_load(&c->entities_applied),
		(unsigned long long)atomic_load(&c->entities_unchanged));
}

void catalog_set_jobs(struct catalog *c, struct jobs *jobs)
{
	c->jobs = jobs;
}

int location_update(sqlite3 *db, struct sh_arena *a, const char *id, const char *entity_ref,
	const char *type, const char *target, const char *presence, struct sh_err *err)
{
	const char *key = sh_arena_printf(a, "%s:%s", type, target);
	json_t *e = location_entity(key, type, target, presence);
	json_t *force = json_pack("{s:b}", "force", 1);
	sqlite3_stmt *st = NULL;
	int rc;

	/* The entity keeps its ref (and uid); only what it points at changes. */
	json_object_set_new(json_object_get(e, "metadata"), "name", json_string(strchr(entity_ref, '/') + 1));
	rc = put_root(db, a, entity_ref, key, e, err);
	if (rc == 0 && sqlite3_prepare_v2(db, "UPDATE catalog_locations SET type = ?2, target = ?3, "
		"presence = ?4 WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
		rc = sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	if (rc == 0) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, target, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, presence ? presence : "required", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = sh_err_set(err, SH_EINTERNAL, "catalog: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = jobs_enqueue(db, CATALOG_QUEUE, entity_ref, force, 0, err);
	json_decref(force);
	return rc;
}
