/* The single-entity cache: an entry is served only for its own key and the
 * generation it was read at; a colliding key replaces it. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../harness.h"
#include "stagehand/util.h"

static void test_textcache__hit_at_the_same_generation_only(void **state)
{
	struct sh_text_cache *c = sh_text_cache_new(16);
	struct sh_arena *a = sh_arena_new();
	size_t len = 0;
	const char *got;

	(void)state;
	assert_null(sh_text_cache_get(c, a, "r:component:default/x", 1, &len));
	sh_text_cache_put(c, "r:component:default/x", "{\"a\":1}", 7, 1);
	got = sh_text_cache_get(c, a, "r:component:default/x", 1, &len);
	assert_non_null(got);
	assert_string_equal(got, "{\"a\":1}");
	assert_int_equal(len, 7);
	assert_null(sh_text_cache_get(c, a, "r:component:default/x", 2, &len)); /* a commit since */
	assert_null(sh_text_cache_get(c, a, "u:component:default/x", 1, &len)); /* another key */
	sh_text_cache_put(c, "r:component:default/x", "{\"a\":2}", 7, 2);
	assert_string_equal(sh_text_cache_get(c, a, "r:component:default/x", 2, &len), "{\"a\":2}");
	sh_arena_free(a);
	sh_text_cache_free(c);
}

static void test_textcache__a_colliding_key_replaces_the_entry(void **state)
{
	struct sh_text_cache *c = sh_text_cache_new(1); /* every key in one slot */
	struct sh_arena *a = sh_arena_new();
	size_t len;

	(void)state;
	sh_text_cache_put(c, "r:a", "A", 1, 5);
	sh_text_cache_put(c, "r:b", "B", 1, 5);
	assert_null(sh_text_cache_get(c, a, "r:a", 5, &len));
	assert_string_equal(sh_text_cache_get(c, a, "r:b", 5, &len), "B");
	sh_arena_free(a);
	sh_text_cache_free(c);
}

struct hammer {
	struct sh_text_cache *c;
	int id;
};

static void *hammer(void *arg)
{
	struct hammer *h = arg;
	struct sh_arena *a = sh_arena_new();
	char key[32], text[32];
	size_t len;

	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "r:%d", i % 97);
		snprintf(text, sizeof(text), "entity %d", i % 97);
		if (i % 3 == h->id % 3)
			sh_text_cache_put(h->c, key, text, strlen(text), 1);
		const char *got = sh_text_cache_get(h->c, a, key, 1, &len);
		if (got != NULL && strcmp(got, text) != 0)
			return (void *)1;
	}
	sh_arena_free(a);
	return NULL;
}

static void test_textcache__threads_see_whole_entries(void **state)
{
	struct sh_text_cache *c = sh_text_cache_new(64);
	struct hammer h[4];
	pthread_t t[4];
	void *bad;

	(void)state;
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){ c, i };
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &h[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	sh_text_cache_free(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textcache__hit_at_the_same_generation_only),
		cmocka_unit_test(test_textcache__a_colliding_key_replaces_the_entry),
		cmocka_unit_test(test_textcache__threads_see_whole_entries),
	};
	RUN_TESTS(tests, argc, argv);
}
