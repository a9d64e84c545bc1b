/*
 * The TechDocs module: where an entity's docs live, and the background job
 * that builds them. A build reads the sources, compares their hash with
 * the stored one and stores the site only when it changed; either way the
 * attempt and its log are recorded and announced on the hub, which is what
 * the sync stream waits for.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>

#include "internal.h"
#include "stagehand/catalog.h"
#include "stagehand/db.h"
#include "stagehand/git.h"

#define GIT_TIMEOUT_S 120

/* ---- where the docs are -------------------------------------------------------------------- */

static const char *annotation(const json_t *entity, const char *key)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(entity, "metadata"),
		"annotations"), key));
}

/* A folder inside base (both resolved): the docs of a file location. */
static int local_dir(const char *base, const char *rel, char **dir, struct sh_err *err)
{
	char *joined = sh_asprintf("%s/%s", base, rel);
	char *real = realpath(joined, NULL), *real_base = realpath(base, NULL);
	size_t n = real_base ? strlen(real_base) : 0;
	int rc = 0;

	if (real == NULL || real_base == NULL)
		rc = sh_err_set(err, SH_ENOTFOUND, "the docs folder %s does not exist", rel);
	else if (strncmp(real, real_base, n) != 0 || (real[n] != '/' && real[n] != '\0'))
		rc = sh_err_set(err, SH_EINPUT, "the docs folder %s is outside the entity's folder", rel);
	else
		*dir = sh_strdup(real);
	free(real);
	free(real_base);
	free(joined);
	return rc;
}

static int cloned_dir(struct techdocs *t, const char *url, char **dir, char **tmp, struct sh_err *err)
{
	char *repo = NULL, *ref = NULL, *path = NULL, *clone = NULL;
	char tmpl[PATH_MAX];
	int rc;

	if (!git_split_tree_url(url, &repo, &ref, &path))
		return sh_err_set(err, SH_EINPUT, "%s is not a repository folder url (<repo>/tree/<ref>/<path>)",
			url);
	snprintf(tmpl, sizeof(tmpl), "%s/docs-XXXXXX", t->work_root);
	if ((rc = mkdtemp(tmpl) ? 0 : sh_err_set(err, SH_EINTERNAL, "cannot create %s", tmpl)) == 0) {
		*tmp = sh_strdup(tmpl);
		clone = sh_asprintf("%s/repo", tmpl);
		rc = git_clone_ref(repo, ref, clone, NULL, GIT_TIMEOUT_S, err);
		if (rc == 0)
			rc = local_dir(clone, path[0] ? path : ".", dir, err);
	}
	free(clone);
	free(repo);
	free(ref);
	free(path);
	return rc;
}

/* Whether the docs at url may be read for an entity managed by location
 * (its backstage.io/managed-by-location): a remote repository within the
 * reading allow-list, a repository on the server's disk only for entities
 * that come from its disk themselves. */
static int source_allowed(struct techdocs *t, const char *url, const char *location,
	struct sh_err *err)
{
	if (strncmp(url, "file://", 7) == 0 || strstr(url, "://") == NULL) {
		if (location != NULL && strncmp(location, "file:", 5) == 0)
			return 0;
		return sh_err_set(err, SH_ENOTALLOWED, "url:%s is on the server's disk, which only entities "
			"read from its disk may point to", url);
	}
	if (!catalog_url_allowed(t->catalog, url))
		return sh_err_set(err, SH_ENOTALLOWED, "url:%s is not allowed by backend.reading.allow", url);
	return 0;
}

int techdocs_resolve(struct techdocs *t, const json_t *entity, char **dir, char **tmp,
	const char **kind, char **target, struct sh_err *err)
{
	const char *ref = annotation(entity, "backstage.io/techdocs-ref");
	const char *base = annotation(entity, "backstage.io/source-location");
	const char *location = annotation(entity, "backstage.io/managed-by-location");

	*dir = *tmp = *target = NULL;
	if (ref == NULL)
		return sh_err_set(err, SH_ENOTFOUND, "the entity has no backstage.io/techdocs-ref annotation");
	if (base == NULL)
		base = annotation(entity, "backstage.io/managed-by-location");
	if (strncmp(ref, "url:", 4) == 0) {
		int rc = source_allowed(t, ref + 4, location, err);
		*kind = "url";
		*target = sh_strdup(ref + 4);
		return rc == 0 ? cloned_dir(t, ref + 4, dir, tmp, err) : rc;
	}
	if (strncmp(ref, "dir:", 4) != 0)
		return sh_err_set(err, SH_EINPUT, "backstage.io/techdocs-ref must be dir:<path> or url:<url>");
	*kind = "dir";
	if (base != NULL && strncmp(base, "file:", 5) == 0) {
		char *folder = sh_strdup(base + 5), *slash = strrchr(folder, '/');
		int rc;
		if (slash != NULL)
			*slash = '\0';
		rc = local_dir(folder, ref + 4, dir, err);
		*target = *dir ? sh_strdup(*dir) : NULL;
		free(folder);
		return rc;
	}
	if (base != NULL && strncmp(base, "url:", 4) == 0) {
		const char *u = base + 4, *slash = strrchr(u, '/');
		int rc;
		char *folder = sh_strndup(u, slash ? (size_t)(slash - u) : strlen(u));
		*target = sh_asprintf("%s/%s", folder, ref + 4);
		free(folder);
		*kind = "url";
		rc = source_allowed(t, *target, location, err);
		return rc == 0 ? cloned_dir(t, *target, dir, tmp, err) : rc;
	}
	return sh_err_set(err, SH_EINPUT, "the entity's location says nowhere to find its docs");
}

/* ---- the build job --------------------------------------------------------------------------- */

static void announce(struct techdocs *t, const char *ref)
{
	char topic[320];

	techdocs_topic(topic, ref);
	sh_hub_notify(t->hub, topic);
}

static const char *display_name(const json_t *entity)
{
	const json_t *meta = json_object_get(entity, "metadata");
	const char *title = json_string_value(json_object_get(meta, "title"));

	return title ? title : json_string_value(json_object_get(meta, "name"));
}

static int build(struct techdocs *t, sqlite3 *db, const char *ref, const json_t *entity,
	json_t *log, struct sh_err *err)
{
	char *dir = NULL, *tmp = NULL, *target = NULL, *stored = NULL;
	const char *kind = NULL;
	struct site s = { 0 };
	struct sh_err ignored;
	int rc;

	json_array_append_new(log, json_sprintf("\x1b[32minfo\x1b[39m: Step 1 of 3: Preparing docs for "
		"entity %s", ref));
	if ((rc = techdocs_resolve(t, entity, &dir, &tmp, &kind, &target, err)) != 0)
		goto done;
	json_array_append_new(log, json_sprintf("\x1b[32minfo\x1b[39m: Step 2 of 3: Generating docs for "
		"entity %s", ref));
	stored = techdocs_stored_hash(db, ref);
	if ((rc = site_build(&s, dir, display_name(entity), stored, err)) != 0)
		goto done;
	json_array_extend(log, s.log);
	json_array_clear(s.log);
	json_array_append_new(log, json_sprintf("\x1b[32minfo\x1b[39m: Step 3 of 3: Publishing docs for "
		"entity %s", ref));
	if (s.unchanged) {
		json_array_append_new(log, json_string("\x1b[32minfo\x1b[39m: The sources did not change"));
		rc = techdocs_store_attempt(db, ref, log, NULL, err);
	} else {
		json_array_extend(s.log, log);
		rc = techdocs_store_site(db, ref, &s, err);
	}
done:
	if (tmp != NULL && sh_remove_tree(tmp, &ignored) != 0)
		log_warn("techdocs: %s", ignored.msg);
	site_dispose(&s);
	free(stored);
	free(dir);
	free(tmp);
	free(target);
	return rc;
}

static int build_job(void *ctx, sqlite3 *db, const char *key, const json_t *payload,
	struct sh_err *err)
{
	struct techdocs *t = ctx;
	json_t *entity = NULL, *log = json_array();
	struct sh_err why = { 0, "" };
	int rc;

	(void)payload;
	if ((rc = catalog_entity_get(t->catalog, db, key, &entity, err)) != 0)
		goto done; /* the database failed: retried later */
	if (entity == NULL)
		sh_err_set(&why, SH_ENOTFOUND, "No entity %s", key);
	else if (build(t, db, key, entity, log, &why) == 0)
		why.code = 0;
	if (why.code != 0) {
		json_array_append_new(log, json_sprintf("\x1b[31merror\x1b[39m: %s", why.msg));
		log_warn("techdocs: %s: %s", key, why.msg);
		rc = techdocs_store_attempt(db, key, log, why.msg, err);
	}
	announce(t, key);
	jobs_wake(t->jobs); /* a stored site queued its search indexing */
done:
	json_decref(entity);
	json_decref(log);
	return rc;
}

/* ---- lifetime --------------------------------------------------------------------------------- */

int techdocs_new(struct techdocs **out, const struct sh_config *cfg, struct db_pool *pool,
	struct catalog *catalog, struct sh_hub *hub, struct sh_err *err)
{
	struct techdocs *t = sh_calloc(1, sizeof(*t));

	git_global_init();
	/* cmark-gfm registers its extensions in a process-wide list without a
	 * lock: once here, before any worker renders a page. */
	cmark_gfm_core_extensions_ensure_registered();
	t->cfg = cfg;
	t->pool = pool;
	t->catalog = catalog;
	t->hub = hub;
	t->work_root = sh_asprintf("%s/techdocs", cfg->data_dir);
	if (sh_mkdirs(t->work_root, 0700, err) != 0) {
		techdocs_free(t);
		return SH_EINTERNAL;
	}
	*out = t;
	return 0;
}

void techdocs_free(struct techdocs *t)
{
	if (t == NULL)
		return;
	free(t->work_root);
	free(t);
	git_global_shutdown();
}

struct jobs_queue techdocs_jobs_queue(struct techdocs *t)
{
	return (struct jobs_queue){ TECHDOCS_QUEUE, build_job, t, 3 };
}

void techdocs_set_jobs(struct techdocs *t, struct jobs *jobs)
{
	t->jobs = jobs;
}
