/*
 * Values with JavaScript's conversions (what Nunjucks inherits), and the
 * filters, tests, methods and globals templates can call.
 *
 * Strings are indexed by code point: JavaScript counts UTF-16 units, which
 * agrees for the Basic Multilingual Plane, and code points never cut a
 * UTF-8 sequence in half. Case mapping is ASCII only.
 */
#include <ctype.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_internal.h"

static const struct val undef_val = { VK_UNDEF, 0, NULL, NULL };

/* ---- values ------------------------------------------------------------ */

struct val tval_str(const char *s, size_t n)
{
	return v_own(json_stringn_nocheck(s ? s : "", n));
}

struct val tval_buf(struct sh_buf *b)
{
	struct val v = tval_str(b->ptr, b->len);

	sh_buf_dispose(b);
	return v;
}

void tval_drop(struct val *v)
{
	if (v->k == VK_JSON)
		json_decref(v->j);
	*v = v_undef();
}

struct val tval_copy(const struct val *v)
{
	struct val c = *v;

	if (c.k == VK_JSON)
		json_incref(c.j);
	return c;
}

enum vtype tval_type(const struct val *v)
{
	switch (v->k) {
	case VK_NUM: return T_NUM;
	case VK_RE: return T_RE;
	case VK_UNDEF: return T_UNDEF;
	default: break;
	}
	switch (json_typeof(v->j)) {
	case JSON_NULL: return T_NULL;
	case JSON_TRUE: case JSON_FALSE: return T_BOOL;
	case JSON_INTEGER: case JSON_REAL: return T_NUM;
	case JSON_STRING: return T_STR;
	case JSON_ARRAY: return T_ARR;
	default: return T_OBJ;
	}
}

static double raw_num(const struct val *v)
{
	return v->k == VK_NUM ? v->n : json_number_value(v->j);
}

bool tval_truthy(const struct val *v)
{
	double d;

	switch (tval_type(v)) {
	case T_UNDEF: case T_NULL: return false;
	case T_BOOL: return json_is_true(v->j);
	case T_NUM: d = raw_num(v); return d != 0 && !isnan(d);
	case T_STR: return json_string_length(v->j) > 0;
	default: return true;
	}
}

bool tval_truthy_backstage(const struct val *v)
{
	if (tval_type(v) == T_ARR)
		return json_array_size(v->j) > 0;
	return tval_truthy(v);
}

const char *tval_sv(const struct val *v, size_t *len)
{
	if (tval_type(v) != T_STR) {
		*len = 0;
		return NULL;
	}
	*len = json_string_length(v->j);
	return json_string_value(v->j);
}

static bool js_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* JS Number(string). */
static double str_num(const char *s, size_t n)
{
	char buf[128], *end;
	double d;

	while (n > 0 && js_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && js_space(s[n - 1]))
		n--;
	if (n == 0)
		return 0;
	if (n >= sizeof(buf))
		return NAN;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "Infinity") == 0 || strcmp(buf, "+Infinity") == 0)
		return INFINITY;
	if (strcmp(buf, "-Infinity") == 0)
		return -INFINITY;
	if (n > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		if (strspn(buf + 2, "0123456789abcdefABCDEF") != n - 2)
			return NAN;
		return (double)strtoull(buf + 2, NULL, 16);
	}
	if (strspn(buf, "0123456789.eE+-") != n)
		return NAN;
	d = strtod(buf, &end);
	return *end == '\0' ? d : NAN;
}

double tval_num(const struct val *v)
{
	struct sh_buf b = SH_BUF_INIT;
	double d;

	switch (tval_type(v)) {
	case T_NULL: return 0;
	case T_BOOL: return json_is_true(v->j) ? 1 : 0;
	case T_NUM: return raw_num(v);
	case T_STR: return str_num(json_string_value(v->j), json_string_length(v->j));
	case T_ARR:
		tval_append(&b, v, false);
		d = str_num(b.ptr ? b.ptr : "", b.len);
		sh_buf_dispose(&b);
		return d;
	default: return NAN;
	}
}

/* The shortest digits that read back as d (d > 0, finite), JS style. */
static void fmt_shortest(struct sh_buf *b, double d)
{
	char buf[40], digits[24];
	int exp = 0, nd = 0, point;

	for (int p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	for (const char *c = buf; *c && *c != 'e'; c++) {
		if (*c >= '0' && *c <= '9')
			digits[nd++] = *c;
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = atoi(strchr(buf, 'e') + 1);
	point = exp + 1;
	if (nd <= point && point <= 21) {
		sh_buf_put(b, digits, (size_t)nd);
		for (int i = nd; i < point; i++)
			sh_buf_putc(b, '0');
	} else if (0 < point && point <= 21) {
		sh_buf_put(b, digits, (size_t)point);
		sh_buf_putc(b, '.');
		sh_buf_put(b, digits + point, (size_t)(nd - point));
	} else if (-6 < point && point <= 0) {
		sh_buf_puts(b, "0.");
		for (int i = point; i < 0; i++)
			sh_buf_putc(b, '0');
		sh_buf_put(b, digits, (size_t)nd);
	} else {
		sh_buf_putc(b, digits[0]);
		if (nd > 1) {
			sh_buf_putc(b, '.');
			sh_buf_put(b, digits + 1, (size_t)(nd - 1));
		}
		sh_buf_printf(b, "e%c%d", point - 1 < 0 ? '-' : '+', abs(point - 1));
	}
}

void tval_fmt_num(struct sh_buf *b, double d)
{
	if (isnan(d)) {
		sh_buf_puts(b, "NaN");
	} else if (isinf(d)) {
		sh_buf_puts(b, d < 0 ? "-Infinity" : "Infinity");
	} else if (d == 0) {
		sh_buf_putc(b, '0');
	} else if (d == floor(d) && fabs(d) < 9007199254740992.0) {
		sh_buf_printf(b, "%.0f", d);
	} else {
		if (d < 0)
			sh_buf_putc(b, '-');
		fmt_shortest(b, fabs(d));
	}
}

/* String(j) for JSON values; arrays join with "," and print null as "". */
static void json_append(struct sh_buf *b, const json_t *j, bool for_output)
{
	size_t i;
	json_t *e;

	switch (json_typeof(j)) {
	case JSON_NULL: if (!for_output) sh_buf_puts(b, "null"); break;
	case JSON_TRUE: sh_buf_puts(b, "true"); break;
	case JSON_FALSE: sh_buf_puts(b, "false"); break;
	case JSON_INTEGER: sh_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j)); break;
	case JSON_REAL: tval_fmt_num(b, json_real_value(j)); break;
	case JSON_STRING: sh_buf_put(b, json_string_value(j), json_string_length(j)); break;
	case JSON_ARRAY:
		json_array_foreach(j, i, e) {
			if (i > 0)
				sh_buf_putc(b, ',');
			json_append(b, e, true);
		}
		break;
	default: sh_buf_puts(b, "[object Object]"); break;
	}
}

void tval_append(struct sh_buf *b, const struct val *v, bool for_output)
{
	switch (v->k) {
	case VK_UNDEF:
		if (!for_output)
			sh_buf_puts(b, "undefined");
		break;
	case VK_NUM:
		tval_fmt_num(b, v->n);
		break;
	case VK_RE:
		sh_buf_printf(b, "/%s/%s%s", v->re->src, v->re->global ? "g" : "",
			v->re->icase ? "i" : "");
		break;
	default:
		json_append(b, v->j, for_output);
		break;
	}
}

json_t *tval_json(const struct val *v)
{
	switch (v->k) {
	case VK_UNDEF: return NULL;
	case VK_RE: return json_object();
	case VK_JSON: return json_incref(v->j);
	default: break;
	}
	if (!isfinite(v->n))
		return json_null();
	if (v->n == floor(v->n) && fabs(v->n) < 9007199254740992.0)
		return json_integer((json_int_t)v->n);
	return json_real(v->n);
}

static void dump_str(struct sh_buf *b, const char *s, size_t n)
{
	sh_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" :
			c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
		if (esc != NULL)
			sh_buf_puts(b, esc);
		else if (c < 0x20)
			sh_buf_printf(b, "\\u%04x", c);
		else
			sh_buf_putc(b, (char)c);
	}
	sh_buf_putc(b, '"');
}

static void dump_nl(struct sh_buf *b, const char *indent, size_t level)
{
	if (*indent == '\0')
		return;
	sh_buf_putc(b, '\n');
	for (size_t i = 0; i < level; i++)
		sh_buf_puts(b, indent);
}

static void dump_json(struct sh_buf *b, const json_t *j, const char *indent, size_t level)
{
	const char *k;
	json_t *e;
	size_t i = 0;

	if (json_is_array(j) && json_array_size(j) > 0) {
		sh_buf_putc(b, '[');
		json_array_foreach(j, i, e) {
			sh_buf_puts(b, i ? "," : "");
			dump_nl(b, indent, level + 1);
			dump_json(b, e, indent, level + 1);
		}
		dump_nl(b, indent, level);
		sh_buf_putc(b, ']');
	} else if (json_is_object(j) && json_object_size(j) > 0) {
		sh_buf_putc(b, '{');
		json_object_foreach((json_t *)j, k, e) {
			sh_buf_puts(b, i++ ? "," : "");
			dump_nl(b, indent, level + 1);
			dump_str(b, k, strlen(k));
			sh_buf_puts(b, *indent ? ": " : ":");
			dump_json(b, e, indent, level + 1);
		}
		dump_nl(b, indent, level);
		sh_buf_putc(b, '}');
	} else if (json_is_string(j)) {
		dump_str(b, json_string_value(j), json_string_length(j));
	} else if (json_is_array(j) || json_is_object(j)) {
		sh_buf_puts(b, json_is_array(j) ? "[]" : "{}");
	} else {
		json_append(b, j, false);
	}
}

bool tval_dump(struct sh_buf *b, const struct val *v, const char *indent)
{
	switch (v->k) {
	case VK_UNDEF: return false;
	case VK_RE: sh_buf_puts(b, "{}"); return true;
	case VK_NUM:
		if (isfinite(v->n))
			tval_fmt_num(b, v->n);
		else
			sh_buf_puts(b, "null");
		return true;
	default: dump_json(b, v->j, indent, 0); return true;
	}
}

bool tval_strict_eq(const struct val *a, const struct val *b)
{
	enum vtype t = tval_type(a);
	size_t la, lb;
	const char *sa, *sb;

	if (t != tval_type(b))
		return false;
	switch (t) {
	case T_UNDEF: case T_NULL: return true;
	case T_BOOL: return json_is_true(a->j) == json_is_true(b->j);
	case T_NUM: return raw_num(a) == raw_num(b);
	case T_STR:
		sa = tval_sv(a, &la);
		sb = tval_sv(b, &lb);
		return la == lb && memcmp(sa, sb, la) == 0;
	case T_RE: return a->re == b->re;
	default: return a->j == b->j;
	}
}

static bool is_objish(enum vtype t)
{
	return t == T_ARR || t == T_OBJ || t == T_RE;
}

/* An object's primitive value: its string form. */
static struct val to_prim(const struct val *v)
{
	struct sh_buf b = SH_BUF_INIT;

	if (!is_objish(tval_type(v)))
		return tval_copy(v);
	tval_append(&b, v, false);
	return tval_buf(&b);
}

bool tval_loose_eq(const struct val *a, const struct val *b)
{
	enum vtype ta = tval_type(a), tb = tval_type(b);
	struct val pa, pb;
	bool r;

	if (ta <= T_NULL || tb <= T_NULL)
		return ta <= T_NULL && tb <= T_NULL;
	if (ta == tb)
		return tval_strict_eq(a, b);
	if (is_objish(ta) && is_objish(tb))
		return false;
	if (is_objish(ta) || is_objish(tb)) {
		pa = to_prim(a);
		pb = to_prim(b);
		r = tval_loose_eq(&pa, &pb);
		tval_drop(&pa);
		tval_drop(&pb);
		return r;
	}
	return tval_num(a) == tval_num(b);
}

static int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	if (c != 0)
		return c < 0 ? -1 : 1;
	return la < lb ? -1 : la > lb ? 1 : 0;
}

int tval_cmp(const struct val *a, const struct val *b)
{
	struct val pa = to_prim(a), pb = to_prim(b);
	size_t la, lb;
	const char *sa = tval_sv(&pa, &la), *sb = tval_sv(&pb, &lb);
	double x, y;
	int r;

	if (sa != NULL && sb != NULL) {
		r = cmp_bytes(sa, la, sb, lb);
	} else {
		x = tval_num(&pa);
		y = tval_num(&pb);
		r = (isnan(x) || isnan(y)) ? 2 : x < y ? -1 : x > y ? 1 : 0;
	}
	tval_drop(&pa);
	tval_drop(&pb);
	return r;
}

/* ---- UTF-8 by code point ----------------------------------------------- */

static size_t cp_count(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Byte offset of code point idx (n when past the end). */
static size_t cp_off(const char *s, size_t n, size_t idx)
{
	size_t i = 0;

	for (; i < n && idx > 0; idx--) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

static size_t cp_len_at(const char *s, size_t n, size_t off)
{
	size_t e = off + 1;

	while (e < n && ((unsigned char)s[e] & 0xC0) == 0x80)
		e++;
	return e - off;
}

/* An integral array/string index from a key, or -1. */
static long index_of_key(const struct val *key)
{
	size_t len;
	const char *s = tval_sv(key, &len);
	double d;

	if (s != NULL) {
		if (len == 0 || len > 15 || strspn(s, "0123456789") != len || (len > 1 && s[0] == '0'))
			return -1;
		return atol(s);
	}
	if (tval_type(key) != T_NUM)
		return -1;
	d = raw_num(key);
	return (d >= 0 && d == floor(d) && d < 1e15) ? (long)d : -1;
}

struct val tval_member_name(const struct val *obj, const char *key, size_t klen)
{
	struct val k = tval_str(key, klen), r = tval_member(obj, &k);

	tval_drop(&k);
	return r;
}

static struct val str_member(const struct val *obj, const struct val *key)
{
	size_t len, off;
	const char *s = tval_sv(obj, &len), *k;
	size_t kl;
	long i = index_of_key(key);

	if (i >= 0) {
		off = cp_off(s, len, (size_t)i);
		return off < len ? tval_str(s + off, cp_len_at(s, len, off)) : v_undef();
	}
	k = tval_sv(key, &kl);
	if (k != NULL && kl == 6 && memcmp(k, "length", 6) == 0)
		return v_num((double)cp_count(s, len));
	return v_undef();
}

struct val tval_member(const struct val *obj, const struct val *key)
{
	struct sh_buf b = SH_BUF_INIT;
	struct val r = v_undef();
	size_t kl;
	const char *k;
	long i;

	switch (tval_type(obj)) {
	case T_STR:
		return str_member(obj, key);
	case T_ARR:
		if ((i = index_of_key(key)) >= 0)
			return v_ref(json_array_get(obj->j, (size_t)i));
		k = tval_sv(key, &kl);
		if (k != NULL && kl == 6 && memcmp(k, "length", 6) == 0)
			return v_num((double)json_array_size(obj->j));
		return r;
	case T_OBJ:
		tval_append(&b, key, false);
		r = v_ref(json_object_getn(obj->j, b.ptr ? b.ptr : "", b.len));
		sh_buf_dispose(&b);
		return r;
	default:
		return r;
	}
}

static size_t json_depth(const json_t *j, size_t level, size_t limit, size_t *count)
{
	size_t max = level, i;
	const char *k;
	json_t *e;

	if (level > limit)
		return level;
	if (json_is_array(j)) {
		json_array_foreach(j, i, e) {
			size_t d = json_depth(e, level + 1, limit, count);
			max = d > max ? d : max;
			(*count)++;
		}
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, e) {
			size_t d = json_depth(e, level + 1, limit, count);
			max = d > max ? d : max;
			(*count)++;
		}
	}
	return max;
}

size_t tval_cost(const struct val *v)
{
	switch (tval_type(v)) {
	case T_STR: return json_string_length(v->j) / 64;
	case T_ARR: return json_array_size(v->j);
	case T_OBJ: return json_object_size(v->j);
	default: return 0;
	}
}

int tval_check_depth(struct ev *ev, const struct val *v)
{
	size_t count = 0, d;

	if (tval_type(v) != T_ARR && tval_type(v) != T_OBJ)
		return 0;
	d = json_depth(v->j, 0, TMPL_MAX_VALUE_DEPTH, &count);
	if (tmpl_ev_charge(ev, count / 8) != 0)
		return SH_EINPUT;
	if (d > TMPL_MAX_VALUE_DEPTH)
		return tmpl_ev_fail(ev, SH_EINPUT, "value nested too deeply");
	return 0;
}

/* ---- helpers for filters ------------------------------------------------ */

typedef int (*filter_fn)(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out);

static const struct val *arg(const struct val *a, size_t na, size_t i)
{
	return i < na ? &a[i] : &undef_val;
}

/* String(v) into b (reset first); undefined and null as "". */
static const char *str_of(struct sh_buf *b, const struct val *v, size_t *len)
{
	b->len = 0;
	tval_append(b, v, true);
	sh_buf_putc(b, '\0');
	b->len--;
	*len = b->len;
	return b->ptr;
}

/* Nunjucks' normalize(v, ''): false too becomes "". */
static const char *norm_of(struct sh_buf *b, const struct val *v, size_t *len)
{
	static const struct val empty = { VK_UNDEF, 0, NULL, NULL };

	return str_of(b, json_is_false(v->j) && v->k == VK_JSON ? &empty : v, len);
}

/* String(v) into b (reset first), JS style: undefined as "undefined". */
static const char *js_str(struct sh_buf *b, const struct val *v, size_t *len)
{
	b->len = 0;
	tval_append(b, v, false);
	sh_buf_putc(b, '\0');
	b->len--;
	*len = b->len;
	return b->ptr;
}

/* A new {key, value} or [key, value] pair. */
static json_t *pair(const char *k, json_t *v, bool as_object)
{
	json_t *p = as_object ? json_object() : json_array();

	if (as_object) {
		json_object_set_new_nocheck(p, "key", json_string_nocheck(k));
		json_object_set_nocheck(p, "value", v);
	} else {
		json_array_append_new(p, json_string_nocheck(k));
		json_array_append(p, v);
	}
	return p;
}

static int done_str(struct ev *ev, struct sh_buf *b, struct val *out)
{
	int rc = tmpl_ev_check_size(ev, b->len);

	if (rc == 0)
		rc = tmpl_ev_charge(ev, b->len / 64);

	if (rc == 0)
		*out = tval_buf(b);
	sh_buf_dispose(b);
	return rc;
}

static int need_array(struct ev *ev, const struct val *v, const char *filter)
{
	if (tval_type(v) != T_ARR)
		return tmpl_ev_fail(ev, SH_EINPUT, "%s: expected an array", filter);
	return tmpl_ev_charge(ev, json_array_size(v->j));
}

/* An attribute by dotted path ("a.b"), as Nunjucks' getAttrGetter. */
static struct val attr_path(const struct val *v, const struct val *path)
{
	struct sh_buf b = SH_BUF_INIT;
	struct val cur = tval_copy(v);
	size_t len, start = 0;
	const char *p = str_of(&b, path, &len);

	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == '.') {
			struct val next = tval_member_name(&cur, p + start, i - start);
			tval_drop(&cur);
			cur = next;
			start = i + 1;
		}
	}
	sh_buf_dispose(&b);
	return cur;
}

static void ascii_case(char *s, size_t n, bool upper)
{
	for (size_t i = 0; i < n; i++)
		s[i] = (char)(upper ? toupper((unsigned char)s[i]) : tolower((unsigned char)s[i]));
}

/* ---- string filters ----------------------------------------------------- */

static int f_case(struct ev *ev, struct val *in, bool upper, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t n;

	norm_of(&b, in, &n);
	ascii_case(b.ptr, n, upper);
	return done_str(ev, &b, out);
}

static int f_lower(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	return f_case(ev, in, false, out);
}

static int f_upper(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	return f_case(ev, in, true, out);
}

static void capitalize(char *s, size_t n)
{
	ascii_case(s, n, false);
	if (n > 0)
		s[0] = (char)toupper((unsigned char)s[0]);
}

static int f_capitalize(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t n;

	norm_of(&b, in, &n);
	capitalize(b.ptr, n);
	return done_str(ev, &b, out);
}

static int f_title(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t n, start = 0;

	norm_of(&b, in, &n);
	for (size_t i = 0; i <= n; i++) {
		if (i == n || b.ptr[i] == ' ') {
			capitalize(b.ptr + start, i - start);
			start = i + 1;
		}
	}
	return done_str(ev, &b, out);
}

static void trim_span(const char **s, size_t *n, bool left, bool right)
{
	while (left && *n > 0 && js_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (right && *n > 0 && js_space((*s)[*n - 1]))
		(*n)--;
}

static int f_trim(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t n;
	const char *s = str_of(&b, in, &n);

	trim_span(&s, &n, true, true);
	*out = tval_str(s, n);
	sh_buf_dispose(&b);
	return 0;
}

static int f_escape(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n;
	const char *s = str_of(&b, in, &n);

	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': sh_buf_puts(&r, "&amp;"); break;
		case '<': sh_buf_puts(&r, "&lt;"); break;
		case '>': sh_buf_puts(&r, "&gt;"); break;
		case '"': sh_buf_puts(&r, "&quot;"); break;
		case '\'': sh_buf_puts(&r, "&#39;"); break;
		default: sh_buf_putc(&r, s[i]); break;
		}
	}
	sh_buf_dispose(&b);
	return done_str(ev, &r, out);
}

static int f_string(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t n;

	str_of(&b, in, &n);
	return done_str(ev, &b, out);
}

static int f_nl2br(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n;
	const char *s = str_of(&b, in, &n);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (s[i] == '\n')
			sh_buf_puts(&r, "<br />\n");
		else
			sh_buf_putc(&r, s[i]);
	}
	sh_buf_dispose(&b);
	return done_str(ev, &r, out);
}

static int f_striptags(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n;
	const char *s = norm_of(&b, in, &n);
	bool space = false, keep_nl = tval_truthy(arg(a, na, 0)), closes = true;

	for (size_t i = 0; i < n; i++) {
		const char *close = NULL;
		/* Once no '>' is left, stop looking: "<<<<..." stays linear. */
		if (s[i] == '<' && closes && (close = memchr(s + i, '>', n - i)) == NULL)
			closes = false;
		if (close != NULL &&
			(isalpha((unsigned char)s[i + 1]) || s[i + 1] == '/' || s[i + 1] == '!')) {
			i = (size_t)(close - s);
			continue;
		}
		if (js_space(s[i]) && !(keep_nl && s[i] == '\n')) {
			space = true;
			continue;
		}
		if (space && r.len > 0 && r.ptr[r.len - 1] != '\n')
			sh_buf_putc(&r, ' ');
		space = false;
		sh_buf_putc(&r, s[i]);
	}
	sh_buf_dispose(&b);
	return done_str(ev, &r, out);
}

static int f_wordcount(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t n, words = 0;
	const char *s = norm_of(&b, in, &n);

	for (size_t i = 0; i < n; i++) {
		bool w = isalnum((unsigned char)s[i]) || s[i] == '_';
		bool prev = i > 0 && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_');
		words += w && !prev;
	}
	sh_buf_dispose(&b);
	*out = words ? v_num((double)words) : v_own(json_null());
	return 0;
}

static int pad(struct ev *ev, struct sh_buf *r, double count)
{
	int rc;

	if (!(count > 0))
		return 0;
	if ((rc = tmpl_ev_check_size(ev, (size_t)fmin(count, 1e15))) != 0)
		return rc;
	for (size_t i = 0; i < (size_t)ceil(count); i++)
		sh_buf_putc(r, ' ');
	return 0;
}

static int f_center(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n;
	const char *s = norm_of(&b, in, &n);
	double width = na > 0 && tval_truthy(&a[0]) ? tval_num(&a[0]) : 80;
	double len = (double)cp_count(s, n), spaces;
	int rc = 0;

	if (!(len >= width)) {
		spaces = width - len;
		rc = pad(ev, &r, spaces / 2 - fmod(spaces, 2));
		sh_buf_put(&r, s, n);
		if (rc == 0)
			rc = pad(ev, &r, spaces / 2);
	} else {
		sh_buf_put(&r, s, n);
	}
	sh_buf_dispose(&b);
	if (rc != 0) {
		sh_buf_dispose(&r);
		return rc;
	}
	return done_str(ev, &r, out);
}

static int f_indent(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n;
	const char *s = norm_of(&b, in, &n);
	double width = na > 0 && tval_truthy(&a[0]) ? tval_num(&a[0]) : 4;
	bool first = tval_truthy(arg(a, na, 1));
	int rc = 0;

	for (size_t i = 0, start = 0; n > 0 && i <= n && rc == 0; i++) {
		if (i < n && s[i] != '\n')
			continue;
		if (start > 0 || first)
			rc = pad(ev, &r, width);
		sh_buf_put(&r, s + start, i - start);
		if (i < n)
			sh_buf_putc(&r, '\n');
		start = i + 1;
		if (rc == 0)
			rc = tmpl_ev_check_size(ev, r.len);
	}
	sh_buf_dispose(&b);
	if (rc != 0) {
		sh_buf_dispose(&r);
		return rc;
	}
	return done_str(ev, &r, out);
}

static int f_truncate(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n, cut;
	const char *s = norm_of(&b, in, &n);
	double len = na > 0 && tval_truthy(&a[0]) ? tval_num(&a[0]) : 255;
	bool kill = tval_truthy(arg(a, na, 1));

	if (isnan(len) || len < 0)
		len = 0;
	if ((double)cp_count(s, n) <= len) {
		sh_buf_put(&r, s, n);
	} else {
		cut = cp_off(s, n, (size_t)len);
		if (!kill) {
			size_t sp = cut < n ? cut : n - 1;
			while (sp > 0 && s[sp] != ' ')
				sp--;
			if (s[sp] == ' ')
				cut = sp;
		}
		sh_buf_put(&r, s, cut);
		if (tval_type(arg(a, na, 2)) > T_NULL)
			tval_append(&r, &a[2], true);
		else
			sh_buf_puts(&r, "...");
	}
	sh_buf_dispose(&b);
	return done_str(ev, &r, out);
}

/* "k=v" with both parts encoded, after a '&' unless first. */
static void url_pair(struct sh_buf *r, const json_t *k, const json_t *v)
{
	struct sh_buf b = SH_BUF_INIT;
	struct val kv = v_ref(k), vv = v_ref(v);
	size_t n;

	if (r->len > 0)
		sh_buf_putc(r, '&');
	sh_buf_put_urlencoded(r, js_str(&b, &kv, &n));
	sh_buf_putc(r, '=');
	sh_buf_put_urlencoded(r, js_str(&b, &vv, &n));
	tval_drop(&kv);
	tval_drop(&vv);
	sh_buf_dispose(&b);
}

/* A string, an object's entries or an array of [key, value] pairs. */
static int f_urlencode(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n, i;
	const char *k;
	json_t *e;

	if (tval_type(in) == T_OBJ) {
		json_object_foreach(in->j, k, e) {
			json_t *key = json_string_nocheck(k);
			url_pair(&r, key, e);
			json_decref(key);
		}
	} else if (tval_type(in) == T_ARR) {
		json_array_foreach(in->j, i, e)
			url_pair(&r, json_array_get(e, 0), json_array_get(e, 1));
	} else {
		sh_buf_put_urlencoded(&r, str_of(&b, in, &n));
	}
	sh_buf_dispose(&b);
	return done_str(ev, &r, out);
}

/* urlize: what Nunjucks' puncRe strips around a word. */
static void unwrap_word(const char **w, size_t *n)
{
	static const char *const pre[] = { "(", "<", "&lt;" };
	static const char *const post[] = { ".", ",", ")", "\n", "&gt;" };

	for (size_t i = 0; i < SH_ARRAY_LEN(pre); i++) {
		size_t l = strlen(pre[i]);
		if (*n >= l && memcmp(*w, pre[i], l) == 0) {
			*w += l;
			*n -= l;
			break;
		}
	}
	for (size_t i = 0; i < SH_ARRAY_LEN(post); i++) {
		size_t l = strlen(post[i]);
		if (*n >= l && memcmp(*w + *n - l, post[i], l) == 0) {
			*n -= l;
			break;
		}
	}
}

static bool is_email(const char *w, size_t n)
{
	const char *at = memchr(w, '@', n), *dot;
	size_t dn;

	if (at == NULL || at == w)
		return false;
	for (const char *p = w; p < at; p++) {
		if (!isalnum((unsigned char)*p) && strchr("_.!#$%&'*+-/=?^`{|}~", *p) == NULL)
			return false;
	}
	dot = memchr(at, '.', (size_t)(w + n - at));
	dn = (size_t)(w + n - (at + 1));
	for (size_t i = 0; i < dn; i++) {
		char c = at[1 + i];
		if (!isalnum((unsigned char)c) && c != '-' && c != '.')
			return false;
		if (c == '.' && (i == 0 || at[i] == '.' || i + 1 == dn))
			return false;
	}
	return dot != NULL && dot > at + 1;
}

static bool has_tld(const char *w, size_t n)
{
	static const char *const tlds[] = { ".org", ".net", ".com" };

	for (size_t i = 0; i < n; i++) {
		for (size_t t = 0; t < SH_ARRAY_LEN(tlds); t++) {
			if (n - i >= 4 && strncasecmp(w + i, tlds[t], 4) == 0 &&
				(i + 4 == n || w[i + 4] == ':' || w[i + 4] == '/'))
				return true;
		}
	}
	return false;
}

static void urlize_word(struct sh_buf *r, const char *word, size_t wn, double len, bool nofollow)
{
	const char *u = word, *rel = nofollow ? " rel=\"nofollow\"" : "";
	size_t un = wn, sn;
	bool http = false;

	unwrap_word(&u, &un);
	sn = len >= 0 && len < (double)un ? (size_t)len : un;
	if ((un >= 7 && strncmp(u, "http://", 7) == 0) || (un >= 8 && strncmp(u, "https://", 8) == 0))
		http = true;
	if (http || (un >= 4 && strncmp(u, "www.", 4) == 0) || (!is_email(u, un) && has_tld(u, un))) {
		sh_buf_printf(r, "<a href=\"%s%.*s\"%s>%.*s</a>", http ? "" : "http://", (int)un, u, rel,
			(int)sn, u);
	} else if (is_email(u, un)) {
		sh_buf_printf(r, "<a href=\"mailto:%.*s\">%.*s</a>", (int)un, u, (int)un, u);
	} else {
		sh_buf_put(r, word, wn);
	}
}

static int f_urlize(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n, i = 0;
	const char *s = str_of(&b, in, &n);
	double len = na > 0 && tval_type(&a[0]) == T_NUM ? tval_num(&a[0]) : -1;
	bool nofollow = tval_type(arg(a, na, 1)) == T_BOOL && json_is_true(a[1].j);

	while (i < n) {
		size_t j = i;
		bool space = js_space(s[i]);
		while (j < n && js_space(s[j]) == space)
			j++;
		if (space)
			sh_buf_put(&r, s + i, j - i);
		else
			urlize_word(&r, s + i, j - i, len, nofollow);
		i = j;
	}
	sh_buf_dispose(&b);
	return done_str(ev, &r, out);
}

/* ---- regular expressions (regex literals in replace and split) --------- */

/* A brace quantifier {n} / {n,m} at p: too big a count, or unclosed. Moves
 * p to its '}'. */
static bool brace_too_big(const char **p)
{
	char *end;
	long lo = strtol(*p + 1, &end, 10), hi = lo;

	if (*end == ',')
		hi = end[1] == '}' ? lo : strtol(end + 1, &end, 10);
	if ((end = strchr(end, '}')) == NULL)
		return true;
	*p = end;
	return lo > 100 || hi > 100;
}

/* glibc compiles a quantified group by copying it, and back-references
 * make matching exponential: refuse back-references, stacked quantifiers
 * (a++, lazy a+?), more than two {n,m}, more than three quantified groups,
 * groups nested deeper than four, and long patterns. Templates use small
 * expressions like r/[^a-z0-9]+/g. */
static bool re_too_complex(const char *p)
{
	size_t depth = 0, groups = 0, braces = 0;
	bool in_class = false, after_quant = false, after_group = false;

	if (strlen(p) > 256)
		return true;
	for (; *p; p++) {
		bool quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';
		if (*p == '\\') {
			if (!in_class && p[1] >= '1' && p[1] <= '9')
				return true;
			p += p[1] != '\0';
			after_quant = after_group = false;
			continue;
		}
		if (in_class) {
			in_class = *p != ']';
			continue;
		}
		if (quant) {
			if (after_quant || (after_group && ++groups > 3))
				return true;
			if (*p == '{' && (++braces > 2 || brace_too_big(&p)))
				return true;
		} else if (*p == '(' && ++depth > 4) {
			return true;
		} else if (*p == ')' && depth > 0) {
			depth--;
		}
		in_class = *p == '[';
		after_quant = quant;
		after_group = *p == ')';
	}
	return false;
}

/* JS regex syntax to POSIX ERE (\d becomes [0-9]). */
static int re_compile(struct ev *ev, const struct re_lit *re, regex_t *out)
{
	struct sh_buf b = SH_BUF_INIT;
	int rc;

	if (re_too_complex(re->src))
		return tmpl_ev_fail(ev, SH_EINPUT, "regular expression too complex");
	for (const char *p = re->src; *p; p++) {
		if (*p == '\\' && (p[1] == 'd' || p[1] == 'D')) {
			sh_buf_puts(&b, p[1] == 'd' ? "[0-9]" : "[^0-9]");
			p++;
			continue;
		}
		sh_buf_putc(&b, *p);
		if (*p == '\\' && p[1] != '\0')
			sh_buf_putc(&b, *++p);
	}
	rc = regcomp(out, b.ptr ? b.ptr : "", REG_EXTENDED | (re->icase ? REG_ICASE : 0));
	sh_buf_dispose(&b);
	if (rc != 0)
		return tmpl_ev_fail(ev, SH_EINPUT, "invalid regular expression /%.60s/", re->src);
	return 0;
}

/* Append a JS replacement string with $&, $1..$9 and $$. */
static void re_subst(struct sh_buf *r, const char *repl, size_t rn, const char *s,
	const regmatch_t *m)
{
	for (size_t i = 0; i < rn; i++) {
		if (repl[i] == '$' && i + 1 < rn) {
			char c = repl[i + 1];
			if (c == '$') {
				sh_buf_putc(r, '$');
				i++;
				continue;
			}
			if (c == '&' || (c >= '1' && c <= '9')) {
				const regmatch_t *g = &m[c == '&' ? 0 : c - '0'];
				if (g->rm_so >= 0)
					sh_buf_put(r, s + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
				i++;
				continue;
			}
		}
		sh_buf_putc(r, repl[i]);
	}
}

static int re_replace(struct ev *ev, const char *s, const struct re_lit *re, const char *repl,
	size_t rn, struct sh_buf *r)
{
	regmatch_t m[10];
	regex_t rx;
	size_t pos = 0, n = strlen(s);
	int rc = re_compile(ev, re, &rx), flags = 0;

	if (rc != 0)
		return rc;
	/* Each call may scan the rest of the string: charge for that. */
	while (pos <= n && (rc = tmpl_ev_charge(ev, 1 + (n - pos) / 64)) == 0 &&
		regexec(&rx, s + pos, 10, m, flags) == 0) {
		if ((rc = tmpl_ev_check_size(ev, r->len)) != 0)
			break;
		sh_buf_put(r, s + pos, (size_t)m[0].rm_so);
		re_subst(r, repl, rn, s + pos, m);
		pos += (size_t)m[0].rm_eo;
		if (m[0].rm_eo == m[0].rm_so) {
			if (pos < n)
				sh_buf_putc(r, s[pos]);
			pos++;
		}
		flags = REG_NOTBOL;
		if (!re->global)
			break;
	}
	if (pos < n)
		sh_buf_put(r, s + pos, n - pos);
	regfree(&rx);
	return rc;
}

/* String replace; max < 0 for all. */
static int str_replace(struct ev *ev, const char *s, size_t n, const char *old, size_t on,
	const char *nw, size_t nn, long max, struct sh_buf *r)
{
	size_t pos = 0;
	long count = 0;

	if (on == 0) {
		for (size_t i = 0; i < n; i += cp_len_at(s, n, i)) {
			sh_buf_put(r, nw, nn);
			sh_buf_put(r, s + i, cp_len_at(s, n, i));
			if (tmpl_ev_check_size(ev, r->len) != 0)
				return SH_ETOOLARGE;
		}
		sh_buf_put(r, nw, nn);
		return tmpl_ev_check_size(ev, r->len);
	}
	while (max < 0 || count < max) {
		const char *hit = pos <= n ? memmem(s + pos, n - pos, old, on) : NULL;
		if (hit == NULL)
			break;
		sh_buf_put(r, s + pos, (size_t)(hit - (s + pos)));
		sh_buf_put(r, nw, nn);
		pos = (size_t)(hit - s) + on;
		count++;
		if (tmpl_ev_check_size(ev, r->len) != 0)
			return SH_ETOOLARGE;
	}
	sh_buf_put(r, s + pos, n - pos);
	return tmpl_ev_check_size(ev, r->len);
}

static int do_replace(struct ev *ev, const struct val *in, const struct val *old,
	const struct val *nw, long max, struct val *out)
{
	struct sh_buf bs = SH_BUF_INIT, bo = SH_BUF_INIT, bn = SH_BUF_INIT, r = SH_BUF_INIT;
	size_t n, on, nn;
	const char *s = str_of(&bs, in, &n), *o, *w;
	int rc;

	w = js_str(&bn, nw, &nn);
	if (old->k == VK_RE) {
		rc = re_replace(ev, s, old->re, w, nn, &r);
	} else {
		o = js_str(&bo, old, &on);
		rc = str_replace(ev, s, n, o, on, w, nn, max, &r);
	}
	sh_buf_dispose(&bs);
	sh_buf_dispose(&bo);
	sh_buf_dispose(&bn);
	if (rc != 0) {
		sh_buf_dispose(&r);
		return rc;
	}
	return done_str(ev, &r, out);
}

static int f_replace(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	enum vtype t = tval_type(in);
	double max = na > 2 ? tval_num(&a[2]) : -1;
	enum vtype to = tval_type(arg(a, na, 0));

	if ((t != T_STR && t != T_NUM) || (to != T_STR && to != T_NUM && to != T_RE)) {
		*out = tval_copy(in);
		return 0;
	}
	if (max == 0) {
		*out = tval_copy(in);
		return 0;
	}
	return do_replace(ev, in, arg(a, na, 0), arg(a, na, 1),
		!(max >= 0 && max < 1e15) ? -1 : (long)max, out);
}

/* ---- numbers ----------------------------------------------------------- */

static int f_abs(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	*out = v_num(fabs(tval_num(in)));
	return 0;
}

/* parseInt(String(v), 10) / parseFloat(String(v)). */
static double parse_prefix(const struct val *v, bool integer)
{
	struct sh_buf b = SH_BUF_INIT;
	char buf[128];
	size_t n, k = 0;
	const char *s = str_of(&b, v, &n);
	double d = NAN;

	trim_span(&s, &n, true, false);
	if (n > 0 && (s[0] == '+' || s[0] == '-'))
		buf[k++] = s[0];
	for (size_t i = k; i < n && k < sizeof(buf) - 1; i++) {
		if (!isdigit((unsigned char)s[i]) && (integer || !strchr(".eE+-", s[i]) || !s[i]))
			break;
		buf[k++] = s[i];
	}
	buf[k] = '\0';
	if (k > 0) {
		char *end;
		d = strtod(buf, &end);
		if (end == buf)
			d = NAN;
		else if (integer)
			d = trunc(d);
	} else if (!integer && n >= 8 && memcmp(s, "Infinity", 8) == 0) {
		d = INFINITY;
	}
	sh_buf_dispose(&b);
	return d;
}

static int f_int(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	double d = parse_prefix(in, true);

	*out = isnan(d) ? tval_copy(arg(a, na, 0)) : v_num(d);
	return 0;
}

static int f_float(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	double d = tval_type(in) == T_NUM ? raw_num(in) : parse_prefix(in, false);

	*out = isnan(d) ? tval_copy(arg(a, na, 0)) : v_num(d);
	return 0;
}

static int f_round(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	double prec = na > 0 && tval_truthy(&a[0]) ? tval_num(&a[0]) : 0, f = pow(10, prec);
	double x = tval_num(in) * f;
	size_t ml;
	const char *m = tval_sv(arg(a, na, 1), &ml);

	if (m != NULL && strcmp(m, "ceil") == 0)
		x = ceil(x);
	else if (m != NULL && strcmp(m, "floor") == 0)
		x = floor(x);
	else
		x = floor(x + 0.5);
	*out = v_num(x / f);
	return 0;
}

/* ---- sequences --------------------------------------------------------- */

static int f_length(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	switch (tval_type(in)) {
	case T_UNDEF: case T_NULL: *out = v_num(0); break;
	case T_BOOL: *out = json_is_false(in->j) ? v_num(0) : v_undef(); break;
	case T_STR:
		*out = v_num((double)cp_count(json_string_value(in->j), json_string_length(in->j)));
		break;
	case T_ARR: *out = v_num((double)json_array_size(in->j)); break;
	case T_OBJ: *out = v_num((double)json_object_size(in->j)); break;
	default: *out = v_undef(); break;
	}
	return 0;
}

static int first_last(struct val *in, bool last, struct val *out)
{
	size_t n, off;
	const char *s = tval_sv(in, &n);

	if (tval_type(in) == T_ARR) {
		n = json_array_size(in->j);
		*out = n ? v_ref(json_array_get(in->j, last ? n - 1 : 0)) : v_undef();
	} else if (s != NULL && n > 0) {
		off = last ? n - 1 : 0;
		while (last && off > 0 && ((unsigned char)s[off] & 0xC0) == 0x80)
			off--;
		*out = tval_str(s + off, cp_len_at(s, n, off));
	}
	return 0;
}

static int f_random(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	char hex[9];
	size_t n;

	if (tval_type(in) != T_ARR && tval_type(in) != T_STR)
		return 0;
	n = tval_type(in) == T_ARR ? json_array_size(in->j) : 0;
	sh_random_hex(hex, 4);
	if (tval_type(in) == T_ARR) {
		*out = n ? v_ref(json_array_get(in->j, strtoul(hex, NULL, 16) % n)) : v_undef();
	} else {
		struct val idx, len = tval_member_name(in, "length", 6);
		n = (size_t)tval_num(&len);
		idx = v_num(n ? (double)(strtoul(hex, NULL, 16) % n) : 0);
		*out = n ? tval_member(in, &idx) : v_undef();
	}
	return 0;
}

static int f_first(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	return first_last(in, false, out);
}

static int f_last(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	return first_last(in, true, out);
}

static int f_list(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	json_t *arr;
	size_t n;
	const char *s = tval_sv(in, &n), *k;
	json_t *e;

	if (tval_type(in) == T_ARR) {
		*out = tval_copy(in);
		return 0;
	}
	if (s == NULL && tval_type(in) != T_OBJ)
		return tmpl_ev_fail(ev, SH_EINPUT, "list: type not iterable");
	if (tmpl_ev_charge(ev, s ? n : json_object_size(in->j)) != 0)
		return SH_EINPUT;
	arr = json_array();
	for (size_t i = 0; s != NULL && i < n; i += cp_len_at(s, n, i))
		json_array_append_new(arr, json_stringn_nocheck(s + i, cp_len_at(s, n, i)));
	if (s == NULL) {
		json_object_foreach(in->j, k, e)
			json_array_append_new(arr, pair(k, e, true));
	}
	*out = v_own(arr);
	return 0;
}

static int f_join(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf r = SH_BUF_INIT, sep = SH_BUF_INIT;
	size_t i, n;
	json_t *e;
	int rc;

	if ((rc = need_array(ev, in, "join")) != 0)
		return rc;
	if (na > 0 && tval_truthy(&a[0]))
		str_of(&sep, &a[0], &n);
	json_array_foreach(in->j, i, e) {
		struct val item = v_ref(e);
		if (i > 0 && sep.len > 0)
			sh_buf_put(&r, sep.ptr, sep.len);
		if (na > 1 && tval_truthy(&a[1])) {
			struct val at = attr_path(&item, &a[1]);
			tval_drop(&item);
			item = at;
		}
		tval_append(&r, &item, true);
		tval_drop(&item);
		if ((rc = tmpl_ev_check_size(ev, r.len)) != 0)
			break;
	}
	sh_buf_dispose(&sep);
	if (rc != 0) {
		sh_buf_dispose(&r);
		return rc;
	}
	return done_str(ev, &r, out);
}

static int f_reverse(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf r = SH_BUF_INIT;
	size_t n;
	const char *s = tval_sv(in, &n);
	json_t *arr;

	if (s != NULL) {
		for (size_t end = n; end > 0;) {
			size_t start = end - 1;
			while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
				start--;
			sh_buf_put(&r, s + start, end - start);
			end = start;
		}
		return done_str(ev, &r, out);
	}
	if (tval_type(in) != T_ARR) {
		*out = tval_copy(in);
		return 0;
	}
	if (tmpl_ev_charge(ev, json_array_size(in->j)) != 0)
		return SH_EINPUT;
	arr = json_array();
	for (size_t i = json_array_size(in->j); i > 0; i--)
		json_array_append(arr, json_array_get(in->j, i - 1));
	*out = v_own(arr);
	return 0;
}

struct sort_key {
	json_t *item;
	struct val key;
};

struct sort_opts {
	bool reverse, case_sens;
	bool upper; /* fold case to upper (dictsort) rather than lower (sort) */
};

static int sort_cmp(const struct sort_key *x, const struct sort_key *y, const struct sort_opts *o)
{
	size_t lx, ly;
	const char *sx = tval_sv(&x->key, &lx), *sy = tval_sv(&y->key, &ly);
	int c;

	if (sx != NULL && sy != NULL && !o->case_sens) {
		c = 0;
		for (size_t i = 0; i < lx && i < ly && c == 0; i++)
			c = o->upper ? toupper((unsigned char)sx[i]) - toupper((unsigned char)sy[i]) :
				tolower((unsigned char)sx[i]) - tolower((unsigned char)sy[i]);
		c = c < 0 ? -1 : c > 0 ? 1 : lx < ly ? -1 : lx > ly ? 1 : 0;
	} else {
		c = tval_cmp(&x->key, &y->key);
		c = c == 2 ? 0 : c;
	}
	return o->reverse ? -c : c;
}

/* Stable merge sort of keys[0..n). */
static void msort(struct sort_key *k, struct sort_key *tmp, size_t n, const struct sort_opts *o)
{
	size_t mid = n / 2, i = 0, j = mid, t = 0;

	if (n < 2)
		return;
	msort(k, tmp, mid, o);
	msort(k + mid, tmp, n - mid, o);
	while (i < mid && j < n)
		tmp[t++] = sort_cmp(&k[j], &k[i], o) < 0 ? k[j++] : k[i++];
	while (i < mid)
		tmp[t++] = k[i++];
	while (j < n)
		tmp[t++] = k[j++];
	memcpy(k, tmp, n * sizeof(*k));
}

/* Sort items by key, returning a new array; keys are dropped. */
static json_t *sorted(struct ev *ev, struct sort_key *keys, size_t n, const struct sort_opts *o,
	int *rc)
{
	struct sort_key *tmp = sh_calloc(n ? n : 1, sizeof(*tmp));
	json_t *arr = NULL;
	size_t logn = 1;

	while (((size_t)1 << logn) < n && logn < 60)
		logn++;
	if ((*rc = tmpl_ev_charge(ev, n * logn)) == 0) {
		msort(keys, tmp, n, o);
		arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append(arr, keys[i].item);
	}
	for (size_t i = 0; i < n; i++)
		tval_drop(&keys[i].key);
	free(tmp);
	return arr;
}

static int f_sort(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sort_opts o = { tval_truthy(arg(a, na, 0)), tval_truthy(arg(a, na, 1)), false };
	struct sort_key *keys;
	size_t n, i;
	json_t *e, *arr;
	int rc;

	if ((rc = need_array(ev, in, "sort")) != 0)
		return rc;
	n = json_array_size(in->j);
	keys = sh_calloc(n ? n : 1, sizeof(*keys));
	json_array_foreach(in->j, i, e) {
		struct val item = v_ref(e);
		keys[i].item = e;
		keys[i].key = na > 2 && tval_truthy(&a[2]) ? attr_path(&item, &a[2]) : tval_copy(&item);
		tval_drop(&item);
	}
	arr = sorted(ev, keys, n, &o, &rc);
	free(keys);
	if (rc == 0)
		*out = v_own(arr);
	return rc;
}

static int f_dictsort(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sort_opts o = { false, tval_truthy(arg(a, na, 0)), true };
	size_t n, i = 0, bl;
	const char *k, *by = tval_sv(arg(a, na, 1), &bl);
	struct sort_key *keys;
	json_t *e, *arr;
	int rc;

	if (tval_type(in) != T_OBJ)
		return tmpl_ev_fail(ev, SH_EINPUT, "dictsort filter: val must be an object");
	if (by != NULL && strcmp(by, "key") != 0 && strcmp(by, "value") != 0)
		return tmpl_ev_fail(ev, SH_EINPUT, "dictsort filter: You can only sort by either key or value");
	n = json_object_size(in->j);
	keys = sh_calloc(n ? n : 1, sizeof(*keys));
	json_object_foreach(in->j, k, e) {
		keys[i].item = pair(k, e, false);
		keys[i].key = by != NULL && strcmp(by, "value") == 0 ? v_ref(e) : tval_str(k, strlen(k));
		i++;
	}
	arr = sorted(ev, keys, n, &o, &rc);
	for (i = 0; i < n; i++)
		json_decref(keys[i].item);
	free(keys);
	if (rc == 0)
		*out = v_own(arr);
	return rc;
}

static int f_batch(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	double size = tval_num(arg(a, na, 0));
	json_t *res, *cur = NULL;
	size_t i, n;
	json_t *e;
	int rc;

	if ((rc = need_array(ev, in, "batch")) != 0)
		return rc;
	n = (size > 0 && size < 1e9) ? (size_t)ceil(size) : 0;
	res = json_array();
	json_array_foreach(in->j, i, e) {
		if (cur == NULL || (n > 0 && json_array_size(cur) == n)) {
			cur = json_array();
			json_array_append_new(res, cur);
		}
		json_array_append(cur, e);
	}
	if (cur != NULL && na > 1 && tval_truthy(&a[1]) && (rc = tmpl_ev_charge(ev, n)) == 0) {
		json_t *fill = tval_json(&a[1]);
		while (json_array_size(cur) < n)
			json_array_append(cur, fill);
		json_decref(fill);
	}
	if (rc != 0) {
		json_decref(res);
		return rc;
	}
	*out = v_own(res);
	return 0;
}

static int f_slice(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	double slices = tval_num(arg(a, na, 0));
	size_t n, len, extra, offset = 0;
	json_t *res;
	int rc;

	if ((rc = need_array(ev, in, "slice")) != 0)
		return rc;
	if (!(slices >= 1) || (rc = tmpl_ev_charge(ev, (size_t)fmin(slices, 1e12))) != 0)
		return rc ? rc : tmpl_ev_fail(ev, SH_EINPUT, "slice: expected a positive count");
	n = (size_t)slices;
	len = json_array_size(in->j) / n;
	extra = json_array_size(in->j) % n;
	res = json_array();
	for (size_t i = 0; i < n; i++) {
		size_t start = offset + i * len, end;
		json_t *cur = json_array();
		if (i < extra)
			offset++;
		end = offset + (i + 1) * len;
		for (size_t j = start; j < end && j < json_array_size(in->j); j++)
			json_array_append(cur, json_array_get(in->j, j));
		if (na > 1 && tval_truthy(&a[1]) && i >= extra)
			json_array_append_new(cur, tval_json(&a[1]));
		json_array_append_new(res, cur);
	}
	*out = v_own(res);
	return 0;
}

/* JS a + b: strings (and objects, as strings) concatenate. */
static int js_add(struct ev *ev, struct val *acc, const struct val *b)
{
	struct sh_buf r = SH_BUF_INIT;
	struct val sum;

	if (!is_objish(tval_type(acc)) && tval_type(acc) != T_STR && !is_objish(tval_type(b)) &&
		tval_type(b) != T_STR) {
		sum = v_num(tval_num(acc) + tval_num(b));
	} else {
		tval_append(&r, acc, false);
		tval_append(&r, b, false);
		/* Charged by length: summing many strings copies quadratically. */
		int rc = tmpl_ev_check_size(ev, r.len);
		if (rc == 0)
			rc = tmpl_ev_charge(ev, r.len / 64);
		if (rc != 0) {
			sh_buf_dispose(&r);
			return rc;
		}
		sum = tval_buf(&r);
	}
	tval_drop(acc);
	*acc = sum;
	return 0;
}

/* start + (items[0] + items[1] + ...), with JS's +. */
static int f_sum(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct val acc = v_num(0);
	size_t i;
	json_t *e;
	int rc;

	if ((rc = need_array(ev, in, "sum")) != 0)
		return rc;
	json_array_foreach(in->j, i, e) {
		struct val item = v_ref(e);
		if (na > 0 && tval_truthy(&a[0])) {
			struct val at = attr_path(&item, &a[0]);
			tval_drop(&item);
			item = at;
		}
		rc = js_add(ev, &acc, &item);
		tval_drop(&item);
		if (rc != 0)
			break;
	}
	if (rc == 0) {
		struct val start = na > 1 && a[1].k != VK_UNDEF ? tval_copy(&a[1]) : v_num(0);
		rc = js_add(ev, &start, &acc);
		tval_drop(&acc);
		acc = start;
	}
	if (rc != 0)
		tval_drop(&acc);
	*out = acc;
	return rc;
}

static int f_groupby(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf key = SH_BUF_INIT;
	json_t *res, *e;
	size_t i;
	int rc;

	if ((rc = need_array(ev, in, "groupby")) != 0)
		return rc;
	res = json_object();
	json_array_foreach(in->j, i, e) {
		struct val item = v_ref(e), at = attr_path(&item, arg(a, na, 0));
		json_t *group;
		key.len = 0;
		tval_append(&key, &at, false);
		sh_buf_putc(&key, '\0');
		if ((group = json_object_get(res, key.ptr)) == NULL) {
			group = json_array();
			json_object_set_new_nocheck(res, key.ptr, group);
		}
		json_array_append(group, e);
		tval_drop(&at);
		tval_drop(&item);
	}
	sh_buf_dispose(&key);
	*out = v_own(res);
	return 0;
}

static int select_impl(struct ev *ev, struct val *in, struct val *a, size_t na, bool want,
	bool attr, struct val *out)
{
	json_t *res, *e;
	size_t i;
	int rc;

	if ((rc = need_array(ev, in, "select")) != 0)
		return rc;
	res = json_array();
	json_array_foreach(in->j, i, e) {
		struct val item = v_ref(e);
		struct val subject = attr ? attr_path(&item, arg(a, na, 0)) : tval_copy(&item);
		size_t off = attr ? 1 : 0, tl;
		const char *test = tval_sv(arg(a, na, off), &tl);
		bool r = true;
		if (test != NULL)
			rc = tmpl_test(ev, test, &subject, a + off + 1, na > off + 1 ? na - off - 1 : 0,
				&r);
		else
			r = tval_truthy(&subject);
		if (rc == 0 && r == want)
			json_array_append(res, e);
		tval_drop(&subject);
		tval_drop(&item);
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		json_decref(res);
		return rc;
	}
	*out = v_own(res);
	return 0;
}

static int f_select(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	return select_impl(ev, in, a, na, true, false, out);
}

static int f_reject(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	return select_impl(ev, in, a, na, false, false, out);
}

static int f_selectattr(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	return select_impl(ev, in, a, na, true, true, out);
}

static int f_rejectattr(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	return select_impl(ev, in, a, na, false, true, out);
}

/* ---- values ------------------------------------------------------------ */

static int f_default(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	bool use = tval_truthy(arg(a, na, 1)) ? !tval_truthy(in) : in->k == VK_UNDEF;

	*out = tval_copy(use ? arg(a, na, 0) : in);
	return 0;
}

static int f_dump(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	char indent[11] = "";
	size_t sl;
	const char *s = tval_sv(arg(a, na, 0), &sl);

	if (s != NULL) {
		snprintf(indent, sizeof(indent), "%.*s", (int)(sl > 10 ? 10 : sl), s);
	} else if (tval_type(arg(a, na, 0)) == T_NUM) {
		double d = tval_num(&a[0]);
		int k = d >= 10 ? 10 : d >= 1 ? (int)d : 0;
		memset(indent, ' ', (size_t)k);
		indent[k] = '\0';
	}
	if (!tval_dump(&b, in, indent)) {
		*out = v_undef();
		return 0;
	}
	return done_str(ev, &b, out);
}

/* lodash get(obj, "a.b[0].c"). */
static int f_pick(struct ev *ev, struct val *in, struct val *a, size_t na, struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	struct val cur = tval_copy(in);
	size_t n, start = 0;
	const char *p = str_of(&b, arg(a, na, 0), &n);

	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '.' || p[i] == '[' || p[i] == ']') {
			if (i > start) {
				struct val next = tval_member_name(&cur, p + start, i - start);
				tval_drop(&cur);
				cur = next;
			}
			start = i + 1;
		}
	}
	sh_buf_dispose(&b);
	*out = cur;
	return 0;
}

/* ---- Backstage: parseRepoUrl, parseEntityRef, projectSlug -------------- */

static const char *const repo_keys[] = { "owner", "repo", "organization", "workspace", "project" };

/* The first value of query parameter key, decoded and trimmed of '/'. */
static bool query_get(const char *q, size_t qn, const char *key, struct sh_buf *out)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < qn;) {
		const char *amp = memchr(q + i, '&', qn - i);
		size_t end = amp ? (size_t)(amp - q) : qn;
		if (end - i > kl && memcmp(q + i, key, kl) == 0 && q[i + kl] == '=') {
			const char *v = q + i + kl + 1;
			size_t vn = end - i - kl - 1;
			char *dec = sh_malloc(vn + 1);
			long dl = sh_url_decode(dec, v, vn, true);
			const char *d = dec;
			if (dl < 0) {
				free(dec);
				return false;
			}
			while (dl > 0 && *d == '/') {
				d++;
				dl--;
			}
			while (dl > 0 && d[dl - 1] == '/')
				dl--;
			sh_buf_put(out, d, (size_t)dl);
			free(dec);
			return dl > 0;
		}
		i = end + 1;
	}
	return false;
}

static const char *const *required_for(const char *type, bool have_project)
{
	static const char *const def[] = { "repo", "owner", NULL };
	static const char *const proj[] = { "project", "repo", NULL };
	static const char *const bbc[] = { "workspace", "project", "repo", NULL };
	static const char *const repo[] = { "repo", NULL };
	static const char *const none[] = { NULL };

	if (strcmp(type, "gitlab") == 0)
		return have_project ? none : def;
	if (strcmp(type, "azure") == 0 || strcmp(type, "bitbucketServer") == 0 ||
		strcmp(type, "bitbucket") == 0)
		return proj;
	if (strcmp(type, "bitbucketCloud") == 0)
		return bbc;
	if (strcmp(type, "gitea") == 0 || strcmp(type, "gerrit") == 0)
		return repo;
	return def;
}

static const char *scm_type(struct ev *ev, const char *host)
{
	if (ev->opts->scm_type != NULL)
		return ev->opts->scm_type(ev->opts->scm_ctx, host);
	return strcmp(host, "github.com") == 0 ? "github" : NULL;
}

/* The host of "https://<url>": lower-cased, without user info. */
static bool url_host(const char *url, size_t n, struct sh_buf *host, size_t *auth_end)
{
	size_t end = strcspn(url, "/?#\\"), start = 0;

	end = end > n ? n : end;
	for (size_t i = 0; i < end; i++) {
		if (url[i] == '@')
			start = i + 1;
	}
	*auth_end = end;
	for (size_t i = start; i < end; i++) {
		unsigned char c = (unsigned char)url[i];
		if (c <= ' ' || c == '<' || c == '>' || c == '^' || c == '|' || c == '%' || c == '[')
			return false;
		sh_buf_putc(host, (char)tolower(c));
	}
	sh_buf_putc(host, '\0');
	host->len--;
	return host->len > 0;
}

static int repo_url(struct ev *ev, const struct val *in, json_t **out)
{
	struct sh_buf s = SH_BUF_INIT, host = SH_BUF_INIT, v = SH_BUF_INIT;
	size_t n, auth, qn = 0;
	const char *url = str_of(&s, in, &n), *q = NULL, *type;
	const char *const *req;
	json_t *res = NULL;
	int rc = 0;

	if (tval_type(in) != T_STR || !url_host(url, n, &host, &auth)) {
		rc = tmpl_ev_fail(ev, SH_EINPUT,
			"parseRepoUrl: Invalid repo URL passed to publisher, got %.100s", url);
		goto done;
	}
	if ((q = memchr(url + auth, '?', n - auth)) != NULL) {
		q++;
		qn = strcspn(q, "#");
	}
	if ((type = scm_type(ev, host.ptr)) == NULL) {
		rc = tmpl_ev_fail(ev, SH_EINPUT, "parseRepoUrl: No matching integration configuration for host "
			"%.100s, please check your integrations config", host.ptr);
		goto done;
	}
	res = json_object();
	json_object_set_new(res, "host", json_stringn_nocheck(host.ptr, host.len));
	for (size_t i = 0; i < SH_ARRAY_LEN(repo_keys); i++) {
		v.len = 0;
		if (q != NULL && query_get(q, qn, repo_keys[i], &v))
			json_object_set_new(res, repo_keys[i], json_stringn_nocheck(v.ptr, v.len));
	}
	req = required_for(type, json_object_get(res, "project") != NULL);
	for (; *req != NULL && rc == 0; req++) {
		if (json_object_get(res, *req) == NULL)
			rc = tmpl_ev_fail(ev, SH_EINPUT, "parseRepoUrl: Invalid repo URL passed to publisher: "
				"https://%.100s, missing %s", url, *req);
	}
done:
	if (rc != 0) {
		json_decref(res);
		res = NULL;
	}
	sh_buf_dispose(&s);
	sh_buf_dispose(&host);
	sh_buf_dispose(&v);
	*out = res;
	return rc;
}

static int f_parse_repo_url(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	json_t *r;
	int rc = repo_url(ev, in, &r);

	if (rc == 0)
		*out = v_own(r);
	return rc;
}

static int f_project_slug(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	json_t *r;
	int rc = repo_url(ev, in, &r);

	if (rc != 0)
		return rc;
	sh_buf_printf(&b, "%s/%s", json_string_value(json_object_get(r, "owner")) ?
		json_string_value(json_object_get(r, "owner")) : "undefined",
		json_string_value(json_object_get(r, "repo")) ?
		json_string_value(json_object_get(r, "repo")) : "undefined");
	json_decref(r);
	return done_str(ev, &b, out);
}

/* [<kind>:][<namespace>/]<name>, as @backstage/catalog-model. */
static int ref_parts(struct ev *ev, const char *ref, json_t *res)
{
	const char *colon = strchr(ref, ':'), *slash = strchr(ref, '/'), *name;

	if (slash != NULL && colon != NULL && slash < colon)
		colon = NULL;
	name = slash ? slash + 1 : colon ? colon + 1 : ref;
	if ((colon && colon == ref) || (slash && slash == (colon ? colon + 1 : ref)) || *name == '\0')
		return tmpl_ev_fail(ev, SH_EINPUT, "parseEntityRef: Entity reference \"%.100s\" was not on the "
			"form [<kind>:][<namespace>/]<name>", ref);
	if (colon != NULL)
		json_object_set_new(res, "kind", json_stringn_nocheck(ref, (size_t)(colon - ref)));
	if (slash != NULL) {
		const char *ns = colon ? colon + 1 : ref;
		json_object_set_new(res, "namespace", json_stringn_nocheck(ns, (size_t)(slash - ns)));
	}
	json_object_set_new(res, "name", json_string_nocheck(name));
	return 0;
}

static int ref_object(struct ev *ev, const json_t *obj, json_t *res)
{
	static const char *const keys[] = { "kind", "namespace", "name" };

	for (size_t i = 0; i < SH_ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(obj, keys[i]);
		if (json_is_string(v) && json_string_length(v) > 0)
			json_object_set(res, keys[i], v);
	}
	if (json_object_get(res, "name") == NULL)
		return tmpl_ev_fail(ev, SH_EINPUT, "parseEntityRef: Entity reference object is missing name");
	return 0;
}

/* Fill in kind and namespace from the context or the defaults. */
static int ref_defaults(struct ev *ev, const struct val *ctx, json_t *res, const char *ref)
{
	json_t *dk = tval_type(ctx) == T_OBJ ? json_object_get(ctx->j, "defaultKind") : NULL;
	json_t *dn = tval_type(ctx) == T_OBJ ? json_object_get(ctx->j, "defaultNamespace") : NULL;

	if (json_object_get(res, "kind") == NULL && json_is_string(dk) && json_string_length(dk))
		json_object_set(res, "kind", dk);
	if (json_object_get(res, "kind") == NULL)
		return tmpl_ev_fail(ev, SH_EINPUT, "parseEntityRef: Entity reference %.100s had missing or "
			"empty kind (e.g. did not start with \"component:\" or similar)", ref);
	if (json_object_get(res, "namespace") == NULL)
		json_object_set_new(res, "namespace", json_is_string(dn) && json_string_length(dn) ?
			json_incref(dn) : json_string("default"));
	return 0;
}

static int f_parse_entity_ref(struct ev *ev, struct val *in, struct val *a, size_t na,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	json_t *parts = json_object(), *res = NULL;
	size_t n;
	const char *ref = str_of(&b, in, &n);
	int rc;

	if (!tval_truthy(in))
		rc = tmpl_ev_fail(ev, SH_EINPUT, "parseEntityRef: Entity reference must not be empty");
	else if (tval_type(in) == T_STR)
		rc = memchr(ref, '\0', n) ? tmpl_ev_fail(ev, SH_EINPUT, "parseEntityRef: invalid reference")
			: ref_parts(ev, ref, parts);
	else if (tval_type(in) == T_OBJ)
		rc = ref_object(ev, in->j, parts);
	else
		rc = tmpl_ev_fail(ev, SH_EINPUT, "parseEntityRef: expected a string or an object");
	if (rc == 0) {
		/* Messages show the reference as JSON.stringify does. */
		struct sh_buf text = SH_BUF_INIT;
		tval_dump(&text, in, "");
		sh_buf_putc(&text, '\0');
		rc = ref_defaults(ev, arg(a, na, 0), parts, text.ptr);
		sh_buf_dispose(&text);
	}
	if (rc == 0) {
		res = json_object();
		json_object_set(res, "kind", json_object_get(parts, "kind"));
		json_object_set(res, "namespace", json_object_get(parts, "namespace"));
		json_object_set(res, "name", json_object_get(parts, "name"));
		*out = v_own(res);
	}
	json_decref(parts);
	sh_buf_dispose(&b);
	return rc;
}

/* ---- the filter table ---------------------------------------------------- */

struct filter {
	const char *name;
	filter_fn fn;
	bool cookiecutter_only;
	const char *const *params; /* names of the arguments, for keyword calls */
};

static const char *const sort_params[] = { "reverse", "case_sensitive", "attribute", NULL };
static const char *const int_params[] = { "default", "base", NULL };

static const struct filter filters[] = {
	{ "abs", f_abs, false }, { "batch", f_batch, false },
	{ "capitalize", f_capitalize, false }, { "center", f_center, false },
	{ "d", f_default, false }, { "default", f_default, false },
	{ "dictsort", f_dictsort, false }, { "dump", f_dump, false },
	{ "e", f_escape, false }, { "escape", f_escape, false },
	{ "first", f_first, false }, { "float", f_float, false },
	{ "forceescape", f_escape, false }, { "groupby", f_groupby, false },
	{ "indent", f_indent, false }, { "int", f_int, false, int_params }, { "join", f_join, false },
	{ "jsonify", f_dump, true }, { "last", f_last, false }, { "length", f_length, false },
	{ "list", f_list, false }, { "lower", f_lower, false }, { "nl2br", f_nl2br, false },
	{ "parseEntityRef", f_parse_entity_ref, false },
	{ "parseRepoUrl", f_parse_repo_url, false }, { "pick", f_pick, false },
	{ "projectSlug", f_project_slug, false }, { "random", f_random, false },
	{ "reject", f_reject, false },
	{ "rejectattr", f_rejectattr, false }, { "replace", f_replace, false },
	{ "reverse", f_reverse, false }, { "round", f_round, false }, { "safe", f_string, false },
	{ "select", f_select, false }, { "selectattr", f_selectattr, false },
	{ "slice", f_slice, false }, { "sort", f_sort, false, sort_params },
	{ "string", f_string, false },
	{ "striptags", f_striptags, false }, { "sum", f_sum, false }, { "title", f_title, false },
	{ "trim", f_trim, false }, { "truncate", f_truncate, false }, { "upper", f_upper, false },
	{ "urlencode", f_urlencode, false }, { "urlize", f_urlize, false },
	{ "wordcount", f_wordcount, false },
};

static const struct filter *find_filter(const char *name, bool cookiecutter)
{
	size_t lo = 0, hi = SH_ARRAY_LEN(filters);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, filters[mid].name);
		if (c == 0)
			return (!filters[mid].cookiecutter_only || cookiecutter) ? &filters[mid] : NULL;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

bool tmpl_filter_known(const char *name, bool cookiecutter)
{
	return find_filter(name, cookiecutter) != NULL;
}

/* Place name=value arguments at their parameters' positions. */
static int call_kwargs(struct ev *ev, const struct filter *f, struct val *in, struct val *args,
	size_t nargs, struct val *out)
{
	struct val named[8];
	size_t n = nargs - 1, np = 0;
	const char *k, *bad = NULL;
	json_t *v;
	int rc;

	while (f->params[np] != NULL)
		np++;
	if (n > np)
		return tmpl_ev_fail(ev, SH_EINPUT, "%s: too many arguments", f->name);
	for (size_t i = 0; i < np; i++)
		named[i] = i < n ? tval_copy(&args[i]) : v_undef();
	json_object_foreach(args[n].j, k, v) {
		size_t i = 0;
		while (i < np && strcmp(f->params[i], k) != 0)
			i++;
		if (i == np || i < n) {
			bad = k;
			break;
		}
		tval_drop(&named[i]);
		named[i] = v_ref(v);
	}
	if (bad != NULL)
		rc = tmpl_ev_fail(ev, SH_EINPUT, "%s: unexpected argument \"%.40s\"", f->name, bad);
	else
		rc = f->fn(ev, in, named, np, out);
	for (size_t i = 0; i < np; i++)
		tval_drop(&named[i]);
	return rc;
}

int tmpl_filter(struct ev *ev, const char *name, struct val *in, struct val *args, size_t nargs,
	bool kwargs, struct val *out)
{
	const struct filter *f = find_filter(name, ev->opts->cookiecutter);

	*out = v_undef();
	if (f == NULL)
		return tmpl_ev_fail(ev, SH_EINPUT, "unknown filter \"%s\"", name);
	if (kwargs && f->params != NULL && nargs > 0 && tval_type(&args[nargs - 1]) == T_OBJ)
		return call_kwargs(ev, f, in, args, nargs, out);
	return f->fn(ev, in, args, nargs, out);
}

/* ---- tests --------------------------------------------------------------- */

static bool test_num(const char *name, const struct val *in, const struct val *x, bool *out)
{
	double d = tval_num(in), m;
	int c;

	if (strcmp(name, "odd") == 0 || strcmp(name, "even") == 0) {
		m = fmod(d, 2);
		*out = strcmp(name, "odd") == 0 ? (m == 1 || m == -1) : m == 0;
	} else if (strcmp(name, "divisibleby") == 0) {
		*out = fmod(d, tval_num(x)) == 0;
	} else if (strcmp(name, "lt") == 0 || strcmp(name, "lessthan") == 0) {
		*out = tval_cmp(in, x) == -1;
	} else if (strcmp(name, "gt") == 0 || strcmp(name, "greaterthan") == 0) {
		*out = tval_cmp(in, x) == 1;
	} else if (strcmp(name, "le") == 0 || strcmp(name, "ge") == 0) {
		c = tval_cmp(in, x);
		*out = c == 0 || c == (name[0] == 'l' ? -1 : 1);
	} else {
		return false;
	}
	return true;
}

int tmpl_test(struct ev *ev, const char *name, struct val *in, struct val *args, size_t nargs,
	bool *out)
{
	enum vtype t = tval_type(in);
	const struct val *x = arg(args, nargs, 0);
	size_t n;
	const char *s = tval_sv(in, &n);

	if (strcmp(name, "defined") == 0) *out = t != T_UNDEF;
	else if (strcmp(name, "undefined") == 0) *out = t == T_UNDEF;
	else if (strcmp(name, "none") == 0 || strcmp(name, "null") == 0) *out = t == T_NULL;
	else if (strcmp(name, "number") == 0) *out = t == T_NUM;
	else if (strcmp(name, "string") == 0) *out = t == T_STR;
	else if (strcmp(name, "boolean") == 0) *out = t == T_BOOL;
	else if (strcmp(name, "mapping") == 0) *out = t == T_OBJ;
	else if (strcmp(name, "iterable") == 0) *out = t == T_ARR || t == T_STR;
	else if (strcmp(name, "callable") == 0 || strcmp(name, "escaped") == 0) *out = false;
	else if (strcmp(name, "truthy") == 0) *out = tval_truthy(in);
	else if (strcmp(name, "falsy") == 0) *out = !tval_truthy(in);
	else if (strcmp(name, "eq") == 0 || strcmp(name, "equalto") == 0 ||
		strcmp(name, "sameas") == 0) *out = tval_strict_eq(in, x);
	else if (strcmp(name, "ne") == 0) *out = !tval_strict_eq(in, x);
	else if (strcmp(name, "lower") == 0 || strcmp(name, "upper") == 0) {
		*out = s != NULL;
		for (size_t i = 0; s != NULL && i < n; i++) {
			if (name[0] == 'l' ? isupper((unsigned char)s[i]) : islower((unsigned char)s[i]))
				*out = false;
		}
	} else if (!test_num(name, in, x, out))
		return tmpl_ev_fail(ev, SH_EINPUT, "unknown test \"%s\"", name);
	return 0;
}

/* ---- JS-like methods ---------------------------------------------------- */

static int m_split(struct ev *ev, const char *s, size_t n, const struct val *sep, double limit,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;
	json_t *arr;
	size_t sl, start = 0;
	const char *sp;
	int rc;

	if (sep->k == VK_RE)
		return tmpl_ev_fail(ev, SH_EINPUT, "split: regular expressions are not supported");
	if ((rc = tmpl_ev_charge(ev, n)) != 0)
		return rc;
	arr = json_array();
	sp = js_str(&b, sep, &sl);
	if (sep->k == VK_UNDEF) {
		json_array_append_new(arr, json_stringn_nocheck(s, n));
	} else if (sl == 0) {
		for (size_t i = 0; i < n; i += cp_len_at(s, n, i))
			json_array_append_new(arr, json_stringn_nocheck(s + i, cp_len_at(s, n, i)));
	} else {
		for (;;) {
			const char *hit = memmem(s + start, n - start, sp, sl);
			size_t end = hit ? (size_t)(hit - s) : n;
			json_array_append_new(arr, json_stringn_nocheck(s + start, end - start));
			if (hit == NULL)
				break;
			start = end + sl;
		}
	}
	sh_buf_dispose(&b);
	while (limit >= 0 && (double)json_array_size(arr) > limit)
		json_array_remove(arr, json_array_size(arr) - 1);
	*out = v_own(arr);
	return 0;
}

/* JS slice/substring index normalisation over len units. */
static size_t js_index(const struct val *v, size_t len, size_t def, bool clamp_neg)
{
	double d;

	if (v->k == VK_UNDEF)
		return def;
	d = trunc(tval_num(v));
	if (isnan(d))
		d = 0;
	if (d < 0)
		d = clamp_neg ? 0 : fmax(0, (double)len + d);
	return d > (double)len ? len : (size_t)d;
}

static int m_pad(struct ev *ev, const char *s, size_t n, const struct val *a, size_t na,
	bool start, struct val *out)
{
	struct sh_buf r = SH_BUF_INIT, fb = SH_BUF_INIT;
	double target = tval_num(arg(a, na, 0));
	size_t fl = 1, len = cp_count(s, n);
	const char *fill = na > 1 ? str_of(&fb, &a[1], &fl) : " ";
	int rc = 0;

	if (target > (double)len && fl > 0) {
		if ((rc = tmpl_ev_check_size(ev, (size_t)fmin(target, 1e15))) == 0) {
			if (!start)
				sh_buf_put(&r, s, n);
			for (size_t i = 0; i < (size_t)target - len; i++)
				sh_buf_putc(&r, fill[i % fl]);
			if (start)
				sh_buf_put(&r, s, n);
		}
	} else {
		sh_buf_put(&r, s, n);
	}
	sh_buf_dispose(&fb);
	if (rc != 0) {
		sh_buf_dispose(&r);
		return rc;
	}
	return done_str(ev, &r, out);
}

static int m_repeat(struct ev *ev, const char *s, size_t n, const struct val *c, struct val *out)
{
	struct sh_buf r = SH_BUF_INIT;
	double count = tval_num(c);
	int rc;

	if (!(count >= 0) || isinf(count))
		return tmpl_ev_fail(ev, SH_EINPUT, "repeat: invalid count");
	if (n == 0) {
		*out = tval_str("", 0);
		return 0;
	}
	if ((rc = tmpl_ev_check_size(ev, (size_t)fmin(count * (double)n, 1e15))) != 0)
		return rc;
	for (size_t i = 0; i < (size_t)count; i++)
		sh_buf_put(&r, s, n);
	return done_str(ev, &r, out);
}

/* Where String(x) first (or last) occurs in s, -1 if nowhere. memmem keeps
 * it linear; the search for the last one is charged per hit. */
static int find_sub(struct ev *ev, const char *s, size_t n, const struct val *x, bool last,
	long *at)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t xl;
	const char *xs = str_of(&b, x, &xl);
	int rc = 0;

	*at = -1;
	for (const char *p = s; p <= s + n;) {
		const char *hit = memmem(p, (size_t)(s + n - p), xs, xl);
		if (hit == NULL)
			break;
		*at = (long)(hit - s);
		if (!last || (rc = tmpl_ev_charge(ev, 1 + xl / 64)) != 0)
			break;
		p = hit + 1;
	}
	sh_buf_dispose(&b);
	return rc;
}

static int str_method2(struct ev *ev, const char *s, size_t n, const char *m, struct val *a,
	size_t na, struct val *out)
{
	size_t len = cp_count(s, n), st, en;
	struct sh_buf r = SH_BUF_INIT;

	if (strcmp(m, "slice") == 0 || strcmp(m, "substring") == 0) {
		bool sub = m[1] == 'u';
		st = js_index(arg(a, na, 0), len, 0, sub);
		en = js_index(arg(a, na, 1), len, len, sub);
		if (sub && st > en) {
			size_t t = st;
			st = en;
			en = t;
		}
		st = cp_off(s, n, st);
		en = cp_off(s, n, en);
		*out = tval_str(s + st, en > st ? en - st : 0);
	} else if (strcmp(m, "charAt") == 0) {
		st = cp_off(s, n, js_index(arg(a, na, 0), len, 0, true));
		*out = tval_str(s + st, st < n ? cp_len_at(s, n, st) : 0);
	} else if (strcmp(m, "indexOf") == 0 || strcmp(m, "lastIndexOf") == 0) {
		long at;
		int rc = find_sub(ev, s, n, arg(a, na, 0), m[0] == 'l', &at);
		if (rc != 0)
			return rc;
		*out = v_num(at >= 0 ? (double)cp_count(s, (size_t)at) : -1);
	} else if (strcmp(m, "concat") == 0) {
		sh_buf_put(&r, s, n);
		for (size_t i = 0; i < na; i++)
			tval_append(&r, &a[i], false);
		return done_str(ev, &r, out);
	} else if (strcmp(m, "padStart") == 0 || strcmp(m, "padEnd") == 0) {
		return m_pad(ev, s, n, a, na, m[3] == 'S', out);
	} else if (strcmp(m, "repeat") == 0) {
		return m_repeat(ev, s, n, arg(a, na, 0), out);
	} else if (strcmp(m, "split") == 0) {
		double lim = na > 1 && a[1].k != VK_UNDEF ? tval_num(&a[1]) : -1;
		return m_split(ev, s, n, arg(a, na, 0), lim, out);
	} else {
		return tmpl_ev_fail(ev, SH_EINPUT, "unknown method \"%s\"", m);
	}
	return 0;
}

static int str_method(struct ev *ev, const struct val *obj, const char *m, struct val *a,
	size_t na, struct val *out)
{
	size_t n, xl;
	const char *s = tval_sv(obj, &n), *t = s;
	struct sh_buf b = SH_BUF_INIT;

	if (strcmp(m, "toUpperCase") == 0 || strcmp(m, "toLowerCase") == 0)
		return f_case(ev, (struct val *)obj, m[2] == 'U', out);
	if (strcmp(m, "trim") == 0 || strcmp(m, "trimStart") == 0 || strcmp(m, "trimEnd") == 0) {
		trim_span(&t, &n, m[4] != 'E', m[4] != 'S');
		*out = tval_str(t, n);
		return 0;
	}
	if (strcmp(m, "toString") == 0) {
		*out = tval_copy(obj);
		return 0;
	}
	if (strcmp(m, "includes") == 0) {
		long at;
		int rc = find_sub(ev, s, n, arg(a, na, 0), false, &at);
		*out = v_bool(at >= 0);
		return rc;
	}
	if (strcmp(m, "startsWith") == 0 || strcmp(m, "endsWith") == 0) {
		const char *x = str_of(&b, arg(a, na, 0), &xl);
		bool r = xl <= n && memcmp(m[0] == 's' ? s : s + n - xl, x, xl) == 0;
		sh_buf_dispose(&b);
		*out = v_bool(r);
		return 0;
	}
	if (strcmp(m, "replace") == 0 || strcmp(m, "replaceAll") == 0)
		return do_replace(ev, obj, arg(a, na, 0), arg(a, na, 1), m[7] == 'A' ? -1 : 1, out);
	return str_method2(ev, s, n, m, a, na, out);
}

static int arr_method(struct ev *ev, const struct val *obj, const char *m, struct val *a,
	size_t na, struct val *out)
{
	size_t n = json_array_size(obj->j), i;
	json_t *e, *res;
	long found = -1;

	if (strcmp(m, "includes") == 0 || strcmp(m, "indexOf") == 0) {
		json_array_foreach(obj->j, i, e) {
			struct val item = v_ref(e);
			bool eq = tval_strict_eq(&item, arg(a, na, 0));
			tval_drop(&item);
			if (eq) {
				found = (long)i;
				break;
			}
		}
		*out = m[1] == 'n' && m[2] == 'c' ? v_bool(found >= 0) : v_num((double)found);
		return 0;
	}
	if (strcmp(m, "join") == 0) {
		struct val sep = na > 0 && a[0].k != VK_UNDEF ? tval_copy(&a[0]) : tval_str(",", 1);
		int rc = f_join(ev, (struct val *)obj, &sep, 1, out);
		tval_drop(&sep);
		return rc;
	}
	if (strcmp(m, "slice") == 0) {
		size_t st = js_index(arg(a, na, 0), n, 0, false);
		size_t en = js_index(arg(a, na, 1), n, n, false);
		res = json_array();
		for (i = st; i < en; i++)
			json_array_append(res, json_array_get(obj->j, i));
		*out = v_own(res);
		return 0;
	}
	if (strcmp(m, "concat") == 0) {
		res = json_copy(obj->j);
		for (i = 0; i < na; i++) {
			json_t *j = tval_json(&a[i]);
			if (json_is_array(j))
				json_array_extend(res, j);
			else
				json_array_append(res, j ? j : json_null());
			json_decref(j);
		}
		*out = v_own(res);
		return tval_check_depth(ev, out);
	}
	if (strcmp(m, "toString") == 0) {
		struct sh_buf b = SH_BUF_INIT;
		tval_append(&b, obj, false);
		return done_str(ev, &b, out);
	}
	return tmpl_ev_fail(ev, SH_EINPUT, "unknown method \"%s\"", m);
}

int tmpl_method(struct ev *ev, struct val *obj, const char *name, struct val *args, size_t nargs,
	struct val *out)
{
	struct sh_buf b = SH_BUF_INIT;

	*out = v_undef();
	if (tmpl_ev_charge(ev, 1) != 0)
		return SH_EINPUT;
	switch (tval_type(obj)) {
	case T_STR:
		if (tmpl_ev_charge(ev, json_string_length(obj->j) / 64) != 0)
			return SH_EINPUT;
		return str_method(ev, obj, name, args, nargs, out);
	case T_ARR:
		if (tmpl_ev_charge(ev, json_array_size(obj->j)) != 0)
			return SH_EINPUT;
		return arr_method(ev, obj, name, args, nargs, out);
	case T_NUM: case T_BOOL:
		if (strcmp(name, "toString") == 0) {
			tval_append(&b, obj, false);
			return done_str(ev, &b, out);
		}
		if (strcmp(name, "toFixed") == 0) {
			double d = tval_num(arg(args, nargs, 0));
			sh_buf_printf(&b, "%.*f", d >= 0 && d <= 100 ? (int)d : 0, tval_num(obj));
			return done_str(ev, &b, out);
		}
		break;
	default:
		break;
	}
	return tmpl_ev_fail(ev, SH_EINPUT, "unable to call \"%s\", which is undefined", name);
}

/* ---- globals ------------------------------------------------------------- */

static int g_range(struct ev *ev, struct val *a, size_t na, struct val *out)
{
	double start = 0, stop, step = 1, count;
	json_t *arr;
	int rc;

	if (na < 2) {
		stop = tval_num(arg(a, na, 0));
	} else {
		start = tval_num(&a[0]);
		stop = tval_num(&a[1]);
		if (na > 2 && tval_truthy(&a[2]))
			step = tval_num(&a[2]);
	}
	count = ceil((stop - start) / step);
	if (!(count > 0))
		count = 0;
	if ((rc = tmpl_ev_charge(ev, (size_t)fmin(count, 1e15))) != 0)
		return rc;
	arr = json_array();
	for (size_t i = 0; i < (size_t)count; i++) {
		struct val v = v_num(start + (double)i * step);
		json_array_append_new(arr, tval_json(&v));
	}
	*out = v_own(arr);
	return 0;
}

int tmpl_global(struct ev *ev, const char *name, struct val *args, size_t nargs,
	struct val *out)
{
	*out = v_undef();
	if (strcmp(name, "range") == 0)
		return g_range(ev, args, nargs, out);
	if (strcmp(name, "failure") == 0) {
		*out = v_bool(ev->opts->failed);
		return 0;
	}
	if (strcmp(name, "always") == 0) {
		*out = v_bool(true);
		return 0;
	}
	return tmpl_ev_fail(ev, SH_EINPUT, "unable to call \"%s\", which is undefined", name);
}

/* ---- templating extensions ------------------------------------------------ */

json_t *tmpl_extensions(void)
{
	static const char text[] =
		"{\"parseRepoUrl\":{\"description\":\"Parses a repository URL from RepoUrlPicker into its "
		"parts: host, owner, repo, organization, workspace, project.\","
		"\"schema\":{\"input\":{\"type\":\"string\"},\"output\":{\"type\":\"object\",\"required\":"
		"[\"host\",\"repo\"],\"properties\":{\"host\":{\"type\":\"string\"},\"owner\":{\"type\":"
		"\"string\"},\"repo\":{\"type\":\"string\"},\"organization\":{\"type\":\"string\"},"
		"\"workspace\":{\"type\":\"string\"},\"project\":{\"type\":\"string\"}}}},"
		"\"examples\":[{\"description\":\"Parse a GitHub repository URL\","
		"\"example\":\"${{ parameters.repoUrl | parseRepoUrl }}\"}]},"
		"\"parseEntityRef\":{\"description\":\"Parses an entity reference string or object into "
		"{kind, namespace, name}; an optional argument gives defaultKind and defaultNamespace.\","
		"\"schema\":{\"input\":{\"type\":[\"string\",\"object\"]},\"arguments\":[{\"type\":\"object\","
		"\"properties\":{\"defaultKind\":{\"type\":\"string\"},\"defaultNamespace\":{\"type\":"
		"\"string\"}}}],\"output\":{\"type\":\"object\",\"required\":[\"kind\",\"namespace\",\"name\"],"
		"\"properties\":{\"kind\":{\"type\":\"string\"},\"namespace\":{\"type\":\"string\"},\"name\":"
		"{\"type\":\"string\"}}}},"
		"\"examples\":[{\"description\":\"Parse an entity reference\",\"example\":"
		"\"${{ parameters.owner | parseEntityRef }}\"},{\"description\":\"With a default kind and "
		"namespace\",\"example\":\"${{ parameters.owner | parseEntityRef({ defaultKind: \\\"group\\\", "
		"defaultNamespace: \\\"default\\\" }) }}\"}]},"
		"\"pick\":{\"description\":\"Picks the value at a dotted path of an object.\","
		"\"schema\":{\"input\":{\"type\":\"object\"},\"arguments\":[{\"type\":\"string\","
		"\"description\":\"A dotted path\"}],\"output\":{}},"
		"\"examples\":[{\"description\":\"The name of a parsed entity reference\",\"example\":"
		"\"${{ parameters.owner | parseEntityRef | pick(\\\"name\\\") }}\"}]},"
		"\"projectSlug\":{\"description\":\"Turns a repository URL into \\\"<owner>/<repo>\\\".\","
		"\"schema\":{\"input\":{\"type\":\"string\"},\"output\":{\"type\":\"string\"}},"
		"\"examples\":[{\"description\":\"The slug of a repository\",\"example\":"
		"\"${{ parameters.repoUrl | projectSlug }}\"}]}}";
	json_t *v = json_loads(text, 0, NULL);

	return v ? v : json_object();
}
