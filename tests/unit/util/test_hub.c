/* The hub: waiters fire once, on their topic, their deadline, or at once
 * when something was notified after the version they saw. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "../harness.h"
#include "stagehand/util.h"

struct seen {
	atomic_int fired;
	atomic_bool timed_out;
};

static void on_fire(void *arg, bool timed_out)
{
	struct seen *s = arg;

	atomic_store(&s->timed_out, timed_out);
	atomic_fetch_add(&s->fired, 1);
}

static void wait_until_fired(struct seen *s)
{
	for (int i = 0; i < 400 && atomic_load(&s->fired) == 0; i++)
		usleep(5000);
}

static void test_hub__notify_wakes_only_its_topic(void **state)
{
	struct sh_hub *h = sh_hub_new();
	struct sh_hub_waiter *a = NULL, *b = NULL;
	struct seen sa = { 0 }, sb = { 0 };
	uint64_t v = sh_hub_version(h);
	uint64_t far = sh_now_ns() + 60ull * 1000000000ull;

	(void)state;
	sh_hub_wait(h, "task:a", v, far, on_fire, &sa, &a);
	sh_hub_wait(h, "task:b", v, far, on_fire, &sb, &b);
	sh_hub_notify(h, "task:a");
	assert_int_equal(atomic_load(&sa.fired), 1);
	assert_false(atomic_load(&sa.timed_out));
	assert_null(a);
	assert_int_equal(atomic_load(&sb.fired), 0);
	assert_non_null(b);
	sh_hub_cancel(h, &b);
	assert_null(b);
	sh_hub_notify(h, "task:b");
	assert_int_equal(atomic_load(&sb.fired), 0);
	sh_hub_free(h);
}

static void test_hub__a_notify_before_the_wait_is_not_missed(void **state)
{
	struct sh_hub *h = sh_hub_new();
	struct sh_hub_waiter *w = NULL;
	struct seen s = { 0 };
	uint64_t v = sh_hub_version(h);

	(void)state;
	sh_hub_notify(h, "other");  /* between the reader's query and its wait */
	sh_hub_wait(h, "task:a", v, sh_now_ns() + 60ull * 1000000000ull, on_fire, &s, &w);
	assert_int_equal(atomic_load(&s.fired), 1);
	assert_null(w);
	sh_hub_free(h);
}

static void test_hub__deadlines_fire_as_timeouts(void **state)
{
	struct sh_hub *h = sh_hub_new();
	struct sh_hub_waiter *w = NULL;
	struct seen s = { 0 };
	uint64_t t0 = sh_now_ns();

	(void)state;
	sh_hub_wait(h, "t", sh_hub_version(h), t0 + 50ull * 1000000ull, on_fire, &s, &w);
	wait_until_fired(&s);
	assert_int_equal(atomic_load(&s.fired), 1);
	assert_true(atomic_load(&s.timed_out));
	assert_true(sh_now_ns() - t0 >= 50ull * 1000000ull);
	assert_null(w);
	sh_hub_free(h);
}

static void test_hub__flush_and_free_fire_everything_once(void **state)
{
	struct sh_hub *h = sh_hub_new();
	struct sh_hub_waiter *w1 = NULL, *w2 = NULL;
	struct seen s1 = { 0 }, s2 = { 0 };
	uint64_t far = sh_now_ns() + 60ull * 1000000000ull;

	(void)state;
	sh_hub_wait(h, "a", sh_hub_version(h), far, on_fire, &s1, &w1);
	sh_hub_flush(h);
	assert_int_equal(atomic_load(&s1.fired), 1);
	assert_true(atomic_load(&s1.timed_out));
	sh_hub_wait(h, "b", sh_hub_version(h), far, on_fire, &s2, &w2);
	sh_hub_free(h);
	assert_int_equal(atomic_load(&s2.fired), 1);
	assert_int_equal(atomic_load(&s1.fired), 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hub__notify_wakes_only_its_topic),
		cmocka_unit_test(test_hub__a_notify_before_the_wait_is_not_missed),
		cmocka_unit_test(test_hub__deadlines_fire_as_timeouts),
		cmocka_unit_test(test_hub__flush_and_free_fire_everything_once),
	};
	RUN_TESTS(tests, argc, argv);
}
