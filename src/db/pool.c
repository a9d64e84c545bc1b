#include "stagehand/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 64
#define CHECKPOINT_PAGES 1000   /* WAL pages that wake the checkpointer */
#define WAL_BOUND_PAGES 16384   /* 256 MiB of 16 KiB pages: db_bound_wal restarts it */

/* Prepared statements of one connection, keyed by the address of their
 * (static) SQL text. Only the thread holding the connection touches it. */
struct stmt_cache {
	const char *sql[STMT_CACHE];
	sqlite3_stmt *st[STMT_CACHE];
	int n;
};

struct db_pool {
	pthread_mutex_t lock;   /* guards free_conns and n_free */
	pthread_cond_t available;
	sqlite3 **all;
	sqlite3 **free_conns;
	struct stmt_cache *caches;  /* one per connection, as in all[] */
	int n;
	int n_free;
	/* Checkpoints run on a thread of their own, on a connection of their
	 * own, so that no writer ever waits for one (see on_wal). */
	pthread_t checkpointer;
	sqlite3 *checkpoint_db;
	pthread_cond_t checkpoint_wanted;
	bool want_checkpoint, stopping;   /* guarded by lock */
	_Atomic int wal_pages;            /* the WAL's size after the last commit */
	_Atomic uint64_t generation;      /* commits so far (db_generation) */
};

int db_exec(sqlite3 *db, const char *sql, struct sh_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc == SQLITE_OK)
		return 0;
	sqlite3_free(msg);
	if ((rc & 0xff) == SQLITE_BUSY) /* other writers held the lock past the busy timeout */
		return sh_err_set(err, SH_EUNAVAILABLE, "The database is busy with other writes; try again");
	return sh_err_set(err, SH_EINTERNAL, "%s", sqlite3_errmsg(db));
}

static int open_one(sqlite3 **out, const char *path, struct sh_err *err)
{
	static const char setup[] =
		/* For a new database: 16 KiB pages make the catalog's large
		 * indexes shallower; a bulk ingest runs about 15% faster than
		 * with 4 KiB. An existing file keeps its page size. */
		"PRAGMA page_size=16384;"
		"PRAGMA journal_mode=WAL;"
		/* A WAL that grew during a bulk write shrinks back once copied. */
		"PRAGMA journal_size_limit=67108864;"
		"PRAGMA synchronous=NORMAL;"
		"PRAGMA foreign_keys=ON;"
		"PRAGMA temp_store=MEMORY;"
		/* A modest private page cache per connection; the OS page cache
		 * does the rest. Large writes widen it for their duration
		 * (db_bulk). */
		"PRAGMA cache_size=-8192;";
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		sh_err_set(err, SH_EINTERNAL, "%s: cannot open database: %s", path,
			db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return SH_EINTERNAL;
	}
	sqlite3_busy_timeout(db, 5000);
	if (db_exec(db, setup, err) != 0) {
		sh_err_prefix(err, "%s", path);
		sqlite3_close(db);
		return SH_EINTERNAL;
	}
	*out = db;
	return 0;
}

/* After each commit: a WAL past CHECKPOINT_PAGES wakes the checkpointer.
 * Registering this hook also turns SQLite's own checkpoint-on-commit off,
 * which would make the committing thread copy the whole WAL — after a bulk
 * write, hundreds of megabytes. */
static int on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct db_pool *p = arg;

	atomic_store(&p->wal_pages, pages);
	atomic_fetch_add(&p->generation, 1);
	if (pages >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&p->lock);
		p->want_checkpoint = true;
		pthread_cond_signal(&p->checkpoint_wanted);
		pthread_mutex_unlock(&p->lock);
	}
	return SQLITE_OK;
}

/* PASSIVE checkpoints never block readers or writers: they copy what no
 * reader still needs, and the WAL starts over once all of it is copied. */
static void *checkpoint_loop(void *arg)
{
	struct db_pool *p = arg;
	int rc;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->want_checkpoint && !p->stopping)
			pthread_cond_wait(&p->checkpoint_wanted, &p->lock);
		if (p->stopping)
			break;
		p->want_checkpoint = false;
		pthread_mutex_unlock(&p->lock);
		rc = sqlite3_wal_checkpoint_v2(p->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
			NULL, NULL);
		(void)rc; /* busy or not, the next commit asks again */
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int db_pool_open(struct db_pool **out, const char *path, int n, struct sh_err *err)
{
	struct db_pool *p = sh_calloc(1, sizeof(*p));
	int rc;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->available, NULL);
	pthread_cond_init(&p->checkpoint_wanted, NULL);
	p->all = sh_calloc((size_t)n, sizeof(sqlite3 *));
	p->caches = sh_calloc((size_t)n, sizeof(*p->caches));
	p->free_conns = sh_calloc((size_t)n, sizeof(sqlite3 *));
	for (int i = 0; i < n; i++) {
		if ((rc = open_one(&p->all[i], path, err)) != 0) {
			p->n = i;
			db_pool_free(p);
			return rc;
		}
		p->free_conns[i] = p->all[i];
		p->n = i + 1;
	}
	p->n_free = n;
	if ((rc = open_one(&p->checkpoint_db, path, err)) != 0) {
		db_pool_free(p);
		return rc;
	}
	if (pthread_create(&p->checkpointer, NULL, checkpoint_loop, p) != 0) {
		sqlite3_close_v2(p->checkpoint_db);
		p->checkpoint_db = NULL;
		db_pool_free(p);
		return sh_err_set(err, SH_EINTERNAL, "%s: cannot start the checkpoint thread", path);
	}
	for (int i = 0; i < n; i++)
		sqlite3_wal_hook(p->all[i], on_wal, p);
	*out = p;
	return 0;
}

void db_pool_free(struct db_pool *p)
{
	if (p == NULL)
		return;
	if (p->checkpoint_db != NULL) {
		pthread_mutex_lock(&p->lock);
		p->stopping = true;
		pthread_cond_signal(&p->checkpoint_wanted);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->checkpointer, NULL);
		sqlite3_close_v2(p->checkpoint_db);
	}
	for (int i = 0; i < p->n; i++) {
		for (int k = 0; k < p->caches[i].n; k++)
			sqlite3_finalize(p->caches[i].st[k]);
		/* A clean close checkpoints the WAL into the main file. */
		sqlite3_close_v2(p->all[i]);
	}
	free(p->caches);
	pthread_cond_destroy(&p->checkpoint_wanted);
	pthread_cond_destroy(&p->available);
	pthread_mutex_destroy(&p->lock);
	free(p->all);
	free(p->free_conns);
	free(p);
}

sqlite3 *db_acquire(struct db_pool *p)
{
	sqlite3 *db;

	pthread_mutex_lock(&p->lock);
	while (p->n_free == 0)
		pthread_cond_wait(&p->available, &p->lock);
	db = p->free_conns[--p->n_free];
	pthread_mutex_unlock(&p->lock);
	return db;
}

void db_release(struct db_pool *p, sqlite3 *db)
{
	if (db == NULL)
		return;
	/* A statement left stepping keeps its read transaction, and with it a
	 * snapshot that the next user of this connection would read from. */
	for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st != NULL; st = sqlite3_next_stmt(db, st)) {
		if (sqlite3_stmt_busy(st)) {
			log_warn("db: statement left stepping: %.60s", sqlite3_sql(st));
			sqlite3_reset(st);
		}
	}
	if (!sqlite3_get_autocommit(db)) {
		/* A caller left a transaction open: never hand that on. */
		int rc = sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		(void)rc; /* nothing more can be done; the next BEGIN will tell */
	}
	pthread_mutex_lock(&p->lock);
	p->free_conns[p->n_free++] = db;
	pthread_cond_signal(&p->available);
	pthread_mutex_unlock(&p->lock);
}

void db_bulk(sqlite3 *db, bool bulk)
{
	int rc = sqlite3_exec(db, bulk ? "PRAGMA cache_size=-131072" : "PRAGMA cache_size=-8192",
		NULL, NULL, NULL);

	(void)rc; /* all advice: failing to set it changes nothing else */
	if (!bulk)
		sqlite3_db_release_memory(db);
}

uint64_t db_generation(struct db_pool *p)
{
	return atomic_load(&p->generation);
}

void db_bound_wal(struct db_pool *p, sqlite3 *db)
{
	int rc;

	if (atomic_load(&p->wal_pages) < WAL_BOUND_PAGES)
		return;
	/* A statement left stepping holds a read of the old frames. */
	for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st != NULL; st = sqlite3_next_stmt(db, st))
		if (sqlite3_stmt_busy(st))
			sqlite3_reset(st);
	/* Waits (busy timeout) for the checkpointer and for readers of old
	 * frames, copies what is left and makes the next write start the WAL
	 * over; journal_size_limit then shrinks the file. */
	rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	if (rc == SQLITE_OK)
		atomic_store(&p->wal_pages, 0);
	else
		log_warn("db: cannot restart the WAL (%s); it keeps growing for now", sqlite3_errstr(rc));
}

sqlite3_stmt *db_stmt(struct db_pool *p, sqlite3 *db, const char *sql)
{
	struct stmt_cache *c = NULL;
	sqlite3_stmt *st = NULL;

	for (int i = 0; i < p->n; i++)
		if (p->all[i] == db)
			c = &p->caches[i];
	for (int k = 0; c != NULL && k < c->n; k++) {
		if (c->sql[k] == sql) {
			sqlite3_reset(c->st[k]);
			sqlite3_clear_bindings(c->st[k]);
			return c->st[k];
		}
	}
	if (c == NULL || c->n == STMT_CACHE) {
		log_error("db: statement cache full; raise STMT_CACHE (%d)", STMT_CACHE);
		return NULL;
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	c->sql[c->n] = sql;
	c->st[c->n++] = st;
	return st;
}

int64_t db_size_bytes(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int64_t size = -1;

	if (sqlite3_prepare_v2(db,
		"SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
		-1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		size = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return size;
}

void db_rollback(sqlite3 *db)
{
	if (sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_error("db: rollback failed: %s", sqlite3_errmsg(db));
}
