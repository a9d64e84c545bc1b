/*
 * notify: notifications for users (Backstage's notifications backend).
 *
 * Senders (the scaffolder's notification:send) address users, groups (their
 * members, down the group tree) or any other entity (its owner), or
 * everyone (a broadcast); users read theirs and broadcasts through
 * /api/notifications.
 */
#ifndef STAGEHAND_NOTIFY_H
#define STAGEHAND_NOTIFY_H

#include <jansson.h>
#include <sqlite3.h>

#include "stagehand/util.h"

struct http_req;

/*
 * Send payload ({title, description?, link?, severity?, topic?, scope?,
 * icon?, metadata?}) from origin to recipients ({type: "broadcast"} or
 * {type: "entity", entityRef: ref or [refs], excludeEntityRef?}), in one
 * transaction on db. A notification of the same origin and scope that a
 * user has already is updated in place (and becomes unread). *out (may be
 * NULL) receives the stored notifications (new reference). SH_EINPUT for
 * a missing title or recipients.
 */
int notify_send(sqlite3 *db, const char *origin, const json_t *recipients, const json_t *payload,
	json_t **out, struct sh_err *err) SH_WUR;

/* REST handlers (routes.c). */
int notify_get_list(struct http_req *req, struct sh_err *err);
int notify_get_status(struct http_req *req, struct sh_err *err);
int notify_get_topics(struct http_req *req, struct sh_err *err);
int notify_get_one(struct http_req *req, struct sh_err *err);
int notify_post_update(struct http_req *req, struct sh_err *err);

#endif
