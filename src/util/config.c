/*
 * The configuration table and its loader. Each key is one row: adding a
 * setting means adding a row here and a field in struct sh_config; the
 * reference in docs/ is generated from the same rows.
 */
#include "stagehand/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/yaml.h"

#ifndef SH_SOURCE_ROOT
#define SH_SOURCE_ROOT "."
#endif

enum cfg_type { CFG_STR, CFG_INT, CFG_BOOL, CFG_SIZE, CFG_ENUM, CFG_LIST, CFG_MAP };

/* Checks one item of a CFG_LIST; where is "file:line". */
typedef int (*cfg_item_fn)(const json_t *item, const char *where, const char *key,
	struct sh_err *err);

struct cfg_key {
	const char *key;
	enum cfg_type type;
	size_t offset;
	const char *def;
	int64_t min, max;      /* CFG_INT, CFG_SIZE */
	const char *choices;   /* CFG_ENUM: "a|b|c" */
	const char *doc;
	cfg_item_fn item;      /* CFG_LIST */
};

static int check_location(const json_t *item, const char *where, const char *key,
	struct sh_err *err);
static int check_rule(const json_t *item, const char *where, const char *key,
	struct sh_err *err);
static int check_allow(const json_t *item, const char *where, const char *key,
	struct sh_err *err);
static int check_github(const json_t *item, const char *where, const char *key,
	struct sh_err *err);
static int check_string(const json_t *item, const char *where, const char *key,
	struct sh_err *err);

#define F(field) offsetof(struct sh_config, field)

static const struct cfg_key keys[] = {
	{ "app.title", CFG_STR, F(app_title), "stagehand", 0, 0, NULL,
	  "Product name shown in the browser's title bar and header." },
	{ "app.baseUrl", CFG_STR, F(app_base_url), "http://127.0.0.1:7007", 0, 0, NULL,
	  "Public URL of the web frontend, used in links the portal writes." },
	{ "app.webRoot", CFG_STR, F(web_root), SH_SOURCE_ROOT "/web", 0, 0, NULL,
	  "Directory of the static frontend. Default: `web/` of the source tree the binary was built from." },
	{ "app.fontsRoot", CFG_STR, F(fonts_root), SH_SOURCE_ROOT "/node_modules/@fontsource", 0, 0, NULL,
	  "Directory of the `@fontsource` npm packages, served under `/fonts/`. Default: the source tree's `node_modules/@fontsource`, installed by `scripts/deps.sh`." },
	{ "backend.baseUrl", CFG_STR, F(base_url), "http://127.0.0.1:7007", 0, 0, NULL,
	  "Public URL of the backend (the API lives under `/api`)." },
	{ "backend.listen.host", CFG_STR, F(listen_host), "127.0.0.1", 0, 0, NULL,
	  "Address to listen on: an IPv4 or IPv6 literal, `0.0.0.0` or `::` for all." },
	{ "backend.listen.port", CFG_INT, F(listen_port), "7007", 0, 65535, NULL,
	  "TCP port to listen on; 0 picks a free port (printed at start-up)." },
	{ "backend.dataDir", CFG_STR, F(data_dir), "./var", 0, 0, NULL,
	  "Directory for the database and caches; created if missing." },
	{ "backend.database.file", CFG_STR, F(database_file), "stagehand.db", 0, 0, NULL,
	  "SQLite database file, relative to `backend.dataDir` unless absolute." },
	{ "backend.http.threads", CFG_INT, F(http_threads), "0", 0, 256, NULL,
	  "HTTP worker threads; 0 means one per CPU core." },
	{ "backend.http.maxBodySize", CFG_SIZE, F(max_body), "1mb", 1024, 1ll << 30, NULL,
	  "Largest request body accepted (`512kb`, `1mb`, or bytes); larger bodies get 413." },
	{ "backend.http.connectionTimeout", CFG_INT, F(conn_timeout), "60", 1, 3600, NULL,
	  "Seconds an idle client connection is kept open." },
	{ "backend.http.shutdownGraceMs", CFG_INT, F(shutdown_grace_ms), "1500", 0, 60000, NULL,
	  "On SIGTERM/SIGINT, how long in-flight requests may take to finish." },
	{ "backend.workers.threads", CFG_INT, F(worker_threads), "0", 0, 64, NULL,
	  "Background worker threads (catalog processing, scaffolder tasks, doc builds); 0 means one per CPU core." },
	{ "backend.log.level", CFG_ENUM, F(log_level), "info", 0, 0, "error|warn|info|debug",
	  "Least severe level written to standard error." },
	{ "backend.log.json", CFG_BOOL, F(log_json), "false", 0, 0, NULL,
	  "Write log lines as JSON objects instead of text." },
	{ "backend.log.access", CFG_BOOL, F(access_log), "true", 0, 0, NULL,
	  "Write one access-log line per request (method, path, status, bytes, milliseconds)." },
	{ "backend.reading.allow", CFG_LIST, F(reading_allow), "[]", 0, 0, NULL,
	  "Hosts `url` locations may be read from: a list of `{host, paths?}`; `host` may be "
	  "`*.example.com` or carry a port, `paths` limits to path prefixes. Every redirect hop is checked.",
	  check_allow },
	{ "backend.reading.timeoutMs", CFG_INT, F(reading_timeout_ms), "10000", 100, 600000, NULL,
	  "Timeout for reading one `url` location target." },
	{ "backend.reading.maxBytes", CFG_SIZE, F(reading_max_bytes), "8mb", 1024, 1ll << 30, NULL,
	  "Largest location target (file or URL) the catalog reads." },
	{ "catalog.locations", CFG_LIST, F(catalog_locations),
	  "[{\"type\":\"file\",\"target\":\"" SH_SOURCE_ROOT "/examples/all.yaml\"}]", 0, 0, NULL,
	  "Locations read at start-up and on every interval: a list of `{type: file|url, target, rules?}`. "
	  "Relative `file` targets are relative to the working directory. Default: the example "
	  "organisation; set `[]` to start empty.", check_location },
	{ "catalog.rules", CFG_LIST, F(catalog_rules),
	  "[{\"allow\":[\"Component\",\"API\",\"Resource\",\"System\",\"Domain\",\"Group\","
	  "\"User\",\"Location\",\"Template\"]}]", 0, 0, NULL,
	  "Which kinds locations may emit: a list of `{allow: [Kind...], locations?: [{type, target}]}`. "
	  "Default: every built-in kind from every location.", check_rule },
	{ "catalog.processingInterval", CFG_INT, F(catalog_interval_s), "120", 1, 86400, NULL,
	  "Seconds between two reads of the same location. Unchanged files cost one read and one hash." },
	{ "catalog.orphanStrategy", CFG_ENUM, F(catalog_orphan_strategy), "delete", 0, 0, "delete|keep",
	  "What happens to an entity no location emits any more: `delete` removes it (and what it "
	  "emitted) at once; `keep` keeps it, annotated `backstage.io/orphan: \"true\"`, until a "
	  "location emits it again or it is deleted through the API." },
	{ "integrations.github", CFG_LIST, F(github_integrations), "[]", 0, 0,
	  NULL, "GitHub hosts the portal talks to (none by default: nothing is contacted unless "
	  "listed here): a list of `{host, apiBaseUrl?, token?}`. "
	  "`apiBaseUrl` defaults to `https://api.github.com` for github.com and `https://HOST/api/v3` "
	  "otherwise; `token` (write it as `${GITHUB_TOKEN}`) is used by the scaffolder's GitHub "
	  "actions and to read `url` locations on that host, which need no `backend.reading.allow` entry.",
	  check_github },
	{ "techdocs.recheckSeconds", CFG_INT, F(techdocs_recheck_s), "60", 0, 86400, NULL,
	  "A docs site opened again within this many seconds of its last build is served as it is; "
	  "after that, opening it rebuilds it when its sources changed (unchanged sources cost one read "
	  "and one hash)." },
	{ "search.maxTermLength", CFG_INT, F(search_max_term), "100", 1, 10000, NULL,
	  "The longest search term accepted (characters); a longer one is a 400." },
	{ "search.maxPageLimit", CFG_INT, F(search_max_page), "100", 1, 10000, NULL,
	  "The largest `pageLimit` a search query may ask for; a larger one is a 400." },
	{ "scaffolder.defaultEnvironment.parameters", CFG_MAP, F(scaffolder_env_parameters), "{}", 0,
	  0, NULL, "Values every template sees as `${{ environment.parameters.<key> }}` (any JSON)." },
	{ "scaffolder.defaultEnvironment.secrets", CFG_MAP, F(scaffolder_env_secrets), "{}", 0, 0,
	  NULL, "Secrets every task's steps see as `${{ environment.secrets.<key> }}` in step inputs "
	  "only; strings, usually `${ENV_VAR}`. Redacted like a task's own secrets.", check_string },
	{ "scaffolder.concurrentTasksLimit", CFG_INT, F(scaffolder_concurrency), "4", 1, 64, NULL,
	  "Scaffolder tasks run at the same time (each on a thread of its own); more wait in the queue." },
	{ "scaffolder.defaultAuthor.name", CFG_STR, F(scaffolder_author_name), "Scaffolder", 0, 0, NULL,
	  "Author and committer name of commits that templates push, unless a step says otherwise." },
	{ "scaffolder.defaultAuthor.email", CFG_STR, F(scaffolder_author_email),
	  "scaffolder@backstage.io", 0, 0, NULL,
	  "Author and committer email of commits that templates push." },
	{ "scaffolder.defaultCommitMessage", CFG_STR, F(scaffolder_commit_message), "initial commit",
	  0, 0, NULL, "Commit message of pushes whose step gives none." },
};

#undef F

/* ---- typed setters -------------------------------------------------------- */

static const char *type_name(const struct cfg_key *k)
{
	switch (k->type) {
	case CFG_STR: return "string";
	case CFG_INT: return "integer";
	case CFG_BOOL: return "boolean";
	case CFG_SIZE: return "size";
	case CFG_ENUM: return "one of";
	case CFG_LIST: return "list";
	case CFG_MAP: return "mapping";
	}
	return "?";
}

static bool choice_ok(const char *choices, const char *v)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && strncmp(p, v, n) == 0)
			return true;
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return false;
}

static int parse_int_text(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Store the value of k from a string (the default, an override, or a
 * scalar the file gave as text). Returns 0, or -1 when it does not fit. */
static int store_text(struct sh_config *cfg, const struct cfg_key *k, const char *s)
{
	void *field = (char *)cfg + k->offset;
	int64_t iv;
	uint64_t uv;

	switch (k->type) {
	case CFG_ENUM:
		if (!choice_ok(k->choices, s))
			return -1;
		/* fall through */
	case CFG_STR:
		free(*(char **)field);
		*(char **)field = sh_strdup(s);
		return 0;
	case CFG_INT:
		if (parse_int_text(s, &iv) != 0 || iv < k->min || iv > k->max)
			return -1;
		*(int64_t *)field = iv;
		return 0;
	case CFG_SIZE:
		if (sh_parse_size(s, &uv) != 0 || uv > (uint64_t)k->max || (int64_t)uv < k->min)
			return -1;
		*(int64_t *)field = (int64_t)uv;
		return 0;
	case CFG_LIST:
	case CFG_MAP: {
		json_t *v = json_loads(s, 0, NULL);
		if (k->type == CFG_LIST ? !json_is_array(v) : !json_is_object(v)) {
			json_decref(v);
			return -1;
		}
		json_decref(*(json_t **)field);
		*(json_t **)field = v;
		return 0;
	}
	case CFG_BOOL:
		if (strcmp(s, "true") == 0)
			*(bool *)field = true;
		else if (strcmp(s, "false") == 0)
			*(bool *)field = false;
		else
			return -1;
		return 0;
	}
	return -1;
}

/* A JSON scalar as the text store_text reads; NULL for collections. */
static char *scalar_text(const json_t *v)
{
	if (json_is_string(v))
		return sh_strdup(json_string_value(v));
	if (json_is_integer(v))
		return sh_asprintf("%lld", (long long)json_integer_value(v));
	if (json_is_boolean(v))
		return sh_strdup(json_is_true(v) ? "true" : "false");
	return NULL;
}

static int expect_msg(struct sh_err *err, const char *where, const struct cfg_key *k,
	const char *got)
{
	if (k->type == CFG_ENUM)
		return sh_err_set(err, SH_EINPUT, "%s: %s: expected one of %s, got %s",
			where, k->key, k->choices, got);
	if (k->type == CFG_INT || k->type == CFG_SIZE)
		return sh_err_set(err, SH_EINPUT,
			"%s: %s: expected %s %s from %lld to %lld, got %s", where, k->key,
			k->type == CFG_INT ? "an" : "a", type_name(k),
			(long long)k->min, (long long)k->max, got);
	return sh_err_set(err, SH_EINPUT, "%s: %s: expected a %s, got %s",
		where, k->key, type_name(k), got);
}

static int store_json(struct sh_config *cfg, const struct cfg_key *k, const json_t *v,
	const char *where, struct sh_err *err)
{
	char *text = scalar_text(v);
	int rc = 0;

	if (text == NULL || (k->type == CFG_STR && !json_is_string(v)) ||
		store_text(cfg, k, text) != 0) {
		char *shown = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		if (shown != NULL && strlen(shown) > 60)
			strcpy(shown + 57, "...");
		rc = expect_msg(err, where, k, shown ? shown : "a value");
		free(shown);
	}
	free(text);
	return rc;
}

/* ---- environment substitution ----------------------------------------------- */

/* Expand ${VAR} in s; $${ is a literal ${. Returns a new string or NULL
 * with err set. */
static char *substitute(const char *s, const char *where, const char *key,
	struct sh_err *err)
{
	struct sh_buf out = SH_BUF_INIT;

	while (*s) {
		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			sh_buf_puts(&out, "${");
			s += 3;
		} else if (s[0] == '$' && s[1] == '{') {
			const char *end = strchr(s + 2, '}');
			char name[128];
			size_t n;
			const char *val;

			n = end ? (size_t)(end - s - 2) : 0;
			if (end == NULL || n == 0 || n >= sizeof(name)) {
				sh_err_set(err, SH_EINPUT, "%s: %s: malformed ${...} reference", where, key);
				goto fail;
			}
			memcpy(name, s + 2, n);
			name[n] = '\0';
			val = getenv(name);
			if (val == NULL) {
				sh_err_set(err, SH_EINPUT, "%s: %s: environment variable %s is not set",
					where, key, name);
				goto fail;
			}
			sh_buf_puts(&out, val);
			s = end + 1;
		} else {
			sh_buf_putc(&out, *s++);
		}
	}
	return sh_buf_detach(&out);
fail:
	sh_buf_dispose(&out);
	return NULL;
}

/* ---- walking the document ----------------------------------------------------- */

struct walk {
	struct sh_config *cfg;
	const char *name;
	struct sh_err *err;
};

static const struct cfg_key *find_key(const char *key)
{
	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static bool is_section(const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++)
		if (strncmp(keys[i].key, key, n) == 0 && keys[i].key[n] == '.')
			return true;
	return false;
}

static void where_of(struct walk *w, const char *dotted, char *out, size_t outsz)
{
	char ptr[512];
	size_t o = 0;

	ptr[o++] = '/';
	for (const char *p = dotted; *p && o + 1 < sizeof(ptr); p++)
		ptr[o++] = *p == '.' ? '/' : *p;
	ptr[o] = '\0';
	snprintf(out, outsz, "%s:%d", w->name, yaml_line_of(w->cfg->lines, ptr));
}

static int walk_object(struct walk *w, json_t *obj, const char *prefix);

/* Substitute ${VAR} in every string of a list, in place. */
static int substitute_all(json_t *v, const char *where, const char *key, struct sh_err *err)
{
	const char *k;
	json_t *child;
	size_t i;

	if (json_is_string(v)) {
		char *s = substitute(json_string_value(v), where, key, err);
		if (s == NULL)
			return SH_EINPUT;
		json_string_set(v, s);
		free(s);
		return 0;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			if (substitute_all(child, where, key, err) != 0)
				return SH_EINPUT;
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, child)
			if (substitute_all(child, where, key, err) != 0)
				return SH_EINPUT;
	}
	return 0;
}

static int store_list(struct walk *w, const struct cfg_key *k, json_t *v, const char *where)
{
	json_t **field = (json_t **)((char *)w->cfg + k->offset);
	size_t i;
	json_t *item;

	if (json_is_null(v))
		v = json_array();
	else
		json_incref(v);
	if (!json_is_array(v)) {
		json_decref(v);
		return sh_err_set(w->err, SH_EINPUT, "%s: %s: expected a list", where, k->key);
	}
	if (substitute_all(v, where, k->key, w->err) != 0) {
		json_decref(v);
		return SH_EINPUT;
	}
	json_array_foreach(v, i, item) {
		char item_where[700];
		char ptr[512];
		snprintf(ptr, sizeof(ptr), "/%s/%zu", k->key, i);
		for (char *p = ptr; *p; p++)
			if (*p == '.')
				*p = '/';
		snprintf(item_where, sizeof(item_where), "%s:%d", w->name, yaml_line_of(w->cfg->lines, ptr));
		if (k->item(item, item_where, k->key, w->err) != 0) {
			json_decref(v);
			return SH_EINPUT;
		}
	}
	json_decref(*field);
	*field = v;
	return 0;
}

/* A free-form mapping (its values may use ${VAR}); item, when set, checks
 * each value. */
static int store_map(struct walk *w, const struct cfg_key *k, json_t *v, const char *where)
{
	json_t **field = (json_t **)((char *)w->cfg + k->offset);
	const char *key;
	json_t *item;

	if (json_is_null(v))
		v = json_object();
	else
		v = json_deep_copy(v);
	if (!json_is_object(v)) {
		json_decref(v);
		return sh_err_set(w->err, SH_EINPUT, "%s: %s: expected a mapping", where, k->key);
	}
	if (substitute_all(v, where, k->key, w->err) != 0) {
		json_decref(v);
		return SH_EINPUT;
	}
	json_object_foreach(v, key, item) {
		if (k->item != NULL && k->item(item, where, k->key, w->err) != 0) {
			json_decref(v);
			return SH_EINPUT;
		}
	}
	json_decref(*field);
	*field = v;
	return 0;
}

static int walk_value(struct walk *w, const char *dotted, json_t *v)
{
	const struct cfg_key *k = find_key(dotted);
	char where[600];

	where_of(w, dotted, where, sizeof(where));
	if (k != NULL && k->type == CFG_LIST)
		return store_list(w, k, v, where);
	if (k != NULL && k->type == CFG_MAP)
		return store_map(w, k, v, where);
	if (k != NULL) {
		if (json_is_string(v)) {
			char *s = substitute(json_string_value(v), where, dotted, w->err);
			int rc;
			if (s == NULL)
				return SH_EINPUT;
			json_t *sv = json_string(s);
			free(s);
			rc = store_json(w->cfg, k, sv, where, w->err);
			json_decref(sv);
			return rc;
		}
		return store_json(w->cfg, k, v, where, w->err);
	}
	if (is_section(dotted)) {
		if (json_is_null(v))
			return 0;
		if (!json_is_object(v))
			return sh_err_set(w->err, SH_EINPUT, "%s: %s: expected a mapping of settings",
				where, dotted);
		return walk_object(w, v, dotted);
	}
	return sh_err_set(w->err, SH_EINPUT, "%s: %s: unknown key", where, dotted);
}

static int walk_object(struct walk *w, json_t *obj, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char dotted[512];
		int rc;

		if (prefix[0])
			snprintf(dotted, sizeof(dotted), "%s.%s", prefix, key);
		else
			snprintf(dotted, sizeof(dotted), "%s", key);
		if ((rc = walk_value(w, dotted, v)) != 0)
			return rc;
	}
	return 0;
}

/* ---- list items ---------------------------------------------------------------- */

static bool all_strings(const json_t *arr)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return false;
	json_array_foreach(arr, i, v)
		if (!json_is_string(v) || json_string_length(v) == 0)
			return false;
	return true;
}

static int only_keys(const json_t *obj, const char *const *allowed, const char *where,
	const char *key, struct sh_err *err)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			ok = ok || strcmp(*a, k) == 0;
		if (!ok)
			return sh_err_set(err, SH_EINPUT, "%s: %s: unknown key %s", where, key, k);
	}
	return 0;
}

static int check_type_target(const json_t *item, const char *where, const char *key,
	struct sh_err *err)
{
	const char *type = json_string_value(json_object_get(item, "type"));

	if (!json_is_object(item) || type == NULL ||
		!json_is_string(json_object_get(item, "target")) ||
		json_string_length(json_object_get(item, "target")) == 0)
		return sh_err_set(err, SH_EINPUT, "%s: %s: each item needs a type and a target", where, key);
	if (strcmp(type, "file") != 0 && strcmp(type, "url") != 0)
		return sh_err_set(err, SH_EINPUT, "%s: %s: type must be file or url, got \"%s\"",
			where, key, type);
	return 0;
}

static int check_location(const json_t *item, const char *where, const char *key,
	struct sh_err *err)
{
	static const char *const allowed[] = { "type", "target", "rules", "presence", NULL };
	json_t *rules = json_object_get(item, "rules");
	size_t i;
	json_t *r;

	if (check_type_target(item, where, key, err) != 0 ||
		only_keys(item, allowed, where, key, err) != 0)
		return SH_EINPUT;
	if (rules != NULL && !json_is_array(rules))
		return sh_err_set(err, SH_EINPUT, "%s: %s: rules must be a list", where, key);
	json_array_foreach(rules, i, r)
		if (check_rule(r, where, key, err) != 0)
			return SH_EINPUT;
	return 0;
}

static int check_rule(const json_t *item, const char *where, const char *key,
	struct sh_err *err)
{
	static const char *const allowed[] = { "allow", "locations", NULL };
	json_t *locations = json_object_get(item, "locations");
	size_t i;
	json_t *l;

	if (!json_is_object(item) || !all_strings(json_object_get(item, "allow")))
		return sh_err_set(err, SH_EINPUT, "%s: %s: each rule needs allow: [Kind, ...]", where, key);
	if (only_keys(item, allowed, where, key, err) != 0)
		return SH_EINPUT;
	if (locations != NULL && !json_is_array(locations))
		return sh_err_set(err, SH_EINPUT, "%s: %s: locations must be a list", where, key);
	json_array_foreach(locations, i, l)
		if (check_type_target(l, where, key, err) != 0)
			return SH_EINPUT;
	return 0;
}

static int check_allow(const json_t *item, const char *where, const char *key,
	struct sh_err *err)
{
	static const char *const allowed[] = { "host", "paths", NULL };
	json_t *paths = json_object_get(item, "paths");

	if (!json_is_object(item) || !json_is_string(json_object_get(item, "host")) ||
		json_string_length(json_object_get(item, "host")) == 0)
		return sh_err_set(err, SH_EINPUT, "%s: %s: each item needs a host", where, key);
	if (only_keys(item, allowed, where, key, err) != 0)
		return SH_EINPUT;
	if (paths != NULL && !all_strings(paths))
		return sh_err_set(err, SH_EINPUT, "%s: %s: paths must be a list of path prefixes",
			where, key);
	return 0;
}

static int check_string(const json_t *item, const char *where, const char *key,
	struct sh_err *err)
{
	if (!json_is_string(item))
		return sh_err_set(err, SH_EINPUT, "%s: %s: every value must be a string", where, key);
	return 0;
}

static int check_github(const json_t *item, const char *where, const char *key,
	struct sh_err *err)
{
	static const char *const allowed[] = { "host", "apiBaseUrl", "token", NULL };
	const json_t *api = json_object_get(item, "apiBaseUrl");

	if (!json_is_object(item) || !json_is_string(json_object_get(item, "host")) ||
		json_string_length(json_object_get(item, "host")) == 0)
		return sh_err_set(err, SH_EINPUT, "%s: %s: each item needs a host", where, key);
	if (only_keys(item, allowed, where, key, err) != 0)
		return SH_EINPUT;
	if (api != NULL && (!json_is_string(api) || (strncmp(json_string_value(api), "http://", 7) != 0 &&
		strncmp(json_string_value(api), "https://", 8) != 0)))
		return sh_err_set(err, SH_EINPUT, "%s: %s: apiBaseUrl must be an http(s) URL", where, key);
	if (json_object_get(item, "token") != NULL && !json_is_string(json_object_get(item, "token")))
		return sh_err_set(err, SH_EINPUT, "%s: %s: token must be a string", where, key);
	return 0;
}

/* ---- public ------------------------------------------------------------------ */

static void set_defaults(struct sh_config *cfg)
{
	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++) {
		int rc = store_text(cfg, &keys[i], keys[i].def);
		(void)rc; /* defaults are checked by the unit tests */
	}
}

void config_dispose(struct sh_config *cfg)
{
	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++) {
		if (keys[i].type == CFG_STR || keys[i].type == CFG_ENUM) {
			char **field = (char **)((char *)cfg + keys[i].offset);
			free(*field);
		} else if (keys[i].type == CFG_LIST || keys[i].type == CFG_MAP) {
			json_decref(*(json_t **)((char *)cfg + keys[i].offset));
		}
	}
	free(cfg->file);
	json_decref(cfg->root);
	json_decref(cfg->lines);
	memset(cfg, 0, sizeof(*cfg));
}

int config_load_text(struct sh_config *cfg, const char *text, size_t len,
	const char *name, struct sh_err *err)
{
	static const struct yaml_limits limits = { 1u << 20, 32, 100000 };
	json_t *docs = NULL, *lines = NULL;
	struct walk w = { cfg, name, err };
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	set_defaults(cfg);
	cfg->file = sh_strdup(name);
	rc = yaml_parse(&docs, &lines, text, len, name, &limits, err);
	if (rc != 0)
		goto fail;
	if (json_array_size(docs) > 1) {
		rc = sh_err_set(err, SH_EINPUT, "%s:1: expected one YAML document, found %zu",
			name, json_array_size(docs));
		goto fail;
	}
	if (json_array_size(docs) == 0) {
		cfg->root = json_object();
		cfg->lines = json_object();
	} else {
		cfg->root = json_incref(json_array_get(docs, 0));
		cfg->lines = json_incref(json_array_get(lines, 0));
	}
	if (!json_is_object(cfg->root)) {
		rc = sh_err_set(err, SH_EINPUT, "%s:1: expected a mapping of settings at the top", name);
		goto fail;
	}
	rc = walk_object(&w, cfg->root, "");
	if (rc != 0)
		goto fail;
	json_decref(docs);
	json_decref(lines);
	return 0;
fail:
	json_decref(docs);
	json_decref(lines);
	config_dispose(cfg);
	return rc;
}

int config_load(struct sh_config *cfg, const char *path, struct sh_err *err)
{
	struct sh_buf text = SH_BUF_INIT;
	char chunk[8192];
	FILE *f;
	size_t n;
	int rc;

	if (path == NULL) {
		rc = config_load_text(cfg, "", 0, "<default>", err);
		if (rc == 0) {
			free(cfg->file);
			cfg->file = NULL;
		}
		return rc;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		memset(cfg, 0, sizeof(*cfg));
		return sh_err_set(err, SH_EINPUT, "%s: cannot read: %s", path, strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && text.len <= (1u << 20))
		sh_buf_put(&text, chunk, n);
	fclose(f);
	rc = config_load_text(cfg, text.ptr ? text.ptr : "", text.len, path, err);
	sh_buf_dispose(&text);
	return rc;
}

int config_set(struct sh_config *cfg, const char *key, const char *value, struct sh_err *err)
{
	const struct cfg_key *k = find_key(key);

	if (k == NULL || k->type == CFG_LIST || k->type == CFG_MAP)
		return sh_err_set(err, SH_EINPUT, "%s: unknown key", key);
	if (store_text(cfg, k, value) != 0)
		return expect_msg(err, "command line", k, value);
	return 0;
}

char *config_reference_markdown(void)
{
	struct sh_buf b = SH_BUF_INIT;

	sh_buf_puts(&b, "| key | type | default | meaning |\n|---|---|---|---|\n");
	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++) {
		const struct cfg_key *k = &keys[i];
		const char *def = k->def;
		char type[128];

		if (k->offset == offsetof(struct sh_config, catalog_locations))
			def = "[{type: file, target: <source>/examples/all.yaml}]";
		else if (k->offset == offsetof(struct sh_config, catalog_rules))
			def = "[{allow: [every built-in kind]}]";
		else if (k->offset == offsetof(struct sh_config, web_root))
			def = "<source>/web";
		else if (k->offset == offsetof(struct sh_config, fonts_root))
			def = "<source>/node_modules/@fontsource";
		if (k->type == CFG_ENUM) {
			/* "a|b" as "`a`, `b`": a bare | would end the table cell. */
			size_t n = (size_t)snprintf(type, sizeof(type), "one of `");
			for (const char *c = k->choices; *c && n + 4 < sizeof(type); c++)
				n += (size_t)snprintf(type + n, sizeof(type) - n, "%s",
					*c == '|' ? "`, `" : (char[]){ *c, '\0' });
			snprintf(type + n, sizeof(type) - n, "`");
		}
		else if (k->type == CFG_INT || k->type == CFG_SIZE)
			snprintf(type, sizeof(type), "%s, %lld to %lld", type_name(k),
				(long long)k->min, (long long)k->max);
		else
			snprintf(type, sizeof(type), "%s", type_name(k));
		sh_buf_printf(&b, "| `%s` | %s | `%s` | %s |\n", k->key, type, def, k->doc);
	}
	return sh_buf_detach(&b);
}
