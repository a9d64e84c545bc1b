/*
 * markdown: one TechDocs page, Markdown to HTML, with cmark-gfm and the
 * extensions MkDocs sites built with techdocs-core rely on.
 *
 * Supported: CommonMark plus the GFM extensions (tables, task lists,
 * strikethrough, autolinks) and footnotes; admonitions (`!!! note "Title"`
 * with an indented body → <div class="admonition note"><p
 * class="admonition-title">Title</p>…</div>; collapsible `??? tip "More"`
 * → <details class="tip"><summary>More</summary>…</details>, `???+` open);
 * content tabs (`=== "Tab"` + indented body); heading ids as Python-Markdown's
 * toc extension makes them (lower-case, punctuation dropped, spaces to '-',
 * duplicates get _1, _2…) with a permalink `<a class="headerlink"
 * href="#id">¶</a>`; fenced code keeps its language (`<pre><code
 * class="language-c">`); relative links to .md pages rewritten to the
 * page URLs of a site with directory URLs (from "guides/setup.md", a link
 * "../api.md#auth" becomes "../../api/#auth"; "index.md" maps to the
 * folder), other relative links (images, files) adjusted the same way for
 * the page's extra folder level. Raw HTML is sanitised: an allow-list of
 * tags and attributes; no script/style/iframe/object/embed/form, no on*
 * attributes, no javascript:/vbscript:/data: URLs (data: images allowed in
 * img src).
 *
 * Thread-safe; bounded: a page of more than 16 MiB or nesting deeper than
 * cmark allows is an error, never a crash. (cmark-gfm registers its
 * extensions in a process-wide list without a lock: the first md_render
 * should happen, or cmark_gfm_core_extensions_ensure_registered() be
 * called, before threads start.) Admonitions nest up to 32 deep (deeper
 * ones stay indented text); warnings stop after 100.
 */
#ifndef STAGEHAND_TECHDOCS_MARKDOWN_H
#define STAGEHAND_TECHDOCS_MARKDOWN_H

#include <jansson.h>
#include <stddef.h>

#include "stagehand/util.h"

struct md_opts {
	const char *page_path;     /* the page, relative to docs_dir: "guides/setup.md" */
	const json_t *pages;       /* every page of the site, {"guides/setup.md": true, …}, for
	                              warnings about links to missing pages; NULL: not checked */
};

struct md_page {
	char *html;                /* the page body (no <html>/<head>) */
	char *title;               /* text of the first h1, or NULL */
	json_t *toc;               /* [{"level":2,"id":"install","title":"Install"}…], h1–h6 */
	json_t *sections;          /* for search: [{"id":"", "title":page title, "text":…},
	                              {"id":"install","title":"Install","text":…}…]: the
	                              text (no markup) under each heading until the next */
	json_t *warnings;          /* [{"line":12,"message":"…"}]: e.g. an unclosed
	                              admonition, an unknown admonition type */
};

/*
 * Render src[0..len) (UTF-8; invalid sequences are replaced) into *out,
 * which the caller releases with md_page_dispose. Returns SH_EINPUT for an
 * oversized page (err set, *out empty).
 */
int md_render(struct md_page *out, const char *src, size_t len, const struct md_opts *opts,
	struct sh_err *err) SH_WUR;
void md_page_dispose(struct md_page *p);

/* The URL (relative to the site root, directory style) of a page:
 * "index.md" → "", "setup.md" → "setup/", "guides/index.md" → "guides/",
 * "guides/ops/runbook.md" → "guides/ops/runbook/". "README.md" counts as
 * its folder's index too (MkDocs uses it when there is no index.md); ".md"
 * and ".markdown" are page names; "." and ".." segments are resolved. A
 * path that is not a page comes back unchanged. Caller frees. */
char *md_page_url(const char *page_path);

/* Python-Markdown's slug of a heading text (caller frees). */
char *md_slugify(const char *text);

#endif
