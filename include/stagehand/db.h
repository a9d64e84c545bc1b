/*
 * db: the SQLite store. A fixed pool of connections (WAL, foreign keys,
 * busy timeout, opened SQLITE_OPEN_NOMUTEX) that threads check out for the
 * length of one request or one job, and the migrations runner.
 */
#ifndef STAGEHAND_DB_H
#define STAGEHAND_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stagehand/util.h"

struct db_pool;

/* One schema step: name is "NNNN_what.sql", sql its text. */
struct db_migration {
	const char *name;
	const char *sql;
};

/* The migrations built into the binary from migrations/, in order. */
extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

/* Open an existing or new database file with n connections. The caller owns
 * *out and releases it with db_pool_free. */
int db_pool_open(struct db_pool **out, const char *path, int n, struct sh_err *err) SH_WUR;

/* Close every connection; all must have been released. NULL is fine. */
void db_pool_free(struct db_pool *pool);

/* Check a connection out, waiting while all are busy. Never NULL. The
 * connection is the caller's until db_release. */
sqlite3 *db_acquire(struct db_pool *pool);
void db_release(struct db_pool *pool, sqlite3 *db);

/*
 * Apply, in order and each in its own transaction, the migrations not yet
 * recorded in schema_migrations. A failing one is rolled back and named in
 * err with SQLite's message ("0002_x.sql: near ...: syntax error"); the
 * ones before it stay applied. A database with migrations this binary does
 * not know is refused.
 */
int db_migrate(sqlite3 *db, const struct db_migration *m, size_t n, struct sh_err *err) SH_WUR;

/*
 * A prepared statement for sql on db (a pool connection), cached per
 * connection by the address of sql, which must be a string that lives as
 * long as the process (a literal). Reset and without bindings; the caller
 * resets it again when done (sqlite3_reset) and never finalizes it. NULL
 * when it cannot be prepared (sqlite3_errmsg(db) says why).
 */
sqlite3_stmt *db_stmt(struct db_pool *pool, sqlite3 *db, const char *sql);

/* Prepare a connection for a large write (a 128 MiB page cache), or return
 * it to normal (8 MiB, memory given back). Checkpoints never run on a pool
 * connection: a thread of the pool's own copies the WAL into the database
 * file once it passes 1,000 pages, without blocking readers or writers. */
void db_bulk(sqlite3 *db, bool bulk);

/* Between the transactions of a long series of writes on db (outside any
 * transaction): if the WAL has grown past 256 MiB — while a writer keeps
 * appending, background checkpoints never catch up with its end — copy the
 * rest into the database file and start the WAL over. Resets any statement
 * of db still stepping. */
void db_bound_wal(struct db_pool *pool, sqlite3 *db);

/* A number that changes after every commit on any of the pool's
 * connections (counted once the commit is visible to readers). A value read
 * before a query and unchanged afterwards means nothing was written since:
 * what the query read is still current. */
uint64_t db_generation(struct db_pool *pool);

/* Bytes the database file uses (page_count * page_size), or -1. */
int64_t db_size_bytes(sqlite3 *db);

/* Run a statement with no result rows. SH_EUNAVAILABLE when other writers
 * held the database past the busy timeout, SH_EINTERNAL for other errors. */
int db_exec(sqlite3 *db, const char *sql, struct sh_err *err) SH_WUR;

/* Roll back the open transaction after an error that is the one to report;
 * a failure to roll back is logged. */
void db_rollback(sqlite3 *db);

#endif
