/*
 * The router: routes are compiled once into segment lists and matched in
 * table order against the raw path, one segment at a time. Each segment is
 * percent-decoded on its own, so "%2F" inside a parameter stays part of
 * that parameter (as Express does) and never splits the path. A single
 * trailing slash is ignored, as Express's non-strict routing does.
 */
#include "stagehand/http.h"

#include <stdlib.h>
#include <string.h>

enum seg_kind { SEG_LITERAL, SEG_PARAM, SEG_TAIL };

struct seg {
	enum seg_kind kind;
	char *text; /* literal text or parameter name */
};

struct compiled {
	const struct http_route *route;
	struct seg *segs;
	size_t n;
};

struct http_router {
	struct compiled *routes;
	size_t n;
};

static void compiled_dispose(struct compiled *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->segs[i].text);
	free(c->segs);
}

void http_router_free(struct http_router *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		compiled_dispose(&r->routes[i]);
	free(r->routes);
	free(r);
}

static int compile(struct compiled *c, const struct http_route *route, struct sh_err *err)
{
	const char *p = route->pattern;

	c->route = route;
	c->segs = NULL;
	c->n = 0;
	if (p[0] != '/')
		return sh_err_set(err, SH_EINTERNAL, "route %s must start with /", p);
	while (*p == '/' && p[1] != '\0') {
		const char *start = ++p;
		const char *end = strchr(start, '/');
		size_t len = end ? (size_t)(end - start) : strlen(start);
		struct seg s = { SEG_LITERAL, NULL };

		if (len == 0)
			return sh_err_set(err, SH_EINTERNAL, "route %s has an empty segment", route->pattern);
		if (start[0] == ':') {
			s.kind = SEG_PARAM;
			s.text = sh_strndup(start + 1, len - 1);
		} else if (len == 1 && start[0] == '*') {
			if (end != NULL)
				return sh_err_set(err, SH_EINTERNAL, "route %s: * must come last", route->pattern);
			s.kind = SEG_TAIL;
			s.text = sh_strdup("*");
		} else {
			s.text = sh_strndup(start, len);
		}
		c->segs = sh_realloc(c->segs, (c->n + 1) * sizeof(*c->segs));
		c->segs[c->n++] = s;
		p = start + len;
	}
	return 0;
}

struct http_router *http_router_new(const struct http_route *routes, size_t n,
	struct sh_err *err)
{
	struct http_router *r = sh_calloc(1, sizeof(*r));

	r->routes = sh_calloc(n, sizeof(*r->routes));
	for (size_t i = 0; i < n; i++) {
		r->n = i + 1;
		if (compile(&r->routes[i], &routes[i], err) != 0) {
			http_router_free(r);
			return NULL;
		}
	}
	r->n = n;
	return r;
}

/* Split a raw path into decoded segments (arena). Returns -1 when an
 * escape is malformed or decodes to NUL. */
static int split_path(struct sh_arena *a, const char *path, const char ***out,
	const char ***raw_out, size_t *n_out)
{
	size_t cap = 1, n = 0, plen = strlen(path);
	const char **segs, **raws;
	const char *p = path;

	for (size_t i = 0; i < plen; i++)
		cap += path[i] == '/';
	segs = sh_arena_alloc(a, cap * sizeof(*segs));
	raws = sh_arena_alloc(a, cap * sizeof(*raws));
	if (plen > 1 && path[plen - 1] == '/')
		plen--; /* one trailing slash is ignored */
	while (p < path + plen && *p == '/') {
		const char *start = ++p;
		const char *end = memchr(start, '/', (size_t)(path + plen - start));
		size_t len = end ? (size_t)(end - start) : (size_t)(path + plen - start);
		char *dec = sh_arena_alloc(a, len + 1);

		if (len == 0 && start == path + plen)
			break; /* the path "/" itself */
		long d = sh_url_decode(dec, start, len, false);
		if (d < 0 || !sh_utf8_valid(dec, (size_t)d))
			return -1;
		raws[n] = start;
		segs[n++] = dec;
		p = start + len;
	}
	*out = segs;
	*raw_out = raws;
	*n_out = n;
	return 0;
}

static bool match_segments(const struct compiled *c, struct sh_arena *a,
	const char **segs, const char **raws, size_t n, struct http_pair **params,
	size_t *n_params)
{
	struct http_pair *ps = NULL;
	size_t np = 0;

	if (c->n > 0 && c->segs[c->n - 1].kind == SEG_TAIL) {
		if (n + 1 < c->n)
			return false; /* the tail may be empty: "/docs/x/" and "/docs/x/a/b" */
	} else if (n != c->n) {
		return false;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct seg *s = &c->segs[i];
		if (s->kind == SEG_LITERAL && strcmp(s->text, segs[i]) != 0)
			return false;
		if (s->kind == SEG_PARAM && segs[i][0] == '\0')
			return false;
	}
	if (params == NULL)
		return true;
	ps = sh_arena_alloc(a, (c->n + 1) * sizeof(*ps));
	for (size_t i = 0; i < c->n; i++) {
		const struct seg *s = &c->segs[i];
		if (s->kind == SEG_PARAM)
			ps[np++] = (struct http_pair){ s->text, segs[i] };
		else if (s->kind == SEG_TAIL)
			ps[np++] = (struct http_pair){ "*", i < n ? raws[i] : "" };
	}
	*params = ps;
	*n_params = np;
	return true;
}

enum http_match http_router_match(const struct http_router *r, struct sh_arena *arena,
	const char *method, const char *path, const struct http_route **route,
	struct http_pair **params, size_t *n_params, const char **allow)
{
	const char **segs, **raws;
	struct sh_buf methods = SH_BUF_INIT;
	size_t n;
	enum http_match result = HTTP_MATCH_NONE;

	if (path[0] != '/')
		return HTTP_MATCH_NONE;
	if (split_path(arena, path, &segs, &raws, &n) != 0)
		return HTTP_MATCH_INVALID;
	for (size_t i = 0; i < r->n; i++) {
		const struct compiled *c = &r->routes[i];
		bool same_method = strcmp(c->route->method, method) == 0 ||
			(strcmp(method, "HEAD") == 0 && strcmp(c->route->method, "GET") == 0);

		if (!match_segments(c, arena, segs, raws, n, NULL, NULL))
			continue;
		if (same_method) {
			match_segments(c, arena, segs, raws, n, params, n_params);
			*route = c->route;
			sh_buf_dispose(&methods);
			return HTTP_MATCH_OK;
		}
		if (methods.len == 0 || !strstr(methods.ptr, c->route->method)) {
			if (methods.len > 0)
				sh_buf_puts(&methods, ", ");
			sh_buf_puts(&methods, c->route->method);
		}
		result = HTTP_MATCH_METHOD;
	}
	if (result == HTTP_MATCH_METHOD && allow != NULL)
		*allow = sh_arena_strdup(arena, methods.ptr);
	sh_buf_dispose(&methods);
	return result;
}
