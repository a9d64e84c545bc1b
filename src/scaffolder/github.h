/* Private to src/scaffolder: the GitHub REST client (github.c). */
#ifndef STAGEHAND_SCAFFOLDER_GITHUB_H
#define STAGEHAND_SCAFFOLDER_GITHUB_H

#include <jansson.h>

#include "stagehand/config.h"
#include "stagehand/util.h"

struct gh {
	char *host;
	char *api;      /* API base url, no trailing slash */
	char *token;
};

/* The integration for host, with token (the step's input) or the
 * configured one. Release with gh_close. */
int gh_open(struct gh *out, const struct sh_config *cfg, const char *host, const char *token,
	struct sh_err *err) SH_WUR;
void gh_close(struct gh *g);

/* One JSON call; path starts with '/'. *out (new reference, {} when the
 * body is empty) is set whenever GitHub answered; an answer of 400 or more
 * also returns an error whose message carries GitHub's own. */
int gh_call(struct gh *g, const char *method, const char *path, const json_t *body, long *status,
	json_t **out, struct sh_err *err) SH_WUR;

/* An API path: a + x + b + y + c with x and y (y may be NULL)
 * percent-encoded as path segments. Caller frees. */
char *gh_path(const char *a, const char *x, const char *b, const char *y, const char *c);

/* "github.com?owner=o&repo=r" (RepoUrlPicker's value). */
struct gh_repo {
	char *host;
	char *owner;
	char *repo;
};
int gh_parse_repo_url(struct gh_repo *out, const char *repo_url, struct sh_err *err) SH_WUR;
void gh_repo_dispose(struct gh_repo *r);

#endif
