/*
 * Workspace file handling. Paths from templates are relative and checked
 * lexically before use (no "..", nothing absolute); trees are walked with
 * lstat so symlinks are copied as links, never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

char *path_inside(const char *root, const char *rel, struct sh_err *err)
{
	struct sh_buf out = SH_BUF_INIT;
	const char *p = rel;

	if (rel[0] == '/') {
		sh_err_set(err, SH_EINPUT, "Relative path is not allowed to refer to a directory "
			"outside the workspace: %s", rel);
		return NULL;
	}
	sh_buf_puts(&out, root);
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if (n == 2 && strncmp(p, "..", 2) == 0) {
			sh_buf_dispose(&out);
			sh_err_set(err, SH_EINPUT, "Relative path is not allowed to refer to a directory "
				"outside the workspace: %s", rel);
			return NULL;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			sh_buf_putc(&out, '/');
			sh_buf_put(&out, p, n);
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return sh_buf_detach(&out);
}

void remove_scratch(const char *path)
{
	struct sh_err err = { 0, "" };

	if (path != NULL && sh_remove_tree(path, &err) != 0)
		log_warn("scaffolder: %s", err.msg);
}

static int copy_file(const char *src, const char *dst, mode_t mode, struct sh_err *err)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	ssize_t n;

	if (in < 0)
		return sh_err_set(err, SH_EINTERNAL, "cannot read %s: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
	if (out < 0) {
		close(in);
		return sh_err_set(err, SH_EINTERNAL, "cannot write %s: %s", dst, strerror(errno));
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			rc = sh_err_set(err, SH_EINTERNAL, "cannot write %s: %s", dst, strerror(errno));
			break;
		}
	}
	if (n < 0 && rc == 0)
		rc = sh_err_set(err, SH_EINTERNAL, "cannot read %s: %s", src, strerror(errno));
	close(in);
	if (close(out) != 0 && rc == 0)
		rc = sh_err_set(err, SH_EINTERNAL, "cannot write %s: %s", dst, strerror(errno));
	return rc;
}

static int copy_link(const char *src, const char *dst, struct sh_err *err)
{
	char target[PATH_MAX];
	ssize_t n = readlink(src, target, sizeof(target) - 1);

	if (n < 0)
		return sh_err_set(err, SH_EINTERNAL, "cannot read link %s: %s", src, strerror(errno));
	target[n] = '\0';
	(void)unlink(dst); /* replacing: a missing one is fine */
	if (symlink(target, dst) != 0)
		return sh_err_set(err, SH_EINTERNAL, "cannot link %s: %s", dst, strerror(errno));
	return 0;
}

int copy_tree(const char *src, const char *dst, struct sh_err *err)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(src, &sb) != 0)
		return sh_err_set(err, SH_EINPUT, "%s: %s", src, strerror(errno));
	if (S_ISLNK(sb.st_mode))
		return copy_link(src, dst, err);
	if (!S_ISDIR(sb.st_mode))
		return S_ISREG(sb.st_mode) ? copy_file(src, dst, sb.st_mode, err) : 0;
	if ((rc = sh_mkdirs(dst, 0755, err)) != 0)
		return rc;
	if ((d = opendir(src)) == NULL)
		return sh_err_set(err, SH_EINTERNAL, "%s: %s", src, strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *s, *t;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		s = sh_asprintf("%s/%s", src, e->d_name);
		t = sh_asprintf("%s/%s", dst, e->d_name);
		rc = copy_tree(s, t, err);
		free(s);
		free(t);
	}
	closedir(d);
	return rc;
}

int read_file_all(const char *path, size_t limit, char **out, size_t *len, struct sh_err *err)
{
	struct sh_buf b = SH_BUF_INIT;
	char buf[65536];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	*out = NULL;
	if (fd < 0)
		return sh_err_set(err, errno == ENOENT ? SH_ENOTFOUND : SH_EINTERNAL, "cannot read %s: %s",
			path, strerror(errno));
	sh_buf_reserve(&b, 1);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (b.len + (size_t)n > limit) {
			close(fd);
			sh_buf_dispose(&b);
			return sh_err_set(err, SH_ETOOLARGE, "%s is larger than %zu bytes", path, limit);
		}
		sh_buf_put(&b, buf, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		sh_buf_dispose(&b);
		return sh_err_set(err, SH_EINTERNAL, "cannot read %s: %s", path, strerror(errno));
	}
	*len = b.len;
	*out = sh_buf_detach(&b);
	return 0;
}

int write_file_all(const char *path, const void *data, size_t len, mode_t mode,
	struct sh_err *err)
{
	char *dir = sh_strdup(path), *slash = strrchr(dir, '/');
	int fd, rc = 0;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		rc = sh_mkdirs(dir, 0755, err);
	}
	free(dir);
	if (rc != 0)
		return rc;
	(void)unlink(path); /* never write through a symlink left in the tree */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode & 07777);
	if (fd < 0)
		return sh_err_set(err, SH_EINTERNAL, "cannot write %s: %s", path, strerror(errno));
	if (len > 0 && write(fd, data, len) != (ssize_t)len)
		rc = sh_err_set(err, SH_EINTERNAL, "cannot write %s: %s", path, strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = sh_err_set(err, SH_EINTERNAL, "cannot write %s: %s", path, strerror(errno));
	if (rc == 0)
		(void)chmod(path, mode & 07777); /* umask narrowed it; best effort */
	return rc;
}

char *make_temp_dir(const char *parent, const char *prefix, struct sh_err *err)
{
	char *tmpl;

	if (sh_mkdirs(parent, 0700, err) != 0)
		return NULL;
	tmpl = sh_asprintf("%s/%sXXXXXX", parent, prefix);
	if (mkdtemp(tmpl) == NULL) {
		sh_err_set(err, SH_EINTERNAL, "cannot create a directory in %s: %s", parent, strerror(errno));
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

static void list_into(json_t *out, const char *root, const char *rel)
{
	char *dir = rel[0] ? sh_asprintf("%s/%s", root, rel) : sh_strdup(root);
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			char *child = rel[0] ? sh_asprintf("%s%s", rel, name) : sh_strdup(name);
			char *full = sh_asprintf("%s/%s", root, child);
			struct stat sb;
			if (lstat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
				char *d = sh_asprintf("%s/", child);
				json_array_append_new(out, json_string(d));
				list_into(out, root, d);
				free(d);
			} else {
				json_array_append_new(out, json_string(child));
			}
			free(full);
			free(child);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
}

json_t *list_tree(const char *root)
{
	json_t *out = json_array();

	list_into(out, root, "");
	return out;
}

/* ---- globs ----------------------------------------------------------------------- */

static bool class_match(const char **gp, char c)
{
	const char *g = *gp + 1;
	bool neg = (*g == '!' || *g == '^'), hit = false;

	if (neg)
		g++;
	for (bool first = true; *g != '\0' && (*g != ']' || first); first = false) {
		if (g[1] == '-' && g[2] != '\0' && g[2] != ']') {
			hit |= (c >= g[0] && c <= g[2]);
			g += 3;
		} else {
			hit |= (c == *g);
			g++;
		}
	}
	*gp = *g == ']' ? g + 1 : g;
	return hit != neg;
}

static bool match_here(const char *g, const char *p, int depth)
{
	if (depth > 64)
		return false;
	for (; *g != '\0'; ) {
		if (g[0] == '*' && g[1] == '*') {
			const char *rest = g + 2;
			if (*rest == '/')
				rest++;
			if (*rest == '\0')
				return true;
			for (const char *q = p; ; q++) {
				if ((q == p || q[-1] == '/') && match_here(rest, q, depth + 1))
					return true;
				if (*q == '\0')
					return false;
			}
		}
		if (*g == '*') {
			for (const char *q = p; ; q++) {
				if (match_here(g + 1, q, depth + 1))
					return true;
				if (*q == '\0' || *q == '/')
					return false;
			}
		}
		if (*p == '\0')
			return false;
		if (*g == '?') {
			if (*p == '/')
				return false;
		} else if (*g == '[') {
			if (!class_match(&g, *p))
				return false;
			p++;
			continue;
		} else if (*g != *p) {
			return false;
		}
		g++;
		p++;
	}
	return *p == '\0';
}

bool glob_match(const char *glob, const char *path)
{
	if (glob[0] == '.' && glob[1] == '/')
		glob += 2;
	if (path[0] == '.' && path[1] == '/')
		path += 2;
	return match_here(glob, path, 0);
}
