/*
 * A GitHub REST client for the scaffolder's actions: the integration for a
 * host (integrations.github), credentials, and JSON calls. Tokens go into
 * headers only, never into messages.
 */
#include <stdio.h>
#include <string.h>

#include "github.h"
#include "stagehand/httpc.h"

#define GH_TIMEOUT_MS 30000

static char *default_api(const char *host)
{
	if (strcmp(host, "github.com") == 0)
		return sh_strdup("https://api.github.com");
	return sh_asprintf("https://%s/api/v3", host);
}

int gh_open(struct gh *out, const struct sh_config *cfg, const char *host, const char *token,
	struct sh_err *err)
{
	const json_t *item;
	size_t i;

	memset(out, 0, sizeof(*out));
	json_array_foreach(cfg->github_integrations, i, item) {
		const char *h = json_string_value(json_object_get(item, "host"));
		const char *api = json_string_value(json_object_get(item, "apiBaseUrl"));
		const char *t = json_string_value(json_object_get(item, "token"));
		if (h == NULL || strcmp(h, host) != 0)
			continue;
		out->host = sh_strdup(host);
		out->api = api ? sh_strdup(api) : default_api(host);
		if (token != NULL && token[0] != '\0')
			out->token = sh_strdup(token);
		else if (t != NULL && t[0] != '\0')
			out->token = sh_strdup(t);
		else {
			gh_close(out);
			return sh_err_set(err, SH_EINPUT, "No token available for host: %s, with owner and "
				"repo; give the step a token input or configure integrations.github", host);
		}
		return 0;
	}
	return sh_err_set(err, SH_EINPUT, "No matching integration configuration for host %s, please "
		"check your integrations.github config", host);
}

void gh_close(struct gh *g)
{
	free(g->host);
	free(g->api);
	free(g->token);
	memset(g, 0, sizeof(*g));
}

/* GitHub's own message for a failed call, with its errors[].message. */
static void upstream_message(struct sh_err *err, const char *what, long status, const json_t *body)
{
	const char *msg = json_string_value(json_object_get(body, "message"));
	const json_t *errors = json_object_get(body, "errors"), *e;
	struct sh_buf b = SH_BUF_INIT;
	size_t i;

	sh_buf_printf(&b, "%s failed with HTTP %ld%s%s", what, status, msg ? ": " : "", msg ? msg : "");
	json_array_foreach(errors, i, e) {
		const char *m = json_string_value(json_object_get(e, "message"));
		if (m != NULL)
			sh_buf_printf(&b, "%s%s", i == 0 ? " (" : "; ", m);
		if (m != NULL && i + 1 == json_array_size(errors))
			sh_buf_puts(&b, ")");
	}
	sh_err_set(err, status == 401 || status == 403 ? SH_EAUTH : status == 404 ? SH_ENOTFOUND
		: status == 422 ? SH_ECONFLICT : SH_EUPSTREAM, "%s", b.ptr);
	sh_buf_dispose(&b);
}

int gh_call(struct gh *g, const char *method, const char *path, const json_t *body, long *status,
	json_t **out, struct sh_err *err)
{
	char *url = sh_asprintf("%s%s", g->api, path);
	char *auth = sh_asprintf("Authorization: token %s", g->token);
	const char *headers[] = { "Accept: application/vnd.github+json", "Content-Type: application/json",
		"X-GitHub-Api-Version: 2022-11-28", auth, NULL };
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	struct httpc_req r = { method, url, headers, text, text ? strlen(text) : 0, GH_TIMEOUT_MS, 0 };
	struct httpc_resp resp;
	int rc;

	*out = NULL;
	*status = 0;
	rc = httpc_do(&r, &resp, err);
	if (rc == 0) {
		*status = resp.status;
		*out = resp.body.len ? json_loadb(resp.body.ptr, resp.body.len, 0, NULL) : NULL;
		if (*out == NULL)
			*out = json_object();
		if (resp.status >= 400) {
			char what[160];
			snprintf(what, sizeof(what), "%s %s", method, path);
			upstream_message(err, what, resp.status, *out);
			rc = err->code;
		}
	}
	sh_buf_dispose(&resp.body);
	free(text);
	free(auth);
	free(url);
	return rc;
}

/* Value of key in a query string "a=b&c=d" (heap), or NULL. */
static char *query_value(const char *q, const char *key)
{
	size_t n = strlen(key);

	while (q != NULL && *q != '\0') {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		if (len > n && strncmp(q, key, n) == 0 && q[n] == '=') {
			char *v = sh_malloc(len - n);
			long d = sh_url_decode(v, q + n + 1, len - n - 1, true);
			if (d < 0) {
				free(v);
				return NULL;
			}
			v[d] = '\0';
			return v;
		}
		q = amp ? amp + 1 : NULL;
	}
	return NULL;
}

int gh_parse_repo_url(struct gh_repo *out, const char *repo_url, struct sh_err *err)
{
	const char *q = strchr(repo_url, '?');

	memset(out, 0, sizeof(*out));
	if (q == NULL || q == repo_url)
		return sh_err_set(err, SH_EINPUT, "Invalid repo URL passed to publisher: %s, missing "
			"?owner=...&repo=...", repo_url);
	out->host = sh_strndup(repo_url, (size_t)(q - repo_url));
	out->owner = query_value(q + 1, "owner");
	out->repo = query_value(q + 1, "repo");
	if (out->owner == NULL || out->repo == NULL || out->owner[0] == '\0' || out->repo[0] == '\0') {
		gh_repo_dispose(out);
		return sh_err_set(err, SH_EINPUT, "Invalid repo URL passed to publisher: %s, missing owner "
			"or repo", repo_url);
	}
	return 0;
}

void gh_repo_dispose(struct gh_repo *r)
{
	free(r->host);
	free(r->owner);
	free(r->repo);
	memset(r, 0, sizeof(*r));
}

char *gh_path(const char *a, const char *x, const char *b, const char *y, const char *c)
{
	struct sh_buf out = SH_BUF_INIT;

	sh_buf_puts(&out, a);
	sh_buf_put_urlencoded(&out, x);
	sh_buf_puts(&out, b);
	if (y != NULL)
		sh_buf_put_urlencoded(&out, y);
	sh_buf_puts(&out, c);
	return sh_buf_detach(&out);
}
