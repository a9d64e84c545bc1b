/*
 * markdown: one TechDocs page to HTML.
 *
 * Three stages, all per call (no shared mutable state):
 *  1. A line pre-processor turns the block syntaxes cmark does not know
 *     (admonitions, details, tabs, GitHub alerts) into their dedented bodies
 *     framed by marker lines `<!--sh-->`. A marker is recognised later by the
 *     output line it starts on, which only the pre-processor can choose, so a
 *     page cannot forge one. Blocks indented into a list item are handled
 *     the same way, re-indented so that they stay in the item.
 *  2. cmark-gfm parses the result with CMARK_OPT_UNSAFE.
 *  3. One iterative walk over the tree sanitises every raw HTML node (so the
 *     UNSAFE rendering only ever emits sanitised HTML), turns markers into
 *     the wrappers' HTML, rewrites link URLs, and collects heading and
 *     section text. Headings then become custom blocks carrying their id and
 *     permalink, and cmark renders the tree.
 * Raw tags left open are closed at the end of their admonition or of the
 * page, and an end tag only closes a raw tag the page opened, so a page
 * cannot close the template's elements. UNSAFE also turns off cmark's own
 * URL filter, so link and image URLs are checked here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "markdown.h"
#include "md_render.h"

#define MAX_PAGE (16u << 20)
#define MAX_NEST 32             /* admonitions inside admonitions */
#define MAX_SECTION (32u << 10) /* search text per section */
#define MAX_WARNINGS 100
#define MARKER "<!--sh-->"

#define CMARK_OPTS (CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES | CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE)

/* ---- UTF-8 --------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return c == 0 ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* A copy of s with NUL bytes and invalid sequences replaced by U+FFFD, or
 * NULL when s is clean already (caller frees). */
static char *utf8_clean(const char *s, size_t n, size_t *out_len)
{
	struct sh_buf b = SH_BUF_INIT;

	if (memchr(s, 0, n) == NULL && sh_utf8_valid(s, n))
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq((const unsigned char *)s + i, n - i);
		if (k == 0) {
			sh_buf_puts(&b, "\xef\xbf\xbd");
			i++;
		} else {
			sh_buf_put(&b, s + i, k);
			i += k;
		}
	}
	*out_len = b.len;
	return b.ptr ? sh_buf_detach(&b) : sh_strdup("");
}

/* Cut a trailing incomplete sequence (after a byte cap). */
static void utf8_trim(struct sh_buf *b)
{
	size_t i = b->len;

	while (i > 0 && b->len - i < 4 && (b->ptr[i - 1] & 0xc0) == 0x80)
		i--;
	if (i > 0 && ((unsigned char)b->ptr[i - 1] & 0x80) != 0) {
		if (utf8_seq((unsigned char *)b->ptr + i - 1, b->len - i + 1) == 0) {
			b->len = i - 1;
			b->ptr[b->len] = '\0';
		}
	}
}

/* ---- small string helpers --------------------------------------------------- */

void md_put_escaped(struct sh_buf *b, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		sh_buf_put(b, s + start, i - start);
		sh_buf_puts(b, rep);
		start = i + 1;
	}
	sh_buf_put(b, s + start, n - start);
}

static bool has_prefix_ci(const char *s, size_t n, const char *pfx)
{
	size_t k = strlen(pfx);

	return n >= k && strncasecmp(s, pfx, k) == 0;
}

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

static void warn(json_t *warnings, int line, const char *msg)
{
	size_t n = json_array_size(warnings);

	if (n == MAX_WARNINGS)
		msg = "too many warnings; the rest are not shown";
	if (n <= MAX_WARNINGS)
		json_array_append_new(warnings, json_pack("{s:i,s:s}", "line", line, "message", msg));
}

void md_warnf(json_t *warnings, int line, const char *fmt, const char *arg)
{
	char *m = sh_asprintf(fmt, arg);

	warn(warnings, line, m);
	free(m);
}

/* ---- slugs --------------------------------------------------------------- */

/* NFKD + ASCII folding of U+00A0..U+017F, as Python-Markdown's slugify does
 * it ('.' = dropped). Ĳ/ĳ fold to two letters and are special-cased. */
static const char latin_fold[] =
	" ......................."      /* A0-B7 (NBSP is a space) */
	"........"                      /* B8-BF */
	"aaaaaa.ceeeeiiii.nooooo..uuuuy.." /* C0-DF */
	"aaaaaa.ceeeeiiii.nooooo..uuuuy.y" /* E0-FF */
	"aaaaaaccccccccdd..eeeeeeeeeegggg" /* 100-11F */
	"gggghh..iiiiiiiii...jjkk.lllllll" /* 120-13F */
	"l..nnnnnnn..oooooo..rrrrrrssssss" /* 140-15F */
	"sstttt..uuuuuuuuuuuuwwyyyzzzzzzs"; /* 160-17F */

/* Append the ASCII folding of the code point at s (len k) to b. */
static void slug_fold(struct sh_buf *b, const unsigned char *s, size_t k)
{
	unsigned cp;

	if (k != 2)
		return;
	cp = ((s[0] & 0x1fu) << 6) | (s[1] & 0x3fu);
	if (cp == 0x132 || cp == 0x133)
		sh_buf_puts(b, "ij");
	else if (cp >= 0xa0 && cp <= 0x17f && latin_fold[cp - 0xa0] != '.')
		sh_buf_putc(b, latin_fold[cp - 0xa0]);
}

char *md_slugify(const char *text)
{
	struct sh_buf kept = SH_BUF_INIT, out = SH_BUF_INIT;
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t n = strlen((const char *)s), a = 0, z;

	/* Keep word characters, whitespace and '-', folded to lower case. */
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0)
			k = 1;
		if (k == 1 && (is_word((char)s[i]) || isspace(s[i])))
			sh_buf_putc(&kept, (char)tolower(s[i]));
		else if (k > 1)
			slug_fold(&kept, s + i, k);
		i += k;
	}
	z = kept.len;
	while (a < z && isspace((unsigned char)kept.ptr[a]))
		a++;
	while (z > a && isspace((unsigned char)kept.ptr[z - 1]))
		z--;
	/* Runs of '-' and whitespace become one '-'. */
	for (size_t i = a; i < z; i++) {
		char c = kept.ptr[i];
		bool sep = c == '-' || isspace((unsigned char)c);
		/* Every '-' in out comes from a separator, so a '-' last means a run. */
		if (!sep)
			sh_buf_putc(&out, c);
		else if (out.len == 0 || out.ptr[out.len - 1] != '-')
			sh_buf_putc(&out, '-');
	}
	sh_buf_dispose(&kept);
	return out.ptr ? sh_buf_detach(&out) : sh_strdup("");
}

/* ---- paths and URLs ------------------------------------------------------ */

static bool is_md_file(const char *p, size_t n)
{
	return (n >= 3 && strncasecmp(p + n - 3, ".md", 3) == 0) ||
		(n >= 9 && strncasecmp(p + n - 9, ".markdown", 9) == 0);
}

/* Normalise "a/./b/../c" into segments joined by '/'. Returns false when
 * ".." climbs above the root. */
static bool path_norm(struct sh_buf *out, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && p[j] != '/')
			j++;
		if (j - i == 2 && p[i] == '.' && p[i + 1] == '.') {
			char *slash;
			if (out->len == 0)
				return false;
			out->ptr[out->len] = '\0';
			slash = strrchr(out->ptr, '/');
			out->len = slash ? (size_t)(slash - out->ptr) : 0;
			out->ptr[out->len] = '\0';
		} else if (j > i && !(j - i == 1 && p[i] == '.')) {
			if (out->len > 0)
				sh_buf_putc(out, '/');
			sh_buf_put(out, p + i, j - i);
		}
		i = j + 1;
	}
	return true;
}

/* "index.md" and "README.md" are their folder's page, as in MkDocs. */
char *md_page_url(const char *page_path)
{
	struct sh_buf b = SH_BUF_INIT;
	const char *p = page_path ? page_path : "";
	size_t n = strlen(p), base;

	if (!path_norm(&b, p, n) || b.len == 0 || !is_md_file(b.ptr, b.len)) {
		sh_buf_dispose(&b);
		return sh_strdup(p);
	}
	base = b.ptr[b.len - 1] == 'd' || b.ptr[b.len - 1] == 'D' ? 3 : 9;
	b.len -= base;
	b.ptr[b.len] = '\0';
	{
		const char *slash = strrchr(b.ptr, '/');
		const char *name = slash ? slash + 1 : b.ptr;
		if (strcasecmp(name, "index") == 0 || strcmp(name, "README") == 0)
			b.len = (size_t)(name - b.ptr);
		else
			sh_buf_putc(&b, '/');
	}
	b.ptr[b.len] = '\0';
	return b.len ? sh_buf_detach(&b) : (sh_buf_dispose(&b), sh_strdup(""));
}

/* The URL of target (site-relative; a directory when it ends in '/')
 * relative to the folder URL base ("" or ending in '/'); caller frees. */
static char *url_relative(const char *base, const char *target)
{
	struct sh_buf b = SH_BUF_INIT;
	size_t common = 0, i = 0;

	/* Longest common prefix of whole folders. */
	while (base[i] != '\0' && base[i] == target[i]) {
		if (base[i] == '/')
			common = i + 1;
		i++;
	}
	for (const char *s = base + common; *s; s++)
		if (*s == '/')
			sh_buf_puts(&b, "../");
	sh_buf_puts(&b, target + common);
	if (b.len == 0)
		sh_buf_puts(&b, "./");
	return sh_buf_detach(&b);
}

/* Whether a URL is one a page may link to: no javascript:, vbscript:,
 * file: or data: (but data:image/{png,gif,jpeg,webp} when image). Tabs
 * and newlines are ignored inside the scheme, as browsers do. */
bool md_url_safe(const char *u, size_t n, bool image)
{
	static const char *const images[] = { "image/png", "image/gif", "image/jpeg", "image/webp" };
	char scheme[16];
	size_t k = 0, i = 0;

	while (i < n && (unsigned char)u[i] <= 0x20)
		i++;
	for (; i < n; i++) {
		char c = u[i];
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ':')
			break;
		if (!isalnum((unsigned char)c) && c != '+' && c != '-' && c != '.')
			return true; /* no scheme: relative */
		if (k == sizeof(scheme) - 1)
			return true;
		scheme[k++] = (char)tolower((unsigned char)c);
	}
	if (i == n)
		return true;
	scheme[k] = '\0';
	if (strcmp(scheme, "data") == 0 && image) {
		for (size_t j = 0; j < SH_ARRAY_LEN(images); j++) {
			size_t m = strlen(images[j]);
			if (has_prefix_ci(u + i + 1, n - i - 1, images[j]) && i + 1 + m < n &&
				(u[i + 1 + m] == ';' || u[i + 1 + m] == ','))
				return true;
		}
		return false;
	}
	return strcmp(scheme, "javascript") != 0 && strcmp(scheme, "vbscript") != 0 &&
		strcmp(scheme, "file") != 0 && strcmp(scheme, "data") != 0;
}

/* Whether a value starts with javascript: or vbscript: (case and the
 * whitespace browsers skip ignored). */
bool md_script_scheme(const char *u, size_t n)
{
	static const char *const schemes[] = { "javascript:", "vbscript:" };
	char head[16];
	size_t k = 0;

	for (size_t i = 0; i < n && k < sizeof(head) - 1; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c <= 0x20)
			continue;
		head[k++] = (char)tolower(c);
	}
	head[k] = '\0';
	for (size_t j = 0; j < SH_ARRAY_LEN(schemes); j++)
		if (strncmp(head, schemes[j], strlen(schemes[j])) == 0)
			return true;
	return false;
}

static bool has_scheme(const char *u)
{
	size_t i = 0;

	if (!isalpha((unsigned char)u[0]))
		return false;
	while (isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')
		i++;
	return u[i] == ':';
}

/* ---- pre-processing: admonitions, details, tabs, alerts ------------------ */

static void emit(struct render *r, const char *p, size_t n, int no, int mark)
{
	if (r->nlines == r->caplines) {
		r->caplines = r->caplines ? r->caplines * 2 : 256;
		r->orig = sh_realloc(r->orig, r->caplines * sizeof(int));
		r->mark = sh_realloc(r->mark, r->caplines * sizeof(int));
	}
	r->orig[r->nlines] = no;
	r->mark[r->nlines++] = mark;
	for (size_t i = 0; i < r->indent && (n > 0 || mark >= 0); i++)
		sh_buf_putc(&r->md, ' ');
	sh_buf_put(&r->md, p, n);
	sh_buf_putc(&r->md, '\n');
}

/* Add a wrapper (takes open and close) and emit its opening marker. */
static size_t wrapper_open(struct render *r, char *open, char *close, int no)
{
	size_t id = r->nw;

	if (r->nw == r->capw) {
		r->capw = r->capw ? r->capw * 2 : 16;
		r->w = sh_realloc(r->w, r->capw * sizeof(*r->w));
	}
	r->w[r->nw++] = (struct wrapper){ open, close };
	emit(r, "", 0, no, -1);
	emit(r, MARKER, strlen(MARKER), no, (int)id * 2);
	emit(r, "", 0, no, -1);
	return id;
}

static void wrapper_close(struct render *r, size_t id, int no)
{
	emit(r, "", 0, no, -1);
	emit(r, MARKER, strlen(MARKER), no, (int)id * 2 + 1);
	emit(r, "", 0, no, -1);
}

struct fence {
	char ch;
	size_t len;
	bool open;
};

/* Fences may be indented up to max_ind spaces (3, more inside list items). */
static bool fence_start(const struct line *l, struct fence *f, size_t max_ind)
{
	size_t i = 0, k;

	while (i < l->len && i < max_ind && l->p[i] == ' ')
		i++;
	if (i == l->len || (l->p[i] != '`' && l->p[i] != '~'))
		return false;
	for (k = i; k < l->len && l->p[k] == l->p[i]; k++)
		;
	if (k - i < 3 || (l->p[i] == '`' && memchr(l->p + k, '`', l->len - k) != NULL))
		return false;
	*f = (struct fence){ l->p[i], k - i, true };
	return true;
}

static bool fence_end(const struct line *l, const struct fence *f, size_t max_ind)
{
	size_t i = 0, k;

	while (i < l->len && i < max_ind && l->p[i] == ' ')
		i++;
	for (k = i; k < l->len && l->p[k] == f->ch; k++)
		;
	if (k - i < f->len)
		return false;
	for (; k < l->len; k++)
		if (l->p[k] != ' ' && l->p[k] != '\t')
			return false;
	return true;
}

static bool blank(const struct line *l)
{
	for (size_t i = 0; i < l->len; i++)
		if (l->p[i] != ' ' && l->p[i] != '\t')
			return false;
	return true;
}

/* Strip 4 columns of indentation in place; false if the line has fewer. */
static bool dedent(struct line *l)
{
	size_t i = 0, col = 0;

	if (blank(l)) {
		l->len = 0;
		return true;
	}
	while (i < l->len && col < 4 && (l->p[i] == ' ' || l->p[i] == '\t')) {
		col = l->p[i] == ' ' ? col + 1 : 4;
		i++;
	}
	if (col < 4)
		return false;
	l->p += i;
	l->len -= i;
	return true;
}

/* Lines after ls[0] that are blank or indented: the body's length (without
 * trailing blank lines), dedented in place. */
static size_t body_len(struct line *ls, size_t n)
{
	size_t last = 0;

	for (size_t j = 1; j < n; j++) {
		if (blank(&ls[j]))
			continue;
		struct line t = ls[j];
		if (!dedent(&t))
			break;
		last = j;
	}
	for (size_t j = 1; j <= last; j++)
		(void)dedent(&ls[j]); /* cannot fail: checked above */
	return last;
}

static void pre_lines(struct render *r, struct line *ls, size_t n, int depth);

/* Emit body lines ls[1..1+len) between a wrapper's markers. */
static void wrap_body(struct render *r, struct line *ls, size_t len, int depth, char *open,
	char *close)
{
	size_t id = wrapper_open(r, open, close, ls[0].no);

	pre_lines(r, ls + 1, len, depth + 1);
	wrapper_close(r, id, ls[len].no);
}

/* `!!! type extra "Title"`, `??? type`, `???+ type`. */
struct adm_head {
	bool details, open, has_title;
	const char *cls, *title;
	size_t cls_len, title_len, type_len;
};

static bool adm_parse(const struct line *l, struct adm_head *h)
{
	const char *p = l->p;
	size_t n = l->len, i = 3;

	memset(h, 0, sizeof(*h));
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	h->details = p[0] == '?';
	if (h->details && i < n && p[i] == '+') {
		h->open = true;
		i++;
	}
	if (i < n && p[i] == ' ')
		i++;
	h->cls = p + i;
	while (i < n && is_word(p[i])) {
		size_t j;
		while (i < n && is_word(p[i]))
			i++;
		if (h->type_len == 0)
			h->type_len = (size_t)(p + i - h->cls);
		h->cls_len = (size_t)(p + i - h->cls);
		for (j = i; j < n && p[j] == ' '; j++)
			;
		if (j == i || j == n || !is_word(p[j]))
			break;
		i = j;
	}
	while (i < n && p[i] == ' ')
		i++;
	if (i < n && p[i] == '"' && n - i >= 2 && p[n - 1] == '"') {
		h->has_title = true;
		h->title = p + i + 1;
		h->title_len = n - i - 2;
		i = n;
	}
	return i == n && (h->cls_len > 0 || (h->details && h->has_title));
}

static const char *const known_types[] = { "note", "abstract", "summary", "tldr", "info", "todo",
	"tip", "hint", "important", "success", "check", "done", "question", "help", "faq",
	"warning", "caution", "attention", "failure", "fail", "missing", "danger", "error", "bug",
	"example", "quote", "cite" };

static void check_type(struct render *r, const char *type, size_t n, int no)
{
	char buf[64];

	for (size_t i = 0; i < SH_ARRAY_LEN(known_types); i++)
		if (strlen(known_types[i]) == n && strncmp(known_types[i], type, n) == 0)
			return;
	snprintf(buf, sizeof(buf), "%.*s", (int)n, type);
	md_warnf(r->warnings, no, "unknown admonition type '%s'", buf);
}

/* The title, HTML-escaped: given, or the type capitalised; NULL for "".
 * Caller frees. */
static char *adm_title(const struct adm_head *h, const char *cls)
{
	struct sh_buf b = SH_BUF_INIT;

	if (h->has_title) {
		if (h->title_len == 0)
			return NULL;
		md_put_escaped(&b, h->title, h->title_len);
	} else {
		sh_buf_put(&b, cls, h->type_len);
		b.ptr[0] = (char)toupper((unsigned char)b.ptr[0]);
	}
	return sh_buf_detach(&b);
}

static size_t admonition(struct render *r, struct line *ls, size_t n, int depth)
{
	struct adm_head h;
	char *cls, *title, *open;
	size_t len;

	if (!adm_parse(&ls[0], &h))
		return 0;
	cls = sh_strndup(h.cls, h.cls_len);
	for (char *c = cls; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (h.type_len > 0)
		check_type(r, cls, h.type_len, ls[0].no);
	title = adm_title(&h, cls);
	if (h.details)
		open = sh_asprintf("<details class=\"%s\"%s>\n<summary>%s</summary>\n", cls,
			h.open ? " open=\"open\"" : "", title ? title : "");
	else
		open = sh_asprintf("<div class=\"admonition %s\">\n%s%s%s", cls,
			title ? "<p class=\"admonition-title\">" : "", title ? title : "",
			title ? "</p>\n" : "");
	len = body_len(ls, n);
	if (len == 0)
		warn(r->warnings, ls[0].no, "admonition without an indented body");
	wrap_body(r, ls, len, depth, open, sh_strdup(h.details ? "</details>\n" : "</div>\n"));
	free(cls);
	free(title);
	return len + 1;
}

/* `=== "Label"` (also `===+`, `===!`): *bang when it starts a new set. */
static bool tab_parse(const struct line *l, const char **label, size_t *label_len, bool *bang)
{
	const char *p = l->p;
	size_t n = l->len, i = 3;

	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n < 3 || memcmp(p, "===", 3) != 0)
		return false;
	*bang = false;
	while (i < n && (p[i] == '+' || p[i] == '!'))
		*bang |= p[i++] == '!';
	if (i == n || p[i] != ' ')
		return false;
	while (i < n && p[i] == ' ')
		i++;
	if (n - i < 2 || p[i] != '"' || p[n - 1] != '"')
		return false;
	*label = p + i + 1;
	*label_len = n - i - 2;
	return true;
}

static size_t tabs(struct render *r, struct line *ls, size_t n, int depth)
{
	const char *label;
	size_t label_len, k = 0, set;
	bool bang;

	if (!tab_parse(&ls[0], &label, &label_len, &bang))
		return 0;
	set = wrapper_open(r, sh_strdup("<div class=\"tabbed-set\">\n"), sh_strdup("</div>\n"),
		ls[0].no);
	for (;;) {
		struct sh_buf open = SH_BUF_INIT;
		size_t len, m;

		sh_buf_puts(&open, "<div class=\"tabbed-block\" data-tab=\"");
		md_put_escaped(&open, label, label_len);
		sh_buf_puts(&open, "\">\n");
		len = body_len(ls + k, n - k);
		wrap_body(r, ls + k, len, depth, sh_buf_detach(&open), sh_strdup("</div>\n"));
		k += len + 1;
		for (m = k; m < n && blank(&ls[m]); m++)
			;
		if (m == n || !tab_parse(&ls[m], &label, &label_len, &bang) || bang)
			break;
		for (; k < m; k++)
			emit(r, "", 0, ls[k].no, -1);
	}
	wrapper_close(r, set, ls[k - 1].no);
	return k;
}

/* `> [!NOTE]` and the quote's following lines. */
static size_t alert(struct render *r, struct line *ls, size_t n, int depth)
{
	static const char *const types[] = { "note", "tip", "important", "warning", "caution" };
	const struct line *l = &ls[0];
	size_t i = 0, k = 1, t;
	char name[16];

	while (i < l->len && i < 3 && l->p[i] == ' ')
		i++;
	if (i == l->len || l->p[i] != '>')
		return 0;
	for (i++; i < l->len && l->p[i] == ' '; i++)
		;
	for (t = 0; t < SH_ARRAY_LEN(types); t++) {
		snprintf(name, sizeof(name), "[!%s]", types[t]);
		if (has_prefix_ci(l->p + i, l->len - i, name))
			break;
	}
	if (t == SH_ARRAY_LEN(types))
		return 0;
	for (i += strlen(name); i < l->len; i++)
		if (l->p[i] != ' ' && l->p[i] != '\t')
			return 0;
	for (; k < n; k++) {
		struct line *b = &ls[k];
		size_t j = 0;
		while (j < b->len && j < 3 && b->p[j] == ' ')
			j++;
		if (j == b->len || b->p[j] != '>')
			break;
		j += j + 1 < b->len && b->p[j + 1] == ' ' ? 2 : 1;
		b->p += j;
		b->len -= j;
	}
	wrap_body(r, ls, k - 1, depth,
		sh_asprintf("<div class=\"admonition %s\">\n<p class=\"admonition-title\">%c%s</p>\n",
			types[t], toupper(types[t][0]), types[t] + 1),
		sh_strdup("</div>\n"));
	return k;
}

static size_t try_block(struct render *r, struct line *ls, size_t n, int depth)
{
	const struct line *l = &ls[0];

	if (depth >= MAX_NEST || l->len < 3)
		return 0;
	if (memcmp(l->p, "!!!", 3) == 0 || memcmp(l->p, "???", 3) == 0)
		return admonition(r, ls, n, depth);
	if (memcmp(l->p, "===", 3) == 0)
		return tabs(r, ls, n, depth);
	if (memchr(l->p, '>', l->len < 4 ? l->len : 4) != NULL)
		return alert(r, ls, n, depth);
	return 0;
}

/* The content columns of the list items a line may still belong to, so
 * that a block indented inside an item ("1. Step" then "   !!! note") is
 * found as Python-Markdown finds it. */
struct lists {
	size_t col[16];
	size_t n;
};

static size_t lead_spaces(const struct line *l)
{
	size_t i = 0;

	while (i < l->len && l->p[i] == ' ')
		i++;
	return i;
}

/* The content column of a list item line ("- x", "12. x"), or 0. */
static size_t item_col(const struct line *l)
{
	size_t i = lead_spaces(l), k = i, c;

	if (i < l->len && (l->p[i] == '-' || l->p[i] == '*' || l->p[i] == '+')) {
		k = i + 1;
	} else {
		while (k < l->len && k - i < 9 && isdigit((unsigned char)l->p[k]))
			k++;
		if (k == i || k == l->len || (l->p[k] != '.' && l->p[k] != ')'))
			return 0;
		k++;
	}
	if (k == l->len)
		return k + 1;
	if (l->p[k] != ' ')
		return 0;
	for (c = k; c < l->len && l->p[c] == ' ' && c - k < 4; c++)
		;
	return c;
}

static void lists_track(struct lists *s, const struct line *l)
{
	size_t m, c;

	if (blank(l))
		return;
	m = lead_spaces(l);
	while (s->n > 0 && s->col[s->n - 1] > m)
		s->n--;
	if ((c = item_col(l)) > 0 && s->n < SH_ARRAY_LEN(s->col))
		s->col[s->n++] = c;
}

/* A block header indented into a list item: the run of lines indented at
 * least as much is pre-processed as a document of its own, re-indented on
 * output. Returns the lines used, or 0. */
static size_t try_nested(struct render *r, struct line *ls, size_t n, int depth,
	const struct lists *s)
{
	struct line head = ls[0], *sub;
	size_t k = lead_spaces(&ls[0]), col = 0, last = 0, t_len;
	struct adm_head h;
	const char *t;
	bool bang;

	for (size_t j = s->n; j > 0 && col == 0; j--)
		col = s->col[j - 1] <= k ? s->col[j - 1] : 0;
	if (k == 0 || col == 0 || k > col + 3 || depth >= MAX_NEST || head.len < k + 3)
		return 0;
	head.p += k;
	head.len -= k;
	if (!((memcmp(head.p, "!!!", 3) == 0 || memcmp(head.p, "???", 3) == 0) ?
		adm_parse(&head, &h) : tab_parse(&head, &t, &t_len, &bang)))
		return 0;
	for (size_t j = 1; j < n && (blank(&ls[j]) || lead_spaces(&ls[j]) >= k); j++)
		if (!blank(&ls[j]))
			last = j;
	sub = sh_malloc((last + 1) * sizeof(*sub));
	for (size_t j = 0; j <= last; j++) {
		sub[j] = ls[j];
		sub[j].len = blank(&ls[j]) ? 0 : ls[j].len - k;
		sub[j].p += blank(&ls[j]) ? 0 : k;
	}
	r->indent += k;
	pre_lines(r, sub, last + 1, depth + 1);
	r->indent -= k;
	free(sub);
	return last + 1;
}

static void pre_lines(struct render *r, struct line *ls, size_t n, int depth)
{
	struct fence f = { 0, 0, false };
	struct lists lists = { { 0 }, 0 };
	size_t i = 0;

	while (i < n) {
		size_t used, max_ind = 3 + (lists.n ? lists.col[lists.n - 1] : 0);
		if (f.open) {
			f.open = !fence_end(&ls[i], &f, max_ind);
		} else if (!fence_start(&ls[i], &f, max_ind)) {
			if ((lists.n > 0 && (used = try_nested(r, ls + i, n - i, depth, &lists)) > 0) ||
				(used = try_block(r, ls + i, n - i, depth)) > 0) {
				i += used;
				continue;
			}
			lists_track(&lists, &ls[i]);
		}
		emit(r, ls[i].p, ls[i].len, ls[i].no, -1);
		i++;
	}
	if (f.open && depth > 0 && n > 0) {
		char close[64];
		size_t k = f.len < sizeof(close) ? f.len : sizeof(close) - 1;
		memset(close, f.ch, k);
		emit(r, close, k, ls[n - 1].no, -1);
		warn(r->warnings, ls[n - 1].no, "unclosed code fence in an indented block");
	}
}

/* Split at \n, \r\n and \r (the line endings cmark knows). */
static void preprocess(struct render *r, const char *s, size_t n)
{
	struct line *ls;
	size_t count = 1, k = 0, start = 0;

	for (size_t i = 0; i < n; i++)
		count += s[i] == '\n' || s[i] == '\r';
	ls = sh_malloc(count * sizeof(*ls));
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\n' && s[i] != '\r')
			continue;
		if (i == n && start == n)
			break;
		ls[k] = (struct line){ s + start, i - start, (int)k + 1 };
		k++;
		if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	pre_lines(r, ls, k, 0);
	free(ls);
}

/* ---- the tree walk ------------------------------------------------------- */

/* The node's line in the original page. */
static int node_line(const struct render *r, cmark_node *node)
{
	int ln = 0;

	for (; node != NULL && ln <= 0; node = cmark_node_parent(node))
		ln = cmark_node_get_start_line(node);
	if (ln <= 0 || (size_t)ln > r->nlines)
		return ln > 0 ? r->orig[r->nlines - 1] : 1;
	return r->orig[ln - 1];
}

/* Marker code of an HTML block (wrapper * 2 + closing), or -1. */
static int marker_of(const struct render *r, cmark_node *node, const char *lit)
{
	int ln = cmark_node_get_start_line(node);

	while (*lit == ' ')
		lit++;
	if (cmark_node_get_type(node) != CMARK_NODE_HTML_BLOCK || ln <= 0 ||
		(size_t)ln > r->nlines || r->mark[ln - 1] < 0 ||
		strncmp(lit, MARKER, strlen(MARKER)) != 0 || lit[strlen(MARKER)] != '\n' ||
		lit[strlen(MARKER) + 1] != '\0')
		return -1;
	return r->mark[ln - 1];
}

static void marker_html(struct render *r, int code, struct sh_buf *out)
{
	int w = code / 2;

	if (code % 2 == 0) {
		if (r->depth < STACK_CAP) {
			md_stack_push(r, "", w);
			sh_buf_puts(out, r->w[w].open);
		}
		return;
	}
	for (size_t i = r->depth; i > 0; i--) {
		if (r->stack[i - 1].wrapper == w) {
			md_stack_unwind(r, i - 1, out);
			return;
		}
	}
}

static void html_node(struct render *r, struct drop *d, cmark_node *node)
{
	struct sh_buf out = SH_BUF_INIT;
	const char *lit = cmark_node_get_literal(node);
	int code;

	if (lit == NULL)
		lit = "";
	code = marker_of(r, node, lit);
	if (code >= 0) {
		d->active = false; /* a wrapper bounds whatever was being dropped */
		marker_html(r, code, &out);
	} else {
		md_sanitize(r, d, lit, strlen(lit), &out, node_line(r, node));
	}
	cmark_node_set_literal(node, out.ptr ? out.ptr : "");
	sh_buf_dispose(&out);
}

/* Page-relative link → site URL relative to this page's URL: a new string
 * (caller frees), or NULL to keep the URL as written. */
static char *rewrite_rel(struct render *r, const char *url, int line)
{
	struct sh_buf path = SH_BUF_INIT;
	size_t plen = strcspn(url, "?#");
	char *target = NULL, *rel = NULL, *out = NULL;

	if (plen == 0)
		goto done;
	sh_buf_put(&path, r->page_dir, r->page_dir[0] ? strlen(r->page_dir) - 1 : 0);
	if (!path_norm(&path, url, plen)) {
		md_warnf(r->warnings, line, "link '%s' points outside the docs", url);
		goto done;
	}
	if (is_md_file(url, plen) && r->pages != NULL && !json_object_get(r->pages, path.ptr ? path.ptr : ""))
		md_warnf(r->warnings, line, "link '%s' points to a page that does not exist", url);
	if (is_md_file(url, plen))
		target = md_page_url(path.ptr ? path.ptr : "");
	else
		target = sh_asprintf("%s%s", path.ptr ? path.ptr : "",
			url[plen - 1] == '/' && path.len > 0 ? "/" : "");
	rel = url_relative(r->page_url, target);
	out = sh_asprintf("%s%s", rel, url + plen);
done:
	sh_buf_dispose(&path);
	free(target);
	free(rel);
	return out;
}

static void link_node(struct render *r, cmark_node *node)
{
	const char *url = cmark_node_get_url(node);
	bool image = cmark_node_get_type(node) == CMARK_NODE_IMAGE;
	char *fixed = NULL;

	if (url == NULL || url[0] == '\0')
		return;
	if (!md_url_safe(url, strlen(url), image)) {
		cmark_node_set_url(node, "");
		return;
	}
	if (url[0] == '#' || url[0] == '/' || url[0] == '\\' || has_scheme(url))
		return;
	fixed = rewrite_rel(r, url, node_line(r, node));
	if (fixed != NULL)
		cmark_node_set_url(node, fixed);
	free(fixed);
}

/* ---- text for toc and search ---------------------------------------------------- */

static bool ws(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Append s with whitespace runs collapsed, a word at a time. */
static void text_add(struct textbuf *t, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && t->b.len < MAX_SECTION) {
		size_t j;
		if (ws(s[i])) {
			t->space = true;
			i++;
			continue;
		}
		for (j = i; j < n && !ws(s[j]); j++)
			;
		if (t->space && t->b.len > 0)
			sh_buf_putc(&t->b, ' ');
		t->space = false;
		sh_buf_put(&t->b, s + i, j - i < MAX_SECTION - t->b.len ? j - i : MAX_SECTION - t->b.len);
		i = j;
	}
}

static struct textbuf *text_target(struct render *r)
{
	if (r->in_heading >= 0)
		return &r->h[r->in_heading].title;
	return r->section >= 0 ? &r->h[r->section].body : &r->lead;
}

/* `{#id .class}` (attr_list) at the end of a heading. */
static void heading_attrs(struct heading *h, cmark_node *last)
{
	const char *lit;
	char *copy = NULL, *open, *end, *tok, *save = NULL;
	struct sh_buf cls = SH_BUF_INIT;
	char *id = NULL;
	int ntok = 0;

	if (last == NULL || cmark_node_get_type(last) != CMARK_NODE_TEXT ||
		(lit = cmark_node_get_literal(last)) == NULL)
		return;
	copy = sh_strdup(lit);
	end = copy + strlen(copy);
	while (end > copy && isspace((unsigned char)end[-1]))
		end--;
	if (end == copy || end[-1] != '}' || (open = strrchr(copy, '{')) == NULL)
		goto done;
	end[-1] = '\0';
	for (tok = strtok_r(open + 1 + (open[1] == ':'), " \t", &save); tok != NULL;
		tok = strtok_r(NULL, " \t", &save)) {
		bool ok = (tok[0] == '#' || tok[0] == '.') && tok[1] != '\0';
		for (const char *c = tok + 1; ok && *c; c++)
			ok = isalnum((unsigned char)*c) || strchr("-_:.", *c);
		if (!ok && strchr(tok, '=') == NULL)
			goto done;
		ntok++;
		if (ok && tok[0] == '#') {
			free(id);
			id = sh_strdup(tok + 1);
		} else if (ok) {
			sh_buf_printf(&cls, "%s%s", cls.len ? " " : "", tok + 1);
		}
	}
	if (ntok == 0)
		goto done;
	while (open > copy && isspace((unsigned char)open[-1]))
		open--;
	*open = '\0';
	cmark_node_set_literal(last, copy);
	h->custom_id = id;
	h->classes = cls.ptr ? sh_buf_detach(&cls) : NULL;
	id = NULL;
done:
	free(id);
	free(copy);
	sh_buf_dispose(&cls);
}

static void heading_enter(struct render *r, cmark_node *node)
{
	struct heading *h;

	if (r->nh == r->caph) {
		r->caph = r->caph ? r->caph * 2 : 16;
		r->h = sh_realloc(r->h, r->caph * sizeof(*r->h));
	}
	h = &r->h[r->nh];
	memset(h, 0, sizeof(*h));
	h->node = node;
	h->level = cmark_node_get_heading_level(node);
	heading_attrs(h, cmark_node_last_child(node));
	r->in_heading = (long)r->nh;
	if (h->level >= 2)
		r->section = (long)r->nh;
	r->nh++;
}

/* Visit a node in document order; false when it was freed or has no
 * children to enter. */
static bool visit(struct render *r, struct drop *d, cmark_node *node)
{
	cmark_node_type type = cmark_node_get_type(node);
	const char *lit;

	if (d->active && type != CMARK_NODE_HTML_BLOCK && type != CMARK_NODE_HTML_INLINE) {
		cmark_node_free(node);
		return false;
	}
	switch (type) {
	case CMARK_NODE_HTML_BLOCK:
	case CMARK_NODE_HTML_INLINE:
		html_node(r, d, node);
		return false;
	case CMARK_NODE_LINK:
	case CMARK_NODE_IMAGE:
		link_node(r, node);
		break;
	case CMARK_NODE_HEADING:
		heading_enter(r, node);
		break;
	case CMARK_NODE_TEXT:
	case CMARK_NODE_CODE:
	case CMARK_NODE_CODE_BLOCK:
		if ((lit = cmark_node_get_literal(node)) != NULL)
			text_add(text_target(r), lit, strlen(lit));
		text_target(r)->space |= type == CMARK_NODE_CODE_BLOCK;
		return false;
	case CMARK_NODE_SOFTBREAK:
	case CMARK_NODE_LINEBREAK:
		text_target(r)->space = true;
		return false;
	default:
		break;
	}
	return true;
}

static void leave(struct render *r, cmark_node *node)
{
	cmark_node_type type = cmark_node_get_type(node);

	if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK)
		text_target(r)->space = true;
	if (type == CMARK_NODE_HEADING)
		r->in_heading = -1;
}

struct frame {
	cmark_node *node;
	struct drop drop;
};

/* Iterative, so that deep nesting cannot exhaust the stack. */
static void walk(struct render *r, cmark_node *root)
{
	struct frame *st = sh_malloc(16 * sizeof(*st));
	size_t n = 1, cap = 16;
	cmark_node *cur = cmark_node_first_child(root);

	st[0] = (struct frame){ root, { { 0 }, 0, false, false } };
	while (n > 0) {
		cmark_node *next;
		if (cur == NULL) {
			cmark_node *up = st[--n].node;
			leave(r, up);
			cur = n > 0 ? cmark_node_next(up) : NULL;
			continue;
		}
		next = cmark_node_next(cur);
		if (visit(r, &st[n - 1].drop, cur)) {
			if (cmark_node_first_child(cur) != NULL) {
				if (n == cap) {
					cap *= 2;
					st = sh_realloc(st, cap * sizeof(*st));
				}
				st[n++] = (struct frame){ cur, { { 0 }, 0, false, false } };
				cur = cmark_node_first_child(cur);
				continue;
			}
			leave(r, cur);
		}
		cur = next;
	}
	free(st);
}

/* ---- heading ids ----------------------------------------------------------- */

/* A map of strings (copied) to numbers, open addressing. */
struct strmap {
	struct strmap_slot {
		char *key;
		long val;
	} *slot;
	size_t cap, n;
};

static struct strmap_slot *map_find(const struct strmap *m, const char *key)
{
	size_t i = sh_str_hash(key) & (m->cap - 1);

	while (m->slot[i].key != NULL && strcmp(m->slot[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static void map_put(struct strmap *m, const char *key, long val)
{
	struct strmap_slot *e;

	if ((m->n + 1) * 2 > m->cap) {
		struct strmap bigger = { sh_calloc(m->cap * 2, sizeof(*m->slot)), m->cap * 2, m->n };
		for (size_t k = 0; k < m->cap; k++)
			if (m->slot[k].key != NULL)
				*map_find(&bigger, m->slot[k].key) = m->slot[k];
		free(m->slot);
		*m = bigger;
	}
	e = map_find(m, key);
	if (e->key == NULL) {
		e->key = sh_strdup(key);
		m->n++;
	}
	e->val = val;
}

static void map_dispose(struct strmap *m)
{
	for (size_t k = 0; k < m->cap; k++)
		free(m->slot[k].key);
	free(m->slot);
}

struct ids {
	struct strmap used;  /* ids given out */
	struct strmap stems; /* "x" → the last n tried as "x_n" */
};

/* Python-Markdown's toc `unique`: "x" → "x_1", "x_1" → "x_2", "" → "_1".
 * Numbers already tried for a stem are skipped, so N equal headings cost
 * O(N), not O(N²). Takes id; returns the unique one (caller frees). */
static char *id_unique(struct ids *s, char *id)
{
	struct sh_buf stem = SH_BUF_INIT;
	struct strmap_slot *hint;
	long n = 0;

	if (id[0] != '\0' && map_find(&s->used, id)->key == NULL)
		goto done;
	{
		char *us = strrchr(id, '_');
		size_t digits = us ? strspn(us + 1, "0123456789") : 0;
		if (us && digits > 0 && digits < 16 && us[1 + digits] == '\0') {
			sh_buf_put(&stem, id, (size_t)(us - id));
			n = atol(us + 1);
		} else {
			sh_buf_puts(&stem, id);
		}
	}
	sh_buf_putc(&stem, '\0');
	hint = map_find(&s->stems, stem.ptr);
	if (hint->key != NULL && hint->val > n)
		n = hint->val;
	do {
		free(id);
		id = sh_asprintf("%s_%ld", stem.ptr, ++n);
	} while (map_find(&s->used, id)->key != NULL);
	map_put(&s->stems, stem.ptr, n);
done:
	map_put(&s->used, id, 0);
	sh_buf_dispose(&stem);
	return id;
}

static void assign_ids(struct render *r)
{
	struct ids s = { { sh_calloc(64, sizeof(struct strmap_slot)), 64, 0 },
		{ sh_calloc(64, sizeof(struct strmap_slot)), 64, 0 } };

	for (size_t i = 0; i < r->nh; i++) {
		utf8_trim(&r->h[i].title.b); /* the 32 KiB cap may have cut a character */
		if (r->h[i].custom_id != NULL) {
			r->h[i].id = sh_strdup(r->h[i].custom_id);
			map_put(&s.used, r->h[i].id, 0);
		}
	}
	for (size_t i = 0; i < r->nh; i++) {
		if (r->h[i].id == NULL) {
			r->h[i].id = id_unique(&s, md_slugify(r->h[i].title.b.ptr));
		}
	}
	map_dispose(&s.used);
	map_dispose(&s.stems);
}

/* The heading becomes a custom block holding its inlines, with the id and
 * the permalink (Python-Markdown's toc with permalink: true). */
static void heading_replace(struct heading *h)
{
	cmark_node *block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK), *child;
	cmark_node *inl = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
	struct sh_buf open = SH_BUF_INIT, close = SH_BUF_INIT;

	sh_buf_printf(&open, "<h%d id=\"", h->level);
	md_put_escaped(&open, h->id, strlen(h->id));
	sh_buf_putc(&open, '"');
	if (h->classes) {
		sh_buf_puts(&open, " class=\"");
		md_put_escaped(&open, h->classes, strlen(h->classes));
		sh_buf_putc(&open, '"');
	}
	sh_buf_putc(&open, '>');
	sh_buf_puts(&close, "<a class=\"headerlink\" href=\"#");
	md_put_escaped(&close, h->id, strlen(h->id));
	sh_buf_printf(&close, "\" title=\"Permanent link\">\xc2\xb6</a></h%d>", h->level);
	/* A custom block puts newlines around its text: the tags go on an inline. */
	cmark_node_set_on_enter(block, "");
	cmark_node_set_on_exit(block, "");
	cmark_node_set_on_enter(inl, open.ptr);
	cmark_node_set_on_exit(inl, close.ptr);
	cmark_node_append_child(block, inl);
	while ((child = cmark_node_first_child(h->node)) != NULL) {
		cmark_node_unlink(child);
		cmark_node_append_child(inl, child);
	}
	cmark_node_replace(h->node, block);
	cmark_node_free(h->node);
	h->node = block;
	sh_buf_dispose(&open);
	sh_buf_dispose(&close);
}

/* {"id", "title", "text"} (strings are valid UTF-8: trimmed after caps). */
static json_t *section(const char *id, const char *title, const struct sh_buf *text)
{
	json_t *o = json_object();

	json_object_set_new_nocheck(o, "id", json_string(id));
	json_object_set_new_nocheck(o, "title", json_string(title ? title : ""));
	json_object_set_new_nocheck(o, "text", json_stringn(text->ptr ? text->ptr : "",
		text->len));
	return o;
}

static void finish_page(struct render *r, struct md_page *out)
{
	out->toc = json_array();
	out->sections = json_array();
	assign_ids(r);
	for (size_t i = 0; i < r->nh; i++) {
		struct heading *h = &r->h[i];
		json_t *o = json_object();
		heading_replace(h);
		json_object_set_new_nocheck(o, "level", json_integer(h->level));
		json_object_set_new_nocheck(o, "id", json_string(h->id));
		json_object_set_new_nocheck(o, "title",
			json_stringn(h->title.b.ptr ? h->title.b.ptr : "", h->title.b.len));
		json_array_append_new(out->toc, o);
		if (h->level == 1 && out->title == NULL)
			out->title = sh_strndup(h->title.b.ptr ? h->title.b.ptr : "", h->title.b.len);
	}
	utf8_trim(&r->lead.b);
	json_array_append_new(out->sections, section("", out->title, &r->lead.b));
	for (size_t i = 0; i < r->nh; i++) {
		struct heading *h = &r->h[i];
		if (h->level < 2)
			continue;
		utf8_trim(&h->body.b);
		json_array_append_new(out->sections, section(h->id, h->title.b.ptr, &h->body.b));
	}
}

/* ---- md_render --------------------------------------------------------------- */

static void render_init(struct render *r, const char *page_path, struct sh_buf *dir)
{
	memset(r, 0, sizeof(*r));
	if (path_norm(dir, page_path, strlen(page_path)) && dir->len > 0) {
		char *slash = strrchr(dir->ptr, '/');
		dir->len = slash ? (size_t)(slash - dir->ptr) + 1 : 0;
		dir->ptr[dir->len] = '\0';
	} else {
		dir->len = 0;
	}
	r->page_dir = dir->ptr && dir->len ? dir->ptr : "";
	r->page_url = md_page_url(page_path);
	if (r->page_url[0] != '\0' && r->page_url[strlen(r->page_url) - 1] != '/') {
		char *u = sh_asprintf("%s/", r->page_url); /* not a .md name: treat as a folder */
		free(r->page_url);
		r->page_url = u;
	}
	r->stack = sh_malloc(STACK_CAP * sizeof(*r->stack));
	r->in_heading = r->section = -1;
	r->warnings = json_array();
}

static void render_dispose(struct render *r)
{
	for (size_t i = 0; i < r->nh; i++) {
		sh_buf_dispose(&r->h[i].title.b);
		sh_buf_dispose(&r->h[i].body.b);
		free(r->h[i].custom_id);
		free(r->h[i].classes);
		free(r->h[i].id);
	}
	for (size_t i = 0; i < r->nw; i++) {
		free(r->w[i].open);
		free(r->w[i].close);
	}
	free(r->h);
	free(r->w);
	free(r->orig);
	free(r->mark);
	free(r->stack);
	free(r->page_url);
	sh_buf_dispose(&r->md);
	sh_buf_dispose(&r->lead.b);
	json_decref(r->warnings);
}

static int by_line(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t lx = json_integer_value(json_object_get(x, "line"));
	json_int_t ly = json_integer_value(json_object_get(y, "line"));

	if (lx == ly) {
		lx = json_integer_value(json_object_get(x, "_i"));
		ly = json_integer_value(json_object_get(y, "_i"));
	}
	return lx < ly ? -1 : lx > ly;
}

/* The pre-processor and the walk warn in two passes: a new array ordered
 * by line, equal lines in the order they were found. */
static json_t *sorted_warnings(json_t *w)
{
	size_t n = json_array_size(w);
	json_t **v = sh_malloc((n ? n : 1) * sizeof(*v)), *out = json_array();

	for (size_t i = 0; i < n; i++) {
		v[i] = json_array_get(w, i);
		json_object_set_new(v[i], "_i", json_integer((json_int_t)i));
	}
	qsort(v, n, sizeof(*v), by_line);
	for (size_t i = 0; i < n; i++) {
		json_object_del(v[i], "_i");
		json_array_append(out, v[i]);
	}
	free(v);
	return out;
}

static cmark_parser *parser_new(void)
{
	static const char *const ext[] = { "table", "strikethrough", "autolink", "tasklist" };
	cmark_parser *p;

	cmark_gfm_core_extensions_ensure_registered();
	p = cmark_parser_new(CMARK_OPTS);
	for (size_t i = 0; i < SH_ARRAY_LEN(ext); i++) {
		cmark_syntax_extension *e = cmark_find_syntax_extension(ext[i]);
		if (e != NULL)
			cmark_parser_attach_syntax_extension(p, e);
	}
	return p;
}

/* Raw tags and wrappers still open at the end are closed there. */
static void close_all(struct render *r, cmark_node *doc)
{
	struct sh_buf out = SH_BUF_INIT;
	cmark_node *tail;

	if (r->depth == 0)
		return;
	md_stack_unwind(r, 0, &out);
	tail = cmark_node_new(CMARK_NODE_HTML_BLOCK);
	cmark_node_set_literal(tail, out.ptr);
	cmark_node_append_child(doc, tail);
	sh_buf_dispose(&out);
}

int md_render(struct md_page *out, const char *src, size_t len, const struct md_opts *opts,
	struct sh_err *err)
{
	struct render r;
	struct sh_buf dir = SH_BUF_INIT;
	cmark_parser *parser = NULL;
	cmark_node *doc = NULL;
	char *clean = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > MAX_PAGE)
		return sh_err_set(err, SH_EINPUT, "page of %zu bytes is larger than 16 MiB", len);
	render_init(&r, opts && opts->page_path ? opts->page_path : "index.md", &dir);
	r.pages = opts ? opts->pages : NULL;
	if (src == NULL)
		src = "";
	clean = utf8_clean(src, len, &len);
	preprocess(&r, clean ? clean : src, len);
	parser = parser_new();
	cmark_parser_feed(parser, r.md.ptr ? r.md.ptr : "", r.md.len);
	doc = cmark_parser_finish(parser);
	cmark_consolidate_text_nodes(doc);
	walk(&r, doc);
	close_all(&r, doc);
	finish_page(&r, out);
	out->html = cmark_render_html(doc, CMARK_OPTS, cmark_parser_get_syntax_extensions(parser));
	out->warnings = sorted_warnings(r.warnings);
	cmark_node_free(doc);
	cmark_parser_free(parser);
	free(clean);
	render_dispose(&r);
	sh_buf_dispose(&dir);
	return rc;
}

void md_page_dispose(struct md_page *p)
{
	if (p == NULL)
		return;
	free(p->html);
	free(p->title);
	json_decref(p->toc);
	json_decref(p->sections);
	json_decref(p->warnings);
	memset(p, 0, sizeof(*p));
}
