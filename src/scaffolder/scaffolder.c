/* The scaffolder's lifetime: settings, recovery of interrupted tasks,
 * workers. */
#include <string.h>

#include "internal.h"

int scaffolder_new(struct scaffolder **out, const struct sh_config *cfg, struct db_pool *pool,
	struct catalog *catalog, struct sh_hub *hub, struct sh_err *err)
{
	struct scaffolder *sc = sh_calloc(1, sizeof(*sc));
	pthread_condattr_t ca;
	int rc;

	git_global_init();
	sc->cfg = cfg;
	sc->pool = pool;
	sc->catalog = catalog;
	sc->hub = hub;
	sc->work_root = sh_asprintf("%s/scaffolder", cfg->data_dir);
	sc->actions_json = actions_list();
	sc->default_parameters = json_incref(cfg->scaffolder_env_parameters);
	sc->default_secrets = json_incref(cfg->scaffolder_env_secrets);
	sc->default_author_name = cfg->scaffolder_author_name;
	sc->default_author_email = cfg->scaffolder_author_email;
	sc->default_commit_message = cfg->scaffolder_commit_message;
	pthread_mutex_init(&sc->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sc->wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = sh_mkdirs(sc->work_root, 0700, err)) != 0 || (rc = recover_tasks(sc, err)) != 0) {
		scaffolder_free(sc);
		return rc;
	}
	clean_work_root(sc, true);
	sc->next_clean_ns = sh_now_ns() + 600ull * 1000000000ull;
	if ((rc = workers_start(sc, (int)cfg->scaffolder_concurrency, err)) != 0) {
		scaffolder_free(sc);
		return rc;
	}
	*out = sc;
	return 0;
}

void scaffolder_free(struct scaffolder *sc)
{
	struct dry_job *j;

	if (sc == NULL)
		return;
	workers_stop(sc);
	while ((j = sc->dry_head) != NULL) {
		sc->dry_head = j->next;
		j->done = true;
		j->rc = SH_EUNAVAILABLE;
		snprintf(j->err.msg, sizeof(j->err.msg), "The server is shutting down");
		sh_hub_notify(sc->hub, j->topic);
		dry_job_release(sc, j);
	}
	while (sc->live != NULL) {
		struct live_task *t = sc->live;
		sc->live = t->next;
		json_decref(t->secrets);
		free(t);
	}
	json_decref(sc->actions_json);
	json_decref(sc->default_parameters);
	json_decref(sc->default_secrets);
	pthread_cond_destroy(&sc->wake);
	pthread_mutex_destroy(&sc->lock);
	free(sc->work_root);
	free(sc);
	git_global_shutdown();
}
