/*
 * git: what the portal does with git repositories, through libgit2 —
 * commit a tree and push it (the scaffolder's publishers), clone a
 * repository at a ref (template and docs sources).
 *
 * Network operations have a deadline, checked from libgit2's progress
 * callbacks (libgit2 1.5 has no socket timeout of its own: a server that
 * accepts the connection and then sends nothing holds the call until it
 * closes). Tokens go into credentials only, never into messages.
 */
#ifndef STAGEHAND_GIT_H
#define STAGEHAND_GIT_H

#include <stdbool.h>

#include "stagehand/util.h"

struct git_push_opts {
	const char *dir;            /* the tree to commit */
	const char *remote_url;
	const char *branch;
	const char *message;
	const char *author_name;
	const char *author_email;
	const char *username;       /* https basic auth; NULL: none */
	const char *token;
	int timeout_s;
};

/* Init a repository in opts->dir, commit everything (honouring
 * .gitignore) as one commit on branch and push it; the .git folder is
 * removed again afterwards. out_hash receives the commit id (41 bytes). */
int git_commit_and_push(const struct git_push_opts *opts, char out_hash[41],
	struct sh_err *err) SH_WUR;

/* Clone url at ref (a branch, tag or commit; NULL: the default branch)
 * into dir (must not exist). token (may be NULL) answers a 401. */
int git_clone_ref(const char *url, const char *ref, const char *dir, const char *token,
	int timeout_s, struct sh_err *err) SH_WUR;

/* Split a repository folder url, <repo>/tree/<ref>/<path> or
 * <repo>/blob/<ref>/<path> (the page urls of GitHub and Gitea; file://
 * and bare paths work the same), into heap strings. False when url has no
 * /tree/ or /blob/ part (nothing is allocated then). */
bool git_split_tree_url(const char *url, char **repo, char **ref, char **path);

/* libgit2's reference-counted set-up and tear-down: pair them. */
void git_global_init(void);
void git_global_shutdown(void);

#endif
