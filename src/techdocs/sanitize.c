/*
 * The raw HTML a page may carry. Allowed tags keep allowed attributes (URLs
 * checked, no event handlers, no script: values); void tags that could load
 * or submit something are dropped; script, style, iframe and their like are
 * dropped with everything inside; anything else is shown as text. An end
 * tag closes only a raw tag the page itself opened.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_render.h"

enum tag_kind { TAG_OTHER, TAG_ALLOWED, TAG_VOID, TAG_DROP, TAG_DROP_ALL };

static const char *const allowed_tags[] = { "a", "abbr", "b", "blockquote", "code", "dd", "del",
	"details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
	"h6", "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
	"strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
	"ul", "var" };
static const char *const void_tags[] = { "br", "hr", "img" };
/* Dropped silently: void elements that could load or submit something. */
static const char *const drop_tags[] = { "input", "embed", "link", "meta", "base", "param",
	"frame", "keygen", "source", "track", "area", "wbr", "col" };
/* Dropped with everything inside; the first ones hold raw text, where a
 * nested start tag means nothing. */
static const char *const drop_all_tags[] = { "script", "style", "iframe", "textarea", "title",
	"xmp", "noembed", "noframes", "noscript", "plaintext", "object", "form", "svg", "math",
	"template", "applet", "frameset", "select", "button" };
#define RAW_TEXT_TAGS 10

static const char *const allowed_attrs[] = { "href", "src", "alt", "title", "class", "id",
	"width", "height", "align", "colspan", "rowspan", "open", "name" };

static bool in_list(const char *name, const char *const *list, size_t n, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, list[i]) == 0) {
			if (at)
				*at = i;
			return true;
		}
	}
	return false;
}

static enum tag_kind tag_kind(const char *name, bool *raw)
{
	size_t at;

	if (in_list(name, allowed_tags, SH_ARRAY_LEN(allowed_tags), NULL))
		return TAG_ALLOWED;
	if (in_list(name, void_tags, SH_ARRAY_LEN(void_tags), NULL))
		return TAG_VOID;
	if (in_list(name, drop_tags, SH_ARRAY_LEN(drop_tags), NULL))
		return TAG_DROP;
	if (in_list(name, drop_all_tags, SH_ARRAY_LEN(drop_all_tags), &at)) {
		*raw = at < RAW_TEXT_TAGS;
		return TAG_DROP_ALL;
	}
	return TAG_OTHER;
}

struct attr {
	const char *name, *val;
	size_t name_len, val_len;
	bool has_val;
};

struct tag {
	char name[12]; /* lower-case; "" when too long to be one we know */
	bool close, self_close;
	size_t end;    /* just past '>' */
	struct attr a[MAX_ATTRS];
	size_t na;
};

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f'))
		i++;
	return i;
}

/* One attribute at s[i]: returns the index after it, or 0 if malformed. */
static size_t parse_attr(const char *s, size_t n, size_t i, struct attr *a)
{
	a->name = s + i;
	while (i < n && !strchr(" \t\n\r\f/>\"'=", s[i]))
		i++;
	a->name_len = (size_t)(s + i - a->name);
	a->has_val = false;
	if (a->name_len == 0)
		return 0;
	i = skip_ws(s, n, i);
	if (i == n || s[i] != '=')
		return i;
	i = skip_ws(s, n, i + 1);
	if (i < n && (s[i] == '"' || s[i] == '\'')) {
		const char *q = memchr(s + i + 1, s[i], n - i - 1);
		if (q == NULL)
			return 0;
		a->val = s + i + 1;
		a->val_len = (size_t)(q - a->val);
		i = (size_t)(q - s) + 1;
	} else {
		a->val = s + i;
		while (i < n && !strchr(" \t\n\r\f>", s[i]))
			i++;
		a->val_len = (size_t)(s + i - a->val);
	}
	a->has_val = true;
	return i;
}

/* On failure t->end is how far the scan went (n when it ran out). */
static bool parse_attrs(const char *s, size_t n, size_t i, struct tag *t)
{
	t->end = n;
	for (;;) {
		struct attr a;
		i = skip_ws(s, n, i);
		if (i == n)
			return false;
		if (s[i] == '>' || (s[i] == '/' && i + 1 < n && s[i + 1] == '>')) {
			t->self_close = s[i] == '/';
			t->end = i + (t->self_close ? 2 : 1);
			return true;
		}
		if (s[i] == '/') {
			i++;
			continue;
		}
		if ((i = parse_attr(s, n, i, &a)) == 0)
			return false;
		if (t->na < MAX_ATTRS)
			t->a[t->na++] = a;
	}
}

/* A start or end tag at s[i] == '<'. */
static bool parse_tag(const char *s, size_t n, size_t i, struct tag *t)
{
	size_t start, len;

	memset(t, 0, offsetof(struct tag, a));
	t->na = 0;
	t->end = ++i;
	if (i < n && s[i] == '/') {
		t->close = true;
		i++;
	}
	if (i == n || !isalpha((unsigned char)s[i]))
		return false;
	for (start = i; i < n && (isalnum((unsigned char)s[i]) || s[i] == '-'); i++)
		;
	len = i - start;
	if (len < sizeof(t->name))
		for (size_t k = 0; k < len; k++)
			t->name[k] = (char)tolower((unsigned char)s[start + k]);
	if (t->close) {
		const char *gt = memchr(s + i, '>', n - i);
		if (gt == NULL) {
			t->end = n;
			return false;
		}
		t->end = (size_t)(gt - s) + 1;
		return true;
	}
	if (i < n && s[i] != '>' && s[i] != '/' && !isspace((unsigned char)s[i]))
		return false;
	return parse_attrs(s, n, i, t);
}

static void put_utf8(struct sh_buf *b, unsigned long cp)
{
	char u[4];
	size_t m;

	if (cp == 0 || cp >= 0x110000 || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (char)cp;
		m = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		m = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		m = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		m = 4;
	}
	for (size_t k = 1; k < m; k++)
		u[k] = (char)(0x80 | ((cp >> (6 * (m - 1 - k))) & 0x3f));
	sh_buf_put(b, u, m);
}

/* "&#106;", "&#x6a" (';' optional, as browsers read them) at s[i]: decoded
 * into b, returns the index of its last byte; 0 if there is none. */
static size_t numeric_ref(struct sh_buf *b, const char *s, size_t n, size_t i)
{
	unsigned long cp = 0;
	bool hex;
	size_t k;

	if (i + 2 >= n || s[i + 1] != '#')
		return 0;
	hex = s[i + 2] == 'x' || s[i + 2] == 'X';
	for (k = i + 2 + hex; k < n && (hex ? isxdigit((unsigned char)s[k]) :
		isdigit((unsigned char)s[k])); k++) {
		int digit = isdigit((unsigned char)s[k]) ? s[k] - '0' :
			tolower((unsigned char)s[k]) - 'a' + 10;
		if (cp < 0x110000)
			cp = cp * (hex ? 16 : 10) + (unsigned long)digit;
	}
	if (k == i + 2 + hex)
		return 0;
	put_utf8(b, cp);
	return k < n && s[k] == ';' ? k : k - 1;
}

/* Decode character references the way a browser would read them (numeric
 * ones and the common named ones; an unknown name stays as text, and since
 * the value is re-escaped on output the browser then sees it as text too). */
static void decode_refs(struct sh_buf *b, const char *s, size_t n)
{
	static const struct { const char *name; const char *text; } named[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" }, { "quot;", "\"" }, { "apos;", "'" },
		{ "nbsp;", "\xc2\xa0" } };

	for (size_t i = 0; i < n; i++) {
		size_t k, end;
		if (s[i] != '&') {
			sh_buf_putc(b, s[i]);
			continue;
		}
		if ((end = numeric_ref(b, s, n, i)) > 0) {
			i = end;
			continue;
		}
		for (k = 0; k < SH_ARRAY_LEN(named); k++)
			if (n - i - 1 >= strlen(named[k].name) &&
				strncasecmp(s + i + 1, named[k].name, strlen(named[k].name)) == 0)
				break;
		if (k < SH_ARRAY_LEN(named)) {
			sh_buf_puts(b, named[k].text);
			i += strlen(named[k].name);
		} else {
			sh_buf_putc(b, '&');
		}
	}
}

static bool attr_allowed(const struct attr *a, char *name, size_t cap)
{
	if (a->name_len >= cap)
		return false;
	for (size_t k = 0; k < a->name_len; k++)
		name[k] = (char)tolower((unsigned char)a->name[k]);
	name[a->name_len] = '\0';
	if (strncmp(name, "data-", 5) == 0 && name[5] != '\0') {
		for (const char *c = name + 5; *c; c++)
			if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
				return false;
		return true;
	}
	return in_list(name, allowed_attrs, SH_ARRAY_LEN(allowed_attrs), NULL);
}

static void put_attr(struct sh_buf *out, const char *tag, const struct attr *a)
{
	struct sh_buf v = SH_BUF_INIT;
	char name[64];

	if (!attr_allowed(a, name, sizeof(name)))
		return;
	if (!a->has_val) {
		sh_buf_printf(out, " %s", name);
		return;
	}
	decode_refs(&v, a->val, a->val_len);
	if ((strcmp(name, "href") == 0 || strcmp(name, "src") == 0) &&
		!md_url_safe(v.ptr ? v.ptr : "", v.len, strcmp(tag, "img") == 0 && name[0] == 's'))
		goto done;
	/* Other attributes are no URLs, but a script-like value has no business
	 * in any of them either. */
	if (md_script_scheme(v.ptr ? v.ptr : "", v.len))
		goto done;
	sh_buf_printf(out, " %s=\"", name);
	md_put_escaped(out, v.ptr ? v.ptr : "", v.len);
	sh_buf_putc(out, '"');
done:
	sh_buf_dispose(&v);
}

/* Text between tags: kept, with stray '<', '>', '"' and bare '&' escaped. */
static void put_text(struct sh_buf *out, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k = i + 1;
		if (s[i] == '&') {
			if (k < n && s[k] == '#')
				k++;
			while (k < n && k - i < 34 && isalnum((unsigned char)s[k]))
				k++;
			if (k < n && s[k] == ';' && k > i + 1 + (s[i + 1] == '#'))
				continue;
		} else if (s[i] != '<' && s[i] != '>' && s[i] != '"') {
			continue;
		}
		sh_buf_put(out, s + start, i - start);
		sh_buf_puts(out, s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" :
			"&quot;");
		start = i + 1;
	}
	sh_buf_put(out, s + start, n - start);
}

void md_stack_push(struct render *r, const char *name, int wrapper)
{
	struct open_tag *e = &r->stack[r->depth++];

	snprintf(e->name, sizeof(e->name), "%s", name);
	e->wrapper = wrapper;
}

/* Close entries above depth `to` (innermost first). */
void md_stack_unwind(struct render *r, size_t to, struct sh_buf *out)
{
	while (r->depth > to) {
		struct open_tag *e = &r->stack[--r->depth];
		if (e->wrapper >= 0)
			sh_buf_puts(out, r->w[e->wrapper].close);
		else
			sh_buf_printf(out, "</%s>", e->name);
	}
}

/* An end tag closes the innermost matching raw tag, never past a wrapper. */
static void close_raw(struct render *r, const char *name, struct sh_buf *out)
{
	for (size_t i = r->depth; i > 0; i--) {
		const struct open_tag *e = &r->stack[i - 1];
		if (e->wrapper >= 0)
			return;
		if (strcmp(e->name, name) == 0) {
			md_stack_unwind(r, i - 1, out);
			return;
		}
	}
}

static void open_raw(struct render *r, struct drop *d, const struct tag *t, const char *src,
	struct sh_buf *out, int line)
{
	bool raw = false;
	enum tag_kind k = tag_kind(t->name, &raw);

	switch (k) {
	case TAG_ALLOWED:
	case TAG_VOID:
		if (k == TAG_ALLOWED && r->depth >= USER_TAGS_CAP)
			break; /* too many open tags: dropped */
		sh_buf_printf(out, "<%s", t->name);
		for (size_t i = 0; i < t->na; i++)
			put_attr(out, t->name, &t->a[i]);
		sh_buf_putc(out, '>');
		if (k == TAG_ALLOWED)
			md_stack_push(r, t->name, -1);
		break;
	case TAG_DROP_ALL:
		md_warnf(r->warnings, line, "removed <%s> element", t->name);
		if (!t->self_close || raw)
			*d = (struct drop){ { 0 }, 1, raw, true };
		snprintf(d->tag, sizeof(d->tag), "%s", t->name);
		break;
	case TAG_DROP:
		md_warnf(r->warnings, line, "removed <%s> element", t->name);
		break;
	default:
		md_put_escaped(out, src, t->end);
		break;
	}
}

static void close_tag(struct render *r, const struct tag *t, const char *src, struct sh_buf *out)
{
	bool raw;
	enum tag_kind k = tag_kind(t->name, &raw);

	if (k == TAG_ALLOWED)
		close_raw(r, t->name, out);
	else if (k == TAG_OTHER)
		md_put_escaped(out, src, t->end);
}

static void drop_track(struct drop *d, const struct tag *t)
{
	if (strcmp(t->name, d->tag) != 0)
		return;
	if (t->close) {
		if (--d->depth == 0)
			d->active = false;
	} else if (!d->raw && !t->self_close) {
		d->depth++;
	}
}

/* Comments, declarations, processing instructions and CDATA are dropped.
 * Returns the index after the markup at s[i] == '<', or i if it is text;
 * the text run s[text..i) before it is flushed first. */
static size_t markup(struct render *r, struct drop *d, const char *s, size_t n, size_t i,
	size_t text, struct sh_buf *out, int line, size_t *budget)
{
	struct tag t;
	const char *end;
	size_t next, limit = n - i > MAX_TAG ? i + MAX_TAG : n;

	if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
		end = memmem(s + i + 4, n - i - 4, "-->", 3);
		next = end ? (size_t)(end - s) + 3 : n;
	} else if (n - i >= 2 && (s[i + 1] == '!' || s[i + 1] == '?')) {
		end = memchr(s + i, '>', n - i);
		next = end ? (size_t)(end - s) + 1 : n;
	} else if (*budget == 0) {
		return i;
	} else if (parse_tag(s, limit, i, &t)) {
		next = t.end;
	} else {
		/* Failed scans are paid from a budget linear in n, so that a
		 * block of unclosed '<a x="' cannot cost O(n²): past it every
		 * '<' is text. */
		*budget = *budget > t.end - i ? *budget - (t.end - i) : 0;
		return i;
	}
	if (!d->active)
		put_text(out, s + text, i - text);
	if (s[i + 1] == '!' || s[i + 1] == '?')
		return next;
	t.end = next - i; /* from here on: the tag's length at s + i */
	if (d->active)
		drop_track(d, &t);
	else if (t.close)
		close_tag(r, &t, s + i, out);
	else
		open_raw(r, d, &t, s + i, out, line);
	return next;
}

/* Sanitise one raw HTML node's text into out. */
void md_sanitize(struct render *r, struct drop *d, const char *s, size_t n,
	struct sh_buf *out, int line)
{
	size_t i = 0, text = 0, budget = 8 * n + MAX_TAG;

	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		size_t at, next;
		if (lt == NULL)
			break;
		at = (size_t)(lt - s);
		next = markup(r, d, s, n, at, text, out, line, &budget);
		if (next == at) {
			i = at + 1;
			continue;
		}
		i = text = next;
	}
	if (!d->active)
		put_text(out, s + text, n - text);
}

