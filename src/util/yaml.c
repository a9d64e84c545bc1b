/*
 * YAML to JSON over libyaml's event parser. One recursive descent per
 * document; recursion depth is bounded by limits->max_depth, and every
 * produced value (aliases count their whole subtree) by max_nodes, so a
 * "billion laughs" file fails fast instead of exhausting memory.
 */
#include "stagehand/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

const struct yaml_limits YAML_LIMITS_DEFAULT = {
	.max_bytes = 4u << 20,
	.max_depth = 128,
	.max_nodes = 1000000,
};

struct anchor {
	char *name;
	json_t *value;
	size_t nodes;
};

struct ctx {
	yaml_parser_t parser;
	const char *name;
	const struct yaml_limits *lim;
	struct sh_err *err;
	size_t nodes;
	struct anchor *anchors;
	size_t n_anchors;
	json_t *lines;   /* current document's pointer -> line, or NULL */
	struct sh_buf path;
};

static int fail(struct ctx *c, size_t line0, const char *fmt, const char *detail)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, detail ? detail : "");
	return sh_err_set(c->err, SH_EINPUT, "%s:%zu: %s", c->name, line0 + 1, msg);
}

static int next_event(struct ctx *c, yaml_event_t *ev)
{
	if (yaml_parser_parse(&c->parser, ev))
		return 0;
	return fail(c, c->parser.problem_mark.line, "%s",
		c->parser.problem ? c->parser.problem : "invalid YAML");
}

static void record_line(struct ctx *c, size_t line0)
{
	if (c->lines != NULL)
		json_object_set_new(c->lines, c->path.ptr ? c->path.ptr : "",
			json_integer((json_int_t)line0 + 1));
}

/* ---- scalars ------------------------------------------------------------ */

static bool is_match(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static json_t *parse_int(const char *s)
{
	const char *p = s;
	int base = 10;
	bool neg = false;
	char *end;

	if (*p == '-' || *p == '+') {
		neg = *p == '-';
		p++;
	}
	if (p[0] == '0' && p[1] == 'o' && s == p) {
		base = 8;
		p += 2;
	} else if (p[0] == '0' && p[1] == 'x' && s == p) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return NULL;
	for (const char *q = p; *q; q++) {
		bool ok = base == 16 ? strchr("0123456789abcdefABCDEF", *q) != NULL
			: base == 8 ? (*q >= '0' && *q <= '7')
			: (*q >= '0' && *q <= '9');
		if (!ok)
			return NULL;
	}
	errno = 0;
	unsigned long long v = strtoull(p, &end, base);
	if (errno == 0 && v <= (unsigned long long)INT64_MAX)
		return json_integer(neg ? -(json_int_t)v : (json_int_t)v);
	if (base == 10)
		return json_real(strtod(s, NULL)); /* beyond int64: a float, as JS does */
	return NULL;
}

static bool is_float(const char *s)
{
	const char *p = s;
	bool digits = false;

	if (*p == '-' || *p == '+')
		p++;
	while (*p >= '0' && *p <= '9') {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* Resolve a plain scalar by the YAML 1.2 core schema. */
static json_t *resolve_plain(const char *s)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL", NULL };
	static const char *const trues[] = { "true", "True", "TRUE", NULL };
	static const char *const falses[] = { "false", "False", "FALSE", NULL };
	json_t *v;

	if (is_match(s, nulls))
		return json_null();
	if (is_match(s, trues))
		return json_true();
	if (is_match(s, falses))
		return json_false();
	if ((v = parse_int(s)) != NULL)
		return v;
	if (is_float(s)) {
		double d = strtod(s, NULL);
		if (isfinite(d))
			return json_real(d);
	}
	return json_string(s);
}

static json_t *scalar_value(const yaml_event_t *ev)
{
	const char *text = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	json_t *v;

	if (tag != NULL && strcmp(tag, YAML_STR_TAG) == 0)
		return json_stringn(text, ev->data.scalar.length);
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
		(tag == NULL || strcmp(tag, "!") == 0))
		return json_stringn(text, ev->data.scalar.length);
	if (strlen(text) != ev->data.scalar.length)
		return NULL; /* embedded NUL */
	v = resolve_plain(text);
	return v;
}

/* ---- anchors ------------------------------------------------------------ */

static void anchor_put(struct ctx *c, const char *name, json_t *v, size_t nodes)
{
	for (size_t i = 0; i < c->n_anchors; i++) {
		if (strcmp(c->anchors[i].name, name) == 0) {
			json_decref(c->anchors[i].value);
			c->anchors[i].value = json_incref(v);
			c->anchors[i].nodes = nodes;
			return;
		}
	}
	c->anchors = sh_realloc(c->anchors, (c->n_anchors + 1) * sizeof(*c->anchors));
	c->anchors[c->n_anchors++] = (struct anchor){ sh_strdup(name), json_incref(v), nodes };
}

static void anchors_clear(struct ctx *c)
{
	for (size_t i = 0; i < c->n_anchors; i++) {
		free(c->anchors[i].name);
		json_decref(c->anchors[i].value);
	}
	free(c->anchors);
	c->anchors = NULL;
	c->n_anchors = 0;
}

static int alias_value(struct ctx *c, const yaml_event_t *ev, json_t **out)
{
	const char *name = (const char *)ev->data.alias.anchor;

	for (size_t i = c->n_anchors; i-- > 0;) {
		if (strcmp(c->anchors[i].name, name) != 0)
			continue;
		if (c->anchors[i].nodes > c->lim->max_nodes - c->nodes)
			return fail(c, ev->start_mark.line,
				"alias *%s expands past the document size limit", name);
		c->nodes += c->anchors[i].nodes;
		*out = json_deep_copy(c->anchors[i].value);
		return 0;
	}
	return fail(c, ev->start_mark.line, "unknown alias *%s", name);
}

/* ---- nodes -------------------------------------------------------------- */

static int parse_node(struct ctx *c, yaml_event_t *ev, int depth, json_t **out);

static int count_node(struct ctx *c, size_t line0)
{
	if (++c->nodes > c->lim->max_nodes)
		return fail(c, line0, "%sdocument has too many values", NULL);
	return 0;
}

static void path_push(struct ctx *c, const char *key, size_t *saved)
{
	*saved = c->path.len;
	if (c->lines == NULL)
		return;
	sh_buf_putc(&c->path, '/');
	for (; *key; key++) {
		if (*key == '~')
			sh_buf_puts(&c->path, "~0");
		else if (*key == '/')
			sh_buf_puts(&c->path, "~1");
		else
			sh_buf_putc(&c->path, *key);
	}
}

static void path_pop(struct ctx *c, size_t saved)
{
	c->path.len = saved;
	if (c->path.ptr)
		c->path.ptr[saved] = '\0';
}

static int parse_key(struct ctx *c, yaml_event_t *ev, char **key)
{
	json_t *k;

	if (ev->type != YAML_SCALAR_EVENT)
		return fail(c, ev->start_mark.line,
			"%smapping keys must be plain values, not collections", NULL);
	k = scalar_value(ev);
	if (k == NULL)
		return fail(c, ev->start_mark.line, "%skey contains a NUL byte", NULL);
	if (json_is_string(k))
		*key = sh_strdup(json_string_value(k));
	else if (json_is_null(k))
		*key = sh_strdup((const char *)ev->data.scalar.value);
	else
		*key = sh_strdup((const char *)ev->data.scalar.value);
	json_decref(k);
	return 0;
}

static int parse_mapping(struct ctx *c, int depth, json_t *obj)
{
	for (;;) {
		yaml_event_t kev, vev;
		json_t *val = NULL;
		char *key = NULL;
		size_t saved;
		int rc;

		if ((rc = next_event(c, &kev)) != 0)
			return rc;
		if (kev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&kev);
			return 0;
		}
		rc = parse_key(c, &kev, &key);
		size_t key_line = kev.start_mark.line;
		yaml_event_delete(&kev);
		if (rc != 0)
			return rc;
		if (json_object_get(obj, key) != NULL) {
			rc = fail(c, key_line, "duplicate key \"%s\"", key);
			free(key);
			return rc;
		}
		path_push(c, key, &saved);
		rc = next_event(c, &vev);
		if (rc == 0) {
			rc = parse_node(c, &vev, depth + 1, &val);
			if (rc == 0)
				record_line(c, key_line);
		}
		path_pop(c, saved);
		if (rc == 0)
			json_object_set_new(obj, key, val);
		free(key);
		if (rc != 0)
			return rc;
	}
}

static int parse_sequence(struct ctx *c, int depth, json_t *arr)
{
	for (size_t i = 0;; i++) {
		yaml_event_t ev;
		json_t *val = NULL;
		char idx[24];
		size_t saved;
		int rc;

		if ((rc = next_event(c, &ev)) != 0)
			return rc;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		snprintf(idx, sizeof(idx), "%zu", i);
		path_push(c, idx, &saved);
		rc = parse_node(c, &ev, depth + 1, &val);
		path_pop(c, saved);
		if (rc != 0)
			return rc;
		json_array_append_new(arr, val);
	}
}

static int parse_collection(struct ctx *c, yaml_event_t *ev, int depth, json_t **out)
{
	bool is_map = ev->type == YAML_MAPPING_START_EVENT;
	json_t *v = is_map ? json_object() : json_array();
	int rc;

	if (depth >= c->lim->max_depth) {
		json_decref(v);
		return fail(c, ev->start_mark.line, "%snesting is too deep", NULL);
	}
	rc = is_map ? parse_mapping(c, depth, v) : parse_sequence(c, depth, v);
	if (rc != 0) {
		json_decref(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* Consumes ev (deletes it) in every case. */
static int parse_node(struct ctx *c, yaml_event_t *ev, int depth, json_t **out)
{
	const char *anchor = NULL;
	size_t before = c->nodes;
	size_t line0 = ev->start_mark.line;
	int rc = 0;

	record_line(c, line0);
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		rc = alias_value(c, ev, out);
		break;
	case YAML_SCALAR_EVENT:
		anchor = (const char *)ev->data.scalar.anchor;
		rc = count_node(c, line0);
		if (rc == 0 && (*out = scalar_value(ev)) == NULL)
			rc = fail(c, line0, "%svalue contains a NUL byte", NULL);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		anchor = ev->type == YAML_SEQUENCE_START_EVENT
			? (const char *)ev->data.sequence_start.anchor
			: (const char *)ev->data.mapping_start.anchor;
		rc = count_node(c, line0);
		if (rc == 0)
			rc = parse_collection(c, ev, depth, out);
		break;
	default:
		rc = fail(c, line0, "%sunexpected YAML event", NULL);
		break;
	}
	if (rc == 0 && anchor != NULL)
		anchor_put(c, anchor, *out, c->nodes - before);
	yaml_event_delete(ev);
	return rc;
}

/* ---- documents ---------------------------------------------------------- */

static int parse_document(struct ctx *c, json_t *docs, json_t *all_lines)
{
	yaml_event_t ev;
	json_t *root = NULL;
	int rc;

	if (all_lines != NULL)
		c->lines = json_object();
	if ((rc = next_event(c, &ev)) != 0)
		goto done;
	rc = parse_node(c, &ev, 0, &root);
	if (rc != 0)
		goto done;
	if ((rc = next_event(c, &ev)) != 0)
		goto done;
	yaml_event_delete(&ev); /* DOCUMENT-END */
	if (json_is_null(root)) {
		/* An empty document ("---" alone) yields nothing. */
		json_decref(root);
		root = NULL;
		goto done;
	}
	json_array_append_new(docs, root);
	root = NULL;
	if (all_lines != NULL) {
		json_array_append_new(all_lines, c->lines);
		c->lines = NULL;
	}
done:
	json_decref(root);
	json_decref(c->lines);
	c->lines = NULL;
	anchors_clear(c);
	return rc;
}

static int parse_stream(struct ctx *c, json_t *docs, json_t *all_lines)
{
	for (;;) {
		yaml_event_t ev;
		int rc;

		if ((rc = next_event(c, &ev)) != 0)
			return rc;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			yaml_event_delete(&ev);
			if ((rc = parse_document(c, docs, all_lines)) != 0)
				return rc;
			continue;
		default:
			rc = fail(c, ev.start_mark.line, "%sunexpected YAML event", NULL);
			yaml_event_delete(&ev);
			return rc;
		}
		yaml_event_delete(&ev);
	}
}

int yaml_parse(json_t **out, json_t **lines, const char *data, size_t len,
	const char *name, const struct yaml_limits *limits, struct sh_err *err)
{
	struct ctx c = { .name = name ? name : "<input>", .err = err };
	json_t *docs = NULL, *all_lines = NULL;
	int rc;

	c.lim = limits ? limits : &YAML_LIMITS_DEFAULT;
	if (len > c.lim->max_bytes)
		return sh_err_set(err, SH_EINPUT, "%s: file is %zu bytes, more than the limit of %zu",
			c.name, len, c.lim->max_bytes);
	if (!yaml_parser_initialize(&c.parser))
		return sh_err_set(err, SH_EINTERNAL, "%s: cannot initialise the YAML parser", c.name);
	yaml_parser_set_input_string(&c.parser, (const unsigned char *)data, len);
	docs = json_array();
	if (lines != NULL)
		all_lines = json_array();
	rc = parse_stream(&c, docs, all_lines);
	yaml_parser_delete(&c.parser);
	sh_buf_dispose(&c.path);
	anchors_clear(&c);
	if (rc != 0) {
		json_decref(docs);
		json_decref(all_lines);
		return rc;
	}
	*out = docs;
	if (lines != NULL)
		*lines = all_lines;
	return 0;
}

int yaml_line_of(const json_t *lines, const char *pointer)
{
	char buf[512];
	size_t n;

	if (lines == NULL || pointer == NULL)
		return 0;
	n = strlen(pointer);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, pointer, n);
	buf[n] = '\0';
	for (;;) {
		json_t *v = json_object_get(lines, buf);
		char *slash;
		if (v != NULL)
			return (int)json_integer_value(v);
		if (buf[0] == '\0')
			return 0;
		slash = strrchr(buf, '/');
		if (slash == NULL)
			return 0;
		*slash = '\0';
	}
}

/* ---- emitting --------------------------------------------------------------------- */

static bool plain_ok(const char *s)
{
	static const char *const reserved[] = { "true", "false", "null", "yes", "no", "on", "off",
		"y", "n", "~", "" };
	char *end = NULL;

	for (size_t i = 0; i < SH_ARRAY_LEN(reserved); i++)
		if (strcasecmp(s, reserved[i]) == 0)
			return false;
	(void)strtod(s, &end);
	if (end != s && *end == '\0')
		return false; /* would read as a number */
	if (strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]) != NULL)
		return false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || (c == ':' && (p[1] == ' ' || p[1] == '\0')) ||
			(c == ' ' && (p[1] == '#' || p[1] == '\0')))
			return false;
	}
	return true;
}

static void emit_scalar(struct sh_buf *out, const json_t *v)
{
	char *text;

	if (json_is_string(v) && plain_ok(json_string_value(v))) {
		sh_buf_puts(out, json_string_value(v));
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	sh_buf_puts(out, text ? text : "null");
	free(text);
}

static bool is_collection(const json_t *v)
{
	return (json_is_object(v) && json_object_size(v) > 0) ||
		(json_is_array(v) && json_array_size(v) > 0);
}

static void indent_to(struct sh_buf *out, int n)
{
	for (int i = 0; i < n; i++)
		sh_buf_putc(out, ' ');
}

static void emit_node(struct sh_buf *out, const json_t *v, int indent, bool inline_first);
static void emit_empty_or_scalar(struct sh_buf *out, const json_t *v);

static void emit_value_after_key(struct sh_buf *out, const json_t *v, int indent)
{
	if (json_is_object(v) && json_object_size(v) > 0) {
		sh_buf_putc(out, '\n');
		emit_node(out, v, indent + 2, false);
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		sh_buf_putc(out, '\n');
		emit_node(out, v, indent, false);
	} else {
		sh_buf_putc(out, ' ');
		emit_empty_or_scalar(out, v);
	}
}

static void emit_empty_or_scalar(struct sh_buf *out, const json_t *v)
{
	if (json_is_object(v))
		sh_buf_puts(out, "{}");
	else if (json_is_array(v))
		sh_buf_puts(out, "[]");
	else
		emit_scalar(out, v);
	sh_buf_putc(out, '\n');
}

static void emit_key(struct sh_buf *out, const char *key)
{
	json_t *k = json_string(key);

	emit_scalar(out, k);
	json_decref(k);
	sh_buf_putc(out, ':');
}

/* v is a non-empty collection; inline_first: the first line follows a
 * "- " already written. */
static void emit_node(struct sh_buf *out, const json_t *v, int indent, bool inline_first)
{
	const char *key;
	json_t *child;
	size_t i;
	bool first = true;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			if (!(first && inline_first))
				indent_to(out, indent);
			first = false;
			emit_key(out, key);
			emit_value_after_key(out, child, indent);
		}
		return;
	}
	json_array_foreach(v, i, child) {
		if (!(first && inline_first))
			indent_to(out, indent);
		first = false;
		sh_buf_puts(out, "- ");
		if (is_collection(child))
			emit_node(out, child, indent + 2, true);
		else
			emit_empty_or_scalar(out, child);
	}
}

void yaml_emit(struct sh_buf *out, const json_t *v)
{
	if (!is_collection(v)) {
		emit_scalar(out, v);
		sh_buf_putc(out, '\n');
		return;
	}
	emit_node(out, v, 0, false);
}
