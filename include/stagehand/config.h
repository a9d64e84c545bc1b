/*
 * config: stagehand.yaml, validated against one table of keys.
 *
 * Every key has a type, a default and (for numbers) bounds; unknown keys,
 * wrong types and values out of range are errors that name the file, line
 * and key. String values may use ${ENV_VAR} (written $${...} for a literal),
 * which is how secrets stay out of the file.
 */
#ifndef STAGEHAND_CONFIG_H
#define STAGEHAND_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "stagehand/util.h"

struct sh_config {
	char *file;            /* the file read, or NULL for the embedded default */

	char *app_title;
	char *app_base_url;
	char *web_root;        /* the static frontend */
	char *fonts_root;      /* @fontsource packages, served under /fonts/ */

	char *base_url;
	char *listen_host;
	int64_t listen_port;
	char *data_dir;
	char *database_file;   /* relative to data_dir unless absolute */
	int64_t http_threads;  /* 0: one per core */
	int64_t max_body;      /* bytes */
	int64_t conn_timeout;  /* seconds an idle connection is kept */
	int64_t worker_threads; /* 0: one per core */
	int64_t shutdown_grace_ms;
	char *log_level;
	bool log_json;
	bool access_log;

	json_t *reading_allow;      /* [{host, paths?}] */
	int64_t reading_timeout_ms;
	int64_t reading_max_bytes;
	json_t *catalog_locations;  /* [{type, target, rules?, presence?}] */
	json_t *catalog_rules;      /* [{allow: [...], locations?: [...]}] */
	int64_t catalog_interval_s;
	char *catalog_orphan_strategy; /* "delete" or "keep" */

	json_t *github_integrations; /* [{host, apiBaseUrl?, token?}] */

	int64_t techdocs_recheck_s;

	int64_t search_max_term;
	int64_t search_max_page;

	json_t *scaffolder_env_parameters; /* {key: any JSON} */
	json_t *scaffolder_env_secrets;    /* {key: string} */
	int64_t scaffolder_concurrency;
	char *scaffolder_author_name;
	char *scaffolder_author_email;
	char *scaffolder_commit_message;

	json_t *root;          /* the whole validated document (owned) */
	json_t *lines;         /* pointer -> line, for modules' own errors (owned) */
};

/*
 * Load path (NULL: the embedded default, every key at its default) into
 * *cfg, which the caller later releases with config_dispose. getenv is
 * consulted for ${VAR}. On failure returns SH_EINPUT with a message of the
 * form "file:line: key: problem" and leaves *cfg disposed.
 */
int config_load(struct sh_config *cfg, const char *path, struct sh_err *err) SH_WUR;

/* Same, from text in memory; name labels messages. */
int config_load_text(struct sh_config *cfg, const char *text, size_t len,
	const char *name, struct sh_err *err) SH_WUR;

void config_dispose(struct sh_config *cfg);

/* Set one key from a string as if it were in the file (command-line
 * overrides: --host, --port, --data-dir). */
int config_set(struct sh_config *cfg, const char *key, const char *value,
	struct sh_err *err) SH_WUR;

/* Markdown reference of every key: type, default, bounds, meaning. Caller
 * frees. docs/configuration.md is this output. */
char *config_reference_markdown(void);

#endif
