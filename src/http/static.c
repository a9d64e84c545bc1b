/*
 * Static files: the frontend under web/ and the fonts under /fonts/.
 *
 * Paths are decoded one segment at a time and any "." or ".." segment, or
 * one that decodes to contain '/', '\\' or NUL, is refused before the file
 * system is touched; the resolved real path must then still lie inside the
 * root, which also refuses symlinks that point out of it. Compressible
 * files are gzipped once and kept in a small cache, keyed by path and ETag,
 * behind the cache's own lock.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_MIN 512
#define GZIP_MAX (8u << 20)
#define CACHE_MAX_BYTES (32u << 20)

struct gz_entry {
	struct gz_entry *next;
	char *key;     /* realpath + '\n' + etag */
	char *data;
	size_t len;
};

struct static_files {
	char *web_root;
	char *fonts_root;
	pthread_mutex_t lock;  /* guards cache and cache_bytes */
	struct gz_entry *cache;
	size_t cache_bytes;
};

static const struct {
	const char *ext;
	const char *type;
	bool compress;
} types[] = {
	{ "html", "text/html; charset=utf-8", true },
	{ "js", "text/javascript; charset=utf-8", true },
	{ "mjs", "text/javascript; charset=utf-8", true },
	{ "css", "text/css; charset=utf-8", true },
	{ "json", "application/json; charset=utf-8", true },
	{ "map", "application/json; charset=utf-8", true },
	{ "svg", "image/svg+xml", true },
	{ "txt", "text/plain; charset=utf-8", true },
	{ "md", "text/markdown; charset=utf-8", true },
	{ "xml", "application/xml", true },
	{ "yaml", "text/yaml; charset=utf-8", true },
	{ "yml", "text/yaml; charset=utf-8", true },
	{ "webmanifest", "application/manifest+json", true },
	{ "ico", "image/x-icon", true },
	{ "png", "image/png", false },
	{ "jpg", "image/jpeg", false },
	{ "jpeg", "image/jpeg", false },
	{ "gif", "image/gif", false },
	{ "webp", "image/webp", false },
	{ "woff2", "font/woff2", false },
	{ "woff", "font/woff", false },
	{ "ttf", "font/ttf", true },
	{ "pdf", "application/pdf", false },
};

static int type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');

	if (dot == NULL || (slash != NULL && dot < slash))
		return -1;
	for (size_t i = 0; i < SH_ARRAY_LEN(types); i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return (int)i;
	return -1;
}

/* ---- lifecycle ---------------------------------------------------------------- */

int http_static_new(struct static_files **out, const char *web_root, const char *fonts_root,
	struct sh_err *err)
{
	struct static_files *sf = sh_calloc(1, sizeof(*sf));
	char buf[PATH_MAX];

	if (realpath(web_root, buf) == NULL) {
		free(sf);
		return sh_err_set(err, SH_EINPUT, "app.webRoot: %s: %s", web_root, strerror(errno));
	}
	sf->web_root = sh_strdup(buf);
	/* Fonts are optional: without them the system fonts are used. */
	if (realpath(fonts_root, buf) != NULL)
		sf->fonts_root = sh_strdup(buf);
	else
		log_warn("app.fontsRoot: %s: %s; the frontend falls back to system fonts "
			"(scripts/deps.sh installs them)", fonts_root, strerror(errno));
	pthread_mutex_init(&sf->lock, NULL);
	*out = sf;
	return 0;
}

void http_static_free(struct static_files *sf)
{
	struct gz_entry *e, *next;

	if (sf == NULL)
		return;
	for (e = sf->cache; e != NULL; e = next) {
		next = e->next;
		free(e->key);
		free(e->data);
		free(e);
	}
	pthread_mutex_destroy(&sf->lock);
	free(sf->web_root);
	free(sf->fonts_root);
	free(sf);
}

/* ---- gzip cache ------------------------------------------------------------------ */

static int gzip_file(int fd, size_t size, char **out, size_t *out_len)
{
	char *in = sh_malloc(size ? size : 1);
	z_stream zs = { 0 };
	size_t cap = compressBound((uLong)size) + 32;
	char *dst = sh_malloc(cap);
	ssize_t got = pread(fd, in, size, 0);
	int rc = -1;

	if (got == (ssize_t)size &&
		deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
		zs.next_in = (Bytef *)in;
		zs.avail_in = (uInt)size;
		zs.next_out = (Bytef *)dst;
		zs.avail_out = (uInt)cap;
		if (deflate(&zs, Z_FINISH) == Z_STREAM_END) {
			*out = dst;
			*out_len = zs.total_out;
			dst = NULL;
			rc = 0;
		}
		deflateEnd(&zs);
	}
	free(in);
	free(dst);
	return rc;
}

/* Copy the cached gzip of key into the response, compressing on a miss.
 * Returns false when the file cannot be compressed. */
static bool respond_gzip(struct http_req *req, struct static_files *sf, const char *key,
	int fd, size_t size, const char *ctype)
{
	struct gz_entry *e;
	char *data = NULL;
	size_t len = 0;

	pthread_mutex_lock(&sf->lock);
	for (e = sf->cache; e != NULL; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			http_respond_bytes(req, 200, ctype, e->data, e->len);
			pthread_mutex_unlock(&sf->lock);
			return true;
		}
	}
	pthread_mutex_unlock(&sf->lock);
	if (gzip_file(fd, size, &data, &len) != 0)
		return false;
	http_respond_bytes(req, 200, ctype, data, len);
	pthread_mutex_lock(&sf->lock);
	if (sf->cache_bytes + len > CACHE_MAX_BYTES) {
		/* Simple and rare: a new deploy or a huge tree. Start over. */
		while ((e = sf->cache) != NULL) {
			sf->cache = e->next;
			free(e->key);
			free(e->data);
			free(e);
		}
		sf->cache_bytes = 0;
	}
	e = sh_calloc(1, sizeof(*e));
	e->key = sh_strdup(key);
	e->data = data;
	e->len = len;
	e->next = sf->cache;
	sf->cache = e;
	sf->cache_bytes += len;
	pthread_mutex_unlock(&sf->lock);
	return true;
}

/* Whether Accept-Encoding lists gzip (or *) with a non-zero q. */
static bool accepts_gzip(struct http_req *req)
{
	const char *p = http_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING);

	while (p != NULL && *p) {
		size_t len = strcspn(p, ",");
		const char *semi = memchr(p, ';', len);
		size_t name_len = semi ? (size_t)(semi - p) : len;

		while (name_len > 0 && *p == ' ') {
			p++;
			name_len--;
			len--;
		}
		while (name_len > 0 && p[name_len - 1] == ' ')
			name_len--;
		if ((name_len == 4 && strncasecmp(p, "gzip", 4) == 0) ||
			(name_len == 1 && *p == '*')) {
			const char *q = semi ? strstr(semi, "q=") : NULL;
			return q == NULL || q > p + len || strtod(q + 2, NULL) > 0;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

/* ---- paths ---------------------------------------------------------------------- */

/* Whether a decoded segment holding '/' or '\\' has a "." or ".." piece,
 * as in "..%2f..%2fetc". */
static bool hides_traversal(const char *seg)
{
	while (*seg) {
		size_t len = strcspn(seg, "/\\");
		if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		seg += len;
		if (*seg)
			seg++;
	}
	return false;
}

/* Decode a raw URL path (after the mount prefix) into a relative file
 * path. Traversal attempts ("." or ".." segments, raw or encoded) and
 * malformed escapes are SH_EINPUT. A segment that decodes to contain '/',
 * '\\' or NUL cannot name a file: *out is then NULL. */
static int safe_relpath(struct http_req *req, const char *raw, char **out, struct sh_err *err)
{
	size_t n = strlen(raw);
	char *dec = sh_arena_alloc(req->arena, n + 1);
	char *rel = sh_arena_alloc(req->arena, n + 1);
	const char *p = raw;
	bool usable = true;
	size_t o = 0;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		long d = sh_url_decode(dec, p, len, false);

		if (d < 0 || strcmp(dec, ".") == 0 || strcmp(dec, "..") == 0)
			return sh_err_set(err, SH_EINPUT, "Invalid path %s", req->path);
		if (memchr(dec, '/', (size_t)d) || memchr(dec, '\\', (size_t)d)) {
			if (hides_traversal(dec))
				return sh_err_set(err, SH_EINPUT, "Invalid path %s", req->path);
			usable = false;
		}
		if (d > 0) {
			if (o > 0)
				rel[o++] = '/';
			memcpy(rel + o, dec, (size_t)d);
			o += (size_t)d;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	rel[o] = '\0';
	*out = usable ? rel : NULL;
	return 0;
}

/* Open root/rel if it is a regular file whose real path lies inside root.
 * Returns the fd, -1 when there is no such file, -2 when it escapes. */
static int open_inside(struct http_req *req, const char *root, const char *rel,
	char **real_out, struct stat *st)
{
	char *full = sh_arena_printf(req->arena, "%s/%s", root, rel);
	char real[PATH_MAX];
	size_t rlen = strlen(root);
	int fd;

	if (realpath(full, real) == NULL)
		return -1;
	if (strncmp(real, root, rlen) != 0 || (real[rlen] != '/' && real[rlen] != '\0'))
		return -2;
	fd = open(real, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	*real_out = sh_arena_strdup(req->arena, real);
	return fd;
}

/* ---- serving ----------------------------------------------------------------------- */

static bool etag_matches(const char *inm, const char *etag)
{
	return inm != NULL && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

static void add_common_headers(struct http_req *req, const char *etag, int type,
	bool immutable)
{
	http_header_add(req, MHD_HTTP_HEADER_ETAG, etag);
	http_header_add(req, MHD_HTTP_HEADER_CACHE_CONTROL,
		immutable ? "public, max-age=604800" : "no-cache");
	if (type >= 0 && types[type].compress)
		http_header_add(req, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
	if (type >= 0 && strncmp(types[type].type, "text/html", 9) == 0) {
		http_header_add(req, "Content-Security-Policy",
			"default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
			"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
			"frame-ancestors 'none'");
		http_header_add(req, "Referrer-Policy", "same-origin");
	}
}

static int serve_fd(struct http_req *req, struct static_files *sf, int fd, const char *real,
	const struct stat *st, bool immutable)
{
	int type = type_of(real);
	const char *ctype = type >= 0 ? types[type].type : "application/octet-stream";
	char *etag = sh_arena_printf(req->arena, "\"%llx-%llx\"",
		(unsigned long long)st->st_size,
		(unsigned long long)st->st_mtim.tv_sec * 1000000000ull + (unsigned long long)st->st_mtim.tv_nsec);

	add_common_headers(req, etag, type, immutable);
	if (etag_matches(http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), etag)) {
		close(fd);
		http_respond_empty(req, 304);
		return 0;
	}
	if (type >= 0 && types[type].compress && st->st_size >= GZIP_MIN &&
		st->st_size <= GZIP_MAX && accepts_gzip(req)) {
		char *key = sh_arena_printf(req->arena, "%s\n%s", real, etag);
		if (respond_gzip(req, sf, key, fd, (size_t)st->st_size, ctype)) {
			close(fd);
			http_header_add(req, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
			return 0;
		}
	}
	http_respond_fd(req, 200, ctype, fd, (uint64_t)st->st_size);
	return 0;
}

int static_handler(struct http_req *req, struct sh_err *err)
{
	struct static_files *sf = req->srv->web;
	char *rel, *real = NULL;
	struct stat st;
	int fd, rc;

	if ((rc = safe_relpath(req, req->path + 1, &rel, err)) != 0)
		return rc;
	fd = rel != NULL && rel[0] ? open_inside(req, sf->web_root, rel, &real, &st) : -1;
	if (fd == -2)
		return sh_err_set(err, SH_ENOTFOUND, "No such file %s", req->path);
	if (fd < 0 && rel != NULL && type_of(rel) >= 0)
		/* A missing asset (/js/typo.js, /favicon.ico) is a 404, not the
		 * app: a browser would otherwise get HTML for a script. */
		return sh_err_set(err, SH_ENOTFOUND, "No such file %s", req->path);
	if (fd < 0) {
		/* Not a file: the app's shell, whose router shows the page. */
		fd = open_inside(req, sf->web_root, "index.html", &real, &st);
		if (fd < 0)
			return sh_err_set(err, SH_ENOTFOUND, "No index.html in app.webRoot");
	}
	return serve_fd(req, sf, fd, real, &st, false);
}

int fonts_handler(struct http_req *req, struct sh_err *err)
{
	struct static_files *sf = req->srv->web;
	char *rel, *real = NULL;
	struct stat st;
	int fd, rc;

	if ((rc = safe_relpath(req, req->path + strlen("/fonts/"), &rel, err)) != 0)
		return rc;
	if (sf->fonts_root == NULL || rel == NULL || rel[0] == '\0' ||
		(fd = open_inside(req, sf->fonts_root, rel, &real, &st)) < 0)
		return sh_err_set(err, SH_ENOTFOUND, "No such font file %s", req->path);
	return serve_fd(req, sf, fd, real, &st, true);
}
