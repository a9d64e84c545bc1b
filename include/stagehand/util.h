/*
 * util: allocation, buffers, errors, request arenas and logging.
 *
 * Depends on no other stagehand module. Allocation wrappers abort with a
 * message on out-of-memory, so callers never check for NULL.
 */
#ifndef STAGEHAND_UTIL_H
#define STAGEHAND_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SH_WUR __attribute__((warn_unused_result))
#define SH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define SH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- status codes ------------------------------------------------------ */

/* 0 is success; failures are negative and mirror Backstage's error names. */
enum sh_status {
	SH_OK = 0,
	SH_EINPUT = -1,       /* InputError, 400 */
	SH_EAUTH = -2,        /* AuthenticationError, 401 */
	SH_ENOTALLOWED = -3,  /* NotAllowedError, 403 */
	SH_ENOTFOUND = -4,    /* NotFoundError, 404 */
	SH_ECONFLICT = -5,    /* ConflictError, 409 */
	SH_EUPSTREAM = -6,    /* upstream failure, 502 */
	SH_EINTERNAL = -7,    /* Error, 500; message never reaches a client */
	SH_ETOOLARGE = -8,    /* PayloadTooLargeError, 413 */
	SH_EMETHOD = -9,      /* MethodNotAllowedError, 405 */
	SH_EUNAVAILABLE = -10 /* ServiceUnavailableError, 503 */
};

#define SH_ERR_MSG_MAX 512

/* An error: a code and a human-readable message. Caller-owned, no heap. */
struct sh_err {
	int code;
	char msg[SH_ERR_MSG_MAX];
};

/* Fill err (if not NULL) and return code, so callers can write
 * `return sh_err_set(err, SH_EINPUT, "...")`. */
int sh_err_set(struct sh_err *err, int code, const char *fmt, ...) SH_PRINTF(3, 4);

/* Prepend "prefix: " to an existing message, keeping the code. */
void sh_err_prefix(struct sh_err *err, const char *fmt, ...) SH_PRINTF(2, 3);

/* Backstage's error name for a code ("InputError", ...). */
const char *sh_status_name(int code);

/* ---- allocation ------------------------------------------------------- */

void *sh_malloc(size_t n);
void *sh_calloc(size_t count, size_t size);
void *sh_realloc(void *p, size_t n);
char *sh_strdup(const char *s);
char *sh_strndup(const char *s, size_t n);
/* printf into a new heap string; caller frees. */
char *sh_asprintf(const char *fmt, ...) SH_PRINTF(1, 2);

/* ---- buffers ---------------------------------------------------------- */

/* An owning, growable byte buffer, always NUL-terminated when ptr != NULL.
 * Initialise with SH_BUF_INIT, release with sh_buf_dispose. */
struct sh_buf {
	char *ptr;
	size_t len;
	size_t cap;
};

#define SH_BUF_INIT ((struct sh_buf){ NULL, 0, 0 })
void sh_buf_dispose(struct sh_buf *b);
void sh_buf_reserve(struct sh_buf *b, size_t extra);
void sh_buf_put(struct sh_buf *b, const void *data, size_t n);
void sh_buf_puts(struct sh_buf *b, const char *s);
void sh_buf_putc(struct sh_buf *b, char c);
void sh_buf_printf(struct sh_buf *b, const char *fmt, ...) SH_PRINTF(2, 3);
void sh_buf_vprintf(struct sh_buf *b, const char *fmt, va_list ap);
/* Give the contents to the caller (who frees it) and reset b. */
char *sh_buf_detach(struct sh_buf *b);

/* ---- request arena ---------------------------------------------------- */

/*
 * A bump allocator whose allocations are all released together by
 * sh_arena_free. Each HTTP request owns one. In builds with SH_DEBUG_POOL
 * every allocation goes to malloc so that AddressSanitizer sees overruns.
 */
struct sh_arena;

struct sh_arena *sh_arena_new(void);
void sh_arena_free(struct sh_arena *a);
void *sh_arena_alloc(struct sh_arena *a, size_t n);
char *sh_arena_strndup(struct sh_arena *a, const char *s, size_t n);
/* Make room for one more element in an arena array of n elements of size
 * bytes, doubling *cap (from first) when full. Returns the array to use
 * (old, or a copy of it). */
void *sh_arena_grow(struct sh_arena *a, void *old, size_t n, size_t *cap, size_t size,
	size_t first);
char *sh_arena_strdup(struct sh_arena *a, const char *s);
char *sh_arena_printf(struct sh_arena *a, const char *fmt, ...) SH_PRINTF(2, 3);
/* An ASCII-lower-case copy of s. */
char *sh_arena_lower(struct sh_arena *a, const char *s);

/* ---- text cache ------------------------------------------------------- */

/*
 * Recently served texts (JSON bodies), keyed by a string, each good only
 * for the generation it was made at: a caller bumps its own generation
 * whenever what it serves may have changed, which makes every entry stale
 * at once. Safe to use from every thread.
 */
struct sh_text_cache;

/* A cache of slots entries (a power of two), each owning its copy. */
struct sh_text_cache *sh_text_cache_new(size_t slots);
void sh_text_cache_free(struct sh_text_cache *cache);
/* The text cached under key at generation gen, copied into a (with its
 * length in *len), or NULL. */
const char *sh_text_cache_get(struct sh_text_cache *cache, struct sh_arena *a, const char *key,
	uint64_t gen, size_t *len);
/* Remember text under key as made at generation gen (read before the work
 * that produced it). */
void sh_text_cache_put(struct sh_text_cache *cache, const char *key, const char *text, size_t len,
	uint64_t gen);

/* ---- strings ------------------------------------------------------------ */

/* Decode %XX escapes (and '+' as space when plus_is_space) from src[0..len)
 * into dst, which must hold len + 1 bytes. Returns the decoded length, or -1
 * on a malformed escape. Decoded NUL bytes are rejected (-1). */
long sh_url_decode(char *dst, const char *src, size_t len, bool plus_is_space);

/* Whether s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool sh_utf8_valid(const char *s, size_t len);

/* FNV-1a of a NUL-terminated string: for hash tables, not for security. */
uint64_t sh_str_hash(const char *s);

/* Append s percent-encoded as a URL query component (RFC 3986 unreserved
 * characters stay as they are). */
void sh_buf_put_urlencoded(struct sh_buf *b, const char *s);

/* Parse a size like "1048576", "512kb", "1mb", "2 MiB". Returns 0 or -1. */
int sh_parse_size(const char *s, uint64_t *out) SH_WUR;

/* Lower-case hex of n random bytes into out (2n + 1 bytes). */
void sh_random_hex(char *out, size_t nbytes);

/* A random UUID v4, lower-case (37 bytes with the NUL). */
void sh_uuid_v4(char out[37]);

/* Unix milliseconds as ISO 8601 UTC with milliseconds,
 * "2026-01-05T10:00:00.000Z" (32 bytes). */
void sh_iso_time(char out[32], int64_t ms);

/* Standard base64 of s[0..n) (arena). */
char *sh_base64_encode(struct sh_arena *a, const char *s, size_t n);
/* Decode standard or URL-safe base64 (spaces read as '+') into the arena,
 * NUL-terminated, its length in *len; NULL if s is not base64. */
char *sh_base64_decode(struct sh_arena *a, const char *s, size_t *len);

/* Monotonic clock in nanoseconds. */
uint64_t sh_now_ns(void);

/* ---- files ------------------------------------------------------------------ */

/* mkdir -p path (each created folder gets mode). */
int sh_mkdirs(const char *path, unsigned mode, struct sh_err *err) SH_WUR;
/* rm -rf path; symlinks are removed, never followed; a missing path is fine. */
int sh_remove_tree(const char *path, struct sh_err *err) SH_WUR;

/* ---- hub: wake-ups across threads --------------------------------------- */

/*
 * A hub lets a thread that produced something (a task event) wake whoever
 * waits for it (a suspended HTTP request). Waiters name a topic; a waiter
 * fires once, when its topic is notified, when its deadline passes, or at
 * once if anything was notified after the version it last saw (so nothing
 * notified between a reader's query and its wait is missed; a spurious
 * wake-up costs one more query). Callbacks run on the notifying thread or
 * the hub's timer thread, with the hub's lock held: they must only flag and
 * signal, never block or call back into the hub.
 */
struct sh_hub;
struct sh_hub_waiter;
typedef void (*sh_hub_fn)(void *arg, bool timed_out);

/* *out is the caller's; free with sh_hub_free (after every waiter is gone). */
struct sh_hub *sh_hub_new(void);
void sh_hub_free(struct sh_hub *h);

/* The hub's version: read it before looking for new data. */
uint64_t sh_hub_version(struct sh_hub *h);

/* Wake waiters of topic (copied by the waiters, not kept). */
void sh_hub_notify(struct sh_hub *h, const char *topic);

/*
 * Wait for topic (copied) until deadline_ns (sh_now_ns clock): fn(arg,
 * timed_out) runs once. *slot receives the waiter and is set to NULL, under
 * the hub's lock, just before fn runs; pass the same slot to sh_hub_cancel.
 */
void sh_hub_wait(struct sh_hub *h, const char *topic, uint64_t seen_version,
	uint64_t deadline_ns, sh_hub_fn fn, void *arg, struct sh_hub_waiter **slot);

/* Fire every waiter now, as timed out (at shutdown). */
void sh_hub_flush(struct sh_hub *h);

/* Drop the waiter in *slot unless it fired already; afterwards fn will not
 * run. *slot is NULL on return. */
void sh_hub_cancel(struct sh_hub *h, struct sh_hub_waiter **slot);

/* ---- logging ------------------------------------------------------------ */

enum sh_log_level { SH_LOG_ERROR = 0, SH_LOG_WARN, SH_LOG_INFO, SH_LOG_DEBUG };

/* Set once at start-up, before threads. */
void sh_log_init(enum sh_log_level level, bool json);
int sh_log_level_parse(const char *s, enum sh_log_level *out) SH_WUR;
bool sh_log_enabled(enum sh_log_level level);
void sh_log_write(enum sh_log_level level, const char *fmt, ...) SH_PRINTF(2, 3);

/* The level is checked before the arguments are formatted. */
#define SH_LOG_(lvl, ...) \
	do { if (sh_log_enabled(lvl)) sh_log_write(lvl, __VA_ARGS__); } while (0)
#define log_error(...) SH_LOG_(SH_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) SH_LOG_(SH_LOG_WARN, __VA_ARGS__)
#define log_info(...) SH_LOG_(SH_LOG_INFO, __VA_ARGS__)
#define log_debug(...) SH_LOG_(SH_LOG_DEBUG, __VA_ARGS__)

#endif
