/*
 * A direct-mapped table: a key hashes to one slot, which holds the last
 * text stored there. Slots are guarded by a few striped locks, held only
 * to compare and copy.
 */
#include "stagehand/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES 64

struct slot {
	char *key;      /* malloc'ed, or NULL when empty */
	char *text;     /* malloc'ed */
	size_t len;
	uint64_t gen;
};

struct sh_text_cache {
	struct slot *slots;
	size_t mask;
	pthread_mutex_t locks[STRIPES];
};

struct sh_text_cache *sh_text_cache_new(size_t slots)
{
	struct sh_text_cache *c = sh_calloc(1, sizeof(*c));

	c->slots = sh_calloc(slots, sizeof(*c->slots));
	c->mask = slots - 1;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	return c;
}

void sh_text_cache_free(struct sh_text_cache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i <= c->mask; i++) {
		free(c->slots[i].key);
		free(c->slots[i].text);
	}
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->slots);
	free(c);
}

const char *sh_text_cache_get(struct sh_text_cache *c, struct sh_arena *a, const char *key,
	uint64_t gen, size_t *len)
{
	size_t i = sh_str_hash(key) & c->mask;
	pthread_mutex_t *lock = &c->locks[i % STRIPES];
	const struct slot *s = &c->slots[i];
	char *out = NULL;

	pthread_mutex_lock(lock);
	if (s->key != NULL && s->gen == gen && strcmp(s->key, key) == 0) {
		out = sh_arena_alloc(a, s->len + 1);
		memcpy(out, s->text, s->len + 1);
		*len = s->len;
	}
	pthread_mutex_unlock(lock);
	return out;
}

void sh_text_cache_put(struct sh_text_cache *c, const char *key, const char *text, size_t len,
	uint64_t gen)
{
	size_t i = sh_str_hash(key) & c->mask;
	pthread_mutex_t *lock = &c->locks[i % STRIPES];
	struct slot *s = &c->slots[i];
	char *k = sh_strdup(key), *t = sh_malloc(len + 1), *old_key, *old_text;

	memcpy(t, text, len);
	t[len] = '\0';
	pthread_mutex_lock(lock);
	old_key = s->key;
	old_text = s->text;
	*s = (struct slot){ k, t, len, gen };
	pthread_mutex_unlock(lock);
	free(old_key);
	free(old_text);
}
