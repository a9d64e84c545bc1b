/* publish:github and publish:github:pull-request. */
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "github.h"
#include "internal.h"

static const char *str(const json_t *in, const char *key)
{
	return json_string_value(json_object_get(in, key));
}

static bool flag(const json_t *in, const char *key, bool dflt)
{
	const json_t *v = json_object_get(in, key);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* "/repos/<owner>/<repo><suffix>" with both names escaped (heap). */
static char *repo_path(const char *owner, const char *repo, const char *suffix)
{
	return gh_path("/repos/", owner, "/", repo, suffix);
}

/* A call whose failure is only worth a warning in the log. */
static void soft_call(struct action_ctx *ac, struct gh *g, const char *method, char *path,
	json_t *body, const char *what)
{
	struct sh_err err = { 0, "" };
	json_t *out = NULL;
	long status;

	if (gh_call(g, method, path, body, &status, &out, &err) != 0)
		action_log(ac, "warn", "Skipping %s: %s", what, err.msg);
	json_decref(out);
	json_decref(body);
	free(path);
}

/* ---- publish:github ------------------------------------------------------------------- */

static void copy_setting(json_t *body, const json_t *in, const char *from, const char *to)
{
	const json_t *v = json_object_get(in, from);

	if (v != NULL)
		json_object_set(body, to, (json_t *)v);
}

static json_t *create_body(const json_t *in, const char *name, bool org)
{
	static const char *const map[][2] = {
		{ "description", "description" }, { "homepage", "homepage" }, { "hasWiki", "has_wiki" },
		{ "hasIssues", "has_issues" }, { "hasProjects", "has_projects" },
		{ "allowMergeCommit", "allow_merge_commit" }, { "allowSquashMerge", "allow_squash_merge" },
		{ "allowRebaseMerge", "allow_rebase_merge" }, { "allowAutoMerge", "allow_auto_merge" },
		{ "allowUpdateBranch", "allow_update_branch" },
		{ "deleteBranchOnMerge", "delete_branch_on_merge" },
		{ "squashMergeCommitTitle", "squash_merge_commit_title" },
		{ "squashMergeCommitMessage", "squash_merge_commit_message" },
	};
	const char *vis = str(in, "repoVisibility") ? str(in, "repoVisibility") : "private";
	json_t *body = json_pack("{s:s,s:b}", "name", name, "private", strcmp(vis, "private") == 0);

	if (org)
		json_object_set_new(body, "visibility", json_string(vis));
	for (size_t i = 0; i < SH_ARRAY_LEN(map); i++)
		copy_setting(body, in, map[i][0], map[i][1]);
	if (org && json_object_get(in, "customProperties"))
		copy_setting(body, in, "customProperties", "custom_properties");
	return body;
}

static int create_repo(struct action_ctx *ac, struct gh *g, const struct gh_repo *r,
	const json_t *in, json_t **repo, struct sh_err *err)
{
	char *path = gh_path("/users/", r->owner, "", NULL, "");
	json_t *user = NULL, *body;
	long status;
	bool org;
	int rc = gh_call(g, "GET", path, NULL, &status, &user, err);

	free(path);
	if (rc != 0) {
		json_decref(user);
		return rc;
	}
	org = strcmp(str(user, "type") ? str(user, "type") : "", "Organization") == 0;
	json_decref(user);
	body = create_body(in, r->repo, org);
	path = org ? gh_path("/orgs/", r->owner, "/repos", NULL, "") : sh_strdup("/user/repos");
	action_log(ac, "info", "Creating repository %s/%s on %s", r->owner, r->repo, r->host);
	rc = gh_call(g, "POST", path, body, &status, repo, err);
	free(path);
	json_decref(body);
	return rc;
}

static void grant_access(struct action_ctx *ac, struct gh *g, const struct gh_repo *r,
	const json_t *in)
{
	const char *access = str(in, "access");
	const json_t *collabs = json_object_get(in, "collaborators"), *c;
	size_t i;

	if (access != NULL && strchr(access, '/') != NULL) {
		char *org = sh_strndup(access, (size_t)(strchr(access, '/') - access));
		char *suffix = repo_path(r->owner, r->repo, "");
		char *p = gh_path("/orgs/", org, "/teams/", strchr(access, '/') + 1, suffix);
		soft_call(ac, g, "PUT", p, json_pack("{s:s}", "permission", "admin"), "team access");
		free(suffix);
		free(org);
	} else if (access != NULL && strcmp(access, r->owner) != 0) {
		char *base = repo_path(r->owner, r->repo, "/collaborators/");
		soft_call(ac, g, "PUT", gh_path(base, access, "", NULL, ""), json_pack("{s:s}", "permission",
			"admin"), "collaborator access");
		free(base);
	}
	json_array_foreach(collabs, i, c) {
		const char *who = str(c, "user") ? str(c, "user") : str(c, "team");
		const char *perm = str(c, "access") ? str(c, "access") : "pull";
		const char *slash = who ? strrchr(who, '/') : NULL;
		if (who == NULL)
			continue;
		who = slash ? slash + 1 : who; /* entity refs become plain names */
		if (str(c, "team") != NULL) {
			char *suffix = repo_path(r->owner, r->repo, "");
			soft_call(ac, g, "PUT", gh_path("/orgs/", r->owner, "/teams/", who, suffix),
				json_pack("{s:s}", "permission", perm), "team collaborator");
			free(suffix);
		} else {
			char *base = repo_path(r->owner, r->repo, "/collaborators/");
			soft_call(ac, g, "PUT", gh_path(base, who, "", NULL, ""), json_pack("{s:s}",
				"permission", perm), "collaborator");
			free(base);
		}
	}
}

static void repo_settings(struct action_ctx *ac, struct gh *g, const struct gh_repo *r,
	const json_t *in)
{
	const json_t *topics = json_object_get(in, "topics"), *t, *vars = json_object_get(in,
		"repoVariables"), *v;
	const char *k;
	size_t i;

	if (json_array_size(topics) > 0) {
		json_t *names = json_array();
		json_array_foreach(topics, i, t) {
			if (json_is_string(t)) {
				char *lower = sh_strdup(json_string_value(t));
				for (char *p = lower; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
				json_array_append_new(names, json_string(lower));
				free(lower);
			}
		}
		soft_call(ac, g, "PUT", repo_path(r->owner, r->repo, "/topics"), json_pack("{s:o}", "names",
			names), "topics");
	}
	json_object_foreach((json_t *)vars, k, v)
		if (json_is_string(v))
			soft_call(ac, g, "POST", repo_path(r->owner, r->repo, "/actions/variables"),
				json_pack("{s:s,s:O}", "name", k, "value", v), "repository variable");
	if (flag(in, "subscribe", false))
		soft_call(ac, g, "PUT", repo_path(r->owner, r->repo, "/subscription"),
			json_pack("{s:b}", "subscribed", 1), "subscription");
}

static json_t *protection_body(const json_t *in)
{
	const json_t *contexts = json_object_get(in, "requiredStatusCheckContexts");
	const json_t *restrictions = json_object_get(in, "restrictions");
	json_t *reviews = json_pack("{s:I,s:b,s:b,s:b}", "required_approving_review_count",
		json_integer_value(json_object_get(in, "requiredApprovingReviewCount")) > 0
		? json_integer_value(json_object_get(in, "requiredApprovingReviewCount")) : 1,
		"require_code_owner_reviews", flag(in, "requireCodeOwnerReviews", false),
		"dismiss_stale_reviews", flag(in, "dismissStaleReviews", false),
		"require_last_push_approval", flag(in, "requireLastPushApproval", false));

	if (json_object_get(in, "bypassPullRequestAllowances"))
		json_object_set(reviews, "bypass_pull_request_allowances",
			json_object_get(in, "bypassPullRequestAllowances"));
	return json_pack("{s:{s:b,s:o},s:b,s:o,s:O,s:b,s:b,s:b}",
		"required_status_checks", "strict", flag(in, "requireBranchesToBeUpToDate", true),
		"contexts", json_is_array(contexts) ? json_incref((json_t *)contexts) : json_array(),
		"enforce_admins", flag(in, "protectEnforceAdmins", true),
		"required_pull_request_reviews", reviews,
		"restrictions", restrictions ? restrictions : json_null(),
		"required_conversation_resolution", flag(in, "requiredConversationResolution", false),
		"required_linear_history", flag(in, "requiredLinearHistory", false),
		"block_creations", 0);
}

static void protect_branch(struct action_ctx *ac, struct gh *g, const struct gh_repo *r,
	const char *branch, const json_t *in)
{
	char *base = repo_path(r->owner, r->repo, "/branches/");
	char *path = gh_path(base, branch, "/protection", NULL, "");
	json_t *body = protection_body(in), *out = NULL;
	struct sh_err err = { 0, "" };
	long status = 0;
	int rc = gh_call(g, "PUT", path, body, &status, &out, &err);

	if (rc != 0 && status == 404) {
		struct timespec ts = { 0, 600 * 1000000L };
		nanosleep(&ts, NULL); /* GitHub may not have indexed the pushed branch yet */
		json_decref(out);
		rc = gh_call(g, "PUT", path, body, &status, &out, &err);
	}
	if (rc != 0)
		action_log(ac, "warn", "Skipping: default branch protection on '%s', %s", branch, err.msg);
	else if (flag(in, "requiredCommitSigning", false)) {
		char *sig = gh_path(base, branch, "/protection/required_signatures", NULL, "");
		soft_call(ac, g, "POST", sig, NULL, "required commit signing");
	}
	json_decref(out);
	json_decref(body);
	free(path);
	free(base);
}

static int push_repo(struct action_ctx *ac, struct gh *g, const json_t *repo, const json_t *in,
	const char *branch, char hash[41], struct sh_err *err)
{
	struct git_push_opts o = { 0 };
	char *dir = path_inside(ac->workspace, str(in, "sourcePath") ? str(in, "sourcePath") : ".", err);
	int rc;

	if (dir == NULL)
		return SH_EINPUT;
	o.dir = dir;
	o.remote_url = str(repo, "clone_url");
	o.branch = branch;
	o.message = str(in, "gitCommitMessage") ? str(in, "gitCommitMessage")
		: ac->sc->default_commit_message;
	o.author_name = str(in, "gitAuthorName") ? str(in, "gitAuthorName") : ac->sc->default_author_name;
	o.author_email = str(in, "gitAuthorEmail") ? str(in, "gitAuthorEmail")
		: ac->sc->default_author_email;
	o.username = "x-access-token";
	o.token = g->token;
	o.timeout_s = 120;
	rc = o.remote_url ? git_commit_and_push(&o, hash, err)
		: sh_err_set(err, SH_EUPSTREAM, "GitHub returned no clone_url for the new repository");
	free(dir);
	return rc;
}

static int publish_github(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	struct gh_repo r;
	struct gh g = { 0 };
	json_t *repo = NULL;
	const char *branch = str(in, "defaultBranch") ? str(in, "defaultBranch") : "main";
	char hash[41] = "";
	int rc;

	if ((rc = gh_parse_repo_url(&r, str(in, "repoUrl"), err)) != 0)
		return rc;
	if ((rc = gh_open(&g, ac->sc->cfg, r.host, str(in, "token"), err)) != 0 ||
		(rc = create_repo(ac, &g, &r, in, &repo, err)) != 0)
		goto done;
	grant_access(ac, &g, &r, in);
	repo_settings(ac, &g, &r, in);
	action_log(ac, "info", "Pushing the workspace to %s (branch %s)", str(repo, "clone_url"), branch);
	if ((rc = push_repo(ac, &g, repo, in, branch, hash, err)) != 0)
		goto done;
	if (flag(in, "protectDefaultBranch", true))
		protect_branch(ac, &g, &r, branch, in);
	json_object_set_new(out, "remoteUrl", json_string(str(repo, "clone_url")));
	json_object_set_new(out, "repoContentsUrl", json_sprintf("%s/blob/%s",
		str(repo, "html_url") ? str(repo, "html_url") : "", branch));
	json_object_set_new(out, "commitHash", json_string(hash));
	action_log(ac, "info", "Pushed commit %s", hash);
done:
	json_decref(repo);
	gh_close(&g);
	gh_repo_dispose(&r);
	return rc;
}

/* ---- publish:github:pull-request ----------------------------------------------------- */

struct pr {
	struct action_ctx *ac;
	struct gh g;
	struct gh_repo r;
	const json_t *in;
	char *base_branch;         /* targetBranchName, else the default branch */
	char *base_commit;
	char *base_tree;
};

static char *b64(const char *data, size_t len)
{
	char *out = sh_malloc(len / 3 * 4 + 8);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
	return out;
}

/* One blob for the file at full; *entry is its tree entry. */
static int add_blob(struct pr *p, const char *full, const char *path, json_t *tree,
	struct sh_err *err)
{
	struct stat sb;
	char *data = NULL, *enc = NULL;
	size_t len = 0;
	json_t *body = NULL, *res = NULL;
	long status;
	const char *mode;
	int rc;

	if (lstat(full, &sb) != 0)
		return sh_err_set(err, SH_EINTERNAL, "cannot read %s", path);
	if (S_ISLNK(sb.st_mode)) {
		char target[4096];
		ssize_t n = readlink(full, target, sizeof(target) - 1);
		if (n < 0)
			return sh_err_set(err, SH_EINTERNAL, "cannot read link %s", path);
		data = sh_strndup(target, (size_t)n);
		len = (size_t)n;
		mode = "120000";
	} else {
		if ((rc = read_file_all(full, 64u << 20, &data, &len, err)) != 0)
			return rc;
		mode = (sb.st_mode & 0111) ? "100755" : "100644";
	}
	enc = b64(data, len);
	body = json_pack("{s:s,s:s}", "content", enc, "encoding", "base64");
	char *rp = repo_path(p->r.owner, p->r.repo, "/git/blobs");
	rc = gh_call(&p->g, "POST", rp, body, &status, &res, err);
	free(rp);
	if (rc == 0)
		json_array_append_new(tree, json_pack("{s:s,s:s,s:s,s:O}", "path", path, "mode", mode,
			"type", "blob", "sha", json_object_get(res, "sha")));
	json_decref(res);
	json_decref(body);
	free(enc);
	free(data);
	return rc;
}

static int tree_entries(struct pr *p, json_t *tree, struct sh_err *err)
{
	const char *source = str(p->in, "sourcePath"), *target = str(p->in, "targetPath");
	char *dir = path_inside(p->ac->workspace, source ? source : ".", err);
	json_t *files, *f, *del = json_object_get(p->in, "filesToDelete");
	size_t i;
	int rc = 0;

	if (dir == NULL)
		return SH_EINPUT;
	if (target != NULL && (target[0] == '/' || strstr(target, "..") != NULL)) {
		free(dir);
		return sh_err_set(err, SH_EINPUT, "targetPath must be a relative path without ..");
	}
	files = list_tree(dir);
	json_array_foreach(files, i, f) {
		const char *rel = json_string_value(f);
		if (rel[strlen(rel) - 1] == '/' || strncmp(rel, ".git/", 5) == 0)
			continue;
		char *full = sh_asprintf("%s/%s", dir, rel);
		char *path = target && target[0] ? sh_asprintf("%s/%s", target, rel) : sh_strdup(rel);
		rc = add_blob(p, full, path, tree, err);
		free(full);
		free(path);
		if (rc != 0)
			break;
	}
	json_array_foreach(del, i, f)
		if (rc == 0 && json_is_string(f))
			json_array_append_new(tree, json_pack("{s:O,s:s,s:s,s:n}", "path", f, "mode", "100644",
				"type", "blob", "sha"));
	json_decref(files);
	free(dir);
	return rc;
}

static int base_of(struct pr *p, struct sh_err *err)
{
	char *path = repo_path(p->r.owner, p->r.repo, "");
	json_t *repo = NULL, *commits = NULL;
	long status;
	int rc = gh_call(&p->g, "GET", path, NULL, &status, &repo, err);

	free(path);
	if (rc == 0 && p->base_branch == NULL)
		p->base_branch = sh_strdup(str(repo, "default_branch") ? str(repo, "default_branch")
			: "main");
	if (rc == 0) {
		char *base = repo_path(p->r.owner, p->r.repo, "/commits?per_page=1&sha=");
		path = gh_path(base, p->base_branch, "", NULL, "");
		free(base);
		rc = gh_call(&p->g, "GET", path, NULL, &status, &commits, err);
		free(path);
	}
	if (rc == 0) {
		const json_t *c = json_array_get(commits, 0);
		const char *sha = str(c, "sha");
		const char *tree = str(json_object_get(json_object_get(c, "commit"), "tree"), "sha");
		if (sha == NULL || tree == NULL)
			rc = sh_err_set(err, SH_EUPSTREAM, "branch %s has no commits", p->base_branch);
		else {
			p->base_commit = sh_strdup(sha);
			p->base_tree = sh_strdup(tree);
		}
	}
	json_decref(commits);
	json_decref(repo);
	return rc;
}

/* Make the tree and commit; *commit is the new commit's sha (heap), NULL
 * when nothing changed. */
static int make_commit(struct pr *p, char **commit, struct sh_err *err)
{
	json_t *tree = json_array(), *res = NULL, *body;
	char *path;
	long status;
	int rc;

	*commit = NULL;
	if ((rc = tree_entries(p, tree, err)) != 0) {
		json_decref(tree);
		return rc;
	}
	body = json_pack("{s:s,s:o}", "base_tree", p->base_tree, "tree", tree);
	path = repo_path(p->r.owner, p->r.repo, "/git/trees");
	rc = gh_call(&p->g, "POST", path, body, &status, &res, err);
	free(path);
	json_decref(body);
	if (rc == 0 && strcmp(str(res, "sha") ? str(res, "sha") : "", p->base_tree) == 0) {
		json_decref(res);
		return 0; /* no change */
	}
	if (rc == 0) {
		const char *msg = str(p->in, "commitMessage") ? str(p->in, "commitMessage")
			: str(p->in, "title");
		body = json_pack("{s:s,s:O,s:[s]}", "message", msg, "tree", json_object_get(res, "sha"),
			"parents", p->base_commit);
		if (str(p->in, "gitAuthorName") || str(p->in, "gitAuthorEmail"))
			json_object_set_new(body, "author", json_pack("{s:s,s:s}", "name",
				str(p->in, "gitAuthorName") ? str(p->in, "gitAuthorName") : p->ac->sc->default_author_name,
				"email", str(p->in, "gitAuthorEmail") ? str(p->in, "gitAuthorEmail")
				: p->ac->sc->default_author_email));
		json_decref(res);
		res = NULL;
		path = repo_path(p->r.owner, p->r.repo, "/git/commits");
		rc = gh_call(&p->g, "POST", path, body, &status, &res, err);
		free(path);
		json_decref(body);
		if (rc == 0)
			*commit = sh_strdup(str(res, "sha") ? str(res, "sha") : "");
	}
	json_decref(res);
	return rc;
}

static int point_branch(struct pr *p, const char *branch, const char *commit, struct sh_err *err)
{
	char *ref = sh_asprintf("refs/heads/%s", branch), *path = repo_path(p->r.owner, p->r.repo,
		"/git/refs");
	json_t *body = json_pack("{s:s,s:s}", "ref", ref, "sha", commit), *res = NULL;
	long status = 0;
	int rc = gh_call(&p->g, "POST", path, body, &status, &res, err);

	if (rc != 0 && status == 422 && flag(p->in, "update", false)) {
		char *base = repo_path(p->r.owner, p->r.repo, "/git/refs/heads/");
		char *upd = gh_path(base, branch, "", NULL, "");
		json_t *force = json_pack("{s:s,s:b}", "sha", commit, "force", 1);
		json_decref(res);
		res = NULL;
		rc = gh_call(&p->g, "PATCH", upd, force, &status, &res, err);
		json_decref(force);
		free(upd);
		free(base);
	}
	json_decref(res);
	json_decref(body);
	free(path);
	free(ref);
	return rc;
}

static int open_pull(struct pr *p, const char *branch, json_t **pull, struct sh_err *err)
{
	char *path = repo_path(p->r.owner, p->r.repo, "/pulls");
	json_t *body = json_pack("{s:s,s:s,s:s,s:s,s:b}", "title", str(p->in, "title"), "head", branch,
		"base", p->base_branch, "body", str(p->in, "description"), "draft",
		flag(p->in, "draft", false));
	long status = 0;
	int rc = gh_call(&p->g, "POST", path, body, &status, pull, err);

	free(path);
	json_decref(body);
	if (rc != 0 && status == 422 && flag(p->in, "update", false)) {
		/* The pull request of this branch exists: reuse it. */
		char *base = repo_path(p->r.owner, p->r.repo, "/pulls?state=open&head=");
		char *head = sh_asprintf("%s:%s", p->r.owner, branch);
		char *q = gh_path(base, head, "", NULL, "");
		json_t *list = NULL;
		json_decref(*pull);
		*pull = NULL;
		rc = gh_call(&p->g, "GET", q, NULL, &status, &list, err);
		if (rc == 0 && json_array_size(list) > 0)
			*pull = json_incref(json_array_get(list, 0));
		else if (rc == 0)
			rc = sh_err_set(err, SH_ECONFLICT, "no open pull request for %s", head);
		json_decref(list);
		free(q);
		free(head);
		free(base);
	}
	return rc;
}

static void pull_extras(struct pr *p, json_int_t number)
{
	const json_t *reviewers = json_object_get(p->in, "reviewers");
	const json_t *teams = json_object_get(p->in, "teamReviewers");
	const json_t *assignees = json_object_get(p->in, "assignees");
	char suffix[64];

	if (json_array_size(reviewers) > 0 || json_array_size(teams) > 0) {
		snprintf(suffix, sizeof(suffix), "/pulls/%lld/requested_reviewers", (long long)number);
		soft_call(p->ac, &p->g, "POST", repo_path(p->r.owner, p->r.repo, suffix),
			json_pack("{s:o,s:o}", "reviewers", reviewers ? json_incref((json_t *)reviewers)
			: json_array(), "team_reviewers", teams ? json_incref((json_t *)teams) : json_array()),
			"requesting reviewers");
	}
	if (json_array_size(assignees) > 0) {
		snprintf(suffix, sizeof(suffix), "/issues/%lld/assignees", (long long)number);
		soft_call(p->ac, &p->g, "POST", repo_path(p->r.owner, p->r.repo, suffix),
			json_pack("{s:O}", "assignees", assignees), "adding assignees");
	}
}

static int pull_request(struct action_ctx *ac, const json_t *in, json_t *out, struct sh_err *err)
{
	struct pr p = { ac, { 0 }, { 0 }, in, NULL, NULL, NULL };
	const char *branch = str(in, "branchName");
	char *commit = NULL;
	json_t *pull = NULL;
	int rc;

	if ((rc = gh_parse_repo_url(&p.r, str(in, "repoUrl"), err)) != 0)
		return rc;
	if (ac->dry_run) {
		action_log(ac, "info", "Performing dry run of creating pull request");
		json_object_set_new(out, "targetBranchName", json_string(str(in, "targetBranchName")
			? str(in, "targetBranchName") : "main"));
		json_object_set_new(out, "remoteUrl", json_sprintf("https://%s/%s/%s/pull/43", p.r.host,
			p.r.owner, p.r.repo));
		json_object_set_new(out, "pullRequestNumber", json_integer(43));
		gh_repo_dispose(&p.r);
		return 0;
	}
	if (str(in, "targetBranchName"))
		p.base_branch = sh_strdup(str(in, "targetBranchName"));
	if ((rc = gh_open(&p.g, ac->sc->cfg, p.r.host, str(in, "token"), err)) != 0 ||
		(rc = base_of(&p, err)) != 0 || (rc = make_commit(&p, &commit, err)) != 0)
		goto done;
	if (commit == NULL && !flag(in, "createWhenEmpty", true)) {
		action_log(ac, "info", "No changes to the files: not creating a pull request");
		goto done;
	}
	if (commit == NULL)
		commit = sh_strdup(p.base_commit);
	action_log(ac, "info", "Creating pull request from %s into %s", branch, p.base_branch);
	if ((rc = point_branch(&p, branch, commit, err)) != 0 || (rc = open_pull(&p, branch, &pull,
		err)) != 0)
		goto done;
	pull_extras(&p, json_integer_value(json_object_get(pull, "number")));
	json_object_set_new(out, "targetBranchName", json_string(p.base_branch));
	json_object_set(out, "remoteUrl", json_object_get(pull, "html_url"));
	json_object_set(out, "pullRequestNumber", json_object_get(pull, "number"));
done:
	json_decref(pull);
	free(commit);
	free(p.base_branch);
	free(p.base_commit);
	free(p.base_tree);
	gh_close(&p.g);
	gh_repo_dispose(&p.r);
	return rc;
}

#define GH_TOKEN_PROP "\"token\":{\"type\":\"string\",\"title\":\"Authentication Token\"," \
	"\"description\":\"The token to use for authorization to GitHub\"}"

const struct action actions_github[] = {
	{ "publish:github", "Initializes a git repository of contents in workspace and publishes it "
		"to GitHub.",
		"{\"type\":\"object\",\"required\":[\"repoUrl\"],\"properties\":{"
		"\"repoUrl\":{\"title\":\"Repository Location\",\"description\":\"Accepts the format "
		"'github.com?repo=reponame&owner=owner' where 'reponame' is the new repository name and "
		"'owner' is an organization or username\",\"type\":\"string\"},"
		"\"description\":{\"title\":\"Repository Description\",\"type\":\"string\"},"
		"\"homepage\":{\"title\":\"Repository Homepage\",\"type\":\"string\"},"
		"\"access\":{\"title\":\"Repository Access\",\"description\":\"Sets an admin collaborator "
		"on the repository. Can either be a user reference or a team reference.\",\"type\":\"string\"},"
		"\"defaultBranch\":{\"title\":\"Default Branch\",\"type\":\"string\",\"description\":"
		"\"Sets the default branch on the repository. The default value is 'main'\"},"
		"\"protectDefaultBranch\":{\"title\":\"Protect Default Branch\",\"type\":\"boolean\"},"
		"\"protectEnforceAdmins\":{\"title\":\"Enforce Admins On Protected Branches\",\"type\":\"boolean\"},"
		"\"deleteBranchOnMerge\":{\"type\":\"boolean\"},\"gitCommitMessage\":{\"type\":\"string\"},"
		"\"gitAuthorName\":{\"type\":\"string\"},\"gitAuthorEmail\":{\"type\":\"string\"},"
		"\"allowMergeCommit\":{\"type\":\"boolean\"},\"allowSquashMerge\":{\"type\":\"boolean\"},"
		"\"squashMergeCommitTitle\":{\"type\":\"string\",\"enum\":[\"PR_TITLE\",\"COMMIT_OR_PR_TITLE\"]},"
		"\"squashMergeCommitMessage\":{\"type\":\"string\",\"enum\":[\"PR_BODY\",\"COMMIT_MESSAGES\",\"BLANK\"]},"
		"\"allowRebaseMerge\":{\"type\":\"boolean\"},\"allowAutoMerge\":{\"type\":\"boolean\"},"
		"\"allowUpdateBranch\":{\"type\":\"boolean\"},\"sourcePath\":{\"type\":\"string\","
		"\"description\":\"Path within the workspace that will be used as the repository root.\"},"
		"\"requireCodeOwnerReviews\":{\"type\":\"boolean\"},\"dismissStaleReviews\":{\"type\":\"boolean\"},"
		"\"bypassPullRequestAllowances\":{\"type\":\"object\"},"
		"\"requiredApprovingReviewCount\":{\"type\":\"number\"},"
		"\"restrictions\":{\"type\":\"object\"},"
		"\"requiredStatusCheckContexts\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
		"\"requireBranchesToBeUpToDate\":{\"type\":\"boolean\"},"
		"\"requiredConversationResolution\":{\"type\":\"boolean\"},"
		"\"requireLastPushApproval\":{\"type\":\"boolean\"},"
		"\"repoVisibility\":{\"title\":\"Repository Visibility\",\"type\":\"string\",\"enum\":"
		"[\"private\",\"public\",\"internal\"]},"
		"\"collaborators\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"access\"],"
		"\"properties\":{\"access\":{\"type\":\"string\"},\"user\":{\"type\":\"string\"},"
		"\"team\":{\"type\":\"string\"}}}},"
		"\"hasProjects\":{\"type\":\"boolean\"},\"hasWiki\":{\"type\":\"boolean\"},"
		"\"hasIssues\":{\"type\":\"boolean\"},"
		"\"topics\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
		"\"repoVariables\":{\"type\":\"object\"},"
		"\"requiredCommitSigning\":{\"type\":\"boolean\"},"
		"\"requiredLinearHistory\":{\"type\":\"boolean\"},"
		"\"customProperties\":{\"type\":\"object\"},"
		"\"subscribe\":{\"type\":\"boolean\"}," GH_TOKEN_PROP "}}",
		"{\"type\":\"object\",\"properties\":{\"remoteUrl\":{\"title\":\"A URL to the repository "
		"with the provider\",\"type\":\"string\"},\"repoContentsUrl\":{\"title\":\"A URL to the "
		"root of the repository\",\"type\":\"string\"},\"commitHash\":{\"title\":\"The git commit "
		"hash of the initial commit\",\"type\":\"string\"}}}", false, publish_github },
	{ "publish:github:pull-request", "Creates a pull request on GitHub with the files of the "
		"workspace.",
		"{\"type\":\"object\",\"required\":[\"repoUrl\",\"title\",\"description\",\"branchName\"],"
		"\"properties\":{"
		"\"repoUrl\":{\"type\":\"string\",\"title\":\"Repository Location\"},"
		"\"branchName\":{\"type\":\"string\",\"title\":\"Branch Name\"},"
		"\"targetBranchName\":{\"type\":\"string\",\"title\":\"Target Branch Name\"},"
		"\"title\":{\"type\":\"string\",\"title\":\"Pull Request Name\"},"
		"\"description\":{\"type\":\"string\",\"title\":\"Pull Request Description\"},"
		"\"draft\":{\"type\":\"boolean\",\"title\":\"Create as Draft\"},"
		"\"sourcePath\":{\"type\":\"string\",\"title\":\"Working Subdirectory\"},"
		"\"targetPath\":{\"type\":\"string\",\"title\":\"Repository Subdirectory\"},"
		"\"reviewers\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
		"\"teamReviewers\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
		"\"assignees\":{\"type\":\"array\",\"maxItems\":10,\"items\":{\"type\":\"string\"}},"
		"\"commitMessage\":{\"type\":\"string\"},\"update\":{\"type\":\"boolean\"},"
		"\"createWhenEmpty\":{\"type\":\"boolean\"},"
		"\"filesToDelete\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
		"\"gitAuthorName\":{\"type\":\"string\"},\"gitAuthorEmail\":{\"type\":\"string\"},"
		GH_TOKEN_PROP "}}",
		"{\"type\":\"object\",\"required\":[\"remoteUrl\"],\"properties\":{"
		"\"targetBranchName\":{\"type\":\"string\"},\"remoteUrl\":{\"type\":\"string\"},"
		"\"pullRequestNumber\":{\"type\":\"number\"}}}", true, pull_request },
};
const size_t actions_github_n = SH_ARRAY_LEN(actions_github);
