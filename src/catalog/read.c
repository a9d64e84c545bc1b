/*
 * Reading location targets: local files (with globs) and URLs. Every URL
 * read is checked against backend.reading.allow — on every redirect hop,
 * not just the first — and has a timeout and a size limit.
 */
#include "internal.h"

#include <ctype.h>
#include <curl/curl.h>
#include <git2.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_REDIRECTS 5

/* ---- paths ------------------------------------------------------------------ */

/* Collapse "." and ".." segments of an absolute path or URL path (in place). */
static void normalize(char *path)
{
	char *out = path, *p = path;

	while (*p) {
		if (p[0] == '/' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) {
			p += 2;
		} else if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || p[3] == '\0')) {
			while (out > path && *--out != '/')
				;
			p += 3;
		} else {
			*out++ = *p++;
		}
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Length of "scheme://" at the start of s, or 0. */
static size_t scheme_len(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return 0;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0 ? (size_t)(p - s) + 3 : 0;
}

/* Resolve target against a base URL, as a browser does for a link. */
static const char *resolve_url(struct sh_arena *a, const char *base, const char *target)
{
	size_t sl = scheme_len(base);
	const char *auth_end, *path_end, *dir_end;
	char *joined, *path, *query;

	if (scheme_len(target) > 0 || sl == 0)
		return target;
	auth_end = base + sl + strcspn(base + sl, "/?#");
	if (target[0] == '/') {
		joined = sh_arena_printf(a, "%.*s%s", (int)(auth_end - base), base, target);
	} else {
		path_end = auth_end + strcspn(auth_end, "?#");
		dir_end = auth_end;
		for (const char *p = auth_end; p < path_end; p++)
			if (*p == '/')
				dir_end = p;
		joined = sh_arena_printf(a, "%.*s/%s", (int)(dir_end - base), base, target);
	}
	/* Collapse dot segments in the path only, never in the query. */
	path = joined + sl + strcspn(joined + sl, "/?#");
	query = path + strcspn(path, "?#");
	if (*path == '/') {
		char *rest = sh_arena_strdup(a, query);
		*query = '\0';
		normalize(path);
		joined = sh_arena_printf(a, "%s%s", joined, rest);
	}
	return joined;
}

const char *resolve_target(struct sh_arena *a, const char *type, const char *base,
	const char *target)
{
	const char *slash;
	char *joined;

	if (strcmp(type, "url") == 0)
		return resolve_url(a, base, target);
	if (target[0] == '/')
		joined = sh_arena_strdup(a, target);
	else {
		slash = strrchr(base, '/');
		joined = slash ? sh_arena_printf(a, "%.*s/%s", (int)(slash - base), base, target)
			: sh_arena_strdup(a, target);
	}
	if (joined[0] == '/')
		normalize(joined);
	return joined;
}

const char **expand_glob(struct sh_arena *a, const char *pattern)
{
	glob_t g;
	const char **out;

	if (strpbrk(pattern, "*?[") == NULL) {
		out = sh_arena_alloc(a, 2 * sizeof(*out));
		out[0] = pattern;
		out[1] = NULL;
		return out;
	}
	if (glob(pattern, 0, NULL, &g) != 0) {
		out = sh_arena_alloc(a, sizeof(*out));
		out[0] = NULL;
		return out;
	}
	out = sh_arena_alloc(a, (g.gl_pathc + 1) * sizeof(*out));
	for (size_t i = 0; i < g.gl_pathc; i++)
		out[i] = sh_arena_strdup(a, g.gl_pathv[i]);
	out[g.gl_pathc] = NULL;
	globfree(&g);
	return out;
}

/* ---- files ------------------------------------------------------------------------ */

/* ---- files in local git repositories ------------------------------------------------------ */

/*
 * A file target REPO/blob/REF/PATH, where REPO is a local git repository
 * (bare or not) and no such file exists on disk, is read from the
 * repository at REF: how a component pushed by publish:git to a local
 * remote gets registered. Returns 1 when path has that form and REPO is a
 * repository (and then *out or err is set), 0 otherwise.
 */
static int read_git_blob(const struct catalog *c, const char *path, char **out, size_t *len,
	bool *missing, struct sh_err *err, int *rc)
{
	const char *blob = strstr(path, "/blob/"), *ref, *slash;
	git_repository *repo = NULL;
	git_object *obj = NULL;
	char *repo_path, *spec;

	if (blob == NULL || (slash = strchr(ref = blob + 6, '/')) == NULL)
		return 0;
	repo_path = sh_strndup(path, (size_t)(blob - path));
	if (git_repository_open_ext(&repo, repo_path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0) {
		free(repo_path);
		return 0;
	}
	spec = sh_asprintf("%.*s:%s", (int)(slash - ref), ref, slash + 1);
	if (git_revparse_single(&obj, repo, spec) != 0 || git_object_type(obj) != GIT_OBJECT_BLOB) {
		*missing = true;
		*rc = sh_err_set(err, SH_ENOTFOUND, "file:%s does not exist in the repository %s", path,
			repo_path);
	} else if (git_blob_rawsize((git_blob *)obj) > (git_object_size_t)c->read_max_bytes) {
		*rc = sh_err_set(err, SH_EINPUT, "file:%s is larger than %lld bytes", path,
			(long long)c->read_max_bytes);
	} else {
		*len = (size_t)git_blob_rawsize((git_blob *)obj);
		*out = sh_strndup(git_blob_rawcontent((git_blob *)obj), *len);
		*rc = 0;
	}
	git_object_free(obj);
	git_repository_free(repo);
	free(spec);
	free(repo_path);
	return 1;
}

static int read_file(const struct catalog *c, const char *path, char **out, size_t *len,
	bool *missing, struct sh_err *err)
{
	struct sh_buf b = SH_BUF_INIT;
	char chunk[16384];
	struct stat st;
	FILE *f;
	size_t n;
	int rc = 0;

	if (path[strlen(path) - 1] == '/')
		return sh_err_set(err, SH_EINPUT, "file:%s: a location target must be a file, not a folder", path);
	if (stat(path, &st) != 0 && errno == ENOENT &&
		read_git_blob(c, path, out, len, missing, err, &rc))
		return rc;
	f = fopen(path, "rb");
	if (f == NULL) {
		*missing = errno == ENOENT;
		return sh_err_set(err, *missing ? SH_ENOTFOUND : SH_EINPUT, "file:%s does not exist%s%s",
			path, *missing ? "" : ": ", *missing ? "" : strerror(errno));
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return sh_err_set(err, SH_EINPUT, "file:%s is a folder, not a file", path);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > (size_t)c->read_max_bytes) {
			fclose(f);
			sh_buf_dispose(&b);
			return sh_err_set(err, SH_EINPUT, "file:%s is larger than %lld bytes", path,
				(long long)c->read_max_bytes);
		}
		sh_buf_put(&b, chunk, n);
	}
	fclose(f);
	*len = b.len;
	*out = sh_buf_detach(&b);
	return 0;
}

/* ---- urls --------------------------------------------------------------------------- */

/* host[:port] of a URL, lower-case, from arena; NULL if none. */
static char *url_host(struct sh_arena *a, const char *url, const char **path)
{
	const char *p = strstr(url, "://");
	const char *end, *at;
	char *host;

	if (p == NULL)
		return NULL;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1; /* never compare credentials */
	host = sh_arena_strndup(a, p, (size_t)(end - p));
	for (char *h = host; *h; h++)
		*h = (char)tolower((unsigned char)*h);
	*path = *end == '/' ? end : "/";
	return host;
}

static bool host_allowed(const struct read_allow *r, const char *host)
{
	if (strncmp(r->host, "*.", 2) == 0) {
		size_t hl = strlen(host), sl = strlen(r->host + 1);
		return hl > sl && strcmp(host + hl - sl, r->host + 1) == 0;
	}
	return strcmp(r->host, host) == 0;
}

static bool url_allowed(const struct catalog *c, struct sh_arena *a, const char *url)
{
	const char *path = "/";
	char *host = url_host(a, url, &path);

	if (host == NULL || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
		return false;
	for (size_t i = 0; i < c->n_allow; i++) {
		const struct read_allow *r = &c->allow[i];
		if (!host_allowed(r, host))
			continue;
		if (r->paths == NULL)
			return true;
		for (char **p = r->paths; *p; p++)
			if (strncmp(path, *p, strlen(*p)) == 0)
				return true;
	}
	return false;
}

/* How to read a GitHub-hosted file: the API url and the header with the
 * integration's token (NULL: none). Arena strings. */
struct gh_read {
	const char *url;
	const char *auth;
};

struct sink {
	struct sh_buf buf;
	size_t max;
	bool too_big;
	char *etag;              /* the response's ETag, malloc'ed, or NULL */
};

/* Keep the ETag header of the final response. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
		const char *v = data + 5;
		size_t vlen = len - 5;
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' || v[vlen - 1] == ' '))
			vlen--;
		free(s->etag);
		s->etag = vlen > 0 && vlen < 256 ? sh_strndup(v, vlen) : NULL;
	}
	return len;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->buf.len + size * n > s->max) {
		s->too_big = true;
		return 0;
	}
	sh_buf_put(&s->buf, data, size * n);
	return size * n;
}

static int fetch_once(const struct catalog *c, const char *url, const char *if_none_match,
	const struct gh_read *gh, struct sink *s, long *status, char **redirect, struct sh_err *err)
{
	CURL *h = curl_easy_init();
	struct curl_slist *headers = NULL;
	char *loc = NULL;
	CURLcode cc;

	if (if_none_match != NULL) {
		char *line = sh_asprintf("If-None-Match: %s", if_none_match);
		headers = curl_slist_append(headers, line);
		free(line);
	}
	if (gh != NULL) {
		headers = curl_slist_append(headers, "Accept: application/vnd.github.raw");
		if (gh->auth != NULL)
			headers = curl_slist_append(headers, gh->auth);
	}
	if (headers != NULL)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->read_timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->read_timeout_ms < 5000 ? c->read_timeout_ms : 5000));
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->read_max_bytes);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "stagehand/" SH_VERSION);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	cc = curl_easy_perform(h);
	curl_slist_free_all(headers);
	if (cc != CURLE_OK) {
		curl_easy_cleanup(h);
		if (s->too_big || cc == CURLE_FILESIZE_EXCEEDED)
			return sh_err_set(err, SH_EUPSTREAM, "url:%s is larger than %lld bytes", url,
				(long long)c->read_max_bytes);
		return sh_err_set(err, SH_EUPSTREAM, "url:%s could not be read: %s", url,
			curl_easy_strerror(cc));
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
	*redirect = loc ? sh_strdup(loc) : NULL;
	curl_easy_cleanup(h);
	return 0;
}

/* ---- GitHub-hosted files ------------------------------------------------------------------ */

/*
 * A url on a host of integrations.github (a file's page,
 * https://HOST/OWNER/REPO/blob/REF/PATH) is read through that host's
 * contents API with the integration's token, as Backstage's GitHub reader
 * does; such hosts need no backend.reading.allow entry.
 */
static bool github_url(const struct catalog *c, struct sh_arena *a, const char *url,
	struct gh_read *out)
{
	const char *path = "/", *blob;
	char *host = url_host(a, url, &path);
	const json_t *item;
	size_t i;

	if (host == NULL || (blob = strstr(path, "/blob/")) == NULL)
		return false;
	json_array_foreach(c->github, i, item) {
		const char *h = json_string_value(json_object_get(item, "host"));
		const char *api = json_string_value(json_object_get(item, "apiBaseUrl"));
		const char *token = json_string_value(json_object_get(item, "token"));
		const char *ref = blob + 6, *slash = strchr(ref, '/');
		if (h == NULL || strcasecmp(h, host) != 0 || slash == NULL || blob == path)
			continue;
		out->url = sh_arena_printf(a, "%s/repos%.*s/contents/%s?ref=%.*s",
			api ? api : strcmp(host, "github.com") == 0 ? "https://api.github.com"
			: sh_arena_printf(a, "https://%s/api/v3", host),
			(int)(blob - path), path, slash + 1, (int)(slash - ref), ref);
		out->auth = token ? sh_arena_printf(a, "Authorization: token %s", token) : NULL;
		return true;
	}
	return false;
}

bool catalog_url_allowed(struct catalog *c, const char *url)
{
	struct sh_arena *a = sh_arena_new();
	const char *path = "/";
	const char *host = url_host(a, url, &path);
	bool ok = url_allowed(c, a, url);
	const json_t *item;
	size_t i;

	json_array_foreach(c->github, i, item) {
		const char *h = json_string_value(json_object_get(item, "host"));
		if (!ok && host != NULL && h != NULL && strcasecmp(h, host) == 0 &&
			(strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0))
			ok = true;
	}
	sh_arena_free(a);
	return ok;
}

int read_url_conditional(const struct catalog *c, const char *url, struct read_cond *cond,
	char **out, size_t *len, bool *missing, struct sh_err *err)
{
	struct sh_arena *a = sh_arena_new();
	struct gh_read gh = { NULL, NULL };
	bool via_github = github_url(c, a, url, &gh);
	char *current = sh_strdup(via_github ? gh.url : url);
	int rc = 0;

	for (int hop = 0;; hop++) {
		struct sink s = { SH_BUF_INIT, (size_t)c->read_max_bytes, false, NULL };
		char *redirect = NULL;
		long status = 0;

		if (!(via_github && hop == 0) && !url_allowed(c, a, current)) {
			rc = sh_err_set(err, SH_ENOTALLOWED, "url:%s is not allowed by backend.reading.allow",
				current);
			break;
		}
		if ((rc = fetch_once(c, current, cond ? cond->if_none_match : NULL,
			via_github && hop == 0 ? &gh : NULL, &s, &status, &redirect, err)) != 0) {
			sh_buf_dispose(&s.buf);
			free(s.etag);
			break;
		}
		if (status >= 300 && status < 400 && status != 304 && redirect != NULL && hop < MAX_REDIRECTS) {
			sh_buf_dispose(&s.buf);
			free(s.etag);
			free(current);
			current = redirect;
			continue;
		}
		free(redirect);
		if (status == 304 && cond != NULL && cond->if_none_match != NULL) {
			cond->not_modified = true;
			sh_buf_dispose(&s.buf);
			free(s.etag);
			break;
		}
		if (status == 404 || status == 410) {
			*missing = true;
			rc = sh_err_set(err, SH_ENOTFOUND, "url:%s does not exist (HTTP %ld)", url, status);
		} else if (status < 200 || status >= 300) {
			rc = sh_err_set(err, SH_EUPSTREAM, "url:%s answered HTTP %ld", url, status);
		}
		if (rc != 0) {
			sh_buf_dispose(&s.buf);
			free(s.etag);
			break;
		}
		if (cond != NULL)
			cond->etag = s.etag;
		else
			free(s.etag);
		*len = s.buf.len;
		*out = sh_buf_detach(&s.buf);
		break;
	}
	free(current);
	sh_arena_free(a);
	return rc;
}

static int read_url(const struct catalog *c, const char *url, char **out, size_t *len,
	bool *missing, struct sh_err *err)
{
	return read_url_conditional(c, url, NULL, out, len, missing, err);
}

int read_target(const struct catalog *c, const char *type, const char *target, char **out,
	size_t *len, bool *missing, struct sh_err *err)
{
	*missing = false;
	if (strcmp(type, "file") == 0)
		return read_file(c, target, out, len, missing, err);
	if (strcmp(type, "url") == 0)
		return read_url(c, target, out, len, missing, err);
	return sh_err_set(err, SH_EINPUT, "Unsupported location type \"%s\"", type);
}
