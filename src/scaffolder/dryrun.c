/*
 * Dry runs: a posted template runs on a worker against files posted with
 * it, in scratch directories removed afterwards; actions that would
 * change something outside (publishing, registering) are skipped and
 * their outputs made up. The waiting request is woken through the hub.
 */
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define DRY_FILES_LIMIT (32u << 20)

struct log_sink {
	json_t *log;
};

static void collect(void *ctx, const char *type, json_t *body)
{
	struct log_sink *s = ctx;

	if (strcmp(type, "log") == 0)
		json_array_append_new(s->log, json_pack("{s:o}", "body", body));
	else
		json_decref(body);
}

static int write_posted_files(const char *root, const json_t *files, struct sh_err *err)
{
	const json_t *f;
	size_t i;
	int rc = 0;

	json_array_foreach(files, i, f) {
		const char *path = json_string_value(json_object_get(f, "path"));
		const char *b64 = json_string_value(json_object_get(f, "base64Content"));
		size_t n = b64 ? strlen(b64) : 0;
		unsigned char *data;
		char *full;
		int len;

		if (path == NULL || b64 == NULL)
			return sh_err_set(err, SH_EINPUT, "directoryContents[%zu] needs path and base64Content", i);
		if ((full = path_inside(root, path, err)) == NULL)
			return SH_EINPUT;
		data = sh_malloc(n / 4 * 3 + 4);
		len = EVP_DecodeBlock(data, (const unsigned char *)b64, (int)n);
		if (len < 0) {
			rc = sh_err_set(err, SH_EINPUT, "directoryContents[%zu].base64Content is not base64", i);
		} else {
			/* EVP_DecodeBlock counts padding as data. */
			while (n > 0 && b64[n - 1] == '=' && len > 0)
				n--, len--;
			rc = write_file_all(full, data, (size_t)len,
				json_is_true(json_object_get(f, "executable")) ? 0755 : 0644, err);
		}
		free(data);
		free(full);
		if (rc != 0)
			break;
	}
	return rc;
}

static json_t *read_back(const char *root, struct sh_err *err, int *rc)
{
	json_t *entries = list_tree(root), *e, *out = json_array();
	size_t i, total = 0;

	*rc = 0;
	json_array_foreach(entries, i, e) {
		const char *rel = json_string_value(e);
		char *full, *data = NULL, *b64;
		size_t len = 0;
		struct stat sb;

		if (rel[strlen(rel) - 1] == '/')
			continue;
		full = sh_asprintf("%s/%s", root, rel);
		if (lstat(full, &sb) == 0 && S_ISREG(sb.st_mode) &&
			(*rc = read_file_all(full, DRY_FILES_LIMIT, &data, &len, err)) == 0) {
			total += len;
			if (total > DRY_FILES_LIMIT)
				*rc = sh_err_set(err, SH_ETOOLARGE, "the dry run produced more than %u bytes",
					DRY_FILES_LIMIT);
			b64 = sh_malloc(len / 3 * 4 + 8);
			EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)data, (int)len);
			json_array_append_new(out, json_pack("{s:s,s:b,s:s}", "path", rel, "executable",
				(sb.st_mode & 0111) != 0, "base64Content", b64));
			free(b64);
		}
		free(data);
		free(full);
		if (*rc != 0)
			break;
	}
	json_decref(entries);
	return out;
}

static int dry_run(struct scaffolder *sc, struct dry_job *job, json_t **result, struct sh_err *err)
{
	char *tdir = make_temp_dir(sc->work_root, "dry-template-", err), *ws = NULL, *base = NULL;
	char *root = NULL;
	struct log_sink sink = { json_array() };
	atomic_bool cancel = false;
	json_t *spec = NULL, *output = NULL, *files = NULL;
	int rc = SH_EINTERNAL;

	if (tdir == NULL || (ws = make_temp_dir(sc->work_root, "dry-workspace-", err)) == NULL)
		goto done;
	if ((rc = write_posted_files(tdir, job->files, err)) != 0)
		goto done;
	/* Relative urls resolve among the posted files or, when none were
	 * posted, where the stored template of that name lives. */
	base = job->base ? sh_strdup(job->base) : sh_asprintf("%s/", tdir);
	root = job->base ? source_local_root(job->base) : sh_strdup(tdir);
	spec = template_task_spec(job->template, "template:default/dry-run", base, job->values,
		job->user);
	{
		struct run_params p = { "dry-run", spec, job->secrets, NULL, ws, base, root, true,
			&cancel, { collect, &sink }, NULL, NULL };
		(void)run_task(sc, &p, &output); /* the log says how it went */
	}
	files = read_back(ws, err, &rc);
	if (rc == 0)
		*result = json_pack("{s:O,s:O,s:o,s:O}", "log", sink.log, "directoryContents", files,
			"output", output ? output : json_object(), "steps", json_object_get(spec, "steps"));
	else
		json_decref(output);
done:
	if (tdir != NULL)
		remove_scratch(tdir);
	if (ws != NULL)
		remove_scratch(ws);
	json_decref(files);
	json_decref(spec);
	json_decref(sink.log);
	free(root);
	free(base);
	free(tdir);
	free(ws);
	return rc;
}

void dry_run_execute(struct scaffolder *sc, struct dry_job *job)
{
	json_t *result = NULL;
	struct sh_err err = { 0, "" };
	int rc = dry_run(sc, job, &result, &err);

	pthread_mutex_lock(&sc->lock);
	job->rc = rc;
	job->err = err;
	job->result = result;
	job->done = true;
	pthread_mutex_unlock(&sc->lock);
	sh_hub_notify(sc->hub, job->topic);
	dry_job_release(sc, job);
}

void dry_job_release(struct scaffolder *sc, struct dry_job *job)
{
	bool last;

	pthread_mutex_lock(&sc->lock);
	last = --job->refs == 0;
	pthread_mutex_unlock(&sc->lock);
	if (!last)
		return;
	json_decref(job->template);
	json_decref(job->values);
	json_decref(job->secrets);
	json_decref(job->files);
	json_decref(job->user);
	json_decref(job->result);
	free(job->base);
	free(job);
}
