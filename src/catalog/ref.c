/* Entity references: "[kind:][namespace/]name", with Backstage's messages. */
#include "stagehand/catalog.h"

#include <ctype.h>
#include <string.h>

static int not_on_form(struct sh_err *err, const char *s)
{
	return sh_err_set(err, SH_EINPUT,
		"Entity reference \"%s\" was not on the form [<kind>:][<namespace>/]<name>", s);
}

int catalog_ref_parse(struct catalog_ref *out, struct sh_arena *a, const char *s,
	const char *default_kind, const char *default_ns, struct sh_err *err)
{
	const char *colon = strchr(s, ':');
	const char *slash = strchr(s, '/');
	const char *rest = s;

	if (*s == '\0')
		return sh_err_set(err, SH_EINPUT, "Entity reference must not be empty");
	/* A '/' before the first ':' means there is no kind ("ns/a:b"). */
	if (colon != NULL && (slash == NULL || colon < slash)) {
		if (colon == s)
			return not_on_form(err, s);
		out->kind = sh_arena_strndup(a, s, (size_t)(colon - s));
		rest = colon + 1;
	} else if (default_kind != NULL) {
		out->kind = default_kind;
	} else {
		return sh_err_set(err, SH_EINPUT, "Entity reference \"%s\" had missing or empty kind "
			"(e.g. did not start with \"component:\" or similar)", s);
	}
	slash = strchr(rest, '/');
	if (slash != NULL) {
		if (slash == rest)
			return not_on_form(err, s);
		out->namespace = sh_arena_strndup(a, rest, (size_t)(slash - rest));
		rest = slash + 1;
	} else {
		out->namespace = default_ns ? default_ns : "default";
	}
	if (*rest == '\0')
		return not_on_form(err, s);
	out->name = sh_arena_strdup(a, rest);
	return 0;
}

char *catalog_ref_string(struct sh_arena *a, const char *kind, const char *ns, const char *name)
{
	char *s = sh_arena_printf(a, "%s:%s/%s", kind, ns, name);

	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}
