/*
 * TechDocs Markdown: any page renders without crashing, leaking or hanging,
 * and the sanitiser's promises hold on the output: no script, style,
 * iframe, object, embed, form or svg element, no input but cmark's task
 * list checkboxes, no javascript: URL in an attribute. The first byte picks
 * the page's path (links are rewritten relative to it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../src/techdocs/markdown.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const pages[] = { "index.md", "setup.md", "guides/index.md",
	"guides/ops/runbook.md" };

static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

static void check_html(const char *html)
{
	static const char *const banned[] = { "<script", "<style", "<iframe", "<object", "<embed",
		"<form", "<svg", "<math", "<textarea", "=\"javascript:", "=\"vbscript:" };
	const char *p;

	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (find_ci(html, banned[i]) != NULL)
			__builtin_trap();
	for (p = html; (p = strstr(p, "<input")) != NULL; p++)
		if (strncmp(p, "<input type=\"checkbox\"", 22) != 0)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct md_opts opts = { pages[0] };
	struct md_page page;
	struct sh_err err;

	if (size > 0) {
		opts.page_path = pages[data[0] % 4];
		data++;
		size--;
	}
	if (md_render(&page, (const char *)data, size, &opts, &err) != 0)
		__builtin_trap(); /* only an oversized page may fail */
	if (page.html == NULL || !json_is_array(page.toc) || !json_is_array(page.sections) ||
		!json_is_array(page.warnings) || json_array_size(page.sections) < 1)
		__builtin_trap();
	check_html(page.html);
	md_page_dispose(&page);
	return 0;
}
