/*
 * tmpl: the scaffolder's template language, a sandboxed interpreter of the
 * Nunjucks subset that Backstage templates use.
 *
 * Two entry points share one lexer, parser and evaluator:
 *  - tmpl_render: a whole text (a skeleton file, a file or folder name):
 *    `${{ expr }}` output (or `{{ expr }}` in cookiecutter mode), `{% if %}`
 *    / `{% elif %}` / `{% else %}` / `{% endif %}`, `{% for x in xs %}` /
 *    `{% for k, v in obj %}` with `loop.index`, `loop.index0`, `loop.first`,
 *    `loop.last`, `loop.length`, `{% else %}` in for, `{% set x = e %}`,
 *    `{% raw %}…{% endraw %}`, `{# comments #}`, `{%-` / `-%}` and `${{-` /
 *    `-}}` whitespace control, and the trimBlocks / lstripBlocks options.
 *  - tmpl_render_value: a JSON value from a step's `input`, `if`, `each` or
 *    the template's `output`, with Backstage's rules (spec/scaffolder.md 2.1).
 *
 * Expressions: literals (numbers, 'single' / "double" strings with escapes,
 * true/false/null/none, [lists], {dicts: ...}), variables, `.member`,
 * `[index]`, calls of filters `x | f(args)` and of a few JS-like methods on
 * values (`s.toUpperCase()`, `toLowerCase`, `trim`, `split`, `includes`,
 * `startsWith`, `endsWith`, `replace`, `indexOf`, `slice`, `join`, and the
 * `length` property), arithmetic (+ - * / // % **), `~` concatenation,
 * comparisons (== != === !== < > <= >=), `in` / `not in`, `and`, `or`,
 * `not`, `is` tests (defined, undefined, none/null, number, string, odd,
 * even, divisibleby(n), eq(x), truthy/falsy), inline `a if cond else b`,
 * parentheses, and the globals range(), failure() and always().
 *
 * Undefined is a value of its own: an undefined variable or member renders
 * as "" and is falsy; tmpl_render_value returns NULL for it.
 *
 * It is a sandbox: no file, network or process access; every evaluation
 * has a step budget (loop iterations, filter calls, nodes evaluated), a
 * nesting limit and an output-size limit, and exceeding them is an error.
 * Errors name the template (name), the line and the expression.
 *
 * Thread-safe: no global state; ctx values are only read.
 */
#ifndef STAGEHAND_SCAFFOLDER_TMPL_H
#define STAGEHAND_SCAFFOLDER_TMPL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "stagehand/util.h"

/* Where a parseRepoUrl host points: returns the integration's type
 * ("github", "gitlab", "bitbucketCloud", "bitbucketServer", "azure",
 * "gitea", "gerrit", or another string for a generic git host), or NULL when
 * no integration is configured for host (parseRepoUrl then fails). */
typedef const char *(*tmpl_scm_type_fn)(void *ctx, const char *host);

struct tmpl_opts {
	bool cookiecutter;     /* delimiters {{ }} instead of ${{ }}; adds jsonify */
	bool trim_blocks;      /* drop the first newline after a block tag */
	bool lstrip_blocks;    /* strip spaces/tabs before a block tag on its line */
	bool failed;           /* what the failure() global returns */
	size_t max_output;     /* bytes one render may produce; 0 = 16 MiB */
	size_t max_steps;      /* evaluation budget; 0 = 1,000,000 */
	tmpl_scm_type_fn scm_type; /* NULL: only "github.com" is known (github) */
	void *scm_ctx;
};

/*
 * Render src[0..len) as a text template with the top-level variables of the
 * JSON object ctx (borrowed). name is used in error messages (a file path,
 * "input.url", ...). On success *out is a NUL-terminated heap string the
 * caller frees and *out_len its length. On failure returns SH_EINPUT with a
 * message like `skeleton/README.md:3: unknown filter "lowr" in
 * ${{ values.name | lowr }}` (or SH_ETOOLARGE for the output limit), and
 * *out is NULL.
 */
int tmpl_render(char **out, size_t *out_len, const char *src, size_t len, const json_t *ctx,
	const struct tmpl_opts *opts, const char *name, struct sh_err *err) SH_WUR;

/*
 * Render a JSON value (borrowed) with Backstage's rules: objects and arrays
 * are walked; each string leaf that is exactly one `${{ expr }}` becomes the
 * expression's JSON value; exactly one `{% … %}` block renders and is
 * JSON-parsed when the text is valid JSON; anything else renders to a
 * string (objects print as "[object Object]", arrays comma-joined). An
 * undefined or empty result removes the key (or returns NULL at the top).
 * A string whose rendering fails is kept unchanged. Returns a new reference
 * (caller decrefs) or NULL for undefined. The result may share sub-values
 * with v and ctx (a lone `${{ parameters.obj }}` returns that very object,
 * increfed): treat it as read-only, or json_deep_copy it before changing it.
 * An empty string leaf counts as empty text and is removed too.
 */
json_t *tmpl_render_value(const json_t *v, const json_t *ctx, const struct tmpl_opts *opts);

/*
 * Evaluate one expression (no delimiters; a value wrapped in `${{ }}` is
 * unwrapped first) as a condition: Backstage's truthiness for `if:` (false,
 * undefined, null, "", 0, NaN and [] are false). Returns 0 and *out, or
 * SH_EINPUT with err set on a syntax or evaluation error.
 */
int tmpl_eval_bool(bool *out, const char *expr, const json_t *ctx,
	const struct tmpl_opts *opts, struct sh_err *err) SH_WUR;

/* Whether s contains template syntax (`${{`, `{%`, `{#`; `{{` too in
 * cookiecutter mode) and so needs rendering at all. */
bool tmpl_has_syntax(const char *s, size_t len, bool cookiecutter);

/* The filters this engine knows, for GET /v2/templating-extensions: an
 * object {name: {description, examples: [{description?, example,
 * notes?}]}} of the Backstage-specific ones (parseRepoUrl, parseEntityRef,
 * pick, projectSlug). New reference. */
json_t *tmpl_extensions(void);

#endif
