/* Private to src/notify. */
#ifndef STAGEHAND_NOTIFY_INTERNAL_H
#define STAGEHAND_NOTIFY_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "stagehand/db.h"
#include "stagehand/notify.h"

/* The columns of a notification as a viewer sees it (read/saved of a
 * broadcast come from the viewer's own state). ?1 is the viewer. */
#define NOTIFY_VIEW \
	"SELECT n.id, n.user_ref, n.origin, n.scope, n.topic, n.severity, n.title, n.description, " \
	"n.link, n.icon, n.metadata, n.created, n.updated, " \
	"CASE WHEN n.user_ref IS NULL THEN s.read ELSE n.read END AS read, " \
	"CASE WHEN n.user_ref IS NULL THEN s.saved ELSE n.saved END AS saved " \
	"FROM notifications n LEFT JOIN notification_user_state s " \
	"ON s.notification_id = n.id AND s.user_ref = ?1 " \
	"WHERE (n.user_ref = ?1 OR n.user_ref IS NULL)"

/* A row of NOTIFY_VIEW as Backstage's Notification JSON (new reference). */
json_t *notify_row(sqlite3_stmt *st);

/* Notification id as viewer (NULL: as stored, for its own user) sees it,
 * or NULL. New reference. */
json_t *notify_load(sqlite3 *db, const char *id, const char *viewer);

int64_t notify_now_ms(void);

/* Run sql with ?1 bound to a. */
int db_exec_bound(sqlite3 *db, const char *sql, const char *a, struct sh_err *err) SH_WUR;

#endif
