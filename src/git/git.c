/*
 * Git through libgit2: commit a workspace and push it, clone a template
 * repository. Deadlines are enforced from libgit2's progress callbacks
 * (libgit2 1.5 has no socket timeouts of its own).
 */
#include <dirent.h>
#include <git2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "stagehand/git.h"

struct remote_ctx {
	const char *username;
	const char *token;
	uint64_t deadline_ns;
	int cred_tries;
	char rejected[256];
};

void git_global_init(void)
{
	git_libgit2_init();
}

void git_global_shutdown(void)
{
	git_libgit2_shutdown();
}

static int git_fail(struct sh_err *err, int code, const char *what)
{
	const git_error *e = git_error_last();

	return sh_err_set(err, code, "%s: %s", what, e && e->message ? e->message : "unknown error");
}

static int credentials(git_credential **out, const char *url, const char *user_from_url,
	unsigned int allowed, void *payload)
{
	struct remote_ctx *rc = payload;

	(void)url;
	if (rc->token == NULL || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) || rc->cred_tries++ > 0)
		return GIT_PASSTHROUGH; /* no (more) credentials: the server's 401 stands */
	return git_credential_userpass_plaintext_new(out,
		rc->username ? rc->username : user_from_url ? user_from_url : "x-access-token", rc->token);
}

static int past_deadline(struct remote_ctx *rc)
{
	if (sh_now_ns() > rc->deadline_ns) {
		git_error_set_str(GIT_ERROR_NET, "timed out");
		return -1;
	}
	return 0;
}

static int on_transfer(const git_indexer_progress *stats, void *payload)
{
	(void)stats;
	return past_deadline(payload);
}

static int on_push_transfer(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	(void)current; (void)total; (void)bytes;
	return past_deadline(payload);
}

static int on_sideband(const char *str, int len, void *payload)
{
	(void)str; (void)len;
	return past_deadline(payload);
}

static int on_update_ref(const char *refname, const char *status, void *payload)
{
	struct remote_ctx *rc = payload;

	if (status != NULL)
		snprintf(rc->rejected, sizeof(rc->rejected), "%s rejected: %s", refname, status);
	return 0;
}

static void callbacks_init(git_remote_callbacks *cb, struct remote_ctx *rc)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials;
	cb->transfer_progress = on_transfer;
	cb->push_transfer_progress = on_push_transfer;
	cb->sideband_progress = on_sideband;
	cb->push_update_reference = on_update_ref;
	cb->payload = rc;
}

static int commit_all(git_repository *repo, const struct git_push_opts *o, git_oid *commit,
	struct sh_err *err)
{
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;
	char *all = "*";
	git_strarray paths = { &all, 1 };
	int rc = 0;

	if (git_repository_index(&index, repo) != 0 ||
		git_index_add_all(index, &paths, GIT_INDEX_ADD_DEFAULT, NULL, NULL) != 0 ||
		git_index_write(index) != 0 || git_index_write_tree(&tree_id, index) != 0 ||
		git_tree_lookup(&tree, repo, &tree_id) != 0) {
		rc = git_fail(err, SH_EINTERNAL, "git add");
		goto done;
	}
	if (git_signature_now(&sig, o->author_name, o->author_email) != 0) {
		rc = git_fail(err, SH_EINPUT, "git author");
		goto done;
	}
	if (git_commit_create(commit, repo, "HEAD", sig, sig, NULL, o->message, tree, 0, NULL) != 0)
		rc = git_fail(err, SH_EINTERNAL, "git commit");
done:
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	return rc;
}

static int push(git_repository *repo, const struct git_push_opts *o, struct sh_err *err)
{
	struct remote_ctx rc = { o->username, o->token,
		sh_now_ns() + (uint64_t)(o->timeout_s > 0 ? o->timeout_s : 60) * 1000000000ull, 0, "" };
	git_remote *remote = NULL;
	git_push_options po;
	char *spec = sh_asprintf("refs/heads/%s:refs/heads/%s", o->branch, o->branch);
	git_strarray specs = { &spec, 1 };
	int res = 0;

	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	callbacks_init(&po.callbacks, &rc);
	if (git_remote_create_anonymous(&remote, repo, o->remote_url) != 0)
		res = git_fail(err, SH_EINPUT, "git remote");
	else if (git_remote_push(remote, &specs, &po) != 0)
		res = git_fail(err, SH_EUPSTREAM, "git push");
	else if (rc.rejected[0] != '\0')
		res = sh_err_set(err, SH_EUPSTREAM, "git push: %s", rc.rejected);
	git_remote_free(remote);
	free(spec);
	return res;
}

/* rm -rf of the .git folder init made (no symlinks inside it). */
static void remove_git_dir(const char *path)
{
	char *child = NULL;
	DIR *d = opendir(path);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		struct stat sb;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		child = sh_asprintf("%s/%s", path, e->d_name);
		if (lstat(child, &sb) == 0 && S_ISDIR(sb.st_mode))
			remove_git_dir(child);
		else if (unlink(child) != 0)
			log_warn("git: cannot remove %s", child);
		free(child);
	}
	closedir(d);
	if (rmdir(path) != 0)
		log_warn("git: cannot remove %s", path);
}

int git_commit_and_push(const struct git_push_opts *o, char out_hash[41], struct sh_err *err)
{
	git_repository_init_options io;
	git_repository *repo = NULL;
	git_oid commit;
	char *head = sh_asprintf("refs/heads/%s", o->branch), *gitdir = NULL;
	int rc;

	git_repository_init_options_init(&io, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	io.flags = GIT_REPOSITORY_INIT_MKPATH;
	io.initial_head = head;
	if (git_repository_init_ext(&repo, o->dir, &io) != 0) {
		rc = git_fail(err, SH_EINTERNAL, "git init");
		goto done;
	}
	if ((rc = commit_all(repo, o, &commit, err)) != 0)
		goto done;
	git_oid_tostr(out_hash, 41, &commit);
	rc = push(repo, o, err);
done:
	git_repository_free(repo);
	/* The tree stays as it was given. */
	gitdir = sh_asprintf("%s/.git", o->dir);
	remove_git_dir(gitdir);
	free(gitdir);
	free(head);
	return rc;
}

static int checkout_ref(git_repository *repo, const char *ref, struct sh_err *err)
{
	git_object *obj = NULL;
	git_checkout_options co;
	int rc = 0;

	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	if (git_revparse_single(&obj, repo, ref) != 0) {
		char *remote = sh_asprintf("origin/%s", ref);
		int r = git_revparse_single(&obj, repo, remote);
		free(remote);
		if (r != 0)
			return sh_err_set(err, SH_ENOTFOUND, "git: no branch, tag or commit named %s", ref);
	}
	if (git_checkout_tree(repo, obj, &co) != 0 ||
		git_repository_set_head_detached(repo, git_object_id(obj)) != 0)
		rc = git_fail(err, SH_EINTERNAL, "git checkout");
	git_object_free(obj);
	return rc;
}

int git_clone_ref(const char *url, const char *ref, const char *dir, const char *token,
	int timeout_s, struct sh_err *err)
{
	struct remote_ctx rc = { NULL, token,
		sh_now_ns() + (uint64_t)(timeout_s > 0 ? timeout_s : 60) * 1000000000ull, 0, "" };
	git_clone_options co;
	git_repository *repo = NULL;
	int res = 0;

	git_clone_options_init(&co, GIT_CLONE_OPTIONS_VERSION);
	callbacks_init(&co.fetch_opts.callbacks, &rc);
	if (git_clone(&repo, url, dir, &co) != 0)
		return git_fail(err, SH_EUPSTREAM, "git clone");
	if (ref != NULL && ref[0] != '\0')
		res = checkout_ref(repo, ref, err);
	git_repository_free(repo);
	return res;
}

bool git_split_tree_url(const char *url, char **repo, char **ref, char **path)
{
	const char *m = strstr(url, "/tree/"), *r, *slash;

	if (m == NULL)
		m = strstr(url, "/blob/");
	if (m == NULL)
		return false;
	r = m + 6;
	slash = strchr(r, '/');
	*repo = sh_strndup(url, (size_t)(m - url));
	*ref = slash ? sh_strndup(r, (size_t)(slash - r)) : sh_strdup(r);
	*path = sh_strdup(slash ? slash + 1 : "");
	return true;
}
