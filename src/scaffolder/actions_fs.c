/* fs:delete, fs:rename, fs:readdir, debug:log, debug:wait. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

/* ---- fs:delete ----------------------------------------------------------------- */

static int delete_matches(struct action_ctx *ac, const char *glob, struct sh_err *err)
{
	json_t *entries = list_tree(ac->workspace), *e;
	size_t i;
	int rc = 0;

	/* Deepest first is not needed: a removed directory takes its
	 * children, which are then simply gone. */
	json_array_foreach(entries, i, e) {
		const char *rel = json_string_value(e);
		size_t n = strlen(rel);
		char *path = sh_strndup(rel, rel[n - 1] == '/' ? n - 1 : n), *full;
		struct stat sb;

		if (glob_match(glob, path)) {
			full = sh_asprintf("%s/%s", ac->workspace, path);
			if (lstat(full, &sb) == 0) {
				action_log(ac, "info", "File %s deleted successfully", path);
				rc = sh_remove_tree(full, err);
			}
			free(full);
		}
		free(path);
		if (rc != 0)
			break;
	}
	json_decref(entries);
	return rc;
}

static int fs_delete(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	const json_t *files = json_object_get(in, "files"), *f;
	size_t i;
	int rc = 0;

	(void)out;
	json_array_foreach(files, i, f) {
		const char *glob = json_string_value(f);
		char *check = path_inside(ac->workspace, glob, err);
		if (check == NULL)
			return SH_EINPUT;
		free(check);
		if ((rc = delete_matches(ac, glob, err)) != 0)
			break;
	}
	return rc;
}

/* ---- fs:rename ----------------------------------------------------------------- */

static int rename_one(struct action_ctx *ac, const json_t *f, struct sh_err *err)
{
	const char *from = json_string_value(json_object_get(f, "from"));
	const char *to = json_string_value(json_object_get(f, "to"));
	char *src = NULL, *dst = NULL, *parent = NULL;
	struct stat sb;
	int rc = 0;

	if (from == NULL || to == NULL)
		return sh_err_set(err, SH_EINPUT, "each file must have a from and to property");
	if ((src = path_inside(ac->workspace, from, err)) == NULL ||
		(dst = path_inside(ac->workspace, to, err)) == NULL) {
		rc = SH_EINPUT;
		goto done;
	}
	if (lstat(src, &sb) != 0) {
		rc = sh_err_set(err, SH_ENOTFOUND, "Cannot rename %s: it does not exist", from);
		goto done;
	}
	if (lstat(dst, &sb) == 0) {
		if (!json_is_true(json_object_get(f, "overwrite"))) {
			rc = sh_err_set(err, SH_ECONFLICT, "dest already exists: %s", to);
			goto done;
		}
		if ((rc = sh_remove_tree(dst, err)) != 0)
			goto done;
	}
	parent = sh_strdup(dst);
	*strrchr(parent, '/') = '\0';
	if ((rc = sh_mkdirs(parent, 0755, err)) == 0 && rename(src, dst) != 0)
		rc = sh_err_set(err, SH_EINTERNAL, "cannot rename %s to %s: %s", from, to, strerror(errno));
	if (rc == 0)
		action_log(ac, "info", "Renamed %s to %s", from, to);
done:
	free(parent);
	free(src);
	free(dst);
	return rc;
}

static int fs_rename(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	const json_t *files = json_object_get(in, "files"), *f;
	size_t i;
	int rc = 0;

	(void)out;
	json_array_foreach(files, i, f)
		if ((rc = rename_one(ac, f, err)) != 0)
			break;
	return rc;
}

/* ---- fs:readdir ---------------------------------------------------------------- */

static void readdir_into(struct action_ctx *ac, const char *rel, bool recursive, json_t *files,
	json_t *folders)
{
	char *root = path_inside(ac->workspace, rel, NULL);
	json_t *entries = root ? list_tree(root) : json_array(), *e;
	size_t i;

	json_array_foreach(entries, i, e) {
		const char *p = json_string_value(e);
		size_t n = strlen(p);
		bool dir = p[n - 1] == '/';
		char *path = sh_strndup(p, dir ? n - 1 : n);
		const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		char *joined = sh_asprintf("%s/%s", rel, path);

		if (recursive || strchr(path, '/') == NULL)
			json_array_append_new(dir ? folders : files, json_pack("{s:s,s:s,s:s+++}",
				"name", name, "path", joined, "fullPath", root, "/", path, ""));
		free(joined);
		free(path);
	}
	json_decref(entries);
	free(root);
}

static int fs_readdir(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	const json_t *paths = json_object_get(in, "paths"), *p;
	json_t *files = json_array(), *folders = json_array();
	bool recursive = json_is_true(json_object_get(in, "recursive"));
	size_t i;

	json_array_foreach(paths, i, p) {
		char *check = path_inside(ac->workspace, json_string_value(p), err);
		if (check == NULL) {
			json_decref(files);
			json_decref(folders);
			return SH_EINPUT;
		}
		free(check);
		readdir_into(ac, json_string_value(p), recursive, files, folders);
	}
	json_object_set_new(out, "files", files);
	json_object_set_new(out, "folders", folders);
	return 0;
}

const struct action actions_fs[] = {
	{ "fs:delete", "Deletes files and directories from the workspace",
		"{\"type\":\"object\",\"required\":[\"files\"],\"properties\":{\"files\":{\"title\":"
		"\"Files\",\"description\":\"A list of files and directories that will be deleted\","
		"\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}", NULL, true, fs_delete },
	{ "fs:readdir", "Reads files and directories from the workspace",
		"{\"type\":\"object\",\"required\":[\"paths\"],\"properties\":{\"paths\":{\"type\":\"array\","
		"\"items\":{\"type\":\"string\"},\"description\":\"A list of paths to read\"},"
		"\"recursive\":{\"type\":\"boolean\",\"default\":false}}}",
		"{\"type\":\"object\",\"properties\":{\"files\":{\"type\":\"array\"},\"folders\":{\"type\":"
		"\"array\"}}}", true, fs_readdir },
	{ "fs:rename", "Renames files and directories within the workspace",
		"{\"type\":\"object\",\"required\":[\"files\"],\"properties\":{\"files\":{\"title\":\"Files\","
		"\"description\":\"A list of file and directory names that will be renamed\",\"type\":"
		"\"array\",\"items\":{\"type\":\"object\",\"required\":[\"from\",\"to\"],\"properties\":{"
		"\"from\":{\"type\":\"string\",\"title\":\"The source location of the file to be renamed\"},"
		"\"to\":{\"type\":\"string\",\"title\":\"The destination of the new file\"},"
		"\"overwrite\":{\"type\":\"boolean\",\"title\":\"Overwrite existing file or directory, "
		"default is false\"}}}}}}", NULL, true, fs_rename },
};
const size_t actions_fs_n = SH_ARRAY_LEN(actions_fs);

/* ---- debug:log, debug:wait --------------------------------------------------------- */

static void list_workspace(struct action_ctx *ac, const json_t *mode)
{
	json_t *entries = list_tree(ac->workspace), *e;
	bool contents = json_is_string(mode) && strcmp(json_string_value(mode), "with-contents") == 0;
	size_t i;

	json_array_foreach(entries, i, e) {
		const char *rel = json_string_value(e);
		char *full, *data = NULL;
		size_t len = 0;

		if (rel[strlen(rel) - 1] == '/')
			continue;
		full = sh_asprintf("%s/%s", ac->workspace, rel);
		if (contents && read_file_all(full, 1 << 20, &data, &len, NULL) == 0)
			action_log(ac, "info", "%s:\n%s", rel, data);
		else
			action_log(ac, "info", "%s", rel);
		free(data);
		free(full);
	}
	json_decref(entries);
}

static int debug_log(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	const char *message = json_string_value(json_object_get(in, "message"));
	const json_t *list = json_object_get(in, "listWorkspace");
	char *dump = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);

	(void)out; (void)err;
	action_log(ac, "info", "Running debug:log in dry-run mode? %s; input: %s",
		ac->dry_run ? "yes" : "no", dump ? dump : "{}");
	free(dump);
	if (message != NULL)
		action_log(ac, "info", "%s", message);
	if (json_is_true(list) || json_is_string(list))
		list_workspace(ac, list);
	return 0;
}

static int debug_wait(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	double ms = json_number_value(json_object_get(in, "minutes")) * 60000.0 +
		json_number_value(json_object_get(in, "seconds")) * 1000.0 +
		json_number_value(json_object_get(in, "milliseconds"));
	uint64_t end;

	(void)out;
	if (ms > 600000.0)
		return sh_err_set(err, SH_EINPUT, "Waiting duration is longer than the maximum "
			"threshold of 10 minutes");
	action_log(ac, "info", "Waiting %.0f ms", ms > 0 ? ms : 0);
	end = sh_now_ns() + (uint64_t)(ms > 0 ? ms : 0) * 1000000ull;
	while (sh_now_ns() < end) {
		struct timespec ts = { 0, 20 * 1000000L };
		if (atomic_load(ac->cancel))
			return sh_err_set(err, SH_EINPUT, "Task was cancelled");
		nanosleep(&ts, NULL);
	}
	return 0;
}

const struct action actions_debug[] = {
	{ "debug:log", "Writes a message into the log and/or lists all files in the workspace.",
		"{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\",\"title\":\"Message to "
		"output.\"},\"listWorkspace\":{\"title\":\"List all files in the workspace, if true.\","
		"\"oneOf\":[{\"type\":\"boolean\"},{\"type\":\"string\",\"enum\":[\"with-filenames\","
		"\"with-contents\"]}]}}}", NULL, true, debug_log },
	{ "debug:wait", "Waits for a certain period of time.",
		"{\"type\":\"object\",\"properties\":{\"minutes\":{\"type\":\"number\",\"title\":\"Waiting "
		"period in minutes.\"},\"seconds\":{\"type\":\"number\",\"title\":\"Waiting period in "
		"seconds.\"},\"milliseconds\":{\"type\":\"number\",\"title\":\"Waiting period in "
		"milliseconds.\"}}}", NULL, false, debug_wait },
};
const size_t actions_debug_n = SH_ARRAY_LEN(actions_debug);
