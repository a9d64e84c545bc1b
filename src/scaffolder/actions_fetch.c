/*
 * fetch:plain, fetch:plain:file, fetch:template, fetch:template:file:
 * copy or render template content into the workspace.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define FILE_LIMIT (64u << 20)

static const char *str(const json_t *input, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(input, key));

	return v ? v : dflt;
}

static bool flag(const json_t *input, const char *key)
{
	return json_is_true(json_object_get(input, key));
}

/* ---- plain copies ------------------------------------------------------------------ */

static int fetch_plain(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	char *src = NULL, *tmp = NULL, *dst = NULL;
	int rc;

	(void)out;
	if ((dst = path_inside(ac->workspace, str(in, "targetPath", "./"), err)) == NULL)
		return SH_EINPUT;
	action_log(ac, "info", "Fetching plain content from remote URL");
	if ((rc = source_fetch(ac, str(in, "url", ""), true, &src, &tmp, err)) == 0)
		rc = copy_tree(src, dst, err);
	if (tmp != NULL)
		remove_scratch(tmp);
	free(tmp);
	free(src);
	free(dst);
	return rc;
}

static int fetch_plain_file(struct action_ctx *ac, const json_t *in, json_t *out,
	struct sh_err *err)
{
	char *src = NULL, *tmp = NULL, *dst = NULL;
	int rc;

	(void)out;
	if ((dst = path_inside(ac->workspace, str(in, "targetPath", ""), err)) == NULL)
		return SH_EINPUT;
	action_log(ac, "info", "Fetching plain content from remote URL");
	if ((rc = source_fetch(ac, str(in, "url", ""), false, &src, &tmp, err)) == 0) {
		char *parent = sh_strdup(dst), *slash = strrchr(parent, '/');
		if (slash != NULL)
			*slash = '\0';
		rc = sh_mkdirs(parent, 0755, err);
		free(parent);
		if (rc == 0)
			rc = copy_tree(src, dst, err);
	}
	if (tmp != NULL)
		remove_scratch(tmp);
	free(tmp);
	free(src);
	free(dst);
	return rc;
}

/* ---- rendering ------------------------------------------------------------------- */

struct render {
	struct action_ctx *ac;
	json_t *ctx;                /* {values} or {cookiecutter} */
	struct tmpl_opts opts;
	const json_t *raw_globs;    /* copyWithoutTemplating */
	const char *ext;            /* templateFileExtension, or NULL */
	bool replace;
};

static bool is_binary(const char *data, size_t len)
{
	size_t probe = len < 8192 ? len : 8192;

	return memchr(data, '\0', probe) != NULL || !sh_utf8_valid(data, len);
}

static bool copy_raw(const struct render *r, const char *rel)
{
	size_t i, n = strlen(rel);
	json_t *g;
	bool hit = false;
	char *path = sh_strndup(rel, n > 0 && rel[n - 1] == '/' ? n - 1 : n);

	json_array_foreach(r->raw_globs, i, g) {
		const char *glob = json_string_value(g);
		if (glob == NULL)
			continue;
		if (glob[0] == '!') {
			if (glob_match(glob + 1, path))
				hit = false;
		} else if (glob_match(glob, path)) {
			hit = true;
		}
	}
	free(path);
	return hit;
}

static int render_file(const struct render *r, const char *src, const char *dst, const char *rel,
	bool contents, struct sh_err *err)
{
	char *data = NULL, *text = NULL;
	size_t len = 0, text_len = 0;
	struct stat sb;
	int rc;

	if (lstat(src, &sb) != 0)
		return sh_err_set(err, SH_EINTERNAL, "cannot read %s", rel);
	if (S_ISLNK(sb.st_mode))
		return copy_tree(src, dst, err);
	if ((rc = read_file_all(src, FILE_LIMIT, &data, &len, err)) != 0)
		return rc;
	if (contents && !is_binary(data, len)) {
		rc = tmpl_render(&text, &text_len, data, len, r->ctx, &r->opts, rel, err);
		if (rc == 0)
			rc = write_file_all(dst, text, text_len, sb.st_mode, err);
	} else {
		rc = write_file_all(dst, data, len, sb.st_mode, err);
	}
	free(text);
	free(data);
	return rc;
}

/* The rendered relative path of rel, or NULL when the entry is dropped. */
static char *render_path(const struct render *r, const char *rel, bool *has_ext, struct sh_err *err,
	int *rc)
{
	char *out = NULL;
	size_t len = 0, n;

	*rc = tmpl_render(&out, &len, rel, strlen(rel), r->ctx, &r->opts, rel, err);
	if (*rc != 0)
		return NULL;
	*has_ext = false;
	n = strlen(out);
	if (r->ext != NULL && out[n - (n > 0)] != '/') {
		size_t e = strlen(r->ext);
		if (n > e && strcmp(out + n - e, r->ext) == 0) {
			out[n - e] = '\0';
			*has_ext = true;
		}
	}
	if (out[0] == '\0' || out[0] == '/' || strstr(out, "//") != NULL) {
		free(out);
		return NULL;
	}
	return out;
}

static int render_entry(const struct render *r, const char *src_root, const char *dst_root,
	const char *rel, struct sh_err *err)
{
	bool is_dir = rel[strlen(rel) - 1] == '/', has_ext = false;
	char *target_rel, *src = NULL, *dst = NULL;
	struct stat sb;
	int rc = 0;

	if ((target_rel = render_path(r, rel, &has_ext, err, &rc)) == NULL)
		return rc;
	src = sh_asprintf("%s/%s", src_root, rel);
	if ((dst = path_inside(dst_root, target_rel, err)) == NULL) {
		rc = SH_EINPUT;
	} else if (is_dir) {
		rc = sh_mkdirs(dst, 0755, err);
	} else if (lstat(dst, &sb) == 0 && !r->replace) {
		action_log(r->ac, "info", "File %s already exists in the workspace, not replacing it",
			target_rel);
	} else {
		bool contents = r->ext ? has_ext : !copy_raw(r, rel);
		action_log(r->ac, "debug", "Writing file %s to template output path", target_rel);
		rc = render_file(r, src, dst, rel, contents, err);
	}
	free(src);
	free(dst);
	free(target_rel);
	return rc;
}

static int render_tree(const struct render *r, const char *src_root, const char *dst_root,
	struct sh_err *err)
{
	json_t *entries = list_tree(src_root), *e;
	size_t i;
	int rc = sh_mkdirs(dst_root, 0755, err);

	json_array_foreach(entries, i, e) {
		if (rc != 0)
			break;
		if (atomic_load(r->ac->cancel))
			rc = sh_err_set(err, SH_EINPUT, "Task was cancelled");
		else
			rc = render_entry(r, src_root, dst_root, json_string_value(e), err);
	}
	json_decref(entries);
	return rc;
}

static int render_init(struct render *r, struct action_ctx *ac, const json_t *in,
	struct sh_err *err)
{
	const json_t *values = json_object_get(in, "values");
	const json_t *ext = json_object_get(in, "templateFileExtension");
	bool cookie = flag(in, "cookiecutterCompat");

	memset(r, 0, sizeof(*r));
	r->ac = ac;
	r->opts.cookiecutter = cookie;
	r->opts.trim_blocks = flag(in, "trimBlocks");
	r->opts.lstrip_blocks = flag(in, "lstripBlocks");
	r->replace = flag(in, "replace");
	r->raw_globs = json_object_get(in, "copyWithoutTemplating");
	if (json_is_true(ext))
		r->ext = ".njk";
	else if (json_is_string(ext) && json_string_length(ext) > 0)
		r->ext = json_string_value(ext);
	if (r->ext != NULL && (json_array_size(r->raw_globs) > 0 || cookie))
		return sh_err_set(err, SH_EINPUT, "input.templateFileExtension may not be used with "
			"input.copyWithoutTemplating or input.cookiecutterCompat");
	r->ctx = json_object();
	json_object_set_new(r->ctx, cookie ? "cookiecutter" : "values",
		json_is_object(values) ? json_incref((json_t *)values) : json_object());
	return 0;
}

static char *ext_with_dot(const char *ext)
{
	return ext[0] == '.' ? sh_strdup(ext) : sh_asprintf(".%s", ext);
}

static int fetch_template(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	struct render r;
	char *src = NULL, *tmp = NULL, *dst = NULL, *ext = NULL;
	int rc;

	(void)out;
	if ((rc = render_init(&r, ac, in, err)) != 0)
		return rc;
	if (r.ext != NULL)
		r.ext = ext = ext_with_dot(r.ext);
	if ((dst = path_inside(ac->workspace, str(in, "targetPath", "./"), err)) == NULL) {
		rc = SH_EINPUT;
		goto done;
	}
	action_log(ac, "info", "Fetching template content from remote URL");
	if ((rc = source_fetch(ac, str(in, "url", ""), true, &src, &tmp, err)) != 0)
		goto done;
	action_log(ac, "info", "Processing template files");
	rc = render_tree(&r, src, dst, err);
	if (rc == 0)
		action_log(ac, "info", "Template result written to %s", str(in, "targetPath", "./"));
done:
	if (tmp != NULL)
		remove_scratch(tmp);
	json_decref(r.ctx);
	free(ext);
	free(tmp);
	free(src);
	free(dst);
	return rc;
}

static int fetch_template_file(struct action_ctx *ac, const json_t *in, json_t *out,
	struct sh_err *err)
{
	struct render r;
	char *src = NULL, *tmp = NULL, *dst = NULL;
	struct stat sb;
	int rc;

	(void)out;
	if ((rc = render_init(&r, ac, in, err)) != 0)
		return rc;
	if ((dst = path_inside(ac->workspace, str(in, "targetPath", ""), err)) == NULL) {
		rc = SH_EINPUT;
		goto done;
	}
	if (lstat(dst, &sb) == 0 && !r.replace) {
		action_log(ac, "info", "File %s already exists in the workspace, not replacing it",
			str(in, "targetPath", ""));
		goto done;
	}
	action_log(ac, "info", "Fetching template file content from remote URL");
	if ((rc = source_fetch(ac, str(in, "url", ""), false, &src, &tmp, err)) == 0)
		rc = render_file(&r, src, dst, str(in, "targetPath", ""), true, err);
done:
	if (tmp != NULL)
		remove_scratch(tmp);
	json_decref(r.ctx);
	free(tmp);
	free(src);
	free(dst);
	return rc;
}

#define TEMPLATE_OPTS \
	"\"values\":{\"type\":\"object\",\"description\":\"Values to pass on to the templating engine\"}," \
	"\"cookiecutterCompat\":{\"type\":\"boolean\",\"description\":\"Enable features to maximise " \
	"compatibility with templates built for fetch:cookiecutter\"}," \
	"\"replace\":{\"type\":\"boolean\",\"description\":\"If set, replace files in targetPath " \
	"instead of skipping existing ones.\"}," \
	"\"trimBlocks\":{\"type\":\"boolean\",\"description\":\"If set, the first newline after a " \
	"block is removed (block, not variable tag!)\"}," \
	"\"lstripBlocks\":{\"type\":\"boolean\",\"description\":\"If set, leading spaces and tabs are " \
	"stripped from the start of a line to a block\"}," \
	"\"token\":{\"type\":\"string\",\"description\":\"An optional token to use for authentication " \
	"when reading the resources.\"}"

const struct action actions_fetch[] = {
	{ "fetch:plain", "Downloads content and places it in the workspace, or optionally in a "
		"subdirectory specified by the `targetPath` input option.",
		"{\"type\":\"object\",\"required\":[\"url\"],\"properties\":{"
		"\"url\":{\"title\":\"Fetch URL\",\"type\":\"string\",\"description\":\"Relative path or "
		"absolute URL pointing to the directory tree to fetch\"},"
		"\"targetPath\":{\"title\":\"Target Path\",\"type\":\"string\",\"description\":\"Target path "
		"within the working directory to download the contents to.\"},"
		"\"token\":{\"type\":\"string\"}}}", NULL, true, fetch_plain },
	{ "fetch:plain:file", "Downloads single file and places it in the workspace.",
		"{\"type\":\"object\",\"required\":[\"url\",\"targetPath\"],\"properties\":{"
		"\"url\":{\"title\":\"Fetch URL\",\"type\":\"string\",\"description\":\"Relative path or "
		"absolute URL pointing to the single file to fetch.\"},"
		"\"targetPath\":{\"title\":\"Target Path\",\"type\":\"string\",\"description\":\"Target path "
		"within the working directory to download the file as.\"},"
		"\"token\":{\"type\":\"string\"}}}", NULL, true, fetch_plain_file },
	{ "fetch:template", "Downloads a skeleton, templates variables into file and directory names "
		"and content, and places the result in the workspace, or optionally in a subdirectory "
		"specified by the `targetPath` input option.",
		"{\"type\":\"object\",\"required\":[\"url\"],\"properties\":{"
		"\"url\":{\"type\":\"string\",\"description\":\"Relative path or absolute URL pointing to the "
		"directory tree to fetch\"},"
		"\"targetPath\":{\"type\":\"string\",\"description\":\"Target path within the working "
		"directory to download the contents to. Defaults to the working directory root.\"},"
		"\"copyWithoutRender\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"description\":"
		"\"Deprecated: no longer has any effect.\"},"
		"\"copyWithoutTemplating\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
		"\"description\":\"An array of glob patterns. Contents of matched files or directories are "
		"copied without being processed, but paths are subject to rendering.\"},"
		"\"templateFileExtension\":{\"type\":[\"string\",\"boolean\"],\"description\":\"If set, only "
		"files with the given extension will be templated. If set to `true`, the default extension "
		"`.njk` is used.\"}," TEMPLATE_OPTS "}}", NULL, true, fetch_template },
	{ "fetch:template:file", "Downloads a single file and templates variables into file. Then "
		"places the result in the workspace, or optionally in a subdirectory specified by the "
		"`targetPath` input option.",
		"{\"type\":\"object\",\"required\":[\"url\",\"targetPath\"],\"properties\":{"
		"\"url\":{\"type\":\"string\",\"description\":\"Relative path or absolute URL pointing to the "
		"single file to fetch.\"},"
		"\"targetPath\":{\"type\":\"string\",\"description\":\"Target path within the working "
		"directory to download the file as.\"}," TEMPLATE_OPTS "}}", NULL, true,
		fetch_template_file },
};
const size_t actions_fetch_n = SH_ARRAY_LEN(actions_fetch);
