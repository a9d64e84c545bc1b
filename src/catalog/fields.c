/*
 * `fields` projection: keep only some dotted paths of an entity. A path
 * segment that is not a key is joined with the next one, so that
 * "metadata.annotations.backstage.io/view-url" reaches the annotation
 * whose key itself contains dots.
 */
#include "filter.h"

#include <string.h>

int fields_parse(const char ***out, size_t *n, struct sh_arena *a, const char *const *params,
	size_t n_params, struct sh_err *err)
{
	const char **list = NULL;
	size_t count = 0, cap = 0;

	for (size_t i = 0; i < n_params; i++) {
		const char *p = params[i];
		while (*p) {
			size_t len;
			while (*p == ' ' || *p == '\t')
				p++;
			len = strcspn(p, ",");
			while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
			if (memchr(p, '[', len) != NULL)
				return sh_err_set(err, SH_EINPUT, "Invalid field \"%.*s\": '[' is not supported",
					(int)len, p);
			if (len > 0) {
				list = sh_arena_grow(a, list, count, &cap, sizeof(*list), 8);
				list[count++] = sh_arena_strndup(a, p, len);
			}
			p += len;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == ',')
				p++;
		}
	}
	*out = list;
	*n = count;
	return 0;
}

/* Copy the value at path (within src) into dst, creating parents; an
 * absent path copies nothing. */
static void copy_path(json_t *dst, const json_t *src, const char *path)
{
	char keys[16][256];
	size_t n = 0, start = 0, len = strlen(path);
	const json_t *v = src;

	for (size_t end = 0; end <= len; end++) {
		if (end < len && path[end] != '.')
			continue;
		if (end - start >= sizeof(keys[0]) || n == 16)
			return;
		memcpy(keys[n], path + start, end - start);
		keys[n][end - start] = '\0';
		if (json_object_get(v, keys[n]) == NULL)
			continue; /* not a key: join with the next segment */
		v = json_object_get(v, keys[n++]);
		start = end + 1;
	}
	if (start <= len || n == 0)
		return; /* the path did not resolve completely */
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *d = json_object_get(dst, keys[i]);
		if (!json_is_object(d)) {
			d = json_object();
			json_object_set_new(dst, keys[i], d);
		}
		dst = d;
	}
	json_object_set(dst, keys[n - 1], (json_t *)v);
}

json_t *fields_project(const json_t *entity, const char *const *fields, size_t n)
{
	json_t *out = json_object();

	for (size_t i = 0; i < n; i++)
		copy_path(out, entity, fields[i]);
	return out;
}
