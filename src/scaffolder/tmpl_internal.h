/*
 * Private to tmpl.c (lexer, parser, evaluator) and tmpl_filters.c (values,
 * filters, tests, methods).
 */
#ifndef STAGEHAND_SCAFFOLDER_TMPL_INTERNAL_H
#define STAGEHAND_SCAFFOLDER_TMPL_INTERNAL_H

#include <stdarg.h>

#include "tmpl.h"

/* A runtime value. VK_JSON owns one reference to j (borrowed ctx values
 * are increfed, never copied: jansson's reference counts are atomic, so
 * threads may share one ctx); VK_NUM is a computed number, which may be
 * NaN or infinite (jansson cannot hold those); VK_RE a regex literal that
 * points into the AST. */
enum vkind { VK_UNDEF = 0, VK_JSON, VK_NUM, VK_RE };

struct re_lit {
	const char *src; /* pattern, NUL-terminated, in the AST arena */
	bool global, icase;
};

struct val {
	enum vkind k;
	double n;
	json_t *j;
	const struct re_lit *re;
};

/* The JS-ish type of a value. */
enum vtype { T_UNDEF, T_NULL, T_BOOL, T_NUM, T_STR, T_ARR, T_OBJ, T_RE };

/* A local variable (set, for). */
struct var {
	const char *name;
	size_t nlen;
	struct val v;
};

/* One evaluation: what it reads, its budgets and where errors go. */
struct ev {
	const char *src; /* the template text, for error lines and snippets */
	size_t srclen;
	const char *name;
	const json_t *ctx;
	const struct tmpl_opts *opts;
	size_t steps, max_steps, max_out;
	struct var *vars;
	size_t nvars, cap;
	struct sh_err *err;
	size_t tag; /* offset of the tag being evaluated */
	bool failed; /* an error was recorded in err */
};

#define TMPL_MAX_NEST 100      /* parser recursion */
#define TMPL_MAX_HEIGHT 256    /* expression tree height */
#define TMPL_MAX_VALUE_DEPTH 64 /* nesting of values built by set/filters */

/* Record an error at the current tag; returns SH_EINPUT (or code). */
int tmpl_ev_fail(struct ev *ev, int code, const char *fmt, ...) SH_PRINTF(3, 4);
/* Charge n steps to the budget. */
int tmpl_ev_charge(struct ev *ev, size_t n) SH_WUR;
/* Fail when a string of n bytes would exceed the output limit. */
int tmpl_ev_check_size(struct ev *ev, size_t n) SH_WUR;

/* ---- values (tmpl_filters.c) ---- */
static inline struct val v_undef(void) { return (struct val){ VK_UNDEF, 0, NULL, NULL }; }
static inline struct val v_num(double n) { return (struct val){ VK_NUM, n, NULL, NULL }; }
/* Steals j; NULL gives undefined. */
static inline struct val v_own(json_t *j)
{
	return j ? (struct val){ VK_JSON, 0, j, NULL } : v_undef();
}
/* Borrows j (increfs). */
static inline struct val v_ref(const json_t *j)
{
	return j ? (struct val){ VK_JSON, 0, json_incref((json_t *)j), NULL } : v_undef();
}
static inline struct val v_bool(bool b) { return v_own(json_boolean(b)); }
struct val tval_str(const char *s, size_t n);
/* Takes a heap buffer's contents (b is reset). */
struct val tval_buf(struct sh_buf *b);
void tval_drop(struct val *v);
struct val tval_copy(const struct val *v);

enum vtype tval_type(const struct val *v);
bool tval_truthy(const struct val *v); /* JS truthiness */
bool tval_truthy_backstage(const struct val *v); /* also [] is false */
double tval_num(const struct val *v); /* JS ToNumber */
/* The string bytes of a T_STR value (else NULL). */
const char *tval_sv(const struct val *v, size_t *len);
/* Append JS String(v); undefined/null as "" when for_output, else as
 * "undefined"/"null". */
void tval_append(struct sh_buf *b, const struct val *v, bool for_output);
/* New reference to v as JSON (NaN/Infinity become null); NULL if undefined. */
json_t *tval_json(const struct val *v);
/* JSON.stringify into b; indent is the indent string ("" compact). Returns
 * false for undefined (nothing written). */
bool tval_dump(struct sh_buf *b, const struct val *v, const char *indent);
void tval_fmt_num(struct sh_buf *b, double d);
bool tval_loose_eq(const struct val *a, const struct val *b);
bool tval_strict_eq(const struct val *a, const struct val *b);
/* JS relational a < b (lt) semantics; returns -1, 0, 1 or 2 for unordered. */
int tval_cmp(const struct val *a, const struct val *b);
/* Nunjucks memberLookup: obj[key], undefined when absent. */
struct val tval_member(const struct val *obj, const struct val *key);
struct val tval_member_name(const struct val *obj, const char *key, size_t klen);
/* What looking at all of v costs in steps (string bytes / 64, elements). */
size_t tval_cost(const struct val *v);
/* Depth of nested arrays/objects, up to limit + 1; charges steps. */
int tval_check_depth(struct ev *ev, const struct val *v) SH_WUR;

/* ---- filters, tests, methods, globals (tmpl_filters.c) ---- */
/* Call a filter; kwargs: the last arg is a dict of name=value arguments,
 * which filters with named parameters (sort, int) take by name and others
 * as one more positional argument, as Nunjucks does. */
int tmpl_filter(struct ev *ev, const char *name, struct val *in, struct val *args, size_t nargs,
	bool kwargs, struct val *out) SH_WUR;
bool tmpl_filter_known(const char *name, bool cookiecutter);
int tmpl_test(struct ev *ev, const char *name, struct val *in, struct val *args, size_t nargs,
	bool *out) SH_WUR;
int tmpl_method(struct ev *ev, struct val *obj, const char *name, struct val *args, size_t nargs,
	struct val *out) SH_WUR;
int tmpl_global(struct ev *ev, const char *name, struct val *args, size_t nargs,
	struct val *out) SH_WUR;

#endif
