/*
 * The template engine: a lexer over the whole text (text mode and code
 * mode, like Nunjucks'), a recursive-descent parser to an AST held in an
 * arena, and a tree-walking evaluator. Values, filters and tests live in
 * tmpl_filters.c.
 *
 * Every recursion is bounded: the parser counts its nesting, each node
 * knows the height of its subtree (left-deep chains such as a+b+c+... are
 * built by loops, so nesting alone would not bound them), and the
 * evaluator only follows the AST. Loops, filters and nodes charge a step
 * budget; output and computed strings are capped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl_internal.h"

/* ---- tokens ------------------------------------------------------------ */

enum tk {
	TK_EOF, TK_ERR, TK_TEXT, TK_VAR, TK_BLOCK, TK_COMMENT, TK_VAR_END, TK_BLOCK_END,
	TK_NAME, TK_NUM, TK_STR, TK_OP, TK_RE
};

struct tok {
	enum tk t;
	const char *s; /* source bytes of the token (for TK_STR: with quotes) */
	size_t len;
	size_t off;
};

struct lex {
	const char *src;
	size_t len, pos;
	bool in_code;
	enum tk end;     /* TK_VAR_END, TK_BLOCK_END, or TK_EOF for a bare expression */
	bool trim_next;  /* a `-%}` / `-}}` / `-#}`: strip the next text's leading space */
	size_t tag;      /* offset of the current tag, for errors */
	const char *errmsg;
	const struct tmpl_opts *opts;
};

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}

static bool is_name_char(unsigned char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static bool at(const struct lex *l, size_t pos, const char *lit)
{
	size_t n = strlen(lit);

	return pos <= l->len && l->len - pos >= n && memcmp(l->src + pos, lit, n) == 0;
}

static size_t delim_len(const struct lex *l, enum tk kind)
{
	return (kind == TK_VAR && !l->opts->cookiecutter) ? 3 : 2;
}

/* Where the next tag starts at or after pos (len if none), and its kind. */
static size_t find_tag(const struct lex *l, size_t pos, enum tk *kind)
{
	const char *s = l->src;
	size_t j = pos;

	while (j + 1 < l->len) {
		const char *q = memchr(s + j, '{', l->len - j - 1);
		if (q == NULL)
			break;
		j = (size_t)(q - s);
		if (s[j + 1] == '%' || s[j + 1] == '#') {
			*kind = s[j + 1] == '%' ? TK_BLOCK : TK_COMMENT;
			return j;
		}
		if (s[j + 1] == '{' && l->opts->cookiecutter) {
			*kind = TK_VAR;
			return j;
		}
		if (s[j + 1] == '{' && j > pos && s[j - 1] == '$') {
			*kind = TK_VAR;
			return j - 1;
		}
		j++;
	}
	*kind = TK_EOF;
	return l->len;
}

static void skip_newline(struct lex *l)
{
	if (at(l, l->pos, "\n"))
		l->pos++;
	else if (at(l, l->pos, "\r\n"))
		l->pos += 2;
}

/* The end of the text before a tag at tagpos, after `{%-` and lstripBlocks. */
static size_t text_end(const struct lex *l, size_t start, size_t tagpos, enum tk kind)
{
	size_t end = tagpos, dl = delim_len(l, kind);

	if (kind == TK_EOF)
		return end;
	if (tagpos + dl < l->len && l->src[tagpos + dl] == '-') {
		while (end > start && is_ws(l->src[end - 1]))
			end--;
	} else if (l->opts->lstrip_blocks && kind == TK_BLOCK) {
		size_t k = end;
		while (k > start && (l->src[k - 1] == ' ' || l->src[k - 1] == '\t'))
			k--;
		if (k == 0 || l->src[k - 1] == '\n')
			end = k;
	}
	return end;
}

static bool skip_comment(struct lex *l, size_t tagpos)
{
	const char *close = NULL;

	if (tagpos + 2 <= l->len)
		close = memmem(l->src + tagpos + 2, l->len - tagpos - 2, "#}", 2);
	if (close == NULL) {
		l->errmsg = "unclosed comment";
		return false;
	}
	l->pos = (size_t)(close - l->src) + 2;
	l->trim_next = close > l->src + tagpos + 2 && close[-1] == '-';
	return true;
}

static void lex_text(struct lex *l, struct tok *t)
{
	for (;;) {
		enum tk kind;
		size_t start = l->pos, tagpos = find_tag(l, start, &kind), end;

		if (l->trim_next) {
			while (start < tagpos && is_ws(l->src[start]))
				start++;
			l->trim_next = false;
		}
		end = text_end(l, start, tagpos, kind);
		l->pos = tagpos;
		t->off = start;
		if (end > start || kind == TK_EOF) {
			t->t = end > start ? TK_TEXT : TK_EOF;
			t->s = l->src + start;
			t->len = end - start;
			return;
		}
		l->tag = tagpos;
		if (kind == TK_COMMENT) {
			if (!skip_comment(l, tagpos)) {
				t->t = TK_ERR;
				return;
			}
			continue;
		}
		l->pos = tagpos + delim_len(l, kind);
		if (l->pos < l->len && l->src[l->pos] == '-')
			l->pos++;
		l->in_code = true;
		l->end = kind == TK_VAR ? TK_VAR_END : TK_BLOCK_END;
		t->t = kind;
		t->off = tagpos;
		return;
	}
}

/* The end delimiter of the current tag at pos, if there. */
static bool lex_tag_end(struct lex *l, struct tok *t)
{
	const char *close = l->end == TK_VAR_END ? "}}" : "%}";
	bool dash = l->src[l->pos] == '-';
	size_t p = l->pos + (dash ? 1 : 0);

	if (l->end == TK_EOF || !at(l, p, close))
		return false;
	t->t = l->end;
	l->pos = p + 2;
	l->in_code = false;
	l->trim_next = dash;
	if (l->end == TK_BLOCK_END && l->opts->trim_blocks)
		skip_newline(l);
	return true;
}

static void lex_string(struct lex *l, struct tok *t)
{
	char q = l->src[l->pos];
	size_t i = l->pos + 1;

	while (i < l->len && l->src[i] != q)
		i += (l->src[i] == '\\' && i + 1 < l->len) ? 2 : 1;
	if (i >= l->len) {
		t->t = TK_ERR;
		l->errmsg = "unterminated string";
		return;
	}
	t->t = TK_STR;
	l->pos = i + 1;
}

static void lex_regex(struct lex *l, struct tok *t)
{
	size_t i = l->pos + 2;

	while (i < l->len && l->src[i] != '/' && l->src[i] != '\n')
		i += (l->src[i] == '\\' && i + 1 < l->len) ? 2 : 1;
	if (i >= l->len || l->src[i] != '/') {
		t->t = TK_ERR;
		l->errmsg = "unterminated regular expression";
		return;
	}
	i++;
	while (i < l->len && strchr("gimyus", l->src[i]) != NULL && l->src[i] != '\0')
		i++;
	t->t = TK_RE;
	l->pos = i;
}

static void lex_op(struct lex *l, struct tok *t)
{
	static const char *const ops[] = { "===", "!==", "==", "!=", "<=", ">=", "//", "**" };
	const char *singles = "()[]{},:.|+-*/%~<>=";

	for (size_t i = 0; i < SH_ARRAY_LEN(ops); i++) {
		if (at(l, l->pos, ops[i])) {
			t->t = TK_OP;
			l->pos += strlen(ops[i]);
			return;
		}
	}
	if (l->src[l->pos] != '\0' && strchr(singles, l->src[l->pos]) != NULL) {
		t->t = TK_OP;
		l->pos++;
		return;
	}
	t->t = TK_ERR;
	l->errmsg = "unexpected character";
}

static void lex_code(struct lex *l, struct tok *t)
{
	unsigned char c;

	while (l->pos < l->len && is_ws(l->src[l->pos]))
		l->pos++;
	t->off = l->pos;
	t->s = l->src + l->pos;
	if (l->pos >= l->len) {
		t->t = TK_EOF;
		t->len = 0;
		return;
	}
	c = (unsigned char)l->src[l->pos];
	if (lex_tag_end(l, t)) {
		/* nothing more */
	} else if (c == '"' || c == '\'') {
		lex_string(l, t);
	} else if (c == 'r' && at(l, l->pos + 1, "/")) {
		lex_regex(l, t);
	} else if (c >= '0' && c <= '9') {
		while (l->pos < l->len && l->src[l->pos] >= '0' && l->src[l->pos] <= '9')
			l->pos++;
		if (at(l, l->pos, ".") && l->pos + 1 < l->len && l->src[l->pos + 1] >= '0' &&
			l->src[l->pos + 1] <= '9') {
			l->pos++;
			while (l->pos < l->len && l->src[l->pos] >= '0' && l->src[l->pos] <= '9')
				l->pos++;
		}
		t->t = TK_NUM;
	} else if (is_name_start(c)) {
		while (l->pos < l->len && is_name_char((unsigned char)l->src[l->pos]))
			l->pos++;
		t->t = TK_NAME;
	} else {
		lex_op(l, t);
	}
	t->len = l->pos - t->off;
}

static void lex_next(struct lex *l, struct tok *t)
{
	memset(t, 0, sizeof(*t));
	if (l->in_code)
		lex_code(l, t);
	else
		lex_text(l, t);
}

/* ---- AST ------------------------------------------------------------- */

enum nk {
	N_TEXT, N_OUT, N_IF, N_FOR, N_SET, N_SETBLOCK,
	N_LIT, N_NAME, N_MEMBER, N_INDEX, N_CALL, N_FILTER, N_TEST, N_BIN, N_AND, N_OR,
	N_NOT, N_NEG, N_POS, N_IN, N_COND, N_LIST, N_DICT, N_REGEX
};

enum bop {
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FDIV, OP_MOD, OP_POW, OP_CAT,
	OP_EQ, OP_NE, OP_SEQ, OP_SNE, OP_LT, OP_GT, OP_LE, OP_GE
};

#define MAX_ARGS 16

struct node {
	enum nk k;
	enum bop op;
	int height;
	bool neg;        /* N_TEST `is not`, N_IN `not in` */
	bool uses_loop;  /* N_FOR: the body names `loop` */
	bool kwargs;     /* the last of args is a dict of name=value arguments */
	size_t tag;      /* offset of the enclosing tag, for errors */
	const char *s;   /* text, or a NUL-terminated name */
	size_t slen;
	json_t *lit;     /* N_LIT; owned by the template's lits array */
	struct re_lit re;
	struct node *a, *b, *c; /* operands; N_IF cond/then/else; N_FOR iter/body/else */
	struct node *next;      /* the next statement */
	struct node **args;     /* call/filter/test args, list items, dict key/value pairs */
	size_t nargs;
	const char *names[2];   /* N_FOR / N_SET targets */
	int nnames;
};

/* A parsed template: the arena holds every node and string. */
struct tpl {
	struct sh_arena *arena;
	json_t *lits;
	struct node *body;
};

struct parser {
	struct lex l;
	struct tok la[2];
	int nla;
	struct sh_arena *a;
	json_t *lits;
	int nest;
	size_t loop_refs;
	const char *name;
	struct sh_err *err;
	bool failed;
};

/* Where a tag's snippet ends: after its closing delimiter, at most 80 bytes. */
static size_t snippet_end(const char *src, size_t len, size_t off)
{
	size_t max = len - off > 80 ? off + 80 : len;

	for (size_t i = off + 2; i + 1 < max; i++) {
		if (src[i + 1] == '}' && (src[i] == '}' || src[i] == '%' || src[i] == '#'))
			return i + 2;
	}
	return max;
}

static int fmt_err(struct sh_err *err, int code, const char *name, const char *src, size_t len,
	size_t off, const char *msg)
{
	char snip[84];
	size_t line = 1, n = 0, end;

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++)
		line += src[i] == '\n';
	end = snippet_end(src, len, off);
	for (size_t i = off; i < end && n < 80; i++)
		snip[n++] = (src[i] == '\n' || src[i] == '\r' || src[i] == '\t' || src[i] == '\0') ?
			' ' : src[i];
	snip[n] = '\0';
	return sh_err_set(err, code, "%s:%zu: %s in %s", name, line, msg, snip);
}

int tmpl_ev_fail(struct ev *ev, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (ev->failed)
		return ev->err ? ev->err->code : code;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ev->failed = true;
	return fmt_err(ev->err, code, ev->name, ev->src, ev->srclen, ev->tag, msg);
}

int tmpl_ev_charge(struct ev *ev, size_t n)
{
	ev->steps += n;
	if (ev->steps > ev->max_steps)
		return tmpl_ev_fail(ev, SH_EINPUT, "step budget of %zu exceeded", ev->max_steps);
	return 0;
}

int tmpl_ev_check_size(struct ev *ev, size_t n)
{
	if (n > ev->max_out)
		return tmpl_ev_fail(ev, SH_ETOOLARGE, "output too large (over %zu bytes)", ev->max_out);
	return 0;
}

static struct node *perr(struct parser *p, size_t off, const char *fmt, ...) SH_PRINTF(3, 4);

static struct node *perr(struct parser *p, size_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->failed)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->failed = true;
	fmt_err(p->err, SH_EINPUT, p->name, p->l.src, p->l.len, off, msg);
	return NULL;
}

static struct tok *peek(struct parser *p)
{
	if (p->nla == 0) {
		lex_next(&p->l, &p->la[0]);
		p->nla = 1;
	}
	return &p->la[0];
}

static struct tok *peek2(struct parser *p)
{
	(void)peek(p);
	if (p->nla == 1) {
		lex_next(&p->l, &p->la[1]);
		p->nla = 2;
	}
	return &p->la[1];
}

static struct tok next(struct parser *p)
{
	struct tok t = *peek(p);

	p->la[0] = p->la[1];
	p->nla--;
	return t;
}

static bool tok_is(const struct tok *t, enum tk type, const char *s)
{
	return t->t == type && t->len == strlen(s) && memcmp(t->s, s, t->len) == 0;
}

static bool is_op(struct parser *p, const char *s)
{
	return tok_is(peek(p), TK_OP, s);
}

static bool is_kw(struct parser *p, const char *s)
{
	return tok_is(peek(p), TK_NAME, s);
}

static bool accept_op(struct parser *p, const char *s)
{
	if (!is_op(p, s))
		return false;
	(void)next(p);
	return true;
}

static bool accept_kw(struct parser *p, const char *s)
{
	if (!is_kw(p, s))
		return false;
	(void)next(p);
	return true;
}

/* A description of the next token for "unexpected" messages. */
static const char *tok_desc(struct parser *p, char *buf, size_t n)
{
	struct tok *t = peek(p);

	if (t->t == TK_ERR)
		return p->l.errmsg;
	if (t->t == TK_EOF)
		return "end of template";
	if (t->t == TK_VAR_END || t->t == TK_BLOCK_END)
		return "end of tag";
	snprintf(buf, n, "\"%.*s\"", (int)(t->len > 30 ? 30 : t->len), t->s);
	return buf;
}

static struct node *unexpected(struct parser *p, const char *wanted)
{
	char buf[48];
	struct tok *t = peek(p);

	if (t->t == TK_ERR)
		return perr(p, p->l.tag, "%s", p->l.errmsg);
	return perr(p, p->l.tag, "unexpected %s, expected %s", tok_desc(p, buf, sizeof(buf)), wanted);
}

static bool expect_op(struct parser *p, const char *s)
{
	char what[16];

	if (accept_op(p, s))
		return true;
	snprintf(what, sizeof(what), "\"%s\"", s);
	(void)unexpected(p, what);
	return false;
}

static bool expect_end(struct parser *p, enum tk end)
{
	if (peek(p)->t == end) {
		(void)next(p);
		return true;
	}
	(void)unexpected(p, end == TK_EOF ? "end of expression" : "end of tag");
	return false;
}

static struct node *node_new(struct parser *p, enum nk k)
{
	struct node *n = sh_arena_alloc(p->a, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->k = k;
	n->tag = p->l.tag;
	n->height = 1;
	return n;
}

static int h(const struct node *n)
{
	return n ? n->height : 0;
}

/* Set n's height from its children; too tall is an error (NULL). */
static struct node *sealed(struct parser *p, struct node *n)
{
	int m = h(n->a);

	if (h(n->b) > m)
		m = h(n->b);
	if (h(n->c) > m)
		m = h(n->c);
	for (size_t i = 0; i < n->nargs; i++) {
		if (h(n->args[i]) > m)
			m = h(n->args[i]);
	}
	n->height = m + 1;
	if (n->height > TMPL_MAX_HEIGHT)
		return perr(p, n->tag, "expression too deeply nested");
	return n;
}

static struct node *binary(struct parser *p, enum nk k, enum bop op, struct node *a,
	struct node *b)
{
	struct node *n;

	if (a == NULL || b == NULL)
		return NULL;
	n = node_new(p, k);
	n->op = op;
	n->a = a;
	n->b = b;
	return sealed(p, n);
}

static struct node *lit(struct parser *p, json_t *j)
{
	struct node *n = node_new(p, N_LIT);

	json_array_append_new(p->lits, j);
	n->lit = j;
	return n;
}

static const char *tok_name(struct parser *p, const struct tok *t)
{
	return sh_arena_strndup(p->a, t->s, t->len);
}

/* ---- expressions ------------------------------------------------------- */

static struct node *parse_expr(struct parser *p);
static struct node *parse_unary(struct parser *p);

static struct node *parse_string(struct parser *p, const struct tok *t)
{
	char *s = sh_arena_alloc(p->a, t->len);
	size_t n = 0;

	for (size_t i = 1; i + 1 < t->len; i++) {
		char c = t->s[i];
		if (c == '\\' && i + 2 < t->len) {
			c = t->s[++i];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
		}
		s[n++] = c;
	}
	return lit(p, json_stringn_nocheck(s, n));
}

static struct node *parse_number(struct parser *p, const struct tok *t)
{
	char buf[400];
	double d;

	if (t->len >= sizeof(buf))
		return lit(p, json_real(1.7976931348623157e308));
	memcpy(buf, t->s, t->len);
	buf[t->len] = '\0';
	d = strtod(buf, NULL);
	if (memchr(buf, '.', t->len) == NULL && d < 9007199254740992.0)
		return lit(p, json_integer((json_int_t)d));
	if (!isfinite(d))
		d = 1.7976931348623157e308;
	return lit(p, json_real(d));
}

static struct node *parse_regex(struct parser *p, const struct tok *t)
{
	struct node *n = node_new(p, N_REGEX);
	const char *end = t->s + t->len;
	const char *close = end;

	while (close[-1] != '/')
		close--;
	n->re.src = sh_arena_strndup(p->a, t->s + 2, (size_t)(close - 1 - (t->s + 2)));
	for (const char *f = close; f < end; f++) {
		n->re.global |= *f == 'g';
		n->re.icase |= *f == 'i';
	}
	return n;
}

/* Arguments up to `close`; `name=value` ones become one trailing dict. */
static bool parse_args(struct parser *p, struct node *n, const char *close)
{
	struct node *items[MAX_ARGS], *kw = NULL;
	size_t count = 0;

	while (!accept_op(p, close)) {
		struct node *e;
		if (count > 0 && !expect_op(p, ","))
			return false;
		if (accept_op(p, close))
			break;
		if (count >= MAX_ARGS - 1)
			return perr(p, p->l.tag, "too many arguments"), false;
		if (close[0] == ')' && peek(p)->t == TK_NAME && tok_is(peek2(p), TK_OP, "=")) {
			struct tok t = next(p);
			(void)next(p);
			if (kw == NULL) {
				kw = node_new(p, N_DICT);
				kw->args = sh_arena_alloc(p->a, sizeof(struct node *) * MAX_ARGS * 2);
				items[count++] = kw;
			}
			if (kw->nargs >= MAX_ARGS * 2)
				return perr(p, p->l.tag, "too many arguments"), false;
			kw->args[kw->nargs++] = lit(p, json_stringn_nocheck(t.s, t.len));
			if ((e = parse_expr(p)) == NULL)
				return false;
			kw->args[kw->nargs++] = e;
			continue;
		}
		if (kw != NULL)
			return perr(p, p->l.tag, "positional argument after keyword arguments"), false;
		if ((e = parse_expr(p)) == NULL)
			return false;
		items[count++] = e;
	}
	n->kwargs = kw != NULL;
	n->args = sh_arena_alloc(p->a, sizeof(struct node *) * (count ? count : 1));
	memcpy(n->args, items, sizeof(struct node *) * count);
	n->nargs = count;
	if (kw != NULL && sealed(p, kw) == NULL)
		return false;
	return true;
}

/* [a, b] and (a, b): a list; first is an item already parsed, or NULL. */
static struct node *parse_list(struct parser *p, const char *close, struct node *first)
{
	struct node *n = node_new(p, N_LIST);
	size_t cap = 8;

	n->args = sh_arena_alloc(p->a, sizeof(struct node *) * cap);
	if (first != NULL)
		n->args[n->nargs++] = first;
	while (!accept_op(p, close)) {
		if (n->nargs > 0 && !expect_op(p, ","))
			return NULL;
		if (accept_op(p, close))
			break;
		n->args = sh_arena_grow(p->a, n->args, n->nargs, &cap, sizeof(struct node *), 8);
		if ((n->args[n->nargs] = parse_expr(p)) == NULL)
			return NULL;
		n->nargs++;
	}
	return sealed(p, n);
}

static struct node *parse_dict(struct parser *p)
{
	struct node *n = node_new(p, N_DICT);
	size_t cap = 8;

	n->args = sh_arena_alloc(p->a, sizeof(struct node *) * cap);
	while (!accept_op(p, "}")) {
		struct node *k;
		if (n->nargs > 0 && !expect_op(p, ","))
			return NULL;
		if (accept_op(p, "}"))
			break;
		if (peek(p)->t == TK_NAME) {
			struct tok t = next(p);
			k = lit(p, json_stringn_nocheck(t.s, t.len));
		} else if ((k = parse_unary(p)) == NULL) {
			return NULL;
		}
		if (!expect_op(p, ":"))
			return NULL;
		n->args = sh_arena_grow(p->a, n->args, n->nargs, &cap, sizeof(struct node *), 8);
		n->args[n->nargs++] = k;
		n->args = sh_arena_grow(p->a, n->args, n->nargs, &cap, sizeof(struct node *), 8);
		if ((n->args[n->nargs] = parse_expr(p)) == NULL)
			return NULL;
		n->nargs++;
	}
	return sealed(p, n);
}

static struct node *parse_name(struct parser *p, const struct tok *t)
{
	static const struct { const char *w; int v; } kws[] = {
		{ "true", 1 }, { "True", 1 }, { "false", 0 }, { "False", 0 },
		{ "none", -1 }, { "None", -1 }, { "null", -1 },
	};
	struct node *n;

	for (size_t i = 0; i < SH_ARRAY_LEN(kws); i++) {
		if (tok_is(t, TK_NAME, kws[i].w))
			return lit(p, kws[i].v < 0 ? json_null() : json_boolean(kws[i].v));
	}
	n = node_new(p, N_NAME);
	n->s = tok_name(p, t);
	n->slen = t->len;
	if (tok_is(t, TK_NAME, "loop"))
		p->loop_refs++;
	return n;
}

static struct node *parse_atom(struct parser *p)
{
	struct tok t = next(p);

	switch (t.t) {
	case TK_STR:
		return parse_string(p, &t);
	case TK_NUM:
		return parse_number(p, &t);
	case TK_RE:
		return parse_regex(p, &t);
	case TK_NAME:
		return parse_name(p, &t);
	case TK_OP:
		if (tok_is(&t, TK_OP, "(")) {
			struct node *e = parse_expr(p);
			if (e == NULL)
				return NULL;
			if (accept_op(p, ")"))
				return e;
			return is_op(p, ",") ? parse_list(p, ")", e) : unexpected(p, "\")\"");
		}
		if (tok_is(&t, TK_OP, "["))
			return parse_list(p, "]", NULL);
		if (tok_is(&t, TK_OP, "{"))
			return parse_dict(p);
		break;
	default:
		break;
	}
	p->la[1] = p->la[0];
	p->la[0] = t;
	p->nla++;
	return unexpected(p, "an expression");
}

static struct node *parse_postfix(struct parser *p, struct node *n)
{
	while (n != NULL) {
		struct node *m;
		if (accept_op(p, ".")) {
			struct tok t;
			if (peek(p)->t != TK_NAME && peek(p)->t != TK_NUM)
				return unexpected(p, "a member name");
			t = next(p);
			m = node_new(p, N_MEMBER);
			m->s = tok_name(p, &t);
			m->slen = t.len;
			m->a = n;
		} else if (accept_op(p, "[")) {
			m = node_new(p, N_INDEX);
			m->a = n;
			if ((m->b = parse_expr(p)) == NULL || !expect_op(p, "]"))
				return NULL;
		} else if (accept_op(p, "(")) {
			m = node_new(p, N_CALL);
			m->a = n;
			if (!parse_args(p, m, ")"))
				return NULL;
		} else {
			return n;
		}
		n = sealed(p, m);
	}
	return NULL;
}

static struct node *parse_filters(struct parser *p, struct node *n)
{
	while (n != NULL && accept_op(p, "|")) {
		struct node *m = node_new(p, N_FILTER);
		struct tok t;
		if (peek(p)->t != TK_NAME)
			return unexpected(p, "a filter name");
		t = next(p);
		m->s = tok_name(p, &t);
		m->slen = t.len;
		m->a = n;
		if (!tmpl_filter_known(m->s, p->l.opts->cookiecutter))
			return perr(p, p->l.tag, "unknown filter \"%s\"", m->s);
		if (accept_op(p, "(") && !parse_args(p, m, ")"))
			return NULL;
		n = sealed(p, m);
	}
	return n;
}

/* Filters bind to the whole unary expression: -x | abs is abs(-x). */
static struct node *parse_unary_f(struct parser *p, bool filters)
{
	struct node *n = NULL;

	if (++p->nest > TMPL_MAX_NEST) {
		n = perr(p, p->l.tag, "expression too deeply nested");
	} else if (is_op(p, "-") || is_op(p, "+")) {
		bool neg = tok_is(peek(p), TK_OP, "-");
		(void)next(p);
		n = node_new(p, neg ? N_NEG : N_POS);
		n->a = parse_unary_f(p, false);
		n = n->a ? sealed(p, n) : NULL;
	} else {
		n = parse_postfix(p, parse_atom(p));
	}
	p->nest--;
	return filters ? parse_filters(p, n) : n;
}

static struct node *parse_unary(struct parser *p)
{
	return parse_unary_f(p, true);
}

/* Nunjucks gives each arithmetic operator a level of its own, loosest
 * first: + - * / // % **. So 2 * 5 % 3 is 2 * (5 % 3), as there. */
static const struct { const char *s; enum bop op; } arith_levels[] = {
	{ "+", OP_ADD }, { "-", OP_SUB }, { "*", OP_MUL }, { "/", OP_DIV }, { "//", OP_FDIV },
	{ "%", OP_MOD }, { "**", OP_POW },
};

static struct node *parse_arith(struct parser *p, size_t level)
{
	struct node *n;

	if (level == SH_ARRAY_LEN(arith_levels))
		return parse_unary(p);
	n = parse_arith(p, level + 1);
	while (n != NULL && accept_op(p, arith_levels[level].s))
		n = binary(p, N_BIN, arith_levels[level].op, n, parse_arith(p, level + 1));
	return n;
}

static struct node *parse_add(struct parser *p)
{
	return parse_arith(p, 0);
}

static struct node *parse_concat(struct parser *p)
{
	struct node *n = parse_add(p);

	while (n != NULL && accept_op(p, "~"))
		n = binary(p, N_BIN, OP_CAT, n, parse_add(p));
	return n;
}

static struct node *parse_compare(struct parser *p)
{
	static const struct { const char *s; enum bop op; } ops[] = {
		{ "===", OP_SEQ }, { "!==", OP_SNE }, { "==", OP_EQ }, { "!=", OP_NE },
		{ "<=", OP_LE }, { ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT },
	};
	struct node *n = parse_concat(p);
	size_t i;

	while (n != NULL) {
		for (i = 0; i < SH_ARRAY_LEN(ops) && !is_op(p, ops[i].s); i++)
			;
		if (i == SH_ARRAY_LEN(ops))
			return n;
		(void)next(p);
		n = binary(p, N_BIN, ops[i].op, n, parse_concat(p));
	}
	return NULL;
}

static struct node *parse_is(struct parser *p)
{
	struct node *n = parse_compare(p), *m;
	struct tok t;

	if (n == NULL || !accept_kw(p, "is"))
		return n;
	m = node_new(p, N_TEST);
	m->a = n;
	m->neg = accept_kw(p, "not");
	if (peek(p)->t != TK_NAME)
		return unexpected(p, "a test name");
	t = next(p);
	m->s = tok_name(p, &t);
	m->slen = t.len;
	if (accept_op(p, "(") && !parse_args(p, m, ")"))
		return NULL;
	return sealed(p, m);
}

static struct node *parse_in(struct parser *p)
{
	struct node *n = parse_is(p);

	while (n != NULL) {
		bool neg = false;
		if (is_kw(p, "not") && tok_is(peek2(p), TK_NAME, "in")) {
			(void)next(p);
			neg = true;
		}
		if (!accept_kw(p, "in"))
			return n;
		n = binary(p, N_IN, OP_EQ, n, parse_is(p));
		if (n != NULL)
			n->neg = neg;
	}
	return NULL;
}

static struct node *parse_not(struct parser *p)
{
	struct node *n;

	if (!is_kw(p, "not"))
		return parse_in(p);
	(void)next(p);
	if (++p->nest > TMPL_MAX_NEST) {
		p->nest--;
		return perr(p, p->l.tag, "expression too deeply nested");
	}
	n = node_new(p, N_NOT);
	n->a = parse_not(p);
	p->nest--;
	return n->a ? sealed(p, n) : NULL;
}

static struct node *parse_and(struct parser *p)
{
	struct node *n = parse_not(p);

	while (n != NULL && accept_kw(p, "and"))
		n = binary(p, N_AND, OP_EQ, n, parse_not(p));
	return n;
}

static struct node *parse_or(struct parser *p)
{
	struct node *n = parse_and(p);

	while (n != NULL && accept_kw(p, "or"))
		n = binary(p, N_OR, OP_EQ, n, parse_and(p));
	return n;
}

static struct node *parse_expr(struct parser *p)
{
	struct node *n, *m;

	if (++p->nest > TMPL_MAX_NEST) {
		p->nest--;
		return perr(p, p->l.tag, "expression too deeply nested");
	}
	n = parse_or(p);
	if (n != NULL && accept_kw(p, "if")) {
		m = node_new(p, N_COND);
		m->b = n;
		if ((m->a = parse_or(p)) == NULL)
			n = NULL;
		else if (accept_kw(p, "else") && (m->c = parse_or(p)) == NULL)
			n = NULL;
		else
			n = sealed(p, m);
	}
	p->nest--;
	return n;
}

/* ---- statements -------------------------------------------------------- */

/* The block tags that end a body, e.g. {"elif", "else", "endif"}. */
struct stops {
	const char *const *names;
	const char *opener; /* "if", "for", ...: for "unclosed" messages */
	size_t opener_off;
};

static struct node *parse_body(struct parser *p, const struct stops *st, const char **which);

static bool parse_targets(struct parser *p, struct node *n)
{
	do {
		struct tok t;
		if (peek(p)->t != TK_NAME)
			return unexpected(p, "a variable name"), false;
		if (n->nnames == 2)
			return perr(p, p->l.tag, "at most two variables"), false;
		t = next(p);
		n->names[n->nnames++] = tok_name(p, &t);
	} while (accept_op(p, ","));
	return true;
}

/* After a body that stopped at `which`: an `{% else %}` body into *out
 * when it is one, then the closing tag. False on a syntax error. */
static bool parse_else_tail(struct parser *p, const struct stops *st_end, const char *which,
	struct node **out)
{
	if (strcmp(which, "else") == 0) {
		if (!expect_end(p, TK_BLOCK_END))
			return false;
		*out = parse_body(p, st_end, &which);
		if (p->failed)
			return false;
	}
	return expect_end(p, TK_BLOCK_END);
}

static struct node *parse_if(struct parser *p, size_t off)
{
	static const char *const stop_names[] = { "elif", "elseif", "else", "endif", NULL };
	static const char *const end_names[] = { "endif", NULL };
	struct stops st = { stop_names, "if", off }, st_end = { end_names, "if", off };
	struct node *first = node_new(p, N_IF), *cur = first;
	const char *which = NULL;

	for (;;) {
		if ((cur->a = parse_expr(p)) == NULL || !expect_end(p, TK_BLOCK_END))
			return NULL;
		cur->b = parse_body(p, &st, &which);
		if (p->failed)
			return NULL;
		if (strcmp(which, "elif") != 0 && strcmp(which, "elseif") != 0)
			break;
		cur->c = node_new(p, N_IF);
		cur = cur->c;
	}
	return parse_else_tail(p, &st_end, which, &cur->c) ? first : NULL;
}

static struct node *parse_for(struct parser *p, size_t off)
{
	static const char *const stop_names[] = { "else", "endfor", NULL };
	static const char *const end_names[] = { "endfor", NULL };
	struct stops st = { stop_names, "for", off }, st_end = { end_names, "for", off };
	struct node *n = node_new(p, N_FOR);
	const char *which = NULL;
	size_t refs;

	if (!parse_targets(p, n))
		return NULL;
	if (!accept_kw(p, "in"))
		return unexpected(p, "\"in\"");
	if ((n->a = parse_expr(p)) == NULL || !expect_end(p, TK_BLOCK_END))
		return NULL;
	refs = p->loop_refs;
	n->b = parse_body(p, &st, &which);
	if (p->failed)
		return NULL;
	n->uses_loop = p->loop_refs != refs;
	return parse_else_tail(p, &st_end, which, &n->c) ? n : NULL;
}

static struct node *parse_set(struct parser *p, size_t off)
{
	static const char *const end_names[] = { "endset", NULL };
	struct stops st = { end_names, "set", off };
	struct node *n = node_new(p, N_SET);
	const char *which = NULL;

	if (!parse_targets(p, n))
		return NULL;
	if (accept_op(p, "=")) {
		if ((n->a = parse_expr(p)) == NULL)
			return NULL;
		return expect_end(p, TK_BLOCK_END) ? n : NULL;
	}
	if (!expect_end(p, TK_BLOCK_END))
		return NULL;
	n->k = N_SETBLOCK;
	n->b = parse_body(p, &st, &which);
	if (p->failed)
		return NULL;
	return expect_end(p, TK_BLOCK_END) ? n : NULL;
}

/* {% raw %}: everything up to {% endraw %} is text. */
static struct node *parse_raw(struct parser *p, size_t off, const char *endname)
{
	struct lex *l = &p->l;
	size_t start, end, i;
	struct node *n;

	if (!expect_end(p, TK_BLOCK_END))
		return NULL;
	start = l->pos;
	if (l->trim_next) {
		while (start < l->len && is_ws(l->src[start]))
			start++;
		l->trim_next = false;
	}
	for (i = start;; i++) {
		const char *q = i < l->len ? memmem(l->src + i, l->len - i, "{%", 2) : NULL;
		size_t j;
		if (q == NULL)
			return perr(p, off, "unclosed {%% %s %%}", endname + 3);
		i = (size_t)(q - l->src);
		j = i + 2 + (at(l, i + 2, "-") ? 1 : 0);
		while (j < l->len && is_ws(l->src[j]))
			j++;
		if (at(l, j, endname))
			break;
	}
	end = text_end(l, start, i, TK_BLOCK);
	n = node_new(p, N_TEXT);
	n->s = l->src + start;
	n->slen = end > start ? end - start : 0;
	l->pos = i;
	p->nla = 0;
	/* The {% endraw %} tag itself is then read normally. */
	lex_next(l, &p->la[0]);
	p->nla = 1;
	(void)next(p);
	if (!accept_kw(p, endname) || !expect_end(p, TK_BLOCK_END))
		return p->failed ? NULL : unexpected(p, "end of tag");
	return n;
}

static struct node *parse_tag(struct parser *p, size_t off, const struct tok *name)
{
	if (tok_is(name, TK_NAME, "if"))
		return parse_if(p, off);
	if (tok_is(name, TK_NAME, "for"))
		return parse_for(p, off);
	if (tok_is(name, TK_NAME, "set"))
		return parse_set(p, off);
	if (tok_is(name, TK_NAME, "raw"))
		return parse_raw(p, off, "endraw");
	if (tok_is(name, TK_NAME, "verbatim"))
		return parse_raw(p, off, "endverbatim");
	if ((name->len >= 3 && memcmp(name->s, "end", 3) == 0) || tok_is(name, TK_NAME, "else") ||
		tok_is(name, TK_NAME, "elif") || tok_is(name, TK_NAME, "elseif"))
		return perr(p, off, "unexpected {%% %.*s %%}", (int)(name->len > 30 ? 30 : name->len),
			name->s);
	return perr(p, off, "unknown block tag \"%.*s\"", (int)(name->len > 30 ? 30 : name->len),
		name->s);
}

static bool is_stop(const struct stops *st, const struct tok *t)
{
	for (size_t i = 0; st != NULL && st->names[i] != NULL; i++) {
		if (tok_is(t, TK_NAME, st->names[i]))
			return true;
	}
	return false;
}

static struct node *parse_statement(struct parser *p, const struct stops *st, const char **which)
{
	struct tok t = next(p), name;
	struct node *n;

	switch (t.t) {
	case TK_TEXT:
		n = node_new(p, N_TEXT);
		n->s = t.s;
		n->slen = t.len;
		return n;
	case TK_VAR:
		n = node_new(p, N_OUT);
		if ((n->a = parse_expr(p)) == NULL || !expect_end(p, TK_VAR_END))
			return NULL;
		return n;
	case TK_BLOCK:
		if (peek(p)->t != TK_NAME)
			return unexpected(p, "a tag name");
		name = next(p);
		if (is_stop(st, &name)) {
			*which = tok_name(p, &name);
			return NULL;
		}
		return parse_tag(p, t.off, &name);
	case TK_ERR:
		return perr(p, p->l.tag, "%s", p->l.errmsg);
	default:
		return perr(p, t.off, "unexpected end of template");
	}
}

static struct node *parse_body(struct parser *p, const struct stops *st, const char **which)
{
	struct node *head = NULL, **tail = &head;

	*which = NULL;
	if (++p->nest > TMPL_MAX_NEST) {
		p->nest--;
		return perr(p, p->l.tag, "blocks too deeply nested");
	}
	while (!p->failed && *which == NULL) {
		struct tok *t = peek(p);
		struct node *n;
		if (t->t == TK_EOF) {
			if (st != NULL)
				perr(p, st->opener_off, "unclosed {%% %s %%}", st->opener);
			break;
		}
		if ((n = parse_statement(p, st, which)) != NULL) {
			*tail = n;
			tail = &n->next;
		}
	}
	p->nest--;
	return head;
}

static void tpl_dispose(struct tpl *t)
{
	sh_arena_free(t->arena);
	json_decref(t->lits);
	memset(t, 0, sizeof(*t));
}

static void parser_init(struct parser *p, struct tpl *t, const char *src, size_t len,
	const struct tmpl_opts *opts, const char *name, struct sh_err *err)
{
	memset(p, 0, sizeof(*p));
	t->arena = sh_arena_new();
	t->lits = json_array();
	t->body = NULL;
	p->a = t->arena;
	p->lits = t->lits;
	p->l.src = src;
	p->l.len = len;
	p->l.opts = opts;
	p->name = name;
	p->err = err;
}

/* Parse a text template. On failure t holds nothing. */
static int tpl_parse(struct tpl *t, const char *src, size_t len, const struct tmpl_opts *opts,
	const char *name, struct sh_err *err)
{
	struct parser p;
	const char *which = NULL;

	parser_init(&p, t, src, len, opts, name, err);
	t->body = parse_body(&p, NULL, &which);
	if (p.failed) {
		tpl_dispose(t);
		return SH_EINPUT;
	}
	return 0;
}

/* Parse one bare expression (no delimiters). */
static int tpl_parse_expr(struct tpl *t, const char *src, size_t len,
	const struct tmpl_opts *opts, struct sh_err *err)
{
	struct parser p;

	parser_init(&p, t, src, len, opts, "expression", err);
	p.l.in_code = true;
	p.l.end = TK_EOF;
	t->body = parse_expr(&p);
	if (t->body != NULL)
		(void)expect_end(&p, TK_EOF);
	if (p.failed) {
		tpl_dispose(t);
		return SH_EINPUT;
	}
	return 0;
}

/* ---- evaluation -------------------------------------------------------- */

static int eval(struct ev *ev, const struct node *n, struct val *out);
static int render_list(struct ev *ev, const struct node *n, struct sh_buf *b);

static struct val *var_find(struct ev *ev, const char *name, size_t from)
{
	for (size_t i = ev->nvars; i > from; i--) {
		if (strcmp(ev->vars[i - 1].name, name) == 0)
			return &ev->vars[i - 1].v;
	}
	return NULL;
}

/* Bind name to v (stolen), searching frames from `from` for an existing one. */
static void var_set(struct ev *ev, const char *name, struct val v, size_t from)
{
	struct val *slot = var_find(ev, name, from);

	if (slot != NULL) {
		tval_drop(slot);
		*slot = v;
		return;
	}
	if (ev->nvars == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 8;
		ev->vars = sh_realloc(ev->vars, ev->cap * sizeof(*ev->vars));
	}
	ev->vars[ev->nvars].name = name;
	ev->vars[ev->nvars].nlen = strlen(name);
	ev->vars[ev->nvars++].v = v;
}

static void vars_pop(struct ev *ev, size_t base)
{
	while (ev->nvars > base)
		tval_drop(&ev->vars[--ev->nvars].v);
}

static int eval_name(struct ev *ev, const struct node *n, struct val *out)
{
	struct val *v = var_find(ev, n->s, 0);

	if (v != NULL)
		*out = tval_copy(v);
	else if (json_is_object(ev->ctx))
		*out = v_ref(json_object_get(ev->ctx, n->s));
	else
		*out = v_undef();
	return 0;
}

static void drop_args(struct val *args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		tval_drop(&args[i]);
}

static int eval_args(struct ev *ev, const struct node *n, struct val *args)
{
	for (size_t i = 0; i < n->nargs; i++) {
		int rc = eval(ev, n->args[i], &args[i]);
		if (rc != 0) {
			drop_args(args, i);
			return rc;
		}
	}
	return 0;
}

static int eval_call(struct ev *ev, const struct node *n, struct val *out)
{
	struct val args[MAX_ARGS], obj = v_undef();
	int rc;

	if (n->a->k != N_MEMBER && n->a->k != N_NAME)
		return tmpl_ev_fail(ev, SH_EINPUT, "unable to call a non-function");
	if (n->a->k == N_MEMBER && (rc = eval(ev, n->a->a, &obj)) != 0)
		return rc;
	if ((rc = eval_args(ev, n, args)) != 0) {
		tval_drop(&obj);
		return rc;
	}
	ev->tag = n->tag;
	if (n->a->k == N_MEMBER)
		rc = tmpl_method(ev, &obj, n->a->s, args, n->nargs, out);
	else
		rc = tmpl_global(ev, n->a->s, args, n->nargs, out);
	drop_args(args, n->nargs);
	tval_drop(&obj);
	return rc;
}

static int eval_filter(struct ev *ev, const struct node *n, struct val *out)
{
	struct val args[MAX_ARGS], in;
	int rc;

	if ((rc = eval(ev, n->a, &in)) != 0)
		return rc;
	if ((rc = eval_args(ev, n, args)) != 0) {
		tval_drop(&in);
		return rc;
	}
	ev->tag = n->tag;
	rc = tmpl_ev_charge(ev, 1 + tval_cost(&in));
	if (rc == 0)
		rc = tmpl_filter(ev, n->s, &in, args, n->nargs, n->kwargs, out);
	drop_args(args, n->nargs);
	tval_drop(&in);
	return rc;
}

static int eval_test(struct ev *ev, const struct node *n, struct val *out)
{
	struct val args[MAX_ARGS], in;
	bool r = false;
	int rc;

	if ((rc = eval(ev, n->a, &in)) != 0)
		return rc;
	if ((rc = eval_args(ev, n, args)) != 0) {
		tval_drop(&in);
		return rc;
	}
	ev->tag = n->tag;
	rc = tmpl_test(ev, n->s, &in, args, n->nargs, &r);
	drop_args(args, n->nargs);
	tval_drop(&in);
	if (rc == 0)
		*out = v_bool(r != n->neg);
	return rc;
}

static int eval_list(struct ev *ev, const struct node *n, struct val *out)
{
	json_t *arr = json_array();
	int rc = 0;

	for (size_t i = 0; i < n->nargs && rc == 0; i++) {
		struct val v;
		if ((rc = eval(ev, n->args[i], &v)) == 0) {
			json_t *j = tval_json(&v);
			json_array_append_new(arr, j ? j : json_null());
			tval_drop(&v);
		}
	}
	if (rc == 0)
		*out = v_own(arr);
	else
		json_decref(arr);
	return rc;
}

static int eval_dict(struct ev *ev, const struct node *n, struct val *out)
{
	json_t *obj = json_object();
	struct sh_buf key = SH_BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i + 1 < n->nargs && rc == 0; i += 2) {
		struct val k, v;
		if ((rc = eval(ev, n->args[i], &k)) != 0)
			break;
		key.len = 0;
		tval_append(&key, &k, false);
		sh_buf_putc(&key, '\0');
		tval_drop(&k);
		if ((rc = eval(ev, n->args[i + 1], &v)) != 0)
			break;
		if (v.k != VK_UNDEF)
			json_object_set_new_nocheck(obj, key.ptr, tval_json(&v));
		tval_drop(&v);
	}
	sh_buf_dispose(&key);
	if (rc == 0)
		*out = v_own(obj);
	else
		json_decref(obj);
	return rc;
}

/* JS `in`: array or string contains, object has key. */
static int eval_in(struct ev *ev, const struct node *n, struct val *out)
{
	struct val a, b;
	bool r = false;
	int rc;

	if ((rc = eval(ev, n->a, &a)) != 0)
		return rc;
	if ((rc = eval(ev, n->b, &b)) != 0) {
		tval_drop(&a);
		return rc;
	}
	ev->tag = n->tag;
	if ((rc = tmpl_ev_charge(ev, tval_cost(&b))) != 0) {
		tval_drop(&a);
		tval_drop(&b);
		return rc;
	}
	if (tval_type(&b) == T_ARR) {
		for (size_t i = 0; i < json_array_size(b.j) && !r; i++) {
			struct val e = v_ref(json_array_get(b.j, i));
			r = tval_strict_eq(&a, &e);
			tval_drop(&e);
		}
	} else if (tval_type(&b) == T_STR || tval_type(&b) == T_OBJ) {
		struct sh_buf k = SH_BUF_INIT;
		size_t hl;
		const char *hs = tval_sv(&b, &hl);
		tval_append(&k, &a, false);
		sh_buf_putc(&k, '\0');
		if (hs != NULL)
			r = k.len - 1 == 0 || memmem(hs, hl, k.ptr, k.len - 1) != NULL;
		else
			r = json_object_get(b.j, k.ptr) != NULL;
		sh_buf_dispose(&k);
	} else {
		rc = tmpl_ev_fail(ev, SH_EINPUT, "cannot use \"in\" operator on this value");
	}
	tval_drop(&a);
	tval_drop(&b);
	if (rc == 0)
		*out = v_bool(r != n->neg);
	return rc;
}

static struct val concat(struct ev *ev, const struct val *a, const struct val *b, int *rc)
{
	struct sh_buf buf = SH_BUF_INIT;

	tval_append(&buf, a, false);
	tval_append(&buf, b, false);
	if ((*rc = tmpl_ev_check_size(ev, buf.len)) != 0) {
		sh_buf_dispose(&buf);
		return v_undef();
	}
	return tval_buf(&buf);
}

static bool stringish(const struct val *v)
{
	enum vtype t = tval_type(v);

	return t == T_STR || t == T_ARR || t == T_OBJ || t == T_RE;
}

static double arith(enum bop op, double x, double y)
{
	switch (op) {
	case OP_ADD: return x + y;
	case OP_SUB: return x - y;
	case OP_MUL: return x * y;
	case OP_DIV: return x / y;
	case OP_FDIV: return floor(x / y);
	case OP_MOD: return fmod(x, y);
	default: return pow(x, y);
	}
}

static struct val binop(struct ev *ev, enum bop op, const struct val *a, const struct val *b,
	int *rc)
{
	int c;

	*rc = 0;
	switch (op) {
	case OP_CAT:
		return concat(ev, a, b, rc);
	case OP_ADD:
		if (stringish(a) || stringish(b))
			return concat(ev, a, b, rc);
		return v_num(tval_num(a) + tval_num(b));
	case OP_EQ: return v_bool(tval_loose_eq(a, b));
	case OP_NE: return v_bool(!tval_loose_eq(a, b));
	case OP_SEQ: return v_bool(tval_strict_eq(a, b));
	case OP_SNE: return v_bool(!tval_strict_eq(a, b));
	case OP_LT: return v_bool(tval_cmp(a, b) == -1);
	case OP_GT: return v_bool(tval_cmp(a, b) == 1);
	case OP_LE: c = tval_cmp(a, b); return v_bool(c == -1 || c == 0);
	case OP_GE: c = tval_cmp(a, b); return v_bool(c == 1 || c == 0);
	default:
		return v_num(arith(op, tval_num(a), tval_num(b)));
	}
}

static int eval_bin(struct ev *ev, const struct node *n, struct val *out)
{
	struct val a, b;
	int rc;

	if ((rc = eval(ev, n->a, &a)) != 0)
		return rc;
	if ((rc = eval(ev, n->b, &b)) != 0) {
		tval_drop(&a);
		return rc;
	}
	ev->tag = n->tag;
	if ((rc = tmpl_ev_charge(ev, tval_cost(&a) + tval_cost(&b))) == 0)
		*out = binop(ev, n->op, &a, &b, &rc);
	tval_drop(&a);
	tval_drop(&b);
	return rc;
}

/* and / or return one of their operands, as in JS. */
static int eval_logic(struct ev *ev, const struct node *n, struct val *out)
{
	int rc = eval(ev, n->a, out);

	if (rc != 0 || tval_truthy(out) != (n->k == N_AND))
		return rc;
	tval_drop(out);
	return eval(ev, n->b, out);
}

static int eval_cond(struct ev *ev, const struct node *n, struct val *out)
{
	struct val c;
	bool t;
	int rc = eval(ev, n->a, &c);

	if (rc != 0)
		return rc;
	t = tval_truthy(&c);
	tval_drop(&c);
	if (t)
		return eval(ev, n->b, out);
	if (n->c != NULL)
		return eval(ev, n->c, out);
	*out = v_undef();
	return 0;
}

static int eval_unary(struct ev *ev, const struct node *n, struct val *out)
{
	struct val a;
	int rc = eval(ev, n->a, &a);

	if (rc != 0)
		return rc;
	if (n->k == N_NOT)
		*out = v_bool(!tval_truthy(&a));
	else
		*out = v_num(n->k == N_NEG ? -tval_num(&a) : tval_num(&a));
	tval_drop(&a);
	return 0;
}

static int eval_member(struct ev *ev, const struct node *n, struct val *out)
{
	struct val obj, key;
	int rc = eval(ev, n->a, &obj);

	if (rc != 0)
		return rc;
	if (tval_type(&obj) == T_STR && (rc = tmpl_ev_charge(ev, tval_cost(&obj))) != 0) {
		tval_drop(&obj);
		return rc;
	}
	if (n->k == N_MEMBER) {
		*out = tval_member_name(&obj, n->s, n->slen);
	} else if ((rc = eval(ev, n->b, &key)) == 0) {
		*out = tval_member(&obj, &key);
		tval_drop(&key);
	}
	tval_drop(&obj);
	return rc;
}

static int eval(struct ev *ev, const struct node *n, struct val *out)
{
	int rc;

	*out = v_undef();
	ev->tag = n->tag;
	if ((rc = tmpl_ev_charge(ev, 1)) != 0)
		return rc;
	switch (n->k) {
	case N_LIT: *out = v_ref(n->lit); return 0;
	case N_REGEX: out->k = VK_RE; out->re = &n->re; return 0;
	case N_NAME: return eval_name(ev, n, out);
	case N_MEMBER: case N_INDEX: return eval_member(ev, n, out);
	case N_CALL: return eval_call(ev, n, out);
	case N_FILTER: return eval_filter(ev, n, out);
	case N_TEST: return eval_test(ev, n, out);
	case N_BIN: return eval_bin(ev, n, out);
	case N_AND: case N_OR: return eval_logic(ev, n, out);
	case N_NOT: case N_NEG: case N_POS: return eval_unary(ev, n, out);
	case N_IN: return eval_in(ev, n, out);
	case N_COND: return eval_cond(ev, n, out);
	case N_LIST: return eval_list(ev, n, out);
	case N_DICT: return eval_dict(ev, n, out);
	default: return tmpl_ev_fail(ev, SH_EINTERNAL, "not an expression");
	}
}

static int put(struct ev *ev, struct sh_buf *b, const char *s, size_t n)
{
	if (n > ev->max_out || b->len > ev->max_out - n)
		return tmpl_ev_fail(ev, SH_ETOOLARGE, "output too large (over %zu bytes)", ev->max_out);
	sh_buf_put(b, s, n);
	return 0;
}

static int render_out(struct ev *ev, const struct node *n, struct sh_buf *b)
{
	struct val v;
	int rc = eval(ev, n->a, &v);

	if (rc != 0)
		return rc;
	rc = tmpl_ev_charge(ev, tval_cost(&v));
	if (rc == 0) {
		size_t before = b->len;
		tval_append(b, &v, true);
		if (b->len > ev->max_out) {
			b->len = before;
			rc = tmpl_ev_fail(ev, SH_ETOOLARGE, "output too large (over %zu bytes)",
				ev->max_out);
		}
	}
	tval_drop(&v);
	return rc;
}

static int render_if(struct ev *ev, const struct node *n, struct sh_buf *b)
{
	for (; n != NULL && n->k == N_IF; n = n->c) {
		struct val c;
		bool t;
		int rc = eval(ev, n->a, &c);
		if (rc != 0)
			return rc;
		t = tval_truthy(&c);
		tval_drop(&c);
		if (t)
			return render_list(ev, n->b, b);
	}
	return n != NULL ? render_list(ev, n, b) : 0;
}

static json_t *loop_obj(size_t i, size_t len)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "index", json_integer((json_int_t)i + 1));
	json_object_set_new_nocheck(o, "index0", json_integer((json_int_t)i));
	json_object_set_new_nocheck(o, "revindex", json_integer((json_int_t)(len - i)));
	json_object_set_new_nocheck(o, "revindex0", json_integer((json_int_t)(len - i - 1)));
	json_object_set_new_nocheck(o, "first", json_boolean(i == 0));
	json_object_set_new_nocheck(o, "last", json_boolean(i + 1 == len));
	json_object_set_new_nocheck(o, "length", json_integer((json_int_t)len));
	return o;
}

/* Set an integer member in place when no one else holds it. */
static void loop_int(json_t *o, const char *key, size_t v)
{
	json_t *j = json_object_get(o, key);

	if (j != NULL && j->refcount == 1)
		json_integer_set(j, (json_int_t)v);
	else
		json_object_set_new_nocheck(o, key, json_integer((json_int_t)v));
}

/* The `loop` object for item i: last iteration's, updated, when nothing
 * kept a reference to it (`{% set l = loop %}` would), else a new one. */
static void loop_bind(struct ev *ev, size_t i, size_t len, size_t base)
{
	struct val *cur = var_find(ev, "loop", base);
	json_t *o;

	if (cur == NULL || cur->k != VK_JSON || cur->j->refcount != 1) {
		var_set(ev, "loop", v_own(loop_obj(i, len)), base);
		return;
	}
	o = cur->j;
	loop_int(o, "index", i + 1);
	loop_int(o, "index0", i);
	loop_int(o, "revindex", len - i);
	loop_int(o, "revindex0", len - i - 1);
	json_object_set_new_nocheck(o, "first", json_boolean(i == 0));
	json_object_set_new_nocheck(o, "last", json_boolean(i + 1 == len));
}

/* Bind the loop variables for item i of it. */
static void for_bind(struct ev *ev, const struct node *n, const struct val *it, size_t i,
	size_t len, size_t base, void **iter)
{
	struct val key = v_undef(), item;

	if (tval_type(it) == T_OBJ) {
		const char *k = json_object_iter_key(*iter);
		key = tval_str(k, strlen(k));
		item = v_ref(json_object_iter_value(*iter));
		*iter = json_object_iter_next(it->j, *iter);
	} else {
		struct val idx = v_num((double)i);
		item = tval_member(it, &idx);
	}
	if (tval_type(it) == T_OBJ) {
		var_set(ev, n->names[0], key, base);
		var_set(ev, n->names[1], item, base);
	} else if (n->nnames == 2) {
		struct val i0 = v_num(0), i1 = v_num(1);
		var_set(ev, n->names[0], tval_member(&item, &i0), base);
		var_set(ev, n->names[1], tval_member(&item, &i1), base);
		tval_drop(&item);
	} else {
		var_set(ev, n->names[0], item, base);
	}
	if (n->uses_loop)
		loop_bind(ev, i, len, base);
}

static size_t iter_len(const struct val *it, int nnames)
{
	switch (tval_type(it)) {
	case T_ARR:
		return json_array_size(it->j);
	case T_OBJ:
		return nnames == 2 ? json_object_size(it->j) : 0;
	default:
		return 0;
	}
}

static int render_for(struct ev *ev, const struct node *n, struct sh_buf *b)
{
	struct val it;
	size_t base = ev->nvars, len;
	void *iter;
	int rc = eval(ev, n->a, &it);

	if (rc != 0)
		return rc;
	if (tval_type(&it) == T_STR) {
		/* Characters by index would be quadratic: split once. */
		struct val chars;
		rc = tmpl_filter(ev, "list", &it, NULL, 0, false, &chars);
		tval_drop(&it);
		if (rc != 0)
			return rc;
		it = chars;
	}
	len = iter_len(&it, n->nnames);
	iter = tval_type(&it) == T_OBJ ? json_object_iter(it.j) : NULL;
	for (size_t i = 0; i < len && rc == 0; i++) {
		ev->tag = n->tag;
		if ((rc = tmpl_ev_charge(ev, 1)) != 0)
			break;
		for_bind(ev, n, &it, i, len, base, &iter);
		rc = render_list(ev, n->b, b);
	}
	vars_pop(ev, base);
	tval_drop(&it);
	if (rc == 0 && len == 0)
		rc = render_list(ev, n->c, b);
	return rc;
}

static int render_set(struct ev *ev, const struct node *n, struct sh_buf *b)
{
	struct val v;
	int rc;

	if (n->k == N_SET) {
		rc = eval(ev, n->a, &v);
	} else {
		struct sh_buf body = SH_BUF_INIT;
		rc = render_list(ev, n->b, &body);
		v = tval_buf(&body);
		sh_buf_dispose(&body);
	}
	ev->tag = n->tag;
	if (rc == 0)
		rc = tval_check_depth(ev, &v);
	if (rc != 0) {
		tval_drop(&v);
		return rc;
	}
	if (n->nnames == 2)
		var_set(ev, n->names[1], tval_copy(&v), 0);
	var_set(ev, n->names[0], v, 0);
	return 0;
}

static int render_list(struct ev *ev, const struct node *n, struct sh_buf *b)
{
	int rc = 0;

	for (; n != NULL && rc == 0; n = n->next) {
		switch (n->k) {
		case N_TEXT: rc = put(ev, b, n->s, n->slen); break;
		case N_OUT: rc = render_out(ev, n, b); break;
		case N_IF: rc = render_if(ev, n, b); break;
		case N_FOR: rc = render_for(ev, n, b); break;
		default: rc = render_set(ev, n, b); break;
		}
	}
	return rc;
}

static const struct tmpl_opts default_opts;

static void ev_init(struct ev *ev, const char *src, size_t len, const json_t *ctx,
	const struct tmpl_opts *opts, const char *name, struct sh_err *err)
{
	memset(ev, 0, sizeof(*ev));
	ev->src = src;
	ev->srclen = len;
	ev->name = name;
	ev->ctx = ctx;
	ev->opts = opts;
	ev->max_steps = opts->max_steps ? opts->max_steps : 1000000;
	ev->max_out = opts->max_output ? opts->max_output : 16u << 20;
	ev->err = err;
}

static void ev_dispose(struct ev *ev)
{
	vars_pop(ev, 0);
	free(ev->vars);
	ev->vars = NULL;
}

int tmpl_render(char **out, size_t *out_len, const char *src, size_t len, const json_t *ctx,
	const struct tmpl_opts *opts, const char *name, struct sh_err *err)
{
	struct sh_buf b = SH_BUF_INIT;
	struct tpl t;
	struct ev ev;
	int rc;

	*out = NULL;
	*out_len = 0;
	opts = opts ? opts : &default_opts;
	name = name ? name : "template";
	if ((rc = tpl_parse(&t, src, len, opts, name, err)) != 0)
		return rc;
	ev_init(&ev, src, len, ctx, opts, name, err);
	rc = render_list(&ev, t.body, &b);
	ev_dispose(&ev);
	tpl_dispose(&t);
	if (rc != 0) {
		sh_buf_dispose(&b);
		return rc;
	}
	*out_len = b.len;
	*out = sh_buf_detach(&b);
	return 0;
}

bool tmpl_has_syntax(const char *s, size_t len, bool cookiecutter)
{
	for (const char *p = s; p != NULL && p + 1 < s + len; p++) {
		p = memchr(p, '{', (size_t)(s + len - p - 1));
		if (p == NULL)
			break;
		if (p[1] == '%' || p[1] == '#')
			return true;
		if (p[1] == '{' && (cookiecutter || (p > s && p[-1] == '$')))
			return true;
	}
	return false;
}

/* ---- values with Backstage's rules ------------------------------------- */

static bool is_lone(const struct tpl *t, const char *s, size_t len, bool cookiecutter, enum nk k)
{
	const struct node *n = t->body;

	if (n == NULL || n->next != NULL || len < 4 || s[len - 1] != '}')
		return false;
	if (k == N_OUT)
		return n->k == N_OUT && s[len - 2] == '}' &&
			memcmp(s, cookiecutter ? "{{" : "${{", cookiecutter ? 2 : 3) == 0;
	return (n->k == N_IF || n->k == N_FOR) && memcmp(s, "{%", 2) == 0 && s[len - 2] == '%';
}

/* Render one string by the rules of spec 2.1; *out NULL for undefined. */
static int render_string(json_t **out, const char *s, size_t len, const json_t *ctx,
	const struct tmpl_opts *opts, const char *name, struct sh_err *err)
{
	struct sh_buf b = SH_BUF_INIT;
	struct tpl t;
	struct ev ev;
	int rc;

	*out = NULL;
	if ((rc = tpl_parse(&t, s, len, opts, name, err)) != 0)
		return rc;
	ev_init(&ev, s, len, ctx, opts, name, err);
	if (is_lone(&t, s, len, opts->cookiecutter, N_OUT)) {
		struct val v;
		if ((rc = eval(&ev, t.body->a, &v)) == 0) {
			*out = tval_json(&v);
			tval_drop(&v);
		}
	} else if ((rc = render_list(&ev, t.body, &b)) == 0 && b.len > 0) {
		if (is_lone(&t, s, len, opts->cookiecutter, N_IF))
			*out = json_loadb(b.ptr, b.len, JSON_DECODE_ANY, NULL);
		if (*out == NULL)
			*out = json_stringn(b.ptr, b.len);
		if (*out == NULL)
			*out = json_stringn_nocheck(b.ptr, b.len);
	}
	ev_dispose(&ev);
	tpl_dispose(&t);
	sh_buf_dispose(&b);
	return rc;
}

json_t *tmpl_render_value(const json_t *v, const json_t *ctx, const struct tmpl_opts *opts)
{
	struct sh_err err;
	json_t *r = NULL, *child;
	const char *key;
	size_t i;

	opts = opts ? opts : &default_opts;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) == 0)
			return NULL;
		if (!tmpl_has_syntax(json_string_value(v), json_string_length(v), opts->cookiecutter))
			return json_incref((json_t *)v);
		if (render_string(&r, json_string_value(v), json_string_length(v), ctx, opts, "value",
			&err) != 0)
			return json_incref((json_t *)v);
		return r;
	case JSON_OBJECT:
		r = json_object();
		json_object_foreach((json_t *)v, key, child) {
			json_t *c = tmpl_render_value(child, ctx, opts);
			if (c != NULL)
				json_object_set_new_nocheck(r, key, c);
		}
		return r;
	case JSON_ARRAY:
		r = json_array();
		json_array_foreach(v, i, child) {
			json_t *c = tmpl_render_value(child, ctx, opts);
			json_array_append_new(r, c ? c : json_null());
		}
		return r;
	default:
		return json_incref((json_t *)v);
	}
}

static bool json_truthy(const json_t *j)
{
	struct val v = v_ref(j);
	bool t = tval_truthy_backstage(&v);

	tval_drop(&v);
	return t;
}

int tmpl_eval_bool(bool *out, const char *expr, const json_t *ctx,
	const struct tmpl_opts *opts, struct sh_err *err)
{
	size_t len = strlen(expr);
	json_t *r = NULL;
	struct tpl t;
	struct ev ev;
	struct val v;
	int rc;

	*out = false;
	opts = opts ? opts : &default_opts;
	while (len > 0 && is_ws(expr[len - 1]))
		len--;
	while (len > 0 && is_ws(*expr)) {
		expr++;
		len--;
	}
	if (tmpl_has_syntax(expr, len, opts->cookiecutter)) {
		if ((rc = render_string(&r, expr, len, ctx, opts, "if", err)) == 0)
			*out = json_truthy(r);
		json_decref(r);
		return rc;
	}
	if ((rc = tpl_parse_expr(&t, expr, len, opts, err)) != 0)
		return rc;
	ev_init(&ev, expr, len, ctx, opts, "if", err);
	if ((rc = eval(&ev, t.body, &v)) == 0) {
		*out = tval_truthy_backstage(&v);
		tval_drop(&v);
	}
	ev_dispose(&ev);
	tpl_dispose(&t);
	return rc;
}
