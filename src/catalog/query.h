/* The catalog's read side (query.c, page.c, api.c); private. */
#ifndef STAGEHAND_CATALOG_QUERY_H
#define STAGEHAND_CATALOG_QUERY_H

#include "filter.h"

struct entity_query {
	struct pred *filter;
	const char **fields;
	size_t n_fields;
};

int prepare(sqlite3_stmt **out, struct http_req *req, const char *sql, struct sh_err *err) SH_WUR;
void append_entity(struct sh_buf *out, const char *text, const struct entity_query *q);
/* `ownership=transitive` (query parameter or body field): widen the
 * relations.ownedBy conditions of filter; "direct" or NULL: leave it. */
int ownership_param(struct pred *filter, struct http_req *req, const char *value,
	struct sh_err *err) SH_WUR;
int parse_common(struct entity_query *q, struct http_req *req, struct sh_err *err) SH_WUR;
/* filter may be modified (its kind condition taken into a scope). */
int facets_respond(struct http_req *req, const char *const *names, size_t n,
	struct pred *filter, struct sh_err *err) SH_WUR;

#endif
