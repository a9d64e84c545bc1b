/*
 * stagehand's command line: `serve` runs the portal; the other commands are
 * helpers for scripts and CI.
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stagehand/auth.h"
#include "stagehand/catalog.h"
#include "stagehand/config.h"
#include "stagehand/db.h"
#include "stagehand/http.h"
#include "stagehand/jobs.h"
#include "stagehand/scaffolder.h"
#include "stagehand/search.h"
#include "stagehand/techdocs.h"
#include "stagehand/server.h"

#include <sqlite3.h>

#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: stagehand <command> [options]\n"
	"\n"
	"commands:\n"
	"  serve [--config FILE] [--host ADDR] [--port N] [--data-dir DIR]\n"
	"                      run the portal (default: embedded config, http://127.0.0.1:7007)\n"
	"  config-reference    print the configuration reference (Markdown)\n"
	"  catalog validate FILE...\n"
	"                      check catalog-info files; prints file:line: message per\n"
	"                      problem, exits 1 if there is one, 0 when all are valid\n"
	"\n"
	"options:\n"
	"  -c, --config FILE   read FILE instead of the embedded default\n"
	"                      (./stagehand.yaml is read when present and no FILE is given)\n"
	"  -H, --host ADDR     listen address (backend.listen.host)\n"
	"  -p, --port N        listen port (backend.listen.port); 0 picks a free one\n"
	"  -d, --data-dir DIR  database and caches (backend.dataDir)\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n";

static int usage(FILE *out, int code)
{
	fputs(usage_text, out);
	return code;
}

struct serve_opts {
	const char *config;
	const char *host;
	const char *port;
	const char *data_dir;
};

/* ---- serve --------------------------------------------------------------------- */

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int load_config(struct sh_config *cfg, const struct serve_opts *o)
{
	const char *path = o->config;
	struct sh_err err = { 0, "" };

	if (path == NULL && access("stagehand.yaml", F_OK) == 0)
		path = "stagehand.yaml";
	if (config_load(cfg, path, &err) != 0 ||
		(o->host && config_set(cfg, "backend.listen.host", o->host, &err) != 0) ||
		(o->port && config_set(cfg, "backend.listen.port", o->port, &err) != 0) ||
		(o->data_dir && config_set(cfg, "backend.dataDir", o->data_dir, &err) != 0)) {
		fprintf(stderr, "stagehand: %s\n", err.msg);
		config_dispose(cfg);
		return EXIT_USAGE;
	}
	return 0;
}

static int cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static int open_database(struct sh_server *srv, struct sh_err *err)
{
	const struct sh_config *cfg = &srv->cfg;
	int conns = cfg->http_threads > 0 ? (int)cfg->http_threads : cores();
	sqlite3 *db;
	int rc;

	if (mkdir_p(cfg->data_dir) != 0)
		return sh_err_set(err, SH_EINTERNAL, "backend.dataDir: cannot create %s: %m",
			cfg->data_dir);
	srv->db_path = cfg->database_file[0] == '/' ? sh_strdup(cfg->database_file)
		: sh_asprintf("%s/%s", cfg->data_dir, cfg->database_file);
	/* One per HTTP thread, one per worker, and spares for start-up. */
	conns += (cfg->worker_threads > 0 ? (int)cfg->worker_threads : cores()) + 2;
	if ((rc = db_pool_open(&srv->db, srv->db_path, conns, err)) != 0)
		return rc;
	db = db_acquire(srv->db);
	rc = db_migrate(db, db_migrations, db_migrations_count, err);
	db_release(srv->db, db);
	return rc;
}

static void server_dispose(struct sh_server *srv)
{
	scaffolder_free(srv->scaffolder);
	jobs_stop(srv->jobs);
	techdocs_free(srv->techdocs);
	search_free(srv->search);
	catalog_free(srv->catalog);
	sh_hub_free(srv->hub);
	http_static_free(srv->web);
	db_pool_free(srv->db);
	free(srv->db_path);
	config_dispose(&srv->cfg);
}

static int start_workers(struct sh_server *srv, struct sh_err *err)
{
	int n = srv->cfg.worker_threads > 0 ? (int)srv->cfg.worker_threads : cores();
	int rc;

	if ((rc = catalog_new(&srv->catalog, &srv->cfg, srv->db, err)) != 0)
		return rc;
	/* One row per capability that has background work. */
	if ((rc = techdocs_new(&srv->techdocs, &srv->cfg, srv->db, srv->catalog, srv->hub, err)) != 0)
		return rc;
	if ((rc = search_new(&srv->search, &srv->cfg, err)) != 0)
		return rc;
	srv->queues[0] = catalog_jobs_queue(srv->catalog);
	srv->queues[1] = techdocs_jobs_queue(srv->techdocs);
	srv->queues[2] = search_jobs_queue(srv->search);
	rc = jobs_start(&srv->jobs, srv->db, n, srv->queues, 3, err);
	if (rc == 0) {
		catalog_set_jobs(srv->catalog, srv->jobs);
		techdocs_set_jobs(srv->techdocs, srv->jobs);
	}
	if (rc == 0)
		rc = scaffolder_new(&srv->scaffolder, &srv->cfg, srv->db, srv->catalog, srv->hub, err);
	return rc;
}

static int start(struct sh_server *srv, uint64_t t0)
{
	struct sh_err err = { 0, "" };
	enum sh_log_level level = SH_LOG_INFO;

	if (sh_log_level_parse(srv->cfg.log_level, &level) != 0)
		level = SH_LOG_INFO;
	sh_log_init(level, srv->cfg.log_json);
	srv->hub = sh_hub_new();
	if (open_database(srv, &err) != 0 ||
		start_workers(srv, &err) != 0 ||
		http_static_new(&srv->web, srv->cfg.web_root, srv->cfg.fonts_root, &err) != 0 ||
		http_server_start(&srv->http, srv, auth_identify, &err) != 0) {
		log_error("start-up failed: %s", err.msg);
		return 1;
	}
	log_info("stagehand %s listening on http://%s:%u (config: %s, database: %s) ready in %.1fms",
		srv->version, srv->cfg.listen_host, http_server_port(srv->http),
		srv->cfg.file ? srv->cfg.file : "embedded default", srv->db_path,
		(double)(sh_now_ns() - t0) / 1e6);
	return 0;
}

static int wait_for_signal(const sigset_t *set)
{
	int sig = 0;

	while (sigwait(set, &sig) != 0)
		;
	return sig;
}

static int serve(const struct serve_opts *o)
{
	struct sh_server srv = { .version = SH_VERSION };
	uint64_t t0 = sh_now_ns();
	sigset_t set;
	int rc, sig;

	if ((rc = load_config(&srv.cfg, o)) != 0)
		return rc;
	srv.started_unix = (int64_t)time(NULL);
	/* Threads inherit this mask; only the main thread takes the signals. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = start(&srv, t0)) != 0) {
		if (!http_server_stop(srv.http, 0))
			_exit(rc);
		server_dispose(&srv);
		return rc;
	}
	sig = wait_for_signal(&set);
	t0 = sh_now_ns();
	log_info("%s: shutting down", strsignal(sig));
	if (!http_server_stop(srv.http, srv.cfg.shutdown_grace_ms) ||
		!jobs_stop_within(srv.jobs, srv.cfg.shutdown_grace_ms)) {
		/* Something is still running past the grace period. Every write
		 * is one SQLite transaction in WAL mode, so leaving now is as
		 * safe as a crash: the next start recovers a consistent file. */
		log_warn("stopped with work still running after %lldms",
			(long long)srv.cfg.shutdown_grace_ms);
		fflush(stderr);
		_exit(0);
	}
	srv.jobs = NULL;
	server_dispose(&srv);
	log_info("stopped in %.1fms", (double)(sh_now_ns() - t0) / 1e6);
	return 0;
}

/* ---- command line ------------------------------------------------------------------ */

static int parse_serve(int argc, char **argv, struct serve_opts *o)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:H:p:d:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'H': o->host = optarg; break;
		case 'p': o->port = optarg; break;
		case 'd': o->data_dir = optarg; break;
		case 'h': return usage(stdout, -1);
		default: return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "stagehand: unexpected argument '%s'\n", argv[optind]);
		return usage(stderr, EXIT_USAGE);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct serve_opts o = { 0 };
	int rc;

	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("stagehand %s\n", SH_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
		strcmp(argv[1], "help") == 0)
		return usage(stdout, 0);
	if (strcmp(argv[1], "config-reference") == 0 && argc == 2) {
		char *md = config_reference_markdown();
		fputs(md, stdout);
		free(md);
		return 0;
	}
	if (strcmp(argv[1], "catalog") == 0) {
		if (argc < 4 || strcmp(argv[2], "validate") != 0) {
			fprintf(stderr, "stagehand: usage: stagehand catalog validate FILE...\n");
			return EXIT_USAGE;
		}
		return catalog_validate_files(argc - 3, argv + 3);
	}
	if (strcmp(argv[1], "serve") != 0) {
		fprintf(stderr, "stagehand: unknown command or option '%s'\n", argv[1]);
		return usage(stderr, EXIT_USAGE);
	}
	rc = parse_serve(argc - 1, argv + 1, &o);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* SQLite's allocation statistics take a global mutex on every
	 * malloc; nothing reads them. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	rc = serve(&o);
	curl_global_cleanup();
	return rc;
}
