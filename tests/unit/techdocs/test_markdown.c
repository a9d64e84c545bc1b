/* TechDocs Markdown: the dialect (GFM, admonitions, tabs, alerts), heading
 * ids, link rewriting for directory URLs, the raw HTML sanitiser, and the
 * toc / search sections / warnings that come with a page. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../harness.h"
#include "../../../src/techdocs/markdown.h"

/* Render src as page (a static page struct the test disposes). */
static void render(struct md_page *p, const char *src, const char *page)
{
	struct md_opts o = { page };
	struct sh_err err;

	assert_int_equal(md_render(p, src, strlen(src), &o, &err), 0);
	assert_non_null(p->html);
}

#define assert_has(hay, needle)                                          \
	do {                                                                 \
		if (strstr((hay), (needle)) == NULL)                             \
			fail_msg("expected\n%s\nin\n%s", (needle), (hay));           \
	} while (0)
#define assert_lacks(hay, needle)                                        \
	do {                                                                 \
		if (strstr((hay), (needle)) != NULL)                             \
			fail_msg("did not expect\n%s\nin\n%s", (needle), (hay));     \
	} while (0)

static void expect_html(const char *src, const char *page, const char *want)
{
	struct md_page p;

	render(&p, src, page);
	assert_string_equal(p.html, want);
	md_page_dispose(&p);
}

static void expect_in(const char *src, const char *page, const char *want)
{
	struct md_page p;

	render(&p, src, page);
	assert_has(p.html, want);
	md_page_dispose(&p);
}

static void expect_not_in(const char *src, const char *want)
{
	struct md_page p;

	render(&p, src, "index.md");
	assert_lacks(p.html, want);
	md_page_dispose(&p);
}

static void test_markdown__gfm_tables_tasks_strike_autolinks(void **state)
{
	(void)state;
	expect_html("| a | b |\n|---|:-:|\n| 1 | ~~2~~ |\n", "index.md",
		"<table>\n<thead>\n<tr>\n<th>a</th>\n<th align=\"center\">b</th>\n</tr>\n</thead>\n"
		"<tbody>\n<tr>\n<td>1</td>\n<td align=\"center\"><del>2</del></td>\n</tr>\n</tbody>\n"
		"</table>\n");
	expect_html("- [x] done\n- [ ] todo\n", "index.md",
		"<ul>\n<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> done</li>\n"
		"<li><input type=\"checkbox\" disabled=\"\" /> todo</li>\n</ul>\n");
	expect_html("see www.example.com and https://x.org/a\n", "index.md",
		"<p>see <a href=\"http://www.example.com\">www.example.com</a> and "
		"<a href=\"https://x.org/a\">https://x.org/a</a></p>\n");
	expect_html("~/.config stays\n", "index.md", "<p>~/.config stays</p>\n");
}

static void test_markdown__footnotes_and_code_fences(void **state)
{
	(void)state;
	expect_in("Text[^1].\n\n[^1]: The note.\n", "index.md",
		"<sup class=\"footnote-ref\"><a href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup>");
	expect_in("Text[^1].\n\n[^1]: The note.\n", "index.md", "<li id=\"fn-1\">\n<p>The note.");
	expect_html("```c title=\"x.c\"\nint <x>;\n```\n", "index.md",
		"<pre><code class=\"language-c\">int &lt;x&gt;;\n</code></pre>\n");
	expect_html("```mermaid\ngraph TD\n```\n", "index.md",
		"<pre><code class=\"language-mermaid\">graph TD\n</code></pre>\n");
}

static void test_markdown__admonitions(void **state)
{
	(void)state;
	expect_html("!!! note\n    Body **bold**.\n", "index.md",
		"<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n"
		"<p>Body <strong>bold</strong>.</p>\n</div>\n");
	expect_html("!!! warning \"Mind <this>\"\n    A\n\n    B\n\nafter\n", "index.md",
		"<div class=\"admonition warning\">\n<p class=\"admonition-title\">Mind &lt;this&gt;</p>\n"
		"<p>A</p>\n<p>B</p>\n</div>\n<p>after</p>\n");
	expect_html("!!! tip \"\"\n\tNo title.\n", "index.md",
		"<div class=\"admonition tip\">\n<p>No title.</p>\n</div>\n");
	expect_html("!!! note\n    Outer\n\n    !!! danger \"Inner\"\n        Deep\n", "index.md",
		"<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n<p>Outer</p>\n"
		"<div class=\"admonition danger\">\n<p class=\"admonition-title\">Inner</p>\n"
		"<p>Deep</p>\n</div>\n</div>\n");
	expect_html("!!! Note inline end\n    x\n", "index.md",
		"<div class=\"admonition note inline end\">\n<p class=\"admonition-title\">Note</p>\n"
		"<p>x</p>\n</div>\n");
	expect_html("!!! note\n    ```\n    !!! not an admonition\n    ```\n", "index.md",
		"<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n"
		"<pre><code>!!! not an admonition\n</code></pre>\n</div>\n");
}

static void test_markdown__admonitions_inside_list_items(void **state)
{
	(void)state;
	expect_html("1. Step\n\n    !!! note\n        Inside.\n\n    More.\n\n2. Next\n", "index.md",
		"<ol>\n<li>\n<p>Step</p>\n<div class=\"admonition note\">\n"
		"<p class=\"admonition-title\">Note</p>\n<p>Inside.</p>\n</div>\n<p>More.</p>\n</li>\n"
		"<li>\n<p>Next</p>\n</li>\n</ol>\n");
	/* In a list item's fence, and as top-level indented code: text. */
	expect_html("- a\n\n    ```\n    !!! note\n        x\n    ```\n", "index.md",
		"<ul>\n<li>\n<p>a</p>\n<pre><code>!!! note\n    x\n</code></pre>\n</li>\n</ul>\n");
	expect_html("text\n\n    !!! note\n        x\n", "index.md",
		"<p>text</p>\n<pre><code>!!! note\n    x\n</code></pre>\n");
}

static void test_markdown__collapsible_details(void **state)
{
	(void)state;
	expect_html("??? tip \"More\"\n    Hidden.\n", "index.md",
		"<details class=\"tip\">\n<summary>More</summary>\n<p>Hidden.</p>\n</details>\n");
	expect_html("???+ bug\n    Open.\n", "index.md",
		"<details class=\"bug\" open=\"open\">\n<summary>Bug</summary>\n<p>Open.</p>\n</details>\n");
}

static void test_markdown__tabs_form_one_set(void **state)
{
	(void)state;
	expect_html("=== \"C\"\n    c code\n\n=== \"Go\"\n    go code\n\nafter\n", "index.md",
		"<div class=\"tabbed-set\">\n<div class=\"tabbed-block\" data-tab=\"C\">\n<p>c code</p>\n"
		"</div>\n<div class=\"tabbed-block\" data-tab=\"Go\">\n<p>go code</p>\n</div>\n</div>\n"
		"<p>after</p>\n");
	expect_html("=== \"A\"\n    a\n===! \"B\"\n    b\n", "index.md",
		"<div class=\"tabbed-set\">\n<div class=\"tabbed-block\" data-tab=\"A\">\n<p>a</p>\n"
		"</div>\n</div>\n<div class=\"tabbed-set\">\n<div class=\"tabbed-block\" data-tab=\"B\">\n"
		"<p>b</p>\n</div>\n</div>\n");
}

static void test_markdown__github_alerts(void **state)
{
	(void)state;
	expect_html("> [!NOTE]\n> Read *this*.\n> More.\n\nafter\n", "index.md",
		"<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n"
		"<p>Read <em>this</em>.\nMore.</p>\n</div>\n<p>after</p>\n");
	expect_in("> [!caution]\n> x\n", "index.md",
		"<div class=\"admonition caution\">\n<p class=\"admonition-title\">Caution</p>");
	expect_html("> [!OTHER]\n> x\n", "index.md",
		"<blockquote>\n<p>[!OTHER]\nx</p>\n</blockquote>\n");
}

static void test_markdown__heading_ids_duplicates_and_custom(void **state)
{
	struct md_page p;
	char *toc;

	(void)state;
	render(&p, "# Title\n\n## Install it!\n\n## Install it!\n\n## Install it!\n\n"
		"### Deep {#custom-id}\n\n## Café & Crème\n\n## x_1\n\n## x_1\n", "index.md");
	assert_has(p.html, "<h1 id=\"title\">Title<a class=\"headerlink\" href=\"#title\" "
		"title=\"Permanent link\">\xc2\xb6</a></h1>");
	assert_has(p.html, "<h2 id=\"install-it\">Install it!<a class=\"headerlink\" "
		"href=\"#install-it\" title=\"Permanent link\">\xc2\xb6</a></h2>");
	assert_has(p.html, "<h2 id=\"install-it_1\">");
	assert_has(p.html, "<h2 id=\"install-it_2\">");
	assert_has(p.html, "<h3 id=\"custom-id\">Deep<a class=\"headerlink\" href=\"#custom-id\"");
	assert_has(p.html, "<h2 id=\"cafe-creme\">Caf\xc3\xa9 &amp; Cr\xc3\xa8me<a");
	assert_has(p.html, "<h2 id=\"x_1\">");
	assert_has(p.html, "<h2 id=\"x_2\">");
	assert_string_equal(p.title, "Title");
	toc = json_dumps(p.toc, JSON_COMPACT);
	assert_string_equal(toc,
		"[{\"level\":1,\"id\":\"title\",\"title\":\"Title\"},"
		"{\"level\":2,\"id\":\"install-it\",\"title\":\"Install it!\"},"
		"{\"level\":2,\"id\":\"install-it_1\",\"title\":\"Install it!\"},"
		"{\"level\":2,\"id\":\"install-it_2\",\"title\":\"Install it!\"},"
		"{\"level\":3,\"id\":\"custom-id\",\"title\":\"Deep\"},"
		"{\"level\":2,\"id\":\"cafe-creme\",\"title\":\"Caf\xc3\xa9 & Cr\xc3\xa8me\"},"
		"{\"level\":2,\"id\":\"x_1\",\"title\":\"x_1\"},"
		"{\"level\":2,\"id\":\"x_2\",\"title\":\"x_1\"}]");
	free(toc);
	md_page_dispose(&p);
	expect_in("## Styled {: #s .wide }\n", "index.md", "<h2 id=\"s\" class=\"wide\">Styled<a");
	expect_in("## `code` and *em*\n", "index.md",
		"<h2 id=\"code-and-em\"><code>code</code> and <em>em</em><a");
	expect_in("##\n", "index.md", "<h2 id=\"_1\"><a class=\"headerlink\" href=\"#_1\"");
}

static void test_markdown__links_from_the_index_page(void **state)
{
	(void)state;
	expect_html("[a](setup.md) [b](guides/index.md) [c](guides/ops/runbook.md#restart) "
		"[d](./api.md) ![i](img/a.png) [e](#frag) [f](https://x.org/a.md) "
		"[g](mailto:a@b.c) [h](/abs/x.md) [k](README.md)\n", "index.md",
		"<p><a href=\"setup/\">a</a> <a href=\"guides/\">b</a> "
		"<a href=\"guides/ops/runbook/#restart\">c</a> <a href=\"api/\">d</a> "
		"<img src=\"img/a.png\" alt=\"i\" /> <a href=\"#frag\">e</a> "
		"<a href=\"https://x.org/a.md\">f</a> <a href=\"mailto:a@b.c\">g</a> "
		"<a href=\"/abs/x.md\">h</a> <a href=\"./\">k</a></p>\n");
}

static void test_markdown__links_from_a_nested_page(void **state)
{
	(void)state;
	expect_html("[r](ops/runbook.md) [h](../index.md) [s](ops/runbook.md#restart) "
		"![a](../img/arch.png) [self](setup.md#top) [q](../api.md?x=1#auth) "
		"[i](index.md)\n", "guides/setup.md",
		"<p><a href=\"../ops/runbook/\">r</a> <a href=\"../../\">h</a> "
		"<a href=\"../ops/runbook/#restart\">s</a> <img src=\"../../img/arch.png\" alt=\"a\" /> "
		"<a href=\"./#top\">self</a> <a href=\"../../api/?x=1#auth\">q</a> "
		"<a href=\"../\">i</a></p>\n");
	expect_html("![x](img/a.png) [y](other.md)\n", "setup.md",
		"<p><img src=\"../img/a.png\" alt=\"x\" /> <a href=\"../other/\">y</a></p>\n");
	expect_html("![x](img/a.png) [y](../x.md)\n", "guides/index.md",
		"<p><img src=\"img/a.png\" alt=\"x\" /> <a href=\"../x/\">y</a></p>\n");
}

static void test_markdown__link_outside_the_docs_warns(void **state)
{
	struct md_page p;
	char *w;

	(void)state;
	render(&p, "line one\n\n[up](../../x.md)\n", "a.md");
	assert_has(p.html, "<a href=\"../../x.md\">up</a>");
	w = json_dumps(p.warnings, JSON_COMPACT);
	assert_string_equal(w, "[{\"line\":3,\"message\":\"link '../../x.md' points outside the docs\"}]");
	free(w);
	md_page_dispose(&p);
}

static void test_markdown__sanitiser_removes_scripts_and_handlers(void **state)
{
	(void)state;
	expect_html("<script>alert(1)</script>\n\nok\n", "index.md", "\n<p>ok</p>\n");
	expect_html("a <script>evil()</script> b\n", "index.md", "<p>a  b</p>\n");
	expect_html("<img src=\"x.png\" onerror=\"alert(1)\" alt=\"x\">\n", "index.md",
		"<img src=\"x.png\" alt=\"x\">\n");
	expect_html("<a href=\"javascript:alert(1)\" title=\"t\">x</a>\n", "index.md",
		"<p><a title=\"t\">x</a></p>\n");
	expect_html("<a href=\"&#106;ava&#x09;script&#58;alert(1)\">x</a>\n", "index.md",
		"<p><a>x</a></p>\n");
	expect_html("<a href=\" JaVaScRiPt:alert(1)\">x</a> <a href=\"vbscript:x\">y</a>\n",
		"index.md", "<p><a>x</a> <a>y</a></p>\n");
	expect_html("[x](javascript:alert(1)) ![y](data:text/html;base64,AA)\n", "index.md",
		"<p><a href=\"\">x</a> <img src=\"\" alt=\"y\" /></p>\n");
	expect_html("<iframe src=\"https://evil\">inner <b>x</b></iframe>\n\nok\n", "index.md",
		"\n<p>ok</p>\n");
	expect_html("<style>body{display:none}</style>\n\nok\n", "index.md", "\n<p>ok</p>\n");
	expect_html("x <style>p{}</style> y\n", "index.md", "<p>x  y</p>\n");
	expect_html("<object data=x><param name=a></object><embed src=x><form><input></form>"
		"<svg><script>x</script></svg>\n", "index.md", "<p></p>\n");
	expect_not_in("<svg><g onload=alert(1)><text>hi</text></g></svg>\n", "hi");
}

static void test_markdown__sanitiser_keeps_allowed_markup(void **state)
{
	(void)state;
	expect_html("<div class=\"c\" data-x=\"1\" style=\"color:red\" id=\"d\"><b>b</b> <kbd>K</kbd>"
		"</div>\n", "index.md",
		"<div class=\"c\" data-x=\"1\" id=\"d\"><b>b</b> <kbd>K</kbd></div>\n");
	expect_html("<img src=\"data:image/png;base64,AAAA\" alt=\"p\">"
		"<img src=\"data:image/svg+xml;base64,AA\">\n", "index.md",
		"<p><img src=\"data:image/png;base64,AAAA\" alt=\"p\"><img></p>\n");
	expect_html("<span title=\"&#233;&#x1F600;&colon;&amp;\">t</span>\n", "index.md",
		"<p><span title=\"\xc3\xa9\xf0\x9f\x98\x80&amp;colon;&amp;\">t</span></p>\n");
	expect_html("<a href=\"data:image/png;base64,AA\">x</a>\n", "index.md", "<p><a>x</a></p>\n");
	expect_html("<details open>\n<summary>Sum</summary>\n\nInside *md*.\n\n</details>\n",
		"index.md", "<details open>\n<summary>Sum</summary>\n<p>Inside <em>md</em>.</p>\n"
		"</details>\n");
	expect_html("<custom a=1>x</custom> &amp; 1 < 2\n", "index.md",
		"<p>&lt;custom a=1&gt;x&lt;/custom&gt; &amp; 1 &lt; 2</p>\n");
	expect_html("<table><tr><td colspan=\"2\" onclick=\"x\">c</td></tr></table>\n", "index.md",
		"<table><tr><td colspan=\"2\">c</td></tr></table>\n");
}

static void test_markdown__sanitiser_balances_raw_tags(void **state)
{
	(void)state;
	/* A stray end tag cannot close the page's own elements; an open one is
	 * closed at the end of its admonition and of the page. */
	expect_html("</div></div>\n\ntext\n", "index.md", "\n<p>text</p>\n");
	expect_html("!!! note\n    <div><span>open\n\nafter\n", "index.md",
		"<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n"
		"<div><span>open\n</span></div></div>\n<p>after</p>\n");
	expect_html("<div>\n\nx\n", "index.md", "<div>\n<p>x</p>\n</div>\n");
}

static void test_markdown__marker_comments_cannot_be_forged(void **state)
{
	(void)state;
	expect_html("<!--sh-->\n\nx\n", "index.md", "\n<p>x</p>\n");
}

static void test_markdown__sections_and_title(void **state)
{
	struct md_page p;
	char *s;

	(void)state;
	render(&p, "# Guide\n\nIntro *with*   `code`.\n\n## Setup\n\nStep\none.\n\n"
		"```sh\nmake\n```\n\n### Deeper\n\n- a\n- b\n\n<script>no</script>\n", "index.md");
	assert_string_equal(p.title, "Guide");
	s = json_dumps(p.sections, JSON_COMPACT);
	assert_string_equal(s,
		"[{\"id\":\"\",\"title\":\"Guide\",\"text\":\"Intro with code.\"},"
		"{\"id\":\"setup\",\"title\":\"Setup\",\"text\":\"Step one. make\"},"
		"{\"id\":\"deeper\",\"title\":\"Deeper\",\"text\":\"a b\"}]");
	free(s);
	md_page_dispose(&p);
	render(&p, "no heading here\n", "index.md");
	assert_null(p.title);
	s = json_dumps(p.sections, JSON_COMPACT);
	assert_string_equal(s, "[{\"id\":\"\",\"title\":\"\",\"text\":\"no heading here\"}]");
	free(s);
	md_page_dispose(&p);
}

static void test_markdown__section_text_is_capped(void **state)
{
	struct md_page p;
	size_t n = 100000;
	char *src = malloc(n + 1);
	const char *text;

	(void)state;
	for (size_t i = 0; i < n; i++)
		src[i] = i % 2 ? '\xa9' : '\xc2'; /* "©" repeated */
	src[n] = '\0';
	render(&p, src, "index.md");
	text = json_string_value(json_object_get(json_array_get(p.sections, 0), "text"));
	assert_true(strlen(text) <= 32 * 1024);
	assert_true(strlen(text) >= 32 * 1024 - 4);
	assert_true(json_string_length(json_object_get(json_array_get(p.sections, 0), "text")) % 2 == 0);
	md_page_dispose(&p);
	free(src);
}

static void test_markdown__warnings_carry_source_lines(void **state)
{
	struct md_page p;
	char *w;

	(void)state;
	render(&p, "intro\n\n!!! fancy\n    x\n\n!!! note\n\n!!! note\n    ```\n    code\n\n"
		"<script>x</script>\n", "index.md");
	w = json_dumps(p.warnings, JSON_COMPACT);
	assert_string_equal(w,
		"[{\"line\":3,\"message\":\"unknown admonition type 'fancy'\"},"
		"{\"line\":6,\"message\":\"admonition without an indented body\"},"
		"{\"line\":10,\"message\":\"unclosed code fence in an indented block\"},"
		"{\"line\":12,\"message\":\"removed <script> element\"}]");
	free(w);
	assert_has(p.html, "<div class=\"admonition fancy\">");
	md_page_dispose(&p);
}

static void test_markdown__invalid_utf8_and_nul_are_replaced(void **state)
{
	struct md_page p;
	struct md_opts o = { "index.md" };
	struct sh_err err;
	const char src[] = "# A\xff" "b\n\nx\0y\n";

	(void)state;
	assert_int_equal(md_render(&p, src, sizeof(src) - 1, &o, &err), 0);
	assert_has(p.html, "A\xef\xbf\xbd" "b");
	assert_has(p.html, "x\xef\xbf\xbdy");
	assert_string_equal(p.title, "A\xef\xbf\xbd" "b");
	md_page_dispose(&p);
}

static void test_markdown__oversized_page_is_an_input_error(void **state)
{
	struct md_page p;
	struct md_opts o = { "index.md" };
	struct sh_err err;
	size_t n = (16u << 20) + 1;
	char *src = calloc(1, n);

	(void)state;
	assert_int_equal(md_render(&p, src, n, &o, &err), SH_EINPUT);
	assert_int_equal(err.code, SH_EINPUT);
	assert_null(p.html);
	assert_null(p.toc);
	md_page_dispose(&p); /* safe on an empty page */
	free(src);
}

static void test_markdown__page_url(void **state)
{
	static const char *const cases[][2] = {
		{ "index.md", "" }, { "setup.md", "setup/" }, { "guides/index.md", "guides/" },
		{ "guides/ops/runbook.md", "guides/ops/runbook/" }, { "README.md", "" },
		{ "a/README.md", "a/" }, { "./a/./b.md", "a/b/" }, { "a/../c.markdown", "c/" },
		{ "Index.MD", "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *u = md_page_url(cases[i][0]);
		assert_string_equal(u, cases[i][1]);
		free(u);
	}
}

static void test_markdown__slugify(void **state)
{
	static const char *const cases[][2] = {
		{ "Hello World", "hello-world" }, { "  Trim  me ", "trim-me" },
		{ "Install it!", "install-it" }, { "a -- b", "a-b" }, { "C++ & Rust?", "c-rust" },
		{ "snake_case", "snake_case" }, { "Café Crème", "cafe-creme" }, { "Łódź", "odz" },
		{ "日本語", "" }, { "-lead", "-lead" }, { "tab\there", "tab-here" }, { "", "" },
		{ "IJssel ĳ", "ijssel-ij" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = md_slugify(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void test_markdown__pathological_inputs_finish(void **state)
{
	size_t n = 200000;
	char *src = malloc(n * 5 + 1);
	struct md_page p;
	uint64_t t0;

	(void)state;
	memset(src, '>', n);
	src[n] = '\0';
	t0 = sh_now_ns();
	render(&p, src, "index.md"); /* 200k nested quotes: no recursion */
	md_page_dispose(&p);
	for (size_t i = 0; i < n; i++)
		memcpy(src + i * 5, i % 2 ? "<div>" : "<b>x ", 5);
	src[n * 5] = '\0';
	render(&p, src, "index.md");
	md_page_dispose(&p);
	{
		struct sh_buf b = SH_BUF_INIT;
		for (int d = 0; d < 100; d++) {
			for (int k = 0; k < d * 4; k++)
				sh_buf_putc(&b, ' ');
			sh_buf_puts(&b, "!!! note\n");
		}
		render(&p, b.ptr, "index.md");
		assert_has(p.html, "admonition note");
		md_page_dispose(&p);
		sh_buf_dispose(&b);
	}
	{
		struct sh_buf b = SH_BUF_INIT;
		for (int k = 0; k < 20000; k++)
			sh_buf_puts(&b, "## Same\n\n<input>\n\n");
		render(&p, b.ptr, "index.md"); /* equal headings: linear ids */
		assert_has(p.html, "<h2 id=\"same_19999\">");
		assert_int_equal(json_array_size(p.warnings), 101); /* capped */
		md_page_dispose(&p);
		sh_buf_dispose(&b);
		sh_buf_puts(&b, "<div>\n");
		for (int k = 0; k < 100000; k++)
			sh_buf_puts(&b, "<a x=\" ");
		render(&p, b.ptr, "index.md"); /* unclosed quotes: linear scans */
		assert_has(p.html, "&lt;a x=&quot; &lt;a");
		md_page_dispose(&p);
		sh_buf_dispose(&b);
	}
	free(src);
	/* Quadratic work would take minutes; linear takes well under a second
	 * (seconds under valgrind on a busy machine). */
	assert_true(sh_now_ns() - t0 < 50ull * 1000 * 1000 * 1000);
}

static void test_markdown__crlf_and_braces_in_headings(void **state)
{
	(void)state;
	expect_html("!!! note\r\n    CRLF body\r\n\r\n## Set {x}\r\n## Empty {}\r\n", "index.md",
		"<div class=\"admonition note\">\n<p class=\"admonition-title\">Note</p>\n"
		"<p>CRLF body</p>\n</div>\n"
		"<h2 id=\"set-x\">Set {x}<a class=\"headerlink\" href=\"#set-x\" "
		"title=\"Permanent link\">\xc2\xb6</a></h2>\n"
		"<h2 id=\"empty\">Empty {}<a class=\"headerlink\" href=\"#empty\" "
		"title=\"Permanent link\">\xc2\xb6</a></h2>\n");
}

static void *render_many(void *arg)
{
	const char *src = "# T\n\n!!! note\n    [x](a.md) <b>b</b><script>x</script>\n\n## H\n## H\n";
	const char *want = (const char *)arg;

	for (int i = 0; i < 300; i++) {
		struct md_page p;
		struct md_opts o = { "guides/setup.md" };
		struct sh_err err;
		if (md_render(&p, src, strlen(src), &o, &err) != 0 || strcmp(p.html, want) != 0)
			return (void *)1;
		md_page_dispose(&p);
	}
	return NULL;
}

static void test_markdown__threads_render_alike(void **state)
{
	const char *src = "# T\n\n!!! note\n    [x](a.md) <b>b</b><script>x</script>\n\n## H\n## H\n";
	struct md_page first;
	pthread_t t[4];
	void *bad;

	(void)state;
	render(&first, src, "guides/setup.md"); /* registers cmark's extensions */
	assert_has(first.html, "<a href=\"../a/\">x</a> <b>b</b>");
	assert_has(first.html, "<h2 id=\"h_1\">");
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, render_many, first.html), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
	md_page_dispose(&first);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markdown__gfm_tables_tasks_strike_autolinks),
		cmocka_unit_test(test_markdown__footnotes_and_code_fences),
		cmocka_unit_test(test_markdown__admonitions),
		cmocka_unit_test(test_markdown__admonitions_inside_list_items),
		cmocka_unit_test(test_markdown__collapsible_details),
		cmocka_unit_test(test_markdown__tabs_form_one_set),
		cmocka_unit_test(test_markdown__github_alerts),
		cmocka_unit_test(test_markdown__heading_ids_duplicates_and_custom),
		cmocka_unit_test(test_markdown__links_from_the_index_page),
		cmocka_unit_test(test_markdown__links_from_a_nested_page),
		cmocka_unit_test(test_markdown__link_outside_the_docs_warns),
		cmocka_unit_test(test_markdown__sanitiser_removes_scripts_and_handlers),
		cmocka_unit_test(test_markdown__sanitiser_keeps_allowed_markup),
		cmocka_unit_test(test_markdown__sanitiser_balances_raw_tags),
		cmocka_unit_test(test_markdown__marker_comments_cannot_be_forged),
		cmocka_unit_test(test_markdown__sections_and_title),
		cmocka_unit_test(test_markdown__section_text_is_capped),
		cmocka_unit_test(test_markdown__warnings_carry_source_lines),
		cmocka_unit_test(test_markdown__invalid_utf8_and_nul_are_replaced),
		cmocka_unit_test(test_markdown__oversized_page_is_an_input_error),
		cmocka_unit_test(test_markdown__page_url),
		cmocka_unit_test(test_markdown__slugify),
		cmocka_unit_test(test_markdown__pathological_inputs_finish),
		cmocka_unit_test(test_markdown__crlf_and_braces_in_headings),
		cmocka_unit_test(test_markdown__threads_render_alike),
	};
	RUN_TESTS(tests, argc, argv);
}
