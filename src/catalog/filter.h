/* Entity filters: the query-string form and the JSON predicate form both
 * parse into one tree, which becomes SQL over catalog_search. Private to
 * src/catalog. */
#ifndef STAGEHAND_CATALOG_FILTER_H
#define STAGEHAND_CATALOG_FILTER_H

#include "internal.h"

/* SQL for the interned id of a bound key (NULL when unknown, which then
 * matches nothing). */
#define KEY_ID_OF "(SELECT id FROM catalog_keys WHERE key = ?)"

enum pred_op { P_ALL, P_ANY, P_NOT, P_MATCH };
enum match_op { M_EQ, M_IN, M_EXISTS, M_PREFIX };

struct pred {
	enum pred_op op;
	struct pred **kids;     /* P_ALL, P_ANY (n), P_NOT (1) */
	size_t n;
	const char *key;        /* P_MATCH, lower-case */
	enum match_op m;
	bool exists;            /* M_EXISTS */
	const char **values;    /* lower-case; M_EQ has 1, M_IN n_values */
	size_t n_values, cap_values;
};

/* A number as JavaScript's String() writes it: the shortest text that
 * reads back as the same double ("0.1", not "0.10000000000000001"). */
const char *sh_number_text(struct sh_arena *a, double d);

/* Bound parameters for generated SQL, in order. */
struct sql_binds {
	const char **v;
	size_t n, cap;
};

/* `filter` query parameters (each "a=b,c"); *out NULL when n == 0. */
int filter_parse_query(struct pred **out, struct sh_arena *a, const char *const *filters,
	size_t n, struct sh_err *err) SH_WUR;

/* A predicate object ({"kind": "component"}, {"$all": [...]}, ...). */
int filter_parse_predicate(struct pred **out, struct sh_arena *a, const json_t *q,
	struct sh_err *err) SH_WUR;

/* Widen every relations.ownedBy condition from an owner to everyone who
 * owns on its behalf: a user's groups and their parent groups. */
int filter_expand_ownership(struct pred *p, sqlite3 *db, struct sh_arena *a,
	struct sh_err *err) SH_WUR;

/* AND of two trees (either may be NULL). */
struct pred *filter_and(struct sh_arena *a, struct pred *x, struct pred *y);

/* The kinds a filter confines itself to (lower-case); n 0: any kind. */
struct kind_scope {
	const char **kinds;
	size_t n;
};

/* Take the kind condition out of *p into scope when the filter as a whole
 * requires it (kind=X at the top, or in every OR branch), so that queries
 * can start from those kinds' rows. A top-level kind leaf is removed from
 * the tree (*p may become NULL); OR branches keep theirs. */
void filter_take_kinds(struct pred **p, struct sh_arena *a, struct kind_scope *scope);

/* The kinds one OR branch names (without changing it); false if it names
 * none. */
bool filter_branch_kinds(struct pred *branch, struct sh_arena *a, struct kind_scope *out);

/* Take an equality (or $in) condition out of *p — p itself, or a child of
 * an AND — to drive a query from its index rows; NULL when there is none. */
struct pred *filter_take_driver(struct pred **p);

/* " AND kindcol IN (...)" for a non-empty scope; nothing otherwise. */
void scope_sql(struct sh_buf *sql, struct sql_binds *b, struct sh_arena *a,
	const struct kind_scope *scope, const char *kindcol);

/* Append a SQL boolean expression over entity id column `idcol` for p
 * (NULL: "1") to sql, its parameters to binds. Each condition is an
 * EXISTS seek on (entity_id, key_id, value). */
void filter_sql(struct sh_buf *sql, struct sql_binds *binds, struct sh_arena *a,
	const struct pred *p, const char *idcol);

void binds_add(struct sql_binds *b, struct sh_arena *a, const char *v);
void binds_apply(sqlite3_stmt *st, const struct sql_binds *b, int first);

/* The tree as a predicate object (for cursors). New reference. */
json_t *filter_to_json(const struct pred *p);

/* Keep only the given dotted paths of entity (new value). */
json_t *fields_project(const json_t *entity, const char *const *fields, size_t n);

/* Parse comma-separated, possibly repeated `fields` values into a list
 * (arena). Any '[' is an error. *n 0 means no projection. */
int fields_parse(const char ***out, size_t *n, struct sh_arena *a, const char *const *params,
	size_t n_params, struct sh_err *err) SH_WUR;

#endif
