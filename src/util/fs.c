/* Files and folders: mkdir -p and rm -rf without following symlinks. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stagehand/util.h"

int sh_mkdirs(const char *path, unsigned mode, struct sh_err *err)
{
	char *p = sh_strdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
				rc = sh_err_set(err, SH_EINTERNAL, "cannot create %s: %s", p, strerror(errno));
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

int sh_remove_tree(const char *path, struct sh_err *err)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : sh_err_set(err, SH_EINTERNAL, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return unlink(path) == 0 ? 0 : sh_err_set(err, SH_EINTERNAL, "cannot remove %s: %s",
			path, strerror(errno));
	if ((d = opendir(path)) == NULL)
		return sh_err_set(err, SH_EINTERNAL, "%s: %s", path, strerror(errno));
	while (rc == 0 && (e = readdir(d)) != NULL) {
		char *child;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		child = sh_asprintf("%s/%s", path, e->d_name);
		rc = sh_remove_tree(child, err);
		free(child);
	}
	closedir(d);
	if (rc == 0 && rmdir(path) != 0)
		rc = sh_err_set(err, SH_EINTERNAL, "cannot remove %s: %s", path, strerror(errno));
	return rc;
}

