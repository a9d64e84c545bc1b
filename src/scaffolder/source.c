/*
 * Where template files come from. A url in fetch:* is resolved against the
 * template's base (its source-location or managed-by-location): a local
 * directory, a git repository addressed as <repo>/tree/<ref>/<path> (or
 * /blob/, the form GitHub and Gitea use; a file:// or bare path repository
 * works the same way), or a plain http(s) url for single files. Remote
 * repositories and files must be within backend.reading.allow (or on an
 * integrations.github host); local ones within the template's own folder
 * or repository.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "stagehand/catalog.h"

#define GIT_TIMEOUT_S 120
#define FILE_LIMIT (64u << 20)

/* Resolve "." and ".." segments of a '/'-separated path in place (never
 * above its start). */
static void normalize(char *path)
{
	char *out = path, *p = path;
	bool abs = (*p == '/');

	if (abs)
		out++, p++;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			/* skip */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (out > path + abs) {
				out--;
				while (out > path + abs && out[-1] != '/')
					out--;
			}
		} else if (n > 0) {
			memmove(out, p, n);
			out += n;
			if (p[n] == '/')
				*out++ = '/';
		}
		p += n;
		if (*p == '/')
			p++;
	}
	*out = '\0';
}

/* base + url, normalized; caller frees. */
static char *resolve(const char *base, const char *url)
{
	const char *scheme_end = strstr(base, "://");
	char *joined, *path;

	if (strstr(url, "://") != NULL || url[0] == '/' || base == NULL)
		return sh_strdup(url);
	joined = sh_asprintf("%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", url);
	/* Normalize only the path part of a url. */
	path = scheme_end ? strchr(scheme_end + 3, '/') : joined;
	if (path != NULL)
		normalize(path);
	return joined;
}

/* Whether base is a url inside the git repository repo. */
static bool same_repo(const char *base, const char *repo)
{
	char *brepo = NULL, *bref = NULL, *bpath = NULL;
	bool same = base != NULL && git_split_tree_url(base, &brepo, &bref, &bpath) &&
		strcmp(brepo, repo) == 0;

	free(brepo);
	free(bref);
	free(bpath);
	return same;
}

static int fetch_git(struct action_ctx *ac, const char *url, char **out, char **tmp,
	struct sh_err *err)
{
	char *repo = NULL, *ref = NULL, *path = NULL, *dir = NULL, *clone = NULL;
	int rc = 0;

	(void)git_split_tree_url(url, &repo, &ref, &path);
	if ((dir = make_temp_dir(ac->sc->work_root, "src-", err)) == NULL) {
		rc = SH_EINTERNAL;
		goto done;
	}
	clone = sh_asprintf("%s/repo", dir);
	if (strncmp(repo, "file://", 7) != 0 && strstr(repo, "://") != NULL &&
		strstr(repo, ".git") == NULL) {
		char *with = sh_asprintf("%s.git", repo);
		free(repo);
		repo = with;
	}
	action_log(ac, "info", "Cloning %s at %s", repo, ref);
	if ((rc = git_clone_ref(repo, ref, clone, NULL, GIT_TIMEOUT_S, err)) != 0)
		goto done;
	*out = path[0] ? path_inside(clone, path, err) : sh_strdup(clone);
	if (*out == NULL)
		rc = SH_EINPUT;
done:
	if (rc != 0 && dir != NULL) {
		remove_scratch(dir);
		free(dir);
		dir = NULL;
	}
	*tmp = dir;
	free(repo);
	free(ref);
	free(path);
	free(clone);
	return rc;
}

static int fetch_http_file(struct action_ctx *ac, const char *url, char **out, char **tmp,
	struct sh_err *err)
{
	char *body = NULL, *dir = NULL, *file = NULL;
	size_t len = 0;
	bool missing = false;
	int rc;

	if ((rc = catalog_read_url(ac->sc->catalog, url, &body, &len, &missing, err)) != 0)
		return rc;
	if (missing) {
		free(body);
		return sh_err_set(err, SH_ENOTFOUND, "%s was not found", url);
	}
	if ((dir = make_temp_dir(ac->sc->work_root, "src-", err)) == NULL) {
		free(body);
		return SH_EINTERNAL;
	}
	file = sh_asprintf("%s/file", dir);
	rc = write_file_all(file, body, len, 0644, err);
	free(body);
	if (rc != 0) {
		remove_scratch(dir);
		free(dir);
		free(file);
		return rc;
	}
	*out = file;
	*tmp = dir;
	return 0;
}

char *source_local_root(const char *base)
{
	const char *p = base;
	char *real;

	if (p == NULL)
		return NULL;
	if (strncmp(p, "file://", 7) == 0)
		p += 7;
	else if (strncmp(p, "file:", 5) == 0)
		p += 5;
	if (p[0] != '/' || strstr(p, "/tree/") != NULL || strstr(p, "/blob/") != NULL)
		return NULL;
	real = realpath(p, NULL);
	return real;
}

/* Whether the local path lies under root (both resolved, symlinks too). */
static bool under_root(const char *root, const char *path)
{
	char *real = realpath(path, NULL);
	size_t n = root ? strlen(root) : 0;
	bool ok = real != NULL && root != NULL && strncmp(real, root, n) == 0 &&
		(real[n] == '/' || real[n] == '\0');

	free(real);
	return ok;
}

int source_fetch(struct action_ctx *ac, const char *url, bool want_dir, char **out, char **tmp,
	struct sh_err *err)
{
	char *full = resolve(ac->template_base, url);
	char *repo = NULL, *ref = NULL, *path = NULL;
	struct stat sb;
	int rc = 0;

	*out = *tmp = NULL;
	if (git_split_tree_url(full, &repo, &ref, &path)) {
		if (strstr(repo, "://") == NULL || strncmp(repo, "file://", 7) == 0) {
			const char *local = strncmp(repo, "file://", 7) == 0 ? repo + 7 : repo;
			if (!under_root(ac->local_root, local) && !same_repo(ac->template_base, repo))
				rc = sh_err_set(err, SH_ENOTALLOWED, "%s is a local repository outside the "
					"template's own", url);
		} else if (!catalog_url_allowed(ac->sc->catalog, repo)) {
			rc = sh_err_set(err, SH_ENOTALLOWED, "%s is not allowed by backend.reading.allow", repo);
		}
		if (rc == 0)
			rc = fetch_git(ac, full, out, tmp, err);
	} else if (strncmp(full, "http://", 7) == 0 || strncmp(full, "https://", 8) == 0) {
		rc = want_dir ? sh_err_set(err, SH_EINPUT, "Cannot fetch a directory from %s: use a "
			"repository url of the form <repo>/tree/<branch>/<path>", full)
			: fetch_http_file(ac, full, out, tmp, err);
	} else {
		const char *local = strncmp(full, "file://", 7) == 0 ? full + 7 : full;
		if (strncmp(local, "file:", 5) == 0)
			local += 5;
		if (local[0] != '/')
			rc = sh_err_set(err, SH_EINPUT, "Cannot resolve %s: the template has no base "
				"location to resolve relative urls against", url);
		else if (stat(local, &sb) != 0)
			rc = sh_err_set(err, SH_ENOTFOUND, "%s does not exist in the template", url);
		else if (!under_root(ac->local_root, local))
			rc = sh_err_set(err, SH_ENOTALLOWED, "%s is outside the template's directory; "
				"a template reads local files only from its own directory", url);
		else if (want_dir != S_ISDIR(sb.st_mode))
			rc = sh_err_set(err, SH_EINPUT, "%s is %s", url, want_dir ? "not a directory"
				: "a directory, not a file");
		else
			*out = sh_strdup(local);
	}
	free(repo);
	free(ref);
	free(path);
	free(full);
	return rc;
}
