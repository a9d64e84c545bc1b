/*
 * schema: a draft-07 validator whose errors read like the npm `jsonschema`
 * package's (1.4), because Backstage answers a bad task with that package's
 * ValidationError objects and clients print them.
 *
 * What follows from matching jsonschema rather than the spec:
 *  - keywords run in the order they appear in the schema object, and
 *    object keys are visited in JavaScript's for-in order (array-index keys
 *    ascending, then insertion order), so errors come out in the same order;
 *  - a missing property is "undefined": most keywords skip it, only the
 *    draft-03 `required: true` reports it;
 *  - numbers compare as doubles (3 and 3.0 are equal, both are integers) and
 *    print as JavaScript prints them;
 *  - `dependencies` validates its schema with the dependent property pushed
 *    on the path (jsonschema's makeChild), so errors inside it read
 *    `instance.kind...` although they concern the parent object.
 * Where jsonschema would throw (a bad $ref, a bad regex, a cycle that
 * overflows the JS stack) this returns an error instead, whose message
 * starts with "cannot be checked:".
 *
 * Patterns are ECMAScript; they are translated to POSIX ERE and run by
 * glibc's regex in the C.UTF-8 locale (thread-local via uselocale, so `.`
 * and [^...] see characters, not bytes). Lookarounds, backreferences,
 * \p{...} and non-ASCII ranges have no ERE form: such a pattern is
 * "unsupported", one error of its own. Counted repetition is bounded so
 * that regcomp stays small. Compiled patterns are cached per call only.
 */
#include "schema.h"

#include <assert.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stagehand/util.h"

#define MAX_DEPTH 128         /* nested validations (schema and instance) */
#define WORK_BUDGET 150000    /* validations, comparisons, errors, regex cost */
#define ERROR_COST 32         /* an error object kept, in work units */
#define MAX_PATTERN 1024      /* bytes of an ECMAScript pattern */
#define MAX_REPEAT 1000       /* largest {n,m} bound */
#define MAX_WEIGHT 1200       /* ERE positions after expanding {n,m} */
#define MAX_GROUPS 64         /* nested parentheses in a pattern */
#define RX_CACHE 32           /* compiled patterns kept for one call */
#define MAX_VALUE_DEPTH 64    /* nesting followed by String() and equality */

/* ---- context ---------------------------------------------------------------- */

/* One step of the instance path: an object key, or an array index. */
struct seg {
	const char *key; /* borrowed; NULL for an index */
	size_t index;
};

/* A $ref followed for an instance; seeing the pair again is a cycle. */
struct hop {
	const json_t *schema;
	const json_t *inst;
};

enum rx_status { RX_OK = 0, RX_INVALID = -1, RX_UNSUPPORTED = -2 };

struct rx_entry {
	const char *src; /* borrowed pattern text, the cache key */
	int cflags;
	int status;
	size_t weight;
	regex_t re;
};

enum halt { HALT_NONE = 0, HALT_DEPTH, HALT_WORK, HALT_CYCLE };

struct vctx {
	const json_t *root;
	const char *prefix;
	struct seg *path;
	size_t npath, cappath;
	struct hop *hops;
	size_t nhops, caphops;
	unsigned depth;
	size_t work;       /* what is left of WORK_BUDGET */
	enum halt halt;    /* set once; everything stops */
	const char *cycle; /* the $ref that closed a cycle (borrowed) */
	locale_t loc;      /* C.UTF-8, or (locale_t)0 for bytes */
	bool utf8;
	struct rx_entry rx[RX_CACHE];
	size_t nrx;
};

/* Where errors go: an array, or NULL to only count (stopping at one). */
struct sink {
	json_t *errors;
	size_t n;
};

static void validate(struct vctx *c, struct sink *s, const json_t *schema, const json_t *inst);

static bool stopped(const struct vctx *c, const struct sink *s)
{
	return c->halt != HALT_NONE || (s->errors == NULL && s->n > 0);
}

static bool charge(struct vctx *c, size_t units)
{
	if (c->halt != HALT_NONE)
		return false;
	if (units > c->work) {
		c->work = 0;
		c->halt = HALT_WORK;
		return false;
	}
	c->work -= units;
	return true;
}

static void push_key(struct vctx *c, const char *key, size_t index)
{
	if (c->npath == c->cappath) {
		c->cappath = c->cappath ? c->cappath * 2 : 16;
		c->path = sh_realloc(c->path, c->cappath * sizeof(*c->path));
	}
	c->path[c->npath++] = (struct seg){ key, index };
}

static void pop_key(struct vctx *c)
{
	assert(c->npath > 0);
	c->npath--;
}

/* ---- JavaScript semantics ------------------------------------------------- */

/* Number.prototype.toString for a finite double: shortest round trip. */
static void js_num(char out[40], double x)
{
	char tmp[40], digits[24];
	int prec, exp10, k = 0, n;
	const char *p;
	size_t o = 0;

	if (x == 0 || !isfinite(x)) {
		snprintf(out, 40, "%s", x == 0 ? "0" : isnan(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
		if (strtod(tmp, NULL) == x)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, x);
	p = tmp;
	if (*p == '-')
		out[o++] = *p++;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[k++] = *p;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	exp10 = atoi(p + 1);
	n = exp10 + 1;
	if (k <= n && n <= 21) {
		for (int i = 0; i < n; i++)
			out[o++] = i < k ? digits[i] : '0';
	} else if (0 < n && n <= 21) {
		for (int i = 0; i < k; i++) {
			if (i == n)
				out[o++] = '.';
			out[o++] = digits[i];
		}
	} else if (-6 < n && n <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (int i = 0; i < -n; i++)
			out[o++] = '0';
		for (int i = 0; i < k; i++)
			out[o++] = digits[i];
	} else {
		out[o++] = digits[0];
		if (k > 1)
			out[o++] = '.';
		for (int i = 1; i < k; i++)
			out[o++] = digits[i];
		o += (size_t)snprintf(out + o, 40 - o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	out[o] = '\0';
}

static void put_num(struct sh_buf *b, double x)
{
	char tmp[40];

	js_num(tmp, x);
	sh_buf_puts(b, tmp);
}

/* JSON.stringify of a string. */
static void put_quoted(struct sh_buf *b, const char *s, size_t len)
{
	sh_buf_putc(b, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '"': sh_buf_puts(b, "\\\""); break;
		case '\\': sh_buf_puts(b, "\\\\"); break;
		case '\b': sh_buf_puts(b, "\\b"); break;
		case '\f': sh_buf_puts(b, "\\f"); break;
		case '\n': sh_buf_puts(b, "\\n"); break;
		case '\r': sh_buf_puts(b, "\\r"); break;
		case '\t': sh_buf_puts(b, "\\t"); break;
		default:
			if (ch < 0x20)
				sh_buf_printf(b, "\\u%04x", ch);
			else
				sh_buf_putc(b, (char)ch);
		}
	}
	sh_buf_putc(b, '"');
}

static void put_quoted_json(struct sh_buf *b, const json_t *s)
{
	put_quoted(b, json_string_value(s), json_string_length(s));
}

static void put_js_string_depth(struct sh_buf *b, const json_t *v, int depth);

/* String(v): what `"..." + v` prints. */
static void put_js_string(struct sh_buf *b, const json_t *v)
{
	put_js_string_depth(b, v, 0);
}

static void put_js_string_depth(struct sh_buf *b, const json_t *v, int depth)
{
	size_t i;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING: sh_buf_put(b, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER:
	case JSON_REAL: put_num(b, json_number_value(v)); break;
	case JSON_TRUE: sh_buf_puts(b, "true"); break;
	case JSON_FALSE: sh_buf_puts(b, "false"); break;
	case JSON_NULL: sh_buf_puts(b, "null"); break;
	case JSON_OBJECT: sh_buf_puts(b, "[object Object]"); break;
	case JSON_ARRAY:
		if (depth >= MAX_VALUE_DEPTH)
			break;
		json_array_foreach(v, i, e) {
			if (i > 0)
				sh_buf_putc(b, ',');
			if (!json_is_null(e)) /* join() prints null as "" */
				put_js_string_depth(b, e, depth + 1);
		}
		break;
	}
}

/* JSON.stringify for a title or the like (containers via jansson). */
static void put_json(struct sh_buf *b, const json_t *v)
{
	char *text;

	if (json_is_string(v)) {
		put_quoted_json(b, v);
	} else if (json_is_number(v) || json_is_boolean(v) || json_is_null(v)) {
		put_js_string(b, v);
	} else {
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		sh_buf_puts(b, text ? text : "");
		free(text);
	}
}

static bool js_truthy(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_number(v))
		return json_number_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	return true;
}

/* `v.$id || v.id` for a subschema, or NULL. */
static const json_t *schema_id(const json_t *v)
{
	const json_t *id;

	if (!json_is_object(v))
		return NULL;
	id = json_object_get(v, "$id");
	if (js_truthy(id))
		return id;
	id = json_object_get(v, "id");
	return js_truthy(id) ? id : NULL;
}

static bool is_index_key(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > 10 || (k[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if (k[i] < '0' || k[i] > '9')
			return false;
	return strtoull(k, NULL, 10) < 4294967295ULL;
}

static int cmp_index_keys(const void *a, const void *b)
{
	unsigned long long x = strtoull(*(const char *const *)a, NULL, 10);
	unsigned long long y = strtoull(*(const char *const *)b, NULL, 10);

	return (x > y) - (x < y);
}

/* An object's keys in for-in order; the caller frees the array, the keys
 * are borrowed from obj. */
static const char **js_keys(const json_t *obj, size_t *out_n)
{
	size_t n = json_object_size(obj), ni = 0, k = 0;
	const char **keys = sh_malloc((n ? n : 1) * sizeof(*keys));
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
		if (is_index_key(key))
			keys[ni++] = key;
	qsort(keys, ni, sizeof(*keys), cmp_index_keys);
	k = ni;
	json_object_foreach((json_t *)obj, key, v)
		if (!is_index_key(key))
			keys[k++] = key;
	*out_n = k;
	return keys;
}

static bool deep_equal_depth(struct vctx *c, const json_t *a, const json_t *b, int depth);

/* helpers.deepCompareStrict: numbers by value, objects by keys. */
static bool deep_equal(struct vctx *c, const json_t *a, const json_t *b)
{
	return deep_equal_depth(c, a, b, 0);
}

static bool deep_equal_depth(struct vctx *c, const json_t *a, const json_t *b, int depth)
{
	const char *key;
	json_t *v;

	if (!charge(c, 1) || depth > MAX_VALUE_DEPTH)
		return false;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!deep_equal_depth(c, json_array_get(a, i), json_array_get(b, i), depth + 1))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, key, v) {
			json_t *w = json_object_get(b, key);
			if (w == NULL || !deep_equal_depth(c, v, w, depth + 1))
				return false;
		}
		return true;
	}
	return json_equal(a, b) != 0;
}

/* Decode one UTF-8 sequence (jansson strings are valid UTF-8). */
static uint32_t utf8_next(const char **p, const char *end)
{
	const unsigned char *s = (const unsigned char *)*p;
	uint32_t cp = s[0];
	int extra = cp >= 0xF0 ? 3 : cp >= 0xE0 ? 2 : cp >= 0xC0 ? 1 : 0;

	if (cp >= 0x80)
		cp &= 0x3Fu >> extra;
	for (int i = 1; i <= extra && (const char *)s + i < end; i++)
		cp = (cp << 6) | (s[i] & 0x3F);
	*p += 1 + extra;
	if (*p > end)
		*p = end;
	return cp;
}

static void put_utf8(struct sh_buf *b, uint32_t cp)
{
	if (cp < 0x80) {
		sh_buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		sh_buf_putc(b, (char)(0xC0 | (cp >> 6)));
		sh_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		sh_buf_putc(b, (char)(0xE0 | (cp >> 12)));
		sh_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sh_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		sh_buf_putc(b, (char)(0xF0 | (cp >> 18)));
		sh_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
		sh_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
		sh_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* String length in code points. jsonschema counts UTF-16 units minus
 * low surrogates, which is the same number. */
static size_t utf8_length(const json_t *s)
{
	const unsigned char *p = (const unsigned char *)json_string_value(s);
	size_t len = json_string_length(s), n = 0;

	for (size_t i = 0; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* JavaScript's \s. */
static bool js_space(uint32_t cp)
{
	return (cp >= 9 && cp <= 13) || cp == ' ' || cp == 0xA0 || cp == 0x1680 ||
		(cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
		cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

/* helpers.makeSuffix: `.name`, `[0]` or `["odd key"]`. */
static void put_suffix(struct sh_buf *b, const char *key)
{
	const char *p = key, *end = key + strlen(key);
	bool plain = !(key[0] >= '0' && key[0] <= '9'), digits = key[0] != '\0';

	while (p < end) {
		uint32_t cp = utf8_next(&p, end);
		if (cp == '.' || cp == '[' || cp == ']' || js_space(cp))
			plain = false;
		if (cp < '0' || cp > '9')
			digits = false;
	}
	if (plain)
		sh_buf_printf(b, ".%s", key);
	else if (digits)
		sh_buf_printf(b, "[%s]", key);
	else {
		sh_buf_putc(b, '[');
		put_quoted(b, key, strlen(key));
		sh_buf_putc(b, ']');
	}
}

/* ---- errors ---------------------------------------------------------------- */

static void put_property(struct sh_buf *b, const struct vctx *c)
{
	sh_buf_puts(b, c->prefix);
	for (size_t i = 0; i < c->npath; i++) {
		if (c->path[i].key != NULL)
			put_suffix(b, c->path[i].key);
		else
			sh_buf_printf(b, "[%zu]", c->path[i].index);
	}
}

static json_t *path_json(const struct vctx *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->npath; i++) {
		if (c->path[i].key != NULL)
			json_array_append_new(a, json_string(c->path[i].key));
		else
			json_array_append_new(a, json_integer((json_int_t)c->path[i].index));
	}
	return a;
}

/* ValidationError.schema: the subschema's id when it has one. */
static json_t *schema_field(const json_t *schema)
{
	const json_t *id = schema_id(schema);

	return json_incref((json_t *)(id ? id : schema));
}

static json_t *text_json(const struct sh_buf *b)
{
	json_t *s = json_stringn(b->ptr ? b->ptr : "", b->len);

	return s ? s : json_string("");
}

/*
 * Record one error about inst (NULL: undefined) found by keyword name of
 * schema. Takes arg (may be NULL: no "argument") and msg's contents.
 */
static void emit(struct vctx *c, struct sink *s, const json_t *schema, const json_t *inst,
	const char *name, json_t *arg, struct sh_buf *msg)
{
	struct sh_buf prop = SH_BUF_INIT, stack = SH_BUF_INIT;
	json_t *e;

	s->n++;
	if (s->errors == NULL || !charge(c, ERROR_COST))
		goto done;
	put_property(&prop, c);
	sh_buf_put(&stack, prop.ptr, prop.len);
	sh_buf_putc(&stack, ' ');
	sh_buf_put(&stack, msg->ptr ? msg->ptr : "", msg->len);
	e = json_object();
	json_object_set_new(e, "path", path_json(c));
	json_object_set_new(e, "property", text_json(&prop));
	json_object_set_new(e, "message", text_json(msg));
	json_object_set_new(e, "schema", schema_field(schema));
	if (inst != NULL)
		json_object_set_new(e, "instance", json_incref((json_t *)inst));
	json_object_set_new(e, "name", json_string(name));
	if (arg != NULL) {
		json_object_set_new(e, "argument", arg);
		arg = NULL;
	}
	json_object_set_new(e, "stack", text_json(&stack));
	json_array_append_new(s->errors, e);
done:
	json_decref(arg);
	sh_buf_dispose(msg);
	sh_buf_dispose(&prop);
	sh_buf_dispose(&stack);
}

/* emit() for a message built from a literal and one number. */
static void emit_num(struct vctx *c, struct sink *s, const json_t *schema, const json_t *inst,
	const char *name, const json_t *num, const char *text)
{
	struct sh_buf msg = SH_BUF_INIT;

	sh_buf_puts(&msg, text);
	put_num(&msg, json_number_value(num));
	emit(c, s, schema, inst, name, json_incref((json_t *)num), &msg);
}

static void emit_text(struct vctx *c, struct sink *s, const json_t *schema, const json_t *inst,
	const char *name, json_t *arg, const char *text)
{
	struct sh_buf msg = SH_BUF_INIT;

	sh_buf_puts(&msg, text);
	emit(c, s, schema, inst, name, arg, &msg);
}

/* ---- ECMAScript pattern to POSIX ERE ----------------------------------------- */

struct rxt {
	const char *p, *end;
	struct sh_buf *out;
	bool utf8;
	int status;                      /* RX_OK until something fails */
	bool atom;                       /* the last item takes a quantifier */
	size_t last;                     /* its weight */
	size_t depth;                    /* open groups */
	size_t total[MAX_GROUPS + 1];    /* weight so far, per open group */
};

/* A character class being read: members, then emitted in an order that
 * POSIX brackets read literally (] first, [ ^ - last). */
struct cls {
	bool neg, rbracket, lbracket, caret, dash;
	bool d, w, s, nd, nw, ns;
	size_t members;
	struct sh_buf body;
};

static void rx_fail(struct rxt *t, int status)
{
	if (t->status == RX_OK)
		t->status = status;
}

static void rx_weigh(struct rxt *t, size_t w)
{
	t->total[t->depth] += w;
	if (t->total[t->depth] > MAX_WEIGHT)
		rx_fail(t, RX_UNSUPPORTED);
}

static void rx_atom(struct rxt *t, size_t w)
{
	rx_weigh(t, w);
	t->last = w;
	t->atom = true;
}

static const char *shorthand_ere(char letter)
{
	switch (letter) {
	case 'd': return "[0-9]";
	case 'D': return "[^0-9]";
	case 'w': return "[A-Za-z0-9_]";
	case 'W': return "[^A-Za-z0-9_]";
	case 's': return "[[:space:]]";
	default: return "[^[:space:]]";
	}
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* n hex digits at p, or -1. */
static long hex_n(const char *p, const char *end, int n)
{
	long v = 0;

	if (end - p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (hexval(p[i]) < 0)
			return -1;
		v = v * 16 + hexval(p[i]);
	}
	return v;
}

/* \u escapes after the 'u': HHHH, a surrogate pair, or {H...}. */
static long rx_unicode(struct rxt *t)
{
	long v = hex_n(t->p, t->end, 4), lo;

	if (t->p < t->end && *t->p == '{') {
		const char *q = t->p + 1;
		v = 0;
		while (q < t->end && hexval(*q) >= 0 && v <= 0x10FFFF)
			v = v * 16 + hexval(*q++);
		if (q == t->p + 1 || q >= t->end || *q != '}' || v > 0x10FFFF)
			return 'u'; /* not an escape without the u flag: a literal u */
		t->p = q + 1;
		return v;
	}
	if (v < 0)
		return 'u';
	t->p += 4;
	if (v >= 0xD800 && v <= 0xDBFF && t->end - t->p >= 6 && t->p[0] == '\\' && t->p[1] == 'u' &&
		(lo = hex_n(t->p + 2, t->end, 4)) >= 0xDC00 && lo <= 0xDFFF) {
		t->p += 6;
		return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
	}
	return v;
}

/*
 * One escape after the backslash, shared by both contexts: returns a code
 * point, or -(letter) for a class shorthand \d \D \w \W \s \S, or 0 when
 * the escape has no ERE form (t->status says why).
 */
static long rx_escape_char(struct rxt *t, bool in_class)
{
	char ch;
	long v;

	if (t->p >= t->end) {
		rx_fail(t, RX_INVALID);
		return 0;
	}
	ch = *t->p++;
	switch (ch) {
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S': return -(long)ch;
	case 'n': return '\n';
	case 't': return '\t';
	case 'r': return '\r';
	case 'f': return '\f';
	case 'v': return '\v';
	case 'b': return in_class ? '\b' : 0; /* the caller handles \b outside */
	case 'x':
		v = hex_n(t->p, t->end, 2);
		if (v < 0)
			return 'x';
		t->p += 2;
		return v == 0 ? (rx_fail(t, RX_UNSUPPORTED), 0) : v;
	case 'u':
		v = rx_unicode(t);
		if (v == 0 || (v >= 0xD800 && v <= 0xDFFF))
			rx_fail(t, RX_UNSUPPORTED);
		return v >= 0xD800 && v <= 0xDFFF ? 0 : v;
	case 'c':
		if (t->p < t->end && ((*t->p >= 'a' && *t->p <= 'z') || (*t->p >= 'A' && *t->p <= 'Z')))
			return *t->p++ & 31;
		rx_fail(t, RX_UNSUPPORTED);
		return 0;
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
	case 'k': case 'p': case 'P':
		/* NUL, backreferences and property escapes: no ERE form */
		rx_fail(t, RX_UNSUPPORTED);
		return 0;
	default:
		t->p--;
		return (long)utf8_next(&t->p, t->end);
	}
}

static void rx_literal(struct rxt *t, uint32_t cp)
{
	if (cp < 0x80 && strchr(".[]()*+?{}|^$\\", (int)cp) != NULL) {
		sh_buf_putc(t->out, '\\');
		sh_buf_putc(t->out, (char)cp);
	} else if (cp < 0x80 || t->utf8) {
		put_utf8(t->out, cp);
	} else {
		/* bytes: keep a quantifier on the whole sequence */
		sh_buf_putc(t->out, '(');
		put_utf8(t->out, cp);
		sh_buf_putc(t->out, ')');
	}
	rx_atom(t, 1);
}

static void rx_backslash(struct rxt *t)
{
	long v;

	if (t->p < t->end && (*t->p == 'b' || *t->p == 'B')) {
		sh_buf_printf(t->out, "\\%c", *t->p++); /* GNU word boundary */
		t->atom = false;
		return;
	}
	v = rx_escape_char(t, false);
	if (t->status != RX_OK)
		return;
	if (v < 0) {
		sh_buf_puts(t->out, shorthand_ere((char)-v));
		rx_atom(t, 1);
	} else {
		rx_literal(t, (uint32_t)v);
	}
}

/* One class member: a code point, or a negative shorthand as above. */
static long cls_atom(struct rxt *t)
{
	if (*t->p == '\\') {
		t->p++;
		return rx_escape_char(t, true);
	}
	return (long)utf8_next(&t->p, t->end);
}

static void cls_shorthand(struct cls *k, char letter)
{
	switch (letter) {
	case 'd': k->d = true; break;
	case 'D': k->nd = true; break;
	case 'w': k->w = true; break;
	case 'W': k->nw = true; break;
	case 's': k->s = true; break;
	default: k->ns = true; break;
	}
	k->members++;
}

static void cls_char(struct rxt *t, struct cls *k, long cp)
{
	k->members++;
	if (cp == ']')
		k->rbracket = true;
	else if (cp == '[')
		k->lbracket = true;
	else if (cp == '^')
		k->caret = true;
	else if (cp == '-')
		k->dash = true;
	else if (cp <= 0)
		rx_fail(t, RX_UNSUPPORTED);
	else
		put_utf8(&k->body, (uint32_t)cp);
}

static void cls_range(struct rxt *t, struct cls *k, long lo, long hi)
{
	if (lo > hi) {
		rx_fail(t, RX_INVALID);
	} else if (lo == hi) {
		cls_char(t, k, lo);
	} else if (lo >= 0x80 || hi >= 0x80 || lo <= 0 || strchr("[]-^", (int)lo) != NULL ||
		strchr("[]-^", (int)hi) != NULL) {
		rx_fail(t, RX_UNSUPPORTED); /* glibc refuses non-ASCII range ends */
	} else {
		k->members++;
		sh_buf_printf(&k->body, "%c-%c", (char)lo, (char)hi);
	}
}

/* Read members up to the closing ']'. */
static void cls_read(struct rxt *t, struct cls *k)
{
	while (t->status == RX_OK) {
		long a, b;
		if (t->p >= t->end) {
			rx_fail(t, RX_INVALID);
			return;
		}
		if (*t->p == ']') {
			t->p++;
			return;
		}
		a = cls_atom(t);
		if (a < 0) {
			cls_shorthand(k, (char)-a);
			continue;
		}
		if (t->end - t->p >= 2 && t->p[0] == '-' && t->p[1] != ']') {
			t->p++;
			b = cls_atom(t);
			if (b < 0) { /* [a-\d]: literal a, '-' and the class */
				cls_char(t, k, a);
				cls_char(t, k, '-');
				cls_shorthand(k, (char)-b);
			} else {
				cls_range(t, k, a, b);
			}
			continue;
		}
		cls_char(t, k, a);
	}
}

/* The bracket for k's members (no negated shorthands among them). */
static void cls_emit_bracket(struct rxt *t, const struct cls *k)
{
	bool first_free = !k->rbracket && k->body.len == 0 && !k->d && !k->w && !k->s &&
		!k->lbracket;

	if (!k->neg && first_free && k->caret && !k->dash) {
		sh_buf_puts(t->out, "\\^");
		return;
	}
	sh_buf_puts(t->out, k->neg ? "[^" : "[");
	if (k->rbracket)
		sh_buf_putc(t->out, ']');
	if (k->body.len)
		sh_buf_put(t->out, k->body.ptr, k->body.len);
	if (k->d)
		sh_buf_puts(t->out, "0-9");
	if (k->w)
		sh_buf_puts(t->out, "A-Za-z0-9_");
	if (k->s)
		sh_buf_puts(t->out, "[:space:]");
	if (k->lbracket)
		sh_buf_putc(t->out, '[');
	if (!k->neg && first_free && k->caret) {
		sh_buf_puts(t->out, "-^]"); /* '-' first, then '^' is literal */
		return;
	}
	if (k->caret)
		sh_buf_putc(t->out, '^');
	if (k->dash)
		sh_buf_putc(t->out, '-');
	sh_buf_putc(t->out, ']');
}

static void cls_emit(struct rxt *t, const struct cls *k)
{
	bool all = (k->d && k->nd) || (k->w && k->nw) || (k->s && k->ns);
	int negs = k->nd + k->nw + k->ns;

	if (k->members == 0 || all) {
		/* [] matches nothing, [^] and [\s\S] anything */
		if (k->neg == (k->members == 0))
			sh_buf_putc(t->out, '.');
		else
			rx_fail(t, RX_UNSUPPORTED);
	} else if (negs > 0) {
		if (k->members != 1) {
			rx_fail(t, RX_UNSUPPORTED);
			return;
		}
		char letter = k->nd ? 'd' : k->nw ? 'w' : 's';
		sh_buf_puts(t->out, shorthand_ere(k->neg ? letter : (char)(letter - 32)));
	} else {
		cls_emit_bracket(t, k);
	}
}

static void rx_class(struct rxt *t)
{
	struct cls k = { 0 };

	k.body = SH_BUF_INIT;
	if (t->p < t->end && *t->p == '^') {
		k.neg = true;
		t->p++;
	}
	cls_read(t, &k);
	if (t->status == RX_OK)
		cls_emit(t, &k);
	sh_buf_dispose(&k.body);
	rx_atom(t, 1);
}

static void rx_quantify(struct rxt *t, size_t min, long max)
{
	size_t factor = max >= 0 ? (size_t)max : min + 1;

	if (!t->atom) {
		rx_fail(t, RX_INVALID); /* nothing to repeat */
		return;
	}
	if (factor > 1)
		rx_weigh(t, t->last * (factor - 1));
	t->atom = false;
	if (t->p < t->end && *t->p == '?')
		t->p++; /* lazy or greedy: the same for a yes/no match */
}

/* {n}, {n,} or {n,m} at t->p (just after '{'): true if it is one. */
static bool rx_interval(struct rxt *t)
{
	const char *q = t->p;
	size_t n = 0, m = 0;
	bool comma = false, has_m = false;

	if (q >= t->end || *q < '0' || *q > '9')
		return false;
	for (; q < t->end && *q >= '0' && *q <= '9'; q++)
		n = n > 100000 ? n : n * 10 + (size_t)(*q - '0'); /* capped; the digits still go */
	if (q < t->end && *q == ',') {
		comma = true;
		q++;
		for (; q < t->end && *q >= '0' && *q <= '9'; q++) {
			m = m > 100000 ? m : m * 10 + (size_t)(*q - '0');
			has_m = true;
		}
	}
	if (q >= t->end || *q != '}')
		return false;
	t->p = q + 1;
	if (has_m && m < n)
		rx_fail(t, RX_INVALID);
	else if (n > MAX_REPEAT || m > MAX_REPEAT)
		rx_fail(t, RX_UNSUPPORTED);
	if (t->status != RX_OK)
		return true;
	if (!comma)
		sh_buf_printf(t->out, "{%zu}", n);
	else if (has_m)
		sh_buf_printf(t->out, "{%zu,%zu}", n, m);
	else
		sh_buf_printf(t->out, "{%zu,}", n);
	rx_quantify(t, n, comma ? (has_m ? (long)m : -1) : (long)n);
	return true;
}

static void rx_open(struct rxt *t)
{
	if (t->p < t->end && *t->p == '?') {
		if (t->end - t->p >= 2 && t->p[1] == ':') {
			t->p += 2;
		} else if (t->end - t->p >= 3 && t->p[1] == '<' && t->p[2] != '=' && t->p[2] != '!') {
			const char *gt = memchr(t->p, '>', (size_t)(t->end - t->p));
			if (gt == NULL) {
				rx_fail(t, RX_INVALID);
				return;
			}
			t->p = gt + 1; /* a named group: the name is not needed */
		} else {
			rx_fail(t, RX_UNSUPPORTED); /* lookaround */
			return;
		}
	}
	if (t->depth == MAX_GROUPS) {
		rx_fail(t, RX_UNSUPPORTED);
		return;
	}
	sh_buf_putc(t->out, '(');
	t->total[++t->depth] = 0;
	t->atom = false;
}

static void rx_close(struct rxt *t)
{
	size_t w;

	if (t->depth == 0) {
		rx_fail(t, RX_INVALID);
		return;
	}
	sh_buf_putc(t->out, ')');
	w = t->total[t->depth--];
	rx_atom(t, w ? w : 1);
}

static void rx_step(struct rxt *t)
{
	char ch = *t->p++;

	switch (ch) {
	case '\\': rx_backslash(t); break;
	case '[': rx_class(t); break;
	case '(': rx_open(t); break;
	case ')': rx_close(t); break;
	case '|':
	case '^':
	case '$':
		sh_buf_putc(t->out, ch);
		t->atom = false;
		break;
	case '*': sh_buf_putc(t->out, '*'); rx_quantify(t, 0, -1); break;
	case '+': sh_buf_putc(t->out, '+'); rx_quantify(t, 1, -1); break;
	case '?': sh_buf_putc(t->out, '?'); rx_quantify(t, 0, 1); break;
	case '{':
		if (!rx_interval(t))
			rx_literal(t, '{');
		break;
	case '.':
		/* JavaScript's dot stops at line terminators */
		sh_buf_puts(t->out, t->utf8 ? "[^\n\r\xE2\x80\xA8\xE2\x80\xA9]" : "[^\n\r]");
		rx_atom(t, 1);
		break;
	default:
		t->p--;
		rx_literal(t, utf8_next(&t->p, t->end));
	}
}

/*
 * Translate an ECMAScript pattern into out (an ERE). Returns RX_OK,
 * RX_INVALID (not a JavaScript regex) or RX_UNSUPPORTED (no ERE form, or
 * too big); *weight estimates the positions regcomp will build.
 */
static int rx_translate(struct sh_buf *out, const char *src, size_t len, bool utf8, size_t *weight)
{
	struct rxt t = { .p = src, .end = src + len, .out = out, .utf8 = utf8 };

	if (len > MAX_PATTERN || memchr(src, '\0', len) != NULL)
		return RX_UNSUPPORTED;
	while (t.p < t.end && t.status == RX_OK)
		rx_step(&t);
	if (t.status == RX_OK && t.depth != 0)
		t.status = RX_INVALID;
	*weight = t.total[0];
	return t.status;
}

/* ---- compiled patterns ---------------------------------------------------- */

/* The compiled form of src, from the per-call cache; NULL and *status on
 * failure. raw: src is already an ERE (the format table). */
static regex_t *rx_get(struct vctx *c, const char *src, size_t len, int cflags, bool raw,
	int *status, size_t *weight)
{
	struct rx_entry *e = NULL;
	struct sh_buf ere = SH_BUF_INIT;

	for (size_t i = 0; i < c->nrx && e == NULL; i++)
		if (c->rx[i].src == src && c->rx[i].cflags == cflags)
			e = &c->rx[i];
	if (e != NULL)
		goto done;
	if (c->nrx < RX_CACHE) {
		e = &c->rx[c->nrx++];
	} else { /* full: recycle the last slot (callers use a result at once) */
		e = &c->rx[RX_CACHE - 1];
		if (e->status == RX_OK)
			regfree(&e->re);
	}
	e->src = src;
	e->cflags = cflags;
	e->weight = 1;
	e->status = raw ? RX_OK : rx_translate(&ere, src, len, c->utf8, &e->weight);
	if (e->status == RX_OK && !charge(c, 1 + e->weight * 16)) /* regcomp's share */
		e->status = RX_UNSUPPORTED;
	if (e->status == RX_OK) {
		locale_t old = c->loc ? uselocale(c->loc) : (locale_t)0;
		if (regcomp(&e->re, raw ? src : ere.ptr ? ere.ptr : "()",
			cflags | REG_EXTENDED | REG_NOSUB) != 0)
			e->status = RX_UNSUPPORTED;
		if (c->loc)
			uselocale(old);
	}
	sh_buf_dispose(&ere);
done:
	*status = e->status;
	*weight = e->weight;
	return e->status == RX_OK ? &e->re : NULL;
}

/* Whether re finds a match anywhere in s[0..len). */
static bool rx_search(struct vctx *c, regex_t *re, size_t weight, const char *s, size_t len)
{
	regmatch_t m[1] = { { 0, (regoff_t)len } };
	locale_t old;
	int rc;

	/* glibc's matcher walks up to weight positions per byte: charge for
	 * that, so that {n,m}-heavy patterns on long strings stop early */
	if (!charge(c, 1 + (len + 1) * (weight + 1) / 2))
		return false;
	old = c->loc ? uselocale(c->loc) : (locale_t)0;
	rc = regexec(re, s, 1, m, REG_STARTEND);
	if (c->loc)
		uselocale(old);
	return rc == 0;
}

/* Match an ECMAScript pattern (a JSON string) against text: 1 match, 0 no
 * match, or RX_INVALID / RX_UNSUPPORTED. */
static int pattern_test(struct vctx *c, const char *src, size_t srclen, const char *s, size_t len)
{
	int status;
	size_t weight;
	regex_t *re = rx_get(c, src, srclen, 0, false, &status, &weight);

	if (re == NULL)
		return status;
	return rx_search(c, re, weight, s, len) ? 1 : 0;
}

/* ---- formats ---------------------------------------------------------------- */

/* h16 groups of an IPv6 address with at most one "::" and an optional
 * dotted IPv4 tail; no leading zeros in the IPv4 part. */
static bool ipv4_part(const char *s, size_t n)
{
	size_t i = 0;

	for (int octet = 0; octet < 4; octet++) {
		size_t start = i;
		unsigned v = 0;
		if (octet > 0 && (i >= n || s[i++] != '.'))
			return false;
		start = i;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (unsigned)(s[i++] - '0');
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return false;
	}
	return i == n;
}

static bool ipv6_core(const char *s, size_t n)
{
	size_t i = 0, groups = 0;
	bool gap = false;

	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = true;
		i = 2;
	} else if (n >= 1 && s[0] == ':') {
		return false;
	}
	while (i < n) {
		size_t start = i;
		while (i < n && hexval(s[i]) >= 0 && i - start < 5)
			i++;
		if (i < n && s[i] == '.') /* the IPv4 tail */
			return groups <= (gap ? 5 : 6) && (gap || groups == 6) && ipv4_part(s + start, n - start);
		if (i == start || i - start > 4)
			return false;
		groups++;
		if (i == n)
			break;
		if (s[i++] != ':' || i == n)
			return false;
		if (s[i] == ':') {
			if (gap)
				return false;
			gap = true;
			i++;
		}
	}
	return gap ? groups <= 7 : groups == 8;
}

static bool is_ipv6(const char *s, size_t n)
{
	const char *zone;
	const char *p = s, *end = s + n;

	while (p < end) { /* leading and trailing white space are allowed */
		const char *q = p;
		if (!js_space(utf8_next(&q, end)))
			break;
		p = q;
	}
	while (end > p && (end[-1] == ' ' || (end[-1] >= 9 && end[-1] <= 13)))
		end--;
	zone = memchr(p, '%', (size_t)(end - p));
	if (zone != NULL) {
		if (zone + 1 == end || memchr(zone, '\n', (size_t)(end - zone)) ||
			memchr(zone, '\r', (size_t)(end - zone)))
			return false;
		end = zone;
	}
	return ipv6_core(p, (size_t)(end - p));
}

/* A format checked by an ERE (ASCII, ours), by code, or both. */
struct format {
	const char *name;
	const char *ere;
	int cflags;
	bool (*check)(const char *s, size_t n);
};

static bool hostname_length(const char *s, size_t n)
{
	(void)s;
	return n >= 1 && n <= 255;
}

#define DATE "[0-9]{4}-(0[0-9]|1[0-2])-(3[01]|0[1-9]|[12][0-9])"
#define TIME "(2[0-4]|[01][0-9]):([0-5][0-9]):(60|[0-5][0-9])"
#define LABEL "[0-9A-Za-z]([0-9A-Za-z-]{0,61}[0-9A-Za-z])?"
#define OCTET "([01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5])"
#define ATEXT "[A-Za-z0-9_!#$%&'*+/=?^`{|}~-]"
#define DUR_T "T[0-9]+(H([0-9]+M([0-9]+S)?)?|M([0-9]+S)?|S)"

static const struct format formats[] = {
	{ "date-time", "^" DATE "[tT ]" TIME "(\\.[0-9]+)?([zZ]|[+-]([0-5][0-9]):(60|[0-5][0-9]))$", 0,
		NULL },
	{ "date", "^" DATE "$", 0, NULL },
	{ "time", "^" TIME "$", 0, NULL },
	{ "duration", "P(" DUR_T "|[0-9]+(D|M([0-9]+D)?|Y([0-9]+M([0-9]+D)?)?)(" DUR_T ")?|[0-9]+W)",
		REG_ICASE, NULL },
	{ "email", "^(" ATEXT "+\\.)*" ATEXT "+@((" LABEL "\\.)+" LABEL "|\\[(" OCTET "\\.){3}" OCTET
		"\\])$", 0, NULL },
	{ "ipv4", "^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$",
		0, NULL },
	{ "ip-address", "^((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}"
		"(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$", 0, NULL },
	{ "ipv6", NULL, 0, is_ipv6 },
	{ "uri", "^[a-zA-Z][a-zA-Z0-9+.-]*:[^[:space:]]*$", 0, NULL },
	{ "url", "^[a-zA-Z][a-zA-Z0-9+.-]*:[^[:space:]]*$", 0, NULL },
	{ "uuid", "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", 0,
		NULL },
	{ "hostname", "^" LABEL "(\\." LABEL ")*\\.?$", 0, hostname_length },
	{ "host-name", "^" LABEL "(\\." LABEL ")*\\.?$", 0, hostname_length },
	{ "phone", "^\\+([0-9] ?){6,14}[0-9]$", 0, NULL },
	{ "alpha", "^[a-zA-Z]+$", 0, NULL },
	{ "alphanumeric", "^[a-zA-Z0-9]+$", 0, NULL },
	{ "regex", NULL, 0, NULL },
	{ "regexp", NULL, 0, NULL },
	{ "pattern", NULL, 0, NULL },
};

/* Whether s conforms to format name; unknown formats pass. */
static bool format_ok(struct vctx *c, const char *name, const json_t *s)
{
	const char *text = json_string_value(s);
	size_t len = json_string_length(s), weight;
	int status;

	for (size_t i = 0; i < SH_ARRAY_LEN(formats); i++) {
		const struct format *f = &formats[i];
		regex_t *re;
		if (strcmp(f->name, name) != 0)
			continue;
		if (f->ere == NULL && f->check == NULL) { /* regex: JavaScript would compile it */
			struct sh_buf ere = SH_BUF_INIT;
			status = rx_translate(&ere, text, len, c->utf8, &weight);
			sh_buf_dispose(&ere);
			return status != RX_INVALID;
		}
		if (f->check != NULL && !f->check(text, len))
			return false;
		if (f->ere == NULL)
			return true;
		re = rx_get(c, f->ere, strlen(f->ere), f->cflags, true, &status, &weight);
		return re == NULL || rx_search(c, re, weight, text, len);
	}
	return true;
}

/* ---- keywords ---------------------------------------------------------------- */

typedef void kw_fn(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst);

/* Whether inst is valid against schema; the errors are not kept. */
static bool is_valid(struct vctx *c, const json_t *schema, const json_t *inst)
{
	struct sink q = { NULL, 0 };

	validate(c, &q, schema, inst);
	return q.n == 0;
}

/* Validator.testType: a type name, or a schema. Names jsonschema does not
 * know pass, as there. */
static bool type_matches(struct vctx *c, const json_t *t, const json_t *inst)
{
	const char *name;

	if (json_is_object(t))
		return is_valid(c, t, inst);
	if (!json_is_string(t))
		return true;
	name = json_string_value(t);
	if (strcmp(name, "string") == 0)
		return json_is_string(inst);
	if (strcmp(name, "number") == 0)
		return json_is_number(inst);
	if (strcmp(name, "integer") == 0)
		return json_is_integer(inst) || (json_is_real(inst) && fmod(json_real_value(inst), 1) == 0);
	if (strcmp(name, "boolean") == 0)
		return json_is_boolean(inst);
	if (strcmp(name, "object") == 0)
		return json_is_object(inst);
	if (strcmp(name, "array") == 0)
		return json_is_array(inst);
	if (strcmp(name, "null") == 0)
		return json_is_null(inst);
	return strcmp(name, "date") != 0;
}

static void kw_type(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;
	json_t *list;
	size_t n = json_is_array(arg) ? json_array_size(arg) : 1;

	if (inst == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (type_matches(c, json_is_array(arg) ? json_array_get(arg, i) : arg, inst))
			return;
	list = json_array();
	sh_buf_puts(&msg, "is not of a type(s) ");
	for (size_t i = 0; i < n; i++) {
		const json_t *t = json_is_array(arg) ? json_array_get(arg, i) : arg;
		const json_t *id = schema_id(t);
		struct sh_buf item = SH_BUF_INIT;
		if (i > 0)
			sh_buf_putc(&msg, ',');
		if (!js_truthy(t)) {
			json_array_append_new(list, json_null());
			continue;
		}
		if (id != NULL)
			sh_buf_putc(&item, '<');
		put_js_string(&item, id ? id : t);
		if (id != NULL)
			sh_buf_putc(&item, '>');
		sh_buf_put(&msg, item.ptr, item.len);
		json_array_append_new(list, text_json(&item));
		sh_buf_dispose(&item);
	}
	emit(c, s, schema, inst, "type", list, &msg);
}

static void kw_enum(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;
	size_t i;
	json_t *v;

	if (inst == NULL || !json_is_array(arg))
		return;
	json_array_foreach(arg, i, v)
		if (deep_equal(c, v, inst))
			return;
	sh_buf_puts(&msg, "is not one of enum values: ");
	json_array_foreach(arg, i, v) {
		if (i > 0)
			sh_buf_putc(&msg, ',');
		put_js_string(&msg, v);
	}
	emit(c, s, schema, inst, "enum", json_incref((json_t *)arg), &msg);
}

static void kw_const(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;

	if (inst == NULL || deep_equal(c, arg, inst))
		return;
	sh_buf_puts(&msg, "does not exactly match expected constant: ");
	put_js_string(&msg, arg);
	emit(c, s, schema, inst, "const", json_incref((json_t *)arg), &msg);
}

static void kw_required(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	size_t i;
	json_t *name;

	if (inst == NULL && json_is_true(arg)) { /* draft-03 */
		emit_text(c, s, schema, inst, "required", NULL, "is required");
		return;
	}
	if (!json_is_object(inst) || !json_is_array(arg))
		return;
	json_array_foreach(arg, i, name) {
		struct sh_buf msg = SH_BUF_INIT;
		if (!json_is_string(name) || json_object_get(inst, json_string_value(name)) != NULL)
			continue;
		sh_buf_puts(&msg, "requires property ");
		put_quoted_json(&msg, name);
		emit(c, s, schema, inst, "required", json_incref(name), &msg);
		if (stopped(c, s))
			return;
	}
}

static void kw_properties(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	const char **keys;
	size_t n;

	(void)schema;
	if (!json_is_object(inst) || !json_is_object(arg))
		return;
	keys = js_keys(arg, &n);
	for (size_t i = 0; i < n && !stopped(c, s); i++) {
		push_key(c, keys[i], 0);
		validate(c, s, json_object_get(arg, keys[i]), json_object_get(inst, keys[i]));
		pop_key(c);
	}
	free(keys);
}

/* testAdditionalProperty: key matched neither properties nor a pattern. */
static void additional(struct vctx *c, struct sink *s, const json_t *schema, const json_t *inst,
	const char *key)
{
	const json_t *props = json_object_get(schema, "properties");
	const json_t *ap = json_object_get(schema, "additionalProperties");
	struct sh_buf msg = SH_BUF_INIT;

	if (json_is_object(props) && json_object_get(props, key) != NULL)
		return;
	if (json_is_false(ap)) {
		sh_buf_puts(&msg, "is not allowed to have the additional property ");
		put_quoted(&msg, key, strlen(key));
		emit(c, s, schema, inst, "additionalProperties", json_string(key), &msg);
		return;
	}
	if (!js_truthy(ap))
		return; /* {} */
	push_key(c, key, 0);
	validate(c, s, ap, json_object_get(inst, key));
	pop_key(c);
}

static void kw_additional_properties(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	const char **keys;
	size_t n;

	(void)arg;
	if (!json_is_object(inst) || js_truthy(json_object_get(schema, "patternProperties")))
		return; /* patternProperties sees to the rest */
	keys = js_keys(inst, &n);
	for (size_t i = 0; i < n && !stopped(c, s); i++)
		additional(c, s, schema, inst, keys[i]);
	free(keys);
}

static void emit_bad_pattern(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *inst, const char *name, const json_t *pattern, int status)
{
	struct sh_buf msg = SH_BUF_INIT;

	sh_buf_puts(&msg, status == RX_INVALID ? "cannot be checked: invalid pattern " :
		"cannot be checked: unsupported pattern ");
	put_quoted_json(&msg, pattern);
	emit(c, s, schema, inst, name, json_incref((json_t *)pattern), &msg);
}

/* The object's keys against each pattern; a bad pattern is reported once. */
static void pattern_props(struct vctx *c, struct sink *s, const json_t *schema, const json_t *pp,
	const json_t *inst, const char **keys, size_t n)
{
	size_t np = 0;
	const char **pats = json_is_object(pp) ? js_keys(pp, &np) : NULL;
	bool *bad = sh_calloc(np ? np : 1, sizeof(*bad));

	for (size_t i = 0; i < n && !stopped(c, s); i++) {
		bool matched = false;
		for (size_t j = 0; j < np && !stopped(c, s); j++) {
			json_t *sub = json_object_get(pp, pats[j]);
			int r = json_is_null(sub) ? 0 :
				pattern_test(c, pats[j], strlen(pats[j]), keys[i], strlen(keys[i]));
			if (r < 0 && !bad[j]) {
				json_t *pat = json_string(pats[j]);
				bad[j] = true;
				emit_bad_pattern(c, s, schema, inst, "patternProperties", pat, r);
				json_decref(pat);
			}
			if (r != 1)
				continue;
			matched = true;
			push_key(c, keys[i], 0);
			validate(c, s, sub, json_object_get(inst, keys[i]));
			pop_key(c);
		}
		if (!matched)
			additional(c, s, schema, inst, keys[i]);
	}
	free(bad);
	free(pats);
}

static void kw_pattern_properties(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	const char **keys;
	size_t n;

	if (!json_is_object(inst))
		return;
	keys = js_keys(inst, &n);
	pattern_props(c, s, schema, arg, inst, keys, n);
	free(keys);
}

/* A count against a numeric bound: minProperties, minItems, minLength... */
static void check_count(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst, size_t count, bool is_min, const char *name, const char *text)
{
	double bound;

	if (!json_is_number(arg))
		return;
	bound = json_number_value(arg);
	if (is_min ? !((double)count >= bound) : !((double)count <= bound))
		emit_num(c, s, schema, inst, name, arg, text);
}

static void kw_min_properties(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	if (json_is_object(inst))
		check_count(c, s, schema, arg, inst, json_object_size(inst), true, "minProperties",
			"does not meet minimum property length of ");
}

static void kw_max_properties(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	if (json_is_object(inst))
		check_count(c, s, schema, arg, inst, json_object_size(inst), false, "maxProperties",
			"does not meet maximum property length of ");
}

static void kw_min_items(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	if (json_is_array(inst))
		check_count(c, s, schema, arg, inst, json_array_size(inst), true, "minItems",
			"does not meet minimum length of ");
}

static void kw_max_items(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	if (json_is_array(inst))
		check_count(c, s, schema, arg, inst, json_array_size(inst), false, "maxItems",
			"does not meet maximum length of ");
}

static void kw_min_length(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	if (json_is_string(inst))
		check_count(c, s, schema, arg, inst, utf8_length(inst), true, "minLength",
			"does not meet minimum length of ");
}

static void kw_max_length(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	if (json_is_string(inst))
		check_count(c, s, schema, arg, inst, utf8_length(inst), false, "maxLength",
			"does not meet maximum length of ");
}

static void kw_items(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	const json_t *more = json_object_get(schema, "additionalItems");

	if (!json_is_array(inst))
		return;
	for (size_t i = 0; i < json_array_size(inst) && !stopped(c, s); i++) {
		const json_t *items = arg;
		if (json_is_array(arg))
			items = i < json_array_size(arg) ? json_array_get(arg, i) : more;
		if (items == NULL)
			continue;
		if (json_is_false(items)) {
			emit_text(c, s, schema, inst, "items", NULL, "additionalItems not permitted");
			return;
		}
		push_key(c, NULL, i);
		validate(c, s, items, json_array_get(inst, i));
		pop_key(c);
	}
}

static void kw_contains(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	if (!json_is_array(inst) || !(json_is_object(arg) || json_is_boolean(arg)))
		return;
	for (size_t i = 0; i < json_array_size(inst); i++)
		if (is_valid(c, arg, json_array_get(inst, i)))
			return;
	emit_text(c, s, schema, inst, "contains", json_incref((json_t *)arg),
		"must contain an item matching given schema");
}

static void kw_unique_items(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	size_t n = json_array_size(inst);

	if (!json_is_true(arg) || !json_is_array(inst))
		return;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (c->halt != HALT_NONE)
				return;
			if (deep_equal(c, json_array_get(inst, i), json_array_get(inst, j))) {
				emit_text(c, s, schema, inst, "uniqueItems", NULL, "contains duplicate item");
				return;
			}
		}
	}
}

static void kw_minimum(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	double x, min;

	if (!json_is_number(inst) || !json_is_number(arg))
		return;
	x = json_number_value(inst);
	min = json_number_value(arg);
	if (json_is_true(json_object_get(schema, "exclusiveMinimum"))) { /* draft-04 */
		if (!(x > min))
			emit_num(c, s, schema, inst, "minimum", arg, "must be greater than ");
	} else if (!(x >= min)) {
		emit_num(c, s, schema, inst, "minimum", arg, "must be greater than or equal to ");
	}
}

static void kw_maximum(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	double x, max;

	if (!json_is_number(inst) || !json_is_number(arg))
		return;
	x = json_number_value(inst);
	max = json_number_value(arg);
	if (json_is_true(json_object_get(schema, "exclusiveMaximum"))) {
		if (!(x < max))
			emit_num(c, s, schema, inst, "maximum", arg, "must be less than ");
	} else if (!(x <= max)) {
		emit_num(c, s, schema, inst, "maximum", arg, "must be less than or equal to ");
	}
}

static void kw_exclusive_minimum(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	if (json_is_number(inst) && json_is_number(arg) &&
		!(json_number_value(inst) > json_number_value(arg)))
		emit_num(c, s, schema, inst, "exclusiveMinimum", arg, "must be strictly greater than ");
}

static void kw_exclusive_maximum(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	if (json_is_number(inst) && json_is_number(arg) &&
		!(json_number_value(inst) < json_number_value(arg)))
		emit_num(c, s, schema, inst, "exclusiveMaximum", arg, "must be strictly less than ");
}

/* helpers.getDecimalPlaces, from the JavaScript text of x. */
static int decimal_places(double x)
{
	char text[40];
	const char *e, *dot;
	int places = 0;

	js_num(text, x);
	e = strchr(text, 'e');
	if (e != NULL) {
		if (e[1] != '-')
			return 0;
		places = atoi(e + 2);
	}
	dot = strchr(text, '.');
	if (dot != NULL)
		places += (int)((e ? e : text + strlen(text)) - dot - 1);
	return places;
}

static double js_round(double x)
{
	double r = floor(x);

	return x - r >= 0.5 ? r + 1 : r;
}

static void multiple(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst, const char *name, const char *text)
{
	double x, d, mul;
	int places;

	if (!json_is_number(inst) || !json_is_number(arg) || json_number_value(arg) == 0)
		return;
	x = json_number_value(inst);
	d = json_number_value(arg);
	places = decimal_places(x) > decimal_places(d) ? decimal_places(x) : decimal_places(d);
	mul = pow(10, places);
	if (fmod(js_round(x * mul), js_round(d * mul)) != 0)
		emit_num(c, s, schema, inst, name, arg, text);
}

static void kw_multiple_of(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	multiple(c, s, schema, arg, inst, "multipleOf", "is not a multiple of (divisible by) ");
}

static void kw_divisible_by(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	multiple(c, s, schema, arg, inst, "divisibleBy", "is not divisible by (multiple of) ");
}

static void kw_pattern(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;
	int r;

	if (!json_is_string(inst) || !json_is_string(arg))
		return;
	r = pattern_test(c, json_string_value(arg), json_string_length(arg), json_string_value(inst),
		json_string_length(inst));
	if (r < 0) {
		emit_bad_pattern(c, s, schema, inst, "pattern", arg, r);
	} else if (r == 0 && c->halt == HALT_NONE) {
		sh_buf_puts(&msg, "does not match pattern ");
		put_quoted_json(&msg, arg);
		emit(c, s, schema, inst, "pattern", json_incref((json_t *)arg), &msg);
	}
}

static void kw_format(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;

	if (!json_is_string(inst) || !json_is_string(arg) ||
		format_ok(c, json_string_value(arg), inst) || c->halt != HALT_NONE)
		return;
	sh_buf_puts(&msg, "does not conform to the ");
	put_quoted_json(&msg, arg);
	sh_buf_puts(&msg, " format");
	emit(c, s, schema, inst, "format", json_incref((json_t *)arg), &msg);
}

/* Validate into a fresh sink of the same kind as s (kept or counted). */
static size_t collect(struct vctx *c, const struct sink *s, json_t **out, const json_t *schema,
	const json_t *inst)
{
	struct sink sub = { s->errors ? json_array() : NULL, 0 };

	validate(c, &sub, schema, inst);
	*out = sub.errors;
	return sub.n;
}

/* Append what collect() found after the error that introduced it. */
static void import(struct vctx *c, struct sink *s, json_t *found, size_t n)
{
	if (s->errors != NULL && charge(c, json_array_size(found)))
		json_array_extend(s->errors, found);
	else
		s->n += n;
	json_decref(found);
}

static void dependency(struct vctx *c, struct sink *s, const json_t *schema, const json_t *dep,
	const json_t *inst, const char *prop)
{
	struct sh_buf where = SH_BUF_INIT, msg = SH_BUF_INIT;
	json_t *found = NULL;
	size_t n = 0, i;
	json_t *name;

	push_key(c, prop, 0);
	put_property(&where, c); /* the child context's propertyPath */
	if (!json_is_string(dep) && !json_is_array(dep))
		n = collect(c, s, &found, dep, inst);
	pop_key(c);
	if (json_is_string(dep) || json_is_array(dep)) {
		for (i = 0; i < (json_is_string(dep) ? 1 : json_array_size(dep)); i++) {
			name = json_is_string(dep) ? (json_t *)dep : json_array_get(dep, i);
			if (!json_is_string(name) || json_object_get(inst, json_string_value(name)))
				continue;
			sh_buf_puts(&msg, "property ");
			sh_buf_put(&msg, json_string_value(name), json_string_length(name));
			sh_buf_puts(&msg, " not found, required by ");
			sh_buf_put(&msg, where.ptr, where.len);
			emit(c, s, schema, inst, "dependencies", text_json(&where), &msg);
		}
	} else if (n > 0) {
		sh_buf_puts(&msg, "does not meet dependency required by ");
		sh_buf_put(&msg, where.ptr, where.len);
		emit(c, s, schema, inst, "dependencies", text_json(&where), &msg);
		import(c, s, found, n);
		found = NULL;
	}
	json_decref(found);
	sh_buf_dispose(&where);
}

static void kw_dependencies(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *arg, const json_t *inst)
{
	const char **keys;
	size_t n;

	if (!json_is_object(inst) || !json_is_object(arg))
		return;
	keys = js_keys(arg, &n);
	for (size_t i = 0; i < n && !stopped(c, s); i++)
		if (json_object_get(inst, keys[i]) != NULL)
			dependency(c, s, schema, json_object_get(arg, keys[i]), inst, keys[i]);
	free(keys);
}

/* How allOf/anyOf/oneOf name their i-th subschema. */
static void put_label(struct sh_buf *b, const json_t *v, size_t i, bool bracket_id)
{
	const json_t *id = schema_id(v);
	const json_t *title = json_is_object(v) ? json_object_get(v, "title") : NULL;
	const json_t *ref = json_is_object(v) ? json_object_get(v, "$ref") : NULL;

	if (id != NULL) {
		sh_buf_puts(b, bracket_id ? "<" : "");
		put_js_string(b, id);
		sh_buf_puts(b, bracket_id ? ">" : "");
	} else if (js_truthy(title)) {
		put_json(b, title);
	} else if (js_truthy(ref)) {
		sh_buf_putc(b, '<');
		put_js_string(b, ref);
		sh_buf_putc(b, '>');
	} else {
		sh_buf_printf(b, "[subschema %zu]", i);
	}
}

/* The labels as a JSON array, and joined with ',' into msg. */
static json_t *label_list(const json_t *arg, bool bracket_id, struct sh_buf *msg)
{
	json_t *list = json_array();

	for (size_t i = 0; i < json_array_size(arg); i++) {
		struct sh_buf item = SH_BUF_INIT;
		put_label(&item, json_array_get(arg, i), i, bracket_id);
		if (i > 0)
			sh_buf_putc(msg, ',');
		sh_buf_put(msg, item.ptr, item.len);
		json_array_append_new(list, text_json(&item));
		sh_buf_dispose(&item);
	}
	return list;
}

static void kw_all_of(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	if (inst == NULL || !json_is_array(arg))
		return;
	for (size_t i = 0; i < json_array_size(arg) && !stopped(c, s); i++) {
		struct sh_buf msg = SH_BUF_INIT, label = SH_BUF_INIT;
		json_t *found, *argument;
		size_t n = collect(c, s, &found, json_array_get(arg, i), inst);
		if (n == 0) {
			json_decref(found);
			continue;
		}
		put_label(&label, json_array_get(arg, i), i, false);
		sh_buf_puts(&msg, "does not match allOf schema ");
		sh_buf_put(&msg, label.ptr, label.len);
		sh_buf_printf(&msg, " with %zu error[s]:", n);
		argument = json_pack("{s:o,s:I}", "id", text_json(&label), "length", (json_int_t)n);
		emit(c, s, schema, inst, "allOf", argument, &msg);
		import(c, s, found, n);
		sh_buf_dispose(&label);
	}
}

static void kw_any_of(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;
	json_t *list;

	if (inst == NULL || !json_is_array(arg))
		return;
	for (size_t i = 0; i < json_array_size(arg); i++)
		if (is_valid(c, json_array_get(arg, i), inst))
			return;
	sh_buf_puts(&msg, "is not any of ");
	list = label_list(arg, true, &msg);
	emit(c, s, schema, inst, "anyOf", list, &msg);
}

static void kw_one_of(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;
	size_t count = 0;
	json_t *list;

	if (inst == NULL || !json_is_array(arg))
		return;
	for (size_t i = 0; i < json_array_size(arg) && count < 2; i++)
		if (is_valid(c, json_array_get(arg, i), inst))
			count++;
	if (count == 1)
		return;
	sh_buf_puts(&msg, "is not exactly one from ");
	list = label_list(arg, false, &msg);
	emit(c, s, schema, inst, "oneOf", list, &msg);
}

/* not (and draft-03 disallow): a schema, a type name, or a list of them. */
static void kw_not(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	size_t n = json_is_array(arg) ? json_array_size(arg) : 1;

	if (inst == NULL || !js_truthy(arg))
		return;
	for (size_t i = 0; i < n && !stopped(c, s); i++) {
		const json_t *t = json_is_array(arg) ? json_array_get(arg, i) : arg;
		const json_t *id = schema_id(t);
		struct sh_buf msg = SH_BUF_INIT;
		if (t == NULL || json_is_null(t) || !type_matches(c, t, inst))
			continue;
		sh_buf_puts(&msg, "is of prohibited type ");
		put_js_string(&msg, id ? id : t);
		emit(c, s, schema, inst, "not", json_incref((json_t *)(id ? id : t)), &msg);
	}
}

static void kw_if(struct vctx *c, struct sink *s, const json_t *schema, const json_t *arg,
	const json_t *inst)
{
	const json_t *branch;

	if (inst == NULL || !(json_is_object(arg) || json_is_boolean(arg)))
		return;
	branch = json_object_get(schema, is_valid(c, arg, inst) ? "then" : "else");
	if (json_is_object(branch) || json_is_boolean(branch))
		validate(c, s, branch, inst);
}

struct keyword {
	const char *name;
	kw_fn *fn;
};

/* jsonschema's validators; then, else and additionalItems are read by if
 * and items. */
static const struct keyword keywords[] = {
	{ "additionalProperties", kw_additional_properties },
	{ "allOf", kw_all_of },
	{ "anyOf", kw_any_of },
	{ "const", kw_const },
	{ "contains", kw_contains },
	{ "dependencies", kw_dependencies },
	{ "disallow", kw_not },
	{ "divisibleBy", kw_divisible_by },
	{ "enum", kw_enum },
	{ "exclusiveMaximum", kw_exclusive_maximum },
	{ "exclusiveMinimum", kw_exclusive_minimum },
	{ "format", kw_format },
	{ "if", kw_if },
	{ "items", kw_items },
	{ "maxItems", kw_max_items },
	{ "maxLength", kw_max_length },
	{ "maxProperties", kw_max_properties },
	{ "maximum", kw_maximum },
	{ "minItems", kw_min_items },
	{ "minLength", kw_min_length },
	{ "minProperties", kw_min_properties },
	{ "minimum", kw_minimum },
	{ "multipleOf", kw_multiple_of },
	{ "not", kw_not },
	{ "oneOf", kw_one_of },
	{ "pattern", kw_pattern },
	{ "patternProperties", kw_pattern_properties },
	{ "properties", kw_properties },
	{ "required", kw_required },
	{ "type", kw_type },
	{ "uniqueItems", kw_unique_items },
};

static kw_fn *keyword_fn(const char *name)
{
	for (size_t i = 0; i < SH_ARRAY_LEN(keywords); i++)
		if (strcmp(keywords[i].name, name) == 0)
			return keywords[i].fn;
	return NULL;
}

/* ---- $ref -------------------------------------------------------------------- */

/* One JSON pointer token of a URI fragment into out (cap bytes): %XX,
 * then ~1 and ~0. False if it does not fit or decodes to a NUL. */
static bool pointer_token(char *out, size_t cap, const char *s, size_t n)
{
	char raw[256];
	long len;
	size_t o = 0;

	if (n >= sizeof(raw) || n >= cap)
		return false;
	len = sh_url_decode(raw, s, n, false);
	if (len < 0) { /* not an escape: take the text as it is */
		memcpy(raw, s, n);
		len = (long)n;
	}
	for (long i = 0; i < len; i++) {
		if (raw[i] == '\0')
			return false;
		if (raw[i] == '~' && i + 1 < len && (raw[i + 1] == '0' || raw[i + 1] == '1'))
			out[o++] = raw[++i] == '0' ? '~' : '/';
		else
			out[o++] = raw[i];
	}
	out[o] = '\0';
	return true;
}

static const json_t *pointer_step(const json_t *at, const char *tok)
{
	char *end;
	unsigned long long i;

	if (json_is_object(at))
		return json_object_get(at, tok);
	if (!json_is_array(at) || tok[0] < '0' || tok[0] > '9' || (tok[0] == '0' && tok[1]))
		return NULL;
	i = strtoull(tok, &end, 10);
	return *end == '\0' && i < json_array_size(at) ? json_array_get(at, (size_t)i) : NULL;
}

/* A local reference ("#", "#/definitions/x") in root, or NULL. */
static const json_t *resolve_ref(const json_t *root, const char *ref)
{
	const json_t *at = root;
	const char *p;

	if (ref[0] != '#' || (ref[1] != '\0' && ref[1] != '/'))
		return NULL;
	p = ref + 1;
	while (at != NULL && *p == '/') {
		const char *next = strchr(p + 1, '/');
		size_t n = next ? (size_t)(next - p - 1) : strlen(p + 1);
		char tok[256];
		at = pointer_token(tok, sizeof(tok), p + 1, n) ? pointer_step(at, tok) : NULL;
		p += 1 + n;
	}
	return at;
}

static void follow_ref(struct vctx *c, struct sink *s, const json_t *schema, const json_t *ref,
	const json_t *inst)
{
	const json_t *target = resolve_ref(c->root, json_string_value(ref));
	struct sh_buf msg = SH_BUF_INIT;

	if (target == NULL) {
		sh_buf_puts(&msg, "cannot be checked: no such schema <");
		sh_buf_put(&msg, json_string_value(ref), json_string_length(ref));
		sh_buf_putc(&msg, '>');
		emit(c, s, schema, inst, "$ref", json_incref((json_t *)ref), &msg);
		return;
	}
	for (size_t i = 0; i < c->nhops; i++) {
		if (c->hops[i].schema == target && c->hops[i].inst == inst) {
			c->cycle = json_string_value(ref);
			c->halt = HALT_CYCLE; /* reported once, by schema_validate */
			s->n++;
			return;
		}
	}
	if (c->nhops == c->caphops) {
		c->caphops = c->caphops ? c->caphops * 2 : 8;
		c->hops = sh_realloc(c->hops, c->caphops * sizeof(*c->hops));
	}
	c->hops[c->nhops++] = (struct hop){ target, inst };
	validate(c, s, target, inst);
	c->nhops--;
}

/* ---- validation ------------------------------------------------------------ */

static void validate_false(struct vctx *c, struct sink *s, const json_t *inst)
{
	/* jsonschema turns false into {type: []} */
	json_t *synth = json_pack("{s:[]}", "type");

	if (inst != NULL)
		emit_text(c, s, synth, inst, "type", json_array(), "is not of a type(s) ");
	json_decref(synth);
}

static void validate_keywords(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *inst)
{
	size_t n;
	const char **keys = js_keys(schema, &n);

	for (size_t i = 0; i < n && !stopped(c, s); i++) {
		kw_fn *fn = keyword_fn(keys[i]);
		if (fn != NULL)
			fn(c, s, schema, json_object_get(schema, keys[i]), inst);
	}
	free(keys);
}

/* Validate inst (NULL: undefined) against schema; other JSON types than
 * objects and booleans are schemas that accept everything. */
static void validate(struct vctx *c, struct sink *s, const json_t *schema, const json_t *inst)
{
	const json_t *ref;

	if (c->depth >= MAX_DEPTH && c->halt == HALT_NONE)
		c->halt = HALT_DEPTH;
	if (!charge(c, 1)) {
		s->n++;
		return;
	}
	c->depth++;
	if (json_is_false(schema)) {
		validate_false(c, s, inst);
	} else if (json_is_object(schema)) {
		ref = json_object_get(schema, "$ref");
		if (json_is_string(ref))
			follow_ref(c, s, schema, ref, inst);
		else
			validate_keywords(c, s, schema, inst);
	}
	c->depth--;
}

/* The one error for a validation that had to stop or met a cycle. */
static void report_abnormal(struct vctx *c, struct sink *s, const json_t *schema,
	const json_t *inst)
{
	struct sh_buf msg = SH_BUF_INIT;
	enum halt halt = c->halt;

	c->halt = HALT_NONE; /* so that emit works */
	c->work = WORK_BUDGET;
	c->npath = 0;
	if (halt == HALT_DEPTH) {
		sh_buf_printf(&msg, "cannot be checked: nested more than %d levels deep", MAX_DEPTH);
		emit(c, s, schema, inst, "schema", NULL, &msg);
	} else if (halt == HALT_WORK) {
		emit_text(c, s, schema, inst, "schema", NULL,
			"cannot be checked: validation needs too much work");
	}
	if (halt == HALT_CYCLE) {
		sh_buf_printf(&msg, "cannot be checked: $ref cycle through <%s>", c->cycle);
		emit(c, s, schema, inst, "$ref", json_string(c->cycle), &msg);
	}
}

static void ctx_init(struct vctx *c, const json_t *root, const char *prefix)
{
	memset(c, 0, sizeof(*c));
	c->root = root;
	c->prefix = prefix != NULL ? prefix : "instance";
	c->work = WORK_BUDGET;
	c->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	c->utf8 = c->loc != (locale_t)0;
	if (!c->utf8)
		c->loc = newlocale(LC_CTYPE_MASK, "C", (locale_t)0);
}

static void ctx_dispose(struct vctx *c)
{
	for (size_t i = 0; i < c->nrx; i++)
		if (c->rx[i].status == RX_OK)
			regfree(&c->rx[i].re);
	if (c->loc != (locale_t)0)
		freelocale(c->loc);
	free(c->path);
	free(c->hops);
}

size_t schema_validate(json_t *errors, const json_t *root, const json_t *schema,
	const json_t *instance, const char *prefix)
{
	struct vctx c;
	struct sink s = { errors, 0 };
	size_t before = json_array_size(errors);

	assert(json_is_array(errors));
	ctx_init(&c, root != NULL ? root : schema, prefix);
	validate(&c, &s, schema, instance);
	if (c.halt != HALT_NONE) {
		/* what was found before stopping is partial: report the stop alone */
		while (json_array_size(errors) > before)
			json_array_remove(errors, json_array_size(errors) - 1);
		report_abnormal(&c, &s, schema, instance);
	}
	ctx_dispose(&c);
	return json_array_size(errors) - before;
}
