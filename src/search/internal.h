/* Private to src/search. */
#ifndef STAGEHAND_SEARCH_INTERNAL_H
#define STAGEHAND_SEARCH_INTERNAL_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "stagehand/search.h"

#define SEARCH_TYPE_CATALOG "software-catalog"
#define SEARCH_TYPE_TECHDOCS "techdocs"

struct search {
	const struct sh_config *cfg;
	char pre_tag[48], post_tag[48]; /* highlight marks, new per process as Backstage's */
	_Atomic uint64_t indexed;       /* refs reindexed since start */
};

/* Replace the documents of ref (an entity ref, lower-case) with what its
 * entity and docs site hold now; none when the entity is gone. Runs inside
 * the caller's transaction. */
int search_reindex_ref(sqlite3 *db, const char *ref, struct sh_err *err);

#endif
