/* Private to src/search. */
#ifndef STAGEHAND_SEARCH_INTERNAL_H
#define STAGEHAND_SEARCH_INTERNAL_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "stagehand/http.h"
#include "stagehand/search.h"

#define SEARCH_TYPE_CATALOG "software-catalog"
#define SEARCH_TYPE_TECHDOCS "techdocs"

struct search {
	const struct sh_config *cfg;
	char pre_tag[48], post_tag[48]; /* highlight marks, new per process as Backstage's */
	_Atomic uint64_t indexed;       /* refs reindexed since start */
	/* Answers by request, good until the indexer next commits a change
	 * (generation counts those commits). */
	struct sh_text_cache *answers;
	_Atomic uint64_t generation;
};

/* ---- queries (parse.c) ------------------------------------------------------------------------ */

#define SEARCH_DEFAULT_PAGE 25
#define SEARCH_MAX_FILTERS 8
#define SEARCH_MAX_VALUES 32   /* per filter */
#define SEARCH_MAX_BINDS 320

struct search_filter {
	const char *key;    /* a document field: letters, digits, '_', '-' */
	const char *values[SEARCH_MAX_VALUES];
	size_t n;
};

/* A parsed GET /query (arena strings). */
struct search_query {
	const char *term;   /* trimmed; "" browses */
	const char *match;  /* the FTS5 expression, or NULL to browse */
	const char *types[2];
	size_t n_types;
	struct search_filter filters[SEARCH_MAX_FILTERS];
	size_t n_filters;
	long limit, page;
};

/* The text parameters of a statement, in placeholder order. */
struct search_binds {
	const char *v[SEARCH_MAX_BINDS];
	int n;
};

/* Read Backstage's query parameters (bracket form or repeated); SH_EINPUT
 * with "Invalid query string: …" for anything out of bounds. */
int search_parse(struct search_query *q, struct sh_arena *a, const struct http_query *qs,
	const struct sh_config *cfg, struct sh_err *err) SH_WUR;

/* Which matches a statement covers. Matches come in three tiers, each
 * ordered on its own, so that a page sorts only the tier it falls in:
 * every word in the name or title (ranked), then every word in those or
 * the keywords — kind, type, owner, tags… (in index order: bm25 tells
 * nothing between documents that merely share a tag) — then the rest,
 * which need the body text (ranked). */
enum search_tier {
	SEARCH_ALL,       /* every match (or, without a term, every document) */
	SEARCH_TITLES,
	SEARCH_KEYWORDS,
	SEARCH_TEXT,
};

/* The statements of a query, filling b (heap SQL, arena binds): the count
 * of a tier's matches; a page (limit from offset) of a tier's {type,
 * document, title highlight, text snippet} rows with the highlight marks
 * pre/post (without a term: browsing, tier ignored); the {value, count}
 * rows of a facet (name "type", "kind" or "owner", counted over every
 * match as if its own choice were not made). */
char *search_sql_count(const struct search_query *q, struct sh_arena *a, enum search_tier tier,
	struct search_binds *b);
char *search_sql_page(const struct search_query *q, struct sh_arena *a, enum search_tier tier,
	long limit, long offset, const char *pre, const char *post, struct search_binds *b);
char *search_sql_facet(const struct search_query *q, struct sh_arena *a, const char *name,
	struct search_binds *b);

/* ---- the index (index.c) ---------------------------------------------------------------------- */

/* Replace the documents of ref (an entity ref, lower-case) with what its
 * entity and docs site hold now; none when the entity is gone. Runs inside
 * the caller's transaction. */
int search_reindex_ref(sqlite3 *db, const char *ref, struct sh_err *err);

#endif
