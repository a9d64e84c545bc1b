/*
 * What the two halves of the Markdown renderer share: markdown.c (the
 * pre-processor, the tree walk, headings) and sanitize.c (raw HTML).
 * Private to src/techdocs.
 */
#ifndef STAGEHAND_TECHDOCS_MD_RENDER_H
#define STAGEHAND_TECHDOCS_MD_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cmark-gfm.h>
#include <jansson.h>

#include "stagehand/util.h"

#define STACK_CAP 1024          /* open raw tags plus wrappers */
#define USER_TAGS_CAP 128       /* of which raw tags (bounds an end tag's search) */
#define MAX_TAG (256u << 10)    /* a longer raw tag is text */
#define MAX_ATTRS 32

struct line {
	const char *p;
	size_t len;
	int no; /* 1-based, in the original page */
};

struct wrapper {
	char *open, *close;
};

struct textbuf {
	struct sh_buf b;
	bool space;
};

struct heading {
	cmark_node *node;
	int level;
	struct textbuf title, body;
	char *custom_id, *classes, *id;
};

/* A raw tag left open, or a wrapper (wrapper >= 0) that bounds them. */
struct open_tag {
	char name[12];
	int wrapper;
};

/* Raw HTML being dropped with its contents (<script>…</script>): kept per
 * container, because cmark splits inline HTML into sibling nodes. */
struct drop {
	char tag[12];
	int depth;
	bool raw, active;
};

struct render {
	const char *page_dir; /* folder of the page source: "guides/" */
	char *page_url;       /* "guides/setup/" */
	struct sh_buf md;     /* pre-processed Markdown */
	int *orig;            /* per output line: its original line */
	int *mark;            /* per output line: -1, or wrapper * 2 + closing */
	size_t nlines, caplines;
	size_t indent;        /* spaces put before each emitted line */
	struct wrapper *w;
	size_t nw, capw;
	struct open_tag *stack;
	size_t depth;
	struct heading *h;
	size_t nh, caph;
	struct textbuf lead; /* text before the first h2 */
	long in_heading, section;
	json_t *warnings;
	const json_t *pages;  /* md_opts.pages */
};

/* ---- markdown.c -------------------------------------------------------------------------- */

/* Append s[0..n) HTML-escaped. */
void md_put_escaped(struct sh_buf *b, const char *s, size_t n);
/* A build-log warning at the page's line, fmt holding one %s for arg. */
void md_warnf(json_t *warnings, int line, const char *fmt, const char *arg);
/* Whether a URL is one a page may link to: no javascript:, vbscript:,
 * file: or data: (but data:image/{png,gif,jpeg,webp} when image). */
bool md_url_safe(const char *u, size_t n, bool image);
/* Whether a value starts with javascript: or vbscript: (case and the
 * whitespace browsers skip ignored). */
bool md_script_scheme(const char *u, size_t n);

/* ---- sanitize.c -------------------------------------------------------------------------- */

/* Note a raw tag (wrapper < 0) or a wrapper (its index) as open; the
 * caller checks there is room (STACK_CAP). */
void md_stack_push(struct render *r, const char *name, int wrapper);
/* Close, into out, the raw tags and wrappers above depth to, innermost
 * first. */
void md_stack_unwind(struct render *r, size_t to, struct sh_buf *out);
/* The safe form of raw HTML s[0..n) from the page's line, into out: allowed
 * tags with allowed attributes and safe URLs, the rest dropped or escaped;
 * d carries an element being dropped with its contents across nodes. */
void md_sanitize(struct render *r, struct drop *d, const char *s, size_t n, struct sh_buf *out,
	int line);

#endif
