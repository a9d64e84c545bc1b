/* catalog:register, catalog:write, catalog:fetch, and publish:git. */
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "stagehand/catalog.h"
#include "stagehand/db.h"
#include "stagehand/yaml.h"

static const char *str(const json_t *in, const char *key)
{
	return json_string_value(json_object_get(in, key));
}

/* ---- catalog:register ------------------------------------------------------------ */

static char *info_url(const json_t *in)
{
	const char *url = str(in, "catalogInfoUrl"), *base = str(in, "repoContentsUrl");
	const char *path = str(in, "catalogInfoPath");
	size_t n;

	if (url != NULL)
		return sh_strdup(url);
	if (base == NULL)
		return NULL;
	if (path == NULL)
		path = "/catalog-info.yaml";
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	while (*path == '/')
		path++;
	return sh_asprintf("%.*s/%s", (int)n, base, path);
}

/* Backstage's choice: the first Component not named generated-*, else the
 * first entity not so named, else the first. */
static const char *pick_entity_ref(struct sh_arena *a, const json_t *entities)
{
	const json_t *e, *chosen = NULL, *fallback = NULL, *any = NULL;
	size_t i;

	json_array_foreach(entities, i, e) {
		const char *kind = str(e, "kind");
		const json_t *meta = json_object_get(e, "metadata");
		const char *name = str(meta, "name");
		if (kind == NULL || name == NULL || strcmp(kind, "Location") == 0)
			continue;
		if (any == NULL)
			any = e;
		if (strncmp(name, "generated-", 10) == 0)
			continue;
		if (fallback == NULL)
			fallback = e;
		if (chosen == NULL && strcmp(kind, "Component") == 0)
			chosen = e;
	}
	e = chosen ? chosen : fallback ? fallback : any;
	if (e == NULL)
		return NULL;
	const json_t *meta = json_object_get(e, "metadata");
	return catalog_ref_string(a, str(e, "kind"), str(meta, "namespace") ? str(meta, "namespace")
		: "default", str(meta, "name"));
}

static int register_location(struct action_ctx *ac, const char *url, json_t *out,
	struct sh_err *err)
{
	struct sh_arena *a = sh_arena_new();
	bool local = url[0] == '/' || strncmp(url, "file:", 5) == 0;
	const char *target = url;
	sqlite3 *db = db_acquire(ac->sc->pool);
	json_t *entities = NULL;
	const char *ref;
	int rc;

	if (local && strncmp(url, "file://", 7) == 0)
		target = url + 7;
	else if (local && strncmp(url, "file:", 5) == 0)
		target = url + 5;
	action_log(ac, "info", "Registering %s in the catalog", url);
	rc = catalog_location_add(ac->sc->catalog, db, local ? "file" : "url", target, &entities, err);
	db_release(ac->sc->pool, db);
	if (rc == 0) {
		json_object_set_new(out, "catalogInfoUrl", json_string(url));
		if ((ref = pick_entity_ref(a, entities)) != NULL)
			json_object_set_new(out, "entityRef", json_string(ref));
	}
	json_decref(entities);
	sh_arena_free(a);
	return rc;
}

static int catalog_register(struct action_ctx *ac, const json_t *in, json_t *out,
	struct sh_err *err)
{
	char *url = info_url(in);
	int rc;

	if (url == NULL)
		return sh_err_set(err, SH_EINPUT, "Invalid input passed to action catalog:register, "
			"either catalogInfoUrl or repoContentsUrl is required");
	rc = register_location(ac, url, out, err);
	if (rc != 0 && json_is_true(json_object_get(in, "optional"))) {
		action_log(ac, "warn", "Failed to register %s in the catalog (optional): %s", url, err->msg);
		rc = 0;
	}
	free(url);
	return rc;
}

/* ---- catalog:write ---------------------------------------------------------------- */

static int catalog_write(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	const char *file = str(in, "filePath") ? str(in, "filePath") : "catalog-info.yaml";
	json_t *entity = json_deep_copy(json_object_get(in, "entity")), *meta, *ann;
	struct sh_buf yaml = SH_BUF_INIT;
	char *path = NULL;
	int rc = 0;

	(void)out;
	if (!json_is_object(entity)) {
		json_decref(entity);
		return sh_err_set(err, SH_EINPUT, "input.entity must be an object");
	}
	if (!json_is_object(meta = json_object_get(entity, "metadata")))
		json_object_set_new(entity, "metadata", meta = json_object());
	if (!json_is_object(ann = json_object_get(meta, "annotations")))
		json_object_set_new(meta, "annotations", ann = json_object());
	if (ac->template_ref != NULL)
		json_object_set_new(ann, "backstage.io/source-template", json_string(ac->template_ref));
	yaml_emit(&yaml, entity);
	if ((path = path_inside(ac->workspace, file, err)) == NULL)
		rc = SH_EINPUT;
	else {
		action_log(ac, "info", "Writing %s", file);
		rc = write_file_all(path, yaml.ptr, yaml.len, 0644, err);
	}
	free(path);
	sh_buf_dispose(&yaml);
	json_decref(entity);
	return rc;
}

/* ---- catalog:fetch ---------------------------------------------------------------- */

static char *full_ref(struct sh_arena *a, const char *ref, const json_t *in, struct sh_err *err)
{
	const char *dk = str(in, "defaultKind"), *dn = str(in, "defaultNamespace");
	const char *colon = strchr(ref, ':'), *slash;

	if (colon == NULL && dk == NULL) {
		sh_err_set(err, SH_EINPUT, "Entity reference \"%s\" had missing or empty kind (e.g. did "
			"not start with \"component:\" or similar)", ref);
		return NULL;
	}
	const char *rest = colon ? colon + 1 : ref;
	slash = strchr(rest, '/');
	return sh_arena_printf(a, "%.*s:%.*s/%s", colon ? (int)(colon - ref) : (int)strlen(dk),
		colon ? ref : dk, slash ? (int)(slash - rest) : (int)strlen(dn ? dn : "default"),
		slash ? rest : (dn ? dn : "default"), slash ? slash + 1 : rest);
}

static int fetch_one(struct action_ctx *ac, sqlite3 *db, struct sh_arena *a, const char *ref,
	const json_t *in, json_t **entity, struct sh_err *err)
{
	char *full = full_ref(a, ref, in, err);
	int rc;

	*entity = NULL;
	if (full == NULL)
		return SH_EINPUT;
	if ((rc = catalog_entity_get(ac->sc->catalog, db, full, entity, err)) != 0)
		return rc;
	if (*entity == NULL && !json_is_true(json_object_get(in, "optional")))
		return sh_err_set(err, SH_ENOTFOUND, "Entity %s not found", ref);
	return 0;
}

static int catalog_fetch(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	struct sh_arena *a = sh_arena_new();
	sqlite3 *db = db_acquire(ac->sc->pool);
	const json_t *refs = json_object_get(in, "entityRefs"), *r;
	json_t *entity = NULL;
	size_t i;
	int rc = 0;

	if (str(in, "entityRef") == NULL && !json_is_array(refs))
		rc = sh_err_set(err, SH_EINPUT, "Missing entity reference or references");
	else if (str(in, "entityRef") != NULL) {
		if ((rc = fetch_one(ac, db, a, str(in, "entityRef"), in, &entity, err)) == 0)
			json_object_set_new(out, "entity", entity ? entity : json_null());
	}
	if (rc == 0 && json_is_array(refs)) {
		json_t *list = json_array();
		json_array_foreach(refs, i, r) {
			if ((rc = fetch_one(ac, db, a, json_string_value(r) ? json_string_value(r) : "", in,
				&entity, err)) != 0)
				break;
			json_array_append_new(list, entity ? entity : json_null());
		}
		json_object_set_new(out, "entities", list);
	}
	db_release(ac->sc->pool, db);
	sh_arena_free(a);
	return rc;
}

const struct action actions_catalog[] = {
	{ "catalog:fetch", "Returns entity or entities from the catalog by entity reference(s)",
		"{\"type\":\"object\",\"properties\":{\"entityRef\":{\"type\":\"string\",\"description\":"
		"\"Entity reference of the entity to get\"},\"entityRefs\":{\"type\":\"array\",\"items\":"
		"{\"type\":\"string\"},\"description\":\"Entity references of the entities to get\"},"
		"\"optional\":{\"type\":\"boolean\",\"description\":\"Allow the entity or entities to "
		"optionally exist. Default: false\"},\"defaultKind\":{\"type\":\"string\",\"description\":"
		"\"The default kind\"},\"defaultNamespace\":{\"type\":\"string\",\"description\":\"The "
		"default namespace\"}}}",
		"{\"type\":\"object\",\"properties\":{\"entity\":{\"type\":\"object\",\"description\":\"Object "
		"containing same values used in the Entity schema. Only when used with `entityRef` "
		"parameter.\"},\"entities\":{\"type\":\"array\",\"description\":\"Array containing objects "
		"with same values used in the Entity schema. Only when used with `entityRefs` "
		"parameter.\"}}}", true, catalog_fetch },
	{ "catalog:register", "Registers entities from a catalog descriptor file in the workspace "
		"into the software catalog.",
		"{\"oneOf\":[{\"type\":\"object\",\"required\":[\"catalogInfoUrl\"],\"properties\":{"
		"\"catalogInfoUrl\":{\"type\":\"string\",\"title\":\"Catalog Info URL\",\"description\":"
		"\"An absolute URL pointing to the catalog info file location\"},\"optional\":{\"type\":"
		"\"boolean\",\"title\":\"Optional\",\"description\":\"Permit the registered location to "
		"optionally exist. Default: false\"}}},{\"type\":\"object\",\"required\":["
		"\"repoContentsUrl\"],\"properties\":{\"repoContentsUrl\":{\"type\":\"string\",\"title\":"
		"\"Repository Contents URL\",\"description\":\"An absolute URL pointing to the root of a "
		"repository directory tree\"},\"catalogInfoPath\":{\"type\":\"string\",\"title\":\"Fetch "
		"URL\",\"description\":\"A relative path from the repo root pointing to the catalog info "
		"file, defaults to /catalog-info.yaml\"},\"optional\":{\"type\":\"boolean\"}}}]}",
		"{\"type\":\"object\",\"required\":[\"catalogInfoUrl\"],\"properties\":{\"entityRef\":{"
		"\"type\":\"string\"},\"catalogInfoUrl\":{\"type\":\"string\"}}}", false, catalog_register },
	{ "catalog:write", "Writes the catalog-info.yaml for your template",
		"{\"type\":\"object\",\"required\":[\"entity\"],\"properties\":{\"filePath\":{\"type\":"
		"\"string\",\"title\":\"Catalog file path\",\"description\":\"Defaults to "
		"catalog-info.yaml\"},\"entity\":{\"type\":\"object\",\"title\":\"Entity info to write "
		"catalog-info.yaml\",\"description\":\"You can provide the same values used in the Entity "
		"schema.\"}}}", NULL, true, catalog_write },
};
const size_t actions_catalog_n = SH_ARRAY_LEN(actions_catalog);

/* ---- publish:git ------------------------------------------------------------------ */

/* A remote given as a path (or file://) that is not there. */
static bool local_remote_missing(const char *url)
{
	const char *path = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
	struct stat sb;

	if (strstr(path, "://") != NULL || (strchr(path, ':') != NULL && path[0] != '/'))
		return false; /* a network url, or scp-like user@host:path */
	return stat(path, &sb) != 0;
}

static int publish_git(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	struct git_push_opts o = { 0 };
	const char *source = str(in, "sourcePath");
	char hash[41] = "";
	char *dir = NULL;
	int rc;

	if ((dir = path_inside(ac->workspace, source ? source : ".", err)) == NULL)
		return SH_EINPUT;
	o.dir = dir;
	o.remote_url = str(in, "remoteUrl");
	o.branch = str(in, "branch") ? str(in, "branch") : "main";
	o.message = str(in, "commitMessage") ? str(in, "commitMessage")
		: ac->sc->default_commit_message;
	o.author_name = str(in, "gitAuthorName") ? str(in, "gitAuthorName")
		: ac->sc->default_author_name;
	o.author_email = str(in, "gitAuthorEmail") ? str(in, "gitAuthorEmail")
		: ac->sc->default_author_email;
	o.token = str(in, "token");
	o.username = "x-access-token";
	o.timeout_s = 120;
	if (local_remote_missing(o.remote_url)) {
		free(dir);
		return sh_err_set(err, SH_ENOTFOUND, "The remote repository %s does not exist; create it "
			"first (git init --bare)", o.remote_url);
	}
	action_log(ac, "info", "Pushing the workspace to %s (branch %s)", o.remote_url, o.branch);
	rc = git_commit_and_push(&o, hash, err);
	if (rc == 0) {
		json_object_set_new(out, "remoteUrl", json_string(o.remote_url));
		json_object_set_new(out, "commitHash", json_string(hash));
		json_object_set_new(out, "repoContentsUrl", json_pack("s++", o.remote_url, "/blob/",
			o.branch));
		action_log(ac, "info", "Pushed commit %s", hash);
	}
	free(dir);
	return rc;
}

const struct action actions_git[] = {
	{ "publish:git", "Commits the workspace (or a directory in it) and pushes it as a new commit "
		"to a git remote: a bare repository path, file://, git:// or http(s)://.",
		"{\"type\":\"object\",\"required\":[\"remoteUrl\"],\"properties\":{"
		"\"remoteUrl\":{\"type\":\"string\",\"title\":\"Remote URL\",\"description\":\"Where to "
		"push: a path, file://, git:// or https:// url\"},"
		"\"branch\":{\"type\":\"string\",\"title\":\"Branch\",\"description\":\"Branch to push to. "
		"Defaults to main\"},"
		"\"commitMessage\":{\"type\":\"string\",\"title\":\"Commit message\"},"
		"\"sourcePath\":{\"type\":\"string\",\"title\":\"Source path\",\"description\":\"Directory "
		"of the workspace to commit. Defaults to the workspace root\"},"
		"\"gitAuthorName\":{\"type\":\"string\",\"title\":\"Author name\"},"
		"\"gitAuthorEmail\":{\"type\":\"string\",\"title\":\"Author email\"},"
		"\"token\":{\"type\":\"string\",\"title\":\"Token\",\"description\":\"Password for https "
		"remotes (user x-access-token)\"}}}",
		"{\"type\":\"object\",\"properties\":{\"remoteUrl\":{\"type\":\"string\"},"
		"\"commitHash\":{\"type\":\"string\"},\"repoContentsUrl\":{\"type\":\"string\"}}}",
		false, publish_git },
};
const size_t actions_git_n = SH_ARRAY_LEN(actions_git);
