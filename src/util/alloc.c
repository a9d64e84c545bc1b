/* Allocation wrappers, owning buffers and the request arena. */
#include "stagehand/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "stagehand: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sh_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		oom(n);
	return p;
}

void *sh_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (p == NULL)
		oom(count * size);
	return p;
}

void *sh_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		oom(n);
	return q;
}

char *sh_strndup(const char *s, size_t n)
{
	char *p = sh_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sh_strdup(const char *s)
{
	return sh_strndup(s, strlen(s));
}

char *sh_asprintf(const char *fmt, ...)
{
	struct sh_buf b = SH_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	sh_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (b.ptr == NULL)
		return sh_strdup("");
	return sh_buf_detach(&b);
}

/* ---- buffers ---------------------------------------------------------- */

void sh_buf_dispose(struct sh_buf *b)
{
	free(b->ptr);
	*b = SH_BUF_INIT;
}

void sh_buf_reserve(struct sh_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->ptr = sh_realloc(b->ptr, cap);
	b->cap = cap;
}

void sh_buf_put(struct sh_buf *b, const void *data, size_t n)
{
	sh_buf_reserve(b, n);
	if (n > 0)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void sh_buf_puts(struct sh_buf *b, const char *s)
{
	sh_buf_put(b, s, strlen(s));
}

void sh_buf_putc(struct sh_buf *b, char c)
{
	sh_buf_put(b, &c, 1);
}

void sh_buf_vprintf(struct sh_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	sh_buf_reserve(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void sh_buf_printf(struct sh_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sh_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *sh_buf_detach(struct sh_buf *b)
{
	char *p = b->ptr;

	if (p == NULL)
		p = sh_strdup("");
	*b = SH_BUF_INIT;
	return p;
}

/* ---- arena ------------------------------------------------------------ */

#define ARENA_CHUNK 8192
#define ARENA_ALIGN 16

struct chunk {
	struct chunk *next;
	size_t used;
	size_t cap;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct sh_arena {
	struct chunk *head;
};

struct sh_arena *sh_arena_new(void)
{
	return sh_calloc(1, sizeof(struct sh_arena));
}

void sh_arena_free(struct sh_arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

static struct chunk *chunk_new(size_t cap)
{
	struct chunk *c = sh_malloc(sizeof(*c) + cap);
	c->next = NULL;
	c->used = 0;
	c->cap = cap;
	return c;
}

void *sh_arena_alloc(struct sh_arena *a, size_t n)
{
	struct chunk *c;
	size_t size = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

#ifdef SH_DEBUG_POOL
	/* One malloc per allocation, so ASan can see every overrun. */
	c = chunk_new(size);
	c->used = size;
	c->next = a->head;
	a->head = c;
	return c->data;
#else
	c = a->head;
	if (c == NULL || c->cap - c->used < size) {
		if (size > ARENA_CHUNK / 4) {
			/* Big allocations get their own chunk behind the head,
			 * so the head keeps its free space. */
			struct chunk *big = chunk_new(size);
			big->used = size;
			if (c == NULL) {
				a->head = big;
			} else {
				big->next = c->next;
				c->next = big;
			}
			return big->data;
		}
		c = chunk_new(ARENA_CHUNK);
		c->next = a->head;
		a->head = c;
	}
	c->used += size;
	return c->data + c->used - size;
#endif
}

void *sh_arena_grow(struct sh_arena *a, void *old, size_t n, size_t *cap, size_t size,
	size_t first)
{
	void *grown;

	if (n < *cap)
		return old;
	*cap = *cap ? *cap * 2 : first;
	grown = sh_arena_alloc(a, *cap * size);
	if (n > 0)
		memcpy(grown, old, n * size);
	return grown;
}

char *sh_arena_strndup(struct sh_arena *a, const char *s, size_t n)
{
	char *p = sh_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sh_arena_strdup(struct sh_arena *a, const char *s)
{
	return sh_arena_strndup(a, s, strlen(s));
}

char *sh_arena_printf(struct sh_arena *a, const char *fmt, ...)
{
	va_list ap, copy;
	char *p;
	int n;

	va_start(ap, fmt);
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		n = 0;
	p = sh_arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
