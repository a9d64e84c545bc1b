/*
 * The hub: a list of waiters under one lock, and a timer thread that fires
 * the ones whose deadline passed. Waiters are few (one per open event
 * stream or long poll), so lists and linear scans are enough.
 */
#include "stagehand/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sh_hub_waiter {
	struct sh_hub_waiter *next;
	char *topic;
	uint64_t deadline_ns;
	sh_hub_fn fn;
	void *arg;
	struct sh_hub_waiter **slot;
};

struct sh_hub {
	pthread_mutex_t lock;
	pthread_cond_t tick;       /* wakes the timer thread */
	pthread_t timer;
	bool stopping;
	uint64_t version;
	struct sh_hub_waiter *waiters;
};

/* Unlink w (under the lock), clear its slot, run it and free it. */
static void fire(struct sh_hub *h, struct sh_hub_waiter *w, bool timed_out)
{
	struct sh_hub_waiter **p = &h->waiters;

	while (*p != w)
		p = &(*p)->next;
	*p = w->next;
	*w->slot = NULL;
	w->fn(w->arg, timed_out);
	free(w->topic);
	free(w);
}

static void fire_expired(struct sh_hub *h, uint64_t now, uint64_t *next)
{
	struct sh_hub_waiter *w = h->waiters, *nx;

	*next = now + 1000000000ull;
	for (; w != NULL; w = nx) {
		nx = w->next;
		if (w->deadline_ns <= now)
			fire(h, w, true);
		else if (w->deadline_ns < *next)
			*next = w->deadline_ns;
	}
}

static void *timer_main(void *arg)
{
	struct sh_hub *h = arg;
	uint64_t next;

	pthread_mutex_lock(&h->lock);
	while (!h->stopping) {
		uint64_t now = sh_now_ns(), wait;
		struct timespec ts;

		fire_expired(h, now, &next);
		wait = next - now;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(wait / 1000000000ull);
		ts.tv_nsec += (long)(wait % 1000000000ull);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&h->tick, &h->lock, &ts); /* timeouts are the point */
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

struct sh_hub *sh_hub_new(void)
{
	struct sh_hub *h = sh_calloc(1, sizeof(*h));
	pthread_condattr_t ca;

	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->tick, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&h->timer, NULL, timer_main, h) != 0)
		abort(); /* like an allocation failure: nothing sensible to do */
	return h;
}

void sh_hub_free(struct sh_hub *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_signal(&h->tick);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->timer, NULL);
	while (h->waiters != NULL)
		fire(h, h->waiters, true);
	pthread_cond_destroy(&h->tick);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

uint64_t sh_hub_version(struct sh_hub *h)
{
	uint64_t v;

	pthread_mutex_lock(&h->lock);
	v = h->version;
	pthread_mutex_unlock(&h->lock);
	return v;
}

void sh_hub_notify(struct sh_hub *h, const char *topic)
{
	struct sh_hub_waiter *w, *nx;

	pthread_mutex_lock(&h->lock);
	h->version++;
	for (w = h->waiters; w != NULL; w = nx) {
		nx = w->next;
		if (strcmp(w->topic, topic) == 0)
			fire(h, w, false);
	}
	pthread_mutex_unlock(&h->lock);
}

void sh_hub_wait(struct sh_hub *h, const char *topic, uint64_t seen_version,
	uint64_t deadline_ns, sh_hub_fn fn, void *arg, struct sh_hub_waiter **slot)
{
	struct sh_hub_waiter *w = sh_calloc(1, sizeof(*w));

	w->topic = sh_strdup(topic);
	w->deadline_ns = deadline_ns;
	w->fn = fn;
	w->arg = arg;
	w->slot = slot;
	pthread_mutex_lock(&h->lock);
	*slot = w;
	w->next = h->waiters;
	h->waiters = w;
	if (h->version != seen_version)
		fire(h, w, false);
	else
		pthread_cond_signal(&h->tick); /* it may be the earliest deadline */
	pthread_mutex_unlock(&h->lock);
}

void sh_hub_flush(struct sh_hub *h)
{
	pthread_mutex_lock(&h->lock);
	while (h->waiters != NULL)
		fire(h, h->waiters, true);
	pthread_mutex_unlock(&h->lock);
}

void sh_hub_cancel(struct sh_hub *h, struct sh_hub_waiter **slot)
{
	struct sh_hub_waiter **p;

	pthread_mutex_lock(&h->lock);
	if (*slot != NULL) {
		for (p = &h->waiters; *p != *slot; p = &(*p)->next)
			;
		*p = (*slot)->next;
		free((*slot)->topic);
		free(*slot);
		*slot = NULL;
	}
	pthread_mutex_unlock(&h->lock);
}
