/*
 * The served JSON of recently read entities, keyed by ref or uid, for the
 * single-entity reads (by-name, by-uid). An entry is good only for the
 * database generation it was read at (db_generation): any commit makes
 * every entry stale, so the cache never serves what the database no longer
 * holds. Private to src/catalog; safe to use from every request thread.
 */
#ifndef STAGEHAND_CATALOG_CACHE_H
#define STAGEHAND_CATALOG_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "stagehand/util.h"

struct entity_cache;

/* A cache of slots entries (a power of two), each owning its copy. */
struct entity_cache *entity_cache_new(size_t slots);
void entity_cache_free(struct entity_cache *cache);

/* The text cached under key at generation gen, copied into a (with its
 * length in *len), or NULL. */
const char *entity_cache_get(struct entity_cache *cache, struct sh_arena *a, const char *key,
	uint64_t gen, size_t *len);

/* Remember text under key as read at generation gen (the generation read
 * before the query that produced it). */
void entity_cache_put(struct entity_cache *cache, const char *key, const char *text, size_t len,
	uint64_t gen);

#endif
