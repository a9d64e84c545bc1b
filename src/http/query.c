#include "stagehand/http.h"

#include <string.h>

static int decode(const char **out, struct sh_arena *a, const char *s, size_t len,
	struct sh_err *err)
{
	char *dst = sh_arena_alloc(a, len + 1);
	long n = sh_url_decode(dst, s, len, true);

	if (n < 0)
		return sh_err_set(err, SH_EINPUT, "Malformed query string: bad percent-encoding");
	if (!sh_utf8_valid(dst, (size_t)n))
		return sh_err_set(err, SH_EINPUT, "Malformed query string: not UTF-8");
	*out = dst;
	return 0;
}

int http_query_parse(struct http_query *out, struct sh_arena *arena, const char *qs,
	size_t len, struct sh_err *err)
{
	size_t count = 0, i = 0;
	const char *end = qs + len;
	const char *p = qs;
	int rc;

	out->pairs = NULL;
	out->n = 0;
	for (size_t j = 0; j < len; j++)
		count += qs[j] == '&';
	out->pairs = sh_arena_alloc(arena, (count + 1) * sizeof(struct http_pair));
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		const char *name_end = eq ? eq : stop;
		struct http_pair *pair = &out->pairs[i];

		if (stop > p) {
			/* "a&&b" and a trailing '&' give empty segments: skip. */
			if ((rc = decode(&pair->name, arena, p, (size_t)(name_end - p), err)) != 0)
				return rc;
			if (eq != NULL)
				rc = decode(&pair->value, arena, eq + 1, (size_t)(stop - eq - 1), err);
			else
				pair->value = "";
			if (rc != 0)
				return rc;
			i++;
		}
		p = stop + 1;
	}
	out->n = i;
	return 0;
}
