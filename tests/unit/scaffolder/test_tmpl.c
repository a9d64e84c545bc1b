/* The template engine: Nunjucks semantics with ${{ }} delimiters, and
 * Backstage's rules for rendering values. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../harness.h"
#include "../../../src/scaffolder/tmpl.h"

static const char ctx_text[] =
	"{\"values\":{\"name\":\"My-Service\",\"n\":5,\"f\":0.1,\"t\":true,\"no\":false,"
	"\"empty\":\"\",\"nul\":null,\"list\":[\"a\",\"b\",\"c\"],\"nums\":[3,1,2],"
	"\"nested\":[[1,2],[3,[4,null]]],\"obj\":{\"x\":1,\"y\":\"two\"},\"s123\":\"123\","
	"\"repoUrl\":\"github.com?owner=acme&repo=web\",\"owner\":\"group:default/team-a\","
	"\"people\":[{\"name\":\"b\",\"age\":30,\"team\":\"x\"},{\"name\":\"a\",\"age\":20,"
	"\"team\":\"y\"},{\"name\":\"c\",\"age\":40,\"team\":\"x\"}],\"useDb\":false,"
	"\"words\":\"hello big world\",\"html\":\"<b>x</b> & 'y'\"}}";

/* Render src; errors come back as "ERR:<message>". Caller frees. */
static char *render_opts(const char *src, const struct tmpl_opts *o)
{
	json_t *ctx = json_loads(ctx_text, 0, NULL);
	struct sh_err err;
	char *out = NULL;
	size_t len;

	assert_non_null(ctx);
	if (tmpl_render(&out, &len, src, strlen(src), ctx, o, "t.txt", &err) != 0) {
		assert_null(out);
		out = sh_asprintf("ERR:%s", err.msg);
	} else {
		assert_int_equal(strlen(out), len);
	}
	json_decref(ctx);
	return out;
}

#define check_opts(o, src, want) do { \
		char *got_ = render_opts((src), (o)); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)
#define check(src, want) check_opts(NULL, src, want)

/* The error message starts with want. */
#define check_err(src, want) do { \
		char *got_ = render_opts((src), NULL); \
		if (strncmp(got_, "ERR:" want, strlen("ERR:" want)) != 0) \
			fail_msg("got %s, want ERR:%s", got_, want); \
		free(got_); \
	} while (0)

/* tmpl_render_value of the JSON text in, compared as compact JSON
 * ("<undefined>" for NULL). */
static char *value_of(const char *in, const struct tmpl_opts *o)
{
	json_t *ctx = json_loads(ctx_text, 0, NULL), *v = json_loads(in, JSON_DECODE_ANY, NULL);
	json_t *r;
	char *s;

	assert_non_null(v);
	r = tmpl_render_value(v, ctx, o);
	s = r ? json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("<undefined>");
	json_decref(r);
	json_decref(v);
	json_decref(ctx);
	return s;
}

#define check_value(in, want) do { \
		char *got_ = value_of((in), NULL); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)

static bool eval_bool(const char *expr, bool failed, int *rc)
{
	json_t *ctx = json_loads(ctx_text, 0, NULL);
	struct tmpl_opts o = { .failed = failed };
	struct sh_err err;
	bool b = false;

	*rc = tmpl_eval_bool(&b, expr, ctx, &o, &err);
	json_decref(ctx);
	return b;
}

static void test_tmpl__text_and_expressions(void **state)
{
	(void)state;
	check("", "");
	check("plain {{ text }} $ { {", "plain {{ text }} $ { {");
	check("Hello ${{ values.name }}!", "Hello My-Service!");
	check("${{values.name}}", "My-Service");
	check("${{ values.missing }}|${{ values.missing.deeper }}|${{ nothing }}", "||");
	check("${{ values.nul }}", "");
	check("${{ values.obj }}", "[object Object]");
	check("${{ values.list }}", "a,b,c");
	check("${{ values.nested }}", "1,2,3,4,");
	check("${{ values.t }} ${{ values.no }}", "true false");
	check("${{ values.obj.y }} ${{ values.obj['x'] }} ${{ values.list[1] }}", "two 1 b");
	check("${{ values.list.length }} ${{ values.name.length }}", "3 10");
	check("${{ 'it\\'s' }} ${{ \"a\\tb\" }}", "it's a\tb");
}

static void test_tmpl__numbers_print_as_javascript(void **state)
{
	(void)state;
	check("${{ 5 }} ${{ 5.0 }} ${{ 2.50 }} ${{ -3 }}", "5 5 2.5 -3");
	check("${{ 0.1 + 0.2 }}", "0.30000000000000004");
	check("${{ 10 ** 21 }} ${{ 10 ** 20 }} ${{ 1 / 3 }}", "1e+21 100000000000000000000 0.3333333333333333");
	check("${{ 1 / 0 }} ${{ -1 / 0 }} ${{ 0 / 0 }}", "Infinity -Infinity NaN");
	check("${{ 0.000001 }} ${{ 0.0000001 }}", "0.000001 1e-7");
	check("${{ values.f }} ${{ values.n }}", "0.1 5");
}

static void test_tmpl__operators(void **state)
{
	(void)state;
	check("${{ 1 + 2 * 3 }} ${{ (1 + 2) * 3 }} ${{ 7 // 2 }} ${{ 7 % 4 }} ${{ 2 ** 3 }}",
		"7 9 3 3 8");
	check("${{ 'a' + 'b' }} ${{ 'a' + 1 }} ${{ 1 + '1' }} ${{ 'a' ~ 1 ~ true }}", "ab a1 11 a1true");
	check("${{ 'a' * 3 }} ${{ '3' * '4' }}", "NaN 12");
	/* Nunjucks' own precedence: each arithmetic operator has a level. */
	check("${{ 2 * 5 % 3 }} ${{ 'a' + 1 - 1 }} ${{ 10 - 2 - 3 }} ${{ 2 ** 3 ** 2 }}",
		"4 a0 5 64");
	check("${{ 'x' + values.missing }} ${{ 'x' ~ values.nul }}", "xundefined xnull");
	check("${{ 1 == '1' }} ${{ 1 === '1' }} ${{ 1 != 2 }} ${{ null == values.missing }}",
		"true false true true");
	check("${{ 2 < 10 }} ${{ '2' < '10' }} ${{ 3 >= 3 }} ${{ 'b' > 'a' }}",
		"true false true true");
	check("${{ 'b' in values.list }} ${{ 'z' not in values.list }} ${{ 'ell' in 'hello' }} "
		"${{ 'x' in values.obj }}", "true true true true");
	check("${{ values.t and 'yes' }} ${{ values.no or 'fallback' }} ${{ not values.t }}",
		"yes fallback false");
	check("${{ 'a' if values.t else 'b' }}${{ 'c' if values.no }}", "a");
	check("${{ -values.n }} ${{ +'4' }}", "-5 4");
}

static void test_tmpl__literals(void **state)
{
	(void)state;
	check("${{ [1, 'a', [true, none]] | dump }}", "[1,\"a\",[true,null]]");
	check("${{ {a: 1, 'b c': [2]} | dump }}", "{\"a\":1,\"b c\":[2]}");
	check("${{ (1, 2) | dump }} ${{ null | dump }} ${{ True }}", "[1,2] null true");
}

static void test_tmpl__if_elif_else(void **state)
{
	(void)state;
	check("{% if values.t %}yes{% endif %}", "yes");
	check("{% if values.no %}yes{% else %}no{% endif %}", "no");
	check("{% if values.n > 10 %}big{% elif values.n > 3 %}mid{% elseif true %}x{% else %}small"
		"{% endif %}", "mid");
	check("{% if values.empty or values.nul or 0 %}t{% else %}f{% endif %}", "f");
	/* JS truthiness inside templates: [] and {} are true. */
	check("{% if [] %}t{% endif %}{% if {} %}t{% endif %}", "tt");
	check("{% if values.useDb %}db.c{% endif %}", "");
}

static void test_tmpl__for_loops(void **state)
{
	(void)state;
	check("{% for x in values.list %}${{ loop.index }}${{ x }}${{ ',' if not loop.last }}"
		"{% endfor %}", "1a,2b,3c");
	check("{% for x in values.list %}{% if loop.first %}[{% endif %}${{ loop.index0 }}"
		"${{ loop.revindex }}${{ loop.length }}{% endfor %}", "[033123213");
	check("{% for x in values.missing %}x{% else %}none{% endfor %}", "none");
	/* A loop object or member kept past its iteration keeps its values. */
	check("{% set l = none %}{% set i = none %}{% for x in [1, 2, 3] %}{% if loop.first %}{% set l = loop %}{% set i = loop.index %}"
		"{% endif %}{% endfor %}${{ l.index }}${{ l.first }}${{ i }}", "1true1");
	/* A variable first set inside a loop lives in the loop's frame. */
	check("{% for x in [1] %}{% set inner = 5 %}{% endfor %}[${{ inner }}]", "[]");
	check("{% for k, v in values.obj %}${{ k }}=${{ v }};{% endfor %}", "x=1;y=two;");
	check("{% for a, b in [[1, 2], [3, 4]] %}${{ a + b }}{% endfor %}", "37");
	check("{% for c in 'héllo' %}${{ c }}.{% endfor %}", "h.é.l.l.o.");
	check("{% for i in range(3) %}${{ i }}{% endfor %}|{% for i in range(1, 7, 2) %}${{ i }}"
		"{% endfor %}|{% for i in range(3, 0, -1) %}${{ i }}{% endfor %}", "012|135|321");
	check("{% for x in [1, 2] %}{% for y in [3, 4] %}${{ loop.index }}${{ x }}${{ y }} "
		"{% endfor %}${{ loop.index }};{% endfor %}", "113 214 1;123 224 2;");
}

static void test_tmpl__set(void **state)
{
	(void)state;
	check("{% set x = values.n * 2 %}${{ x }}", "10");
	check("{% set a, b = 1 %}${{ a }}${{ b }}", "11");
	check("{% set total = 0 %}{% for n in values.nums %}{% set total = total + n %}"
		"{% endfor %}${{ total }}", "6");
	check("{% set block %}hi ${{ values.name }}{% endset %}[${{ block | upper }}]",
		"[HI MY-SERVICE]");
}

static void test_tmpl__raw_and_comments(void **state)
{
	(void)state;
	check("{% raw %}${{ values.name }} {% if %}{% endraw %}", "${{ values.name }} {% if %}");
	check("a{# a comment ${{ x }} #}b", "ab");
	check("a {#- trim -#} b", "ab");
	check("{% raw -%}  x  {%- endraw %}", "x");
}

static void test_tmpl__whitespace_control(void **state)
{
	(void)state;
	check("a  ${{- values.n -}}  b", "a5b");
	check("a\n  {%- if true -%}\n  x\n  {%- endif %}\nb", "ax\nb");
	check("<\n{% for x in [1,2] %}\n${{ x }}\n{% endfor %}\n>", "<\n\n1\n\n2\n\n>");
}

static void test_tmpl__trim_and_lstrip_blocks(void **state)
{
	struct tmpl_opts trim = { .trim_blocks = true };
	struct tmpl_opts both = { .trim_blocks = true, .lstrip_blocks = true };

	(void)state;
	check_opts(&trim, "<\n{% for x in [1,2] %}\n${{ x }}\n{% endfor %}\n>", "<\n1\n2\n>");
	check_opts(&trim, "{% if true %}\r\nx{# c #}\ny{% endif %}", "x\ny");
	check_opts(&both, "<\n  {% for x in [1,2] %}\n  ${{ x }}\n  {% endfor %}\n>",
		"<\n  1\n  2\n>");
	check_opts(&both, "a {% if true %}b{% endif %}", "a b");
	check_opts(&both, "  {# c #}\n\t{% if true %}x{% endif %}", "  \nx");
}

static void test_tmpl__string_filters(void **state)
{
	(void)state;
	check("${{ values.name | lower }} ${{ values.name | upper }} ${{ 'hELLO wORLD' | capitalize }}",
		"my-service MY-SERVICE Hello world");
	check("${{ 'hello big world' | title }} ${{ '  x y  ' | trim }}|", "Hello Big World x y|");
	check("${{ values.name | replace('-', '_') }} ${{ 'aaa' | replace('a', 'b', 2) }} "
		"${{ 'ab' | replace('', '.') }}", "My_Service bba .a.b.");
	check("${{ 'a1b22' | replace(r/[0-9]+/g, '#') }} ${{ 'Abc' | replace(r/b/i, '[$&]') }} "
		"${{ 'x-y' | replace(r/(x)-(y)/, '$2$1') }}", "a#b# A[b]c yx");
	check("${{ values.words | truncate(9) }} ${{ values.words | truncate(9, true) }} "
		"${{ 'short' | truncate(9) }} ${{ values.words | truncate(9, true, '!') }}",
		"hello big... hello big... short hello big!");
	check("${{ values.words | wordcount }} ${{ 'abc' | reverse }} ${{ 'ab' | center(6) }}|",
		"3 cba   ab  |");
	check("${{ 'a\nb' | indent(2) }}|${{ 'a\nb' | indent(2, true) }}", "a\n  b|  a\n  b");
	check("${{ values.html | escape }} ${{ values.html | e }} ${{ values.html | safe }}",
		"&lt;b&gt;x&lt;/b&gt; &amp; &#39;y&#39; &lt;b&gt;x&lt;/b&gt; &amp; &#39;y&#39; "
		"<b>x</b> & 'y'");
	check("${{ '<p>Hi  <b>there</b></p>' | striptags }} ${{ 'a\nb' | nl2br }}",
		"Hi there a<br />\nb");
	check("${{ 'a b&c' | urlencode }} ${{ {a: 1, b: 'x y'} | urlencode }} ${{ [['k', 'v w'], "
		"['n', 2]] | urlencode }}", "a%20b%26c a=1&b=x%20y k=v%20w&n=2");
	check("${{ values.n | string }}${{ values.list | string }}", "5a,b,c");
	check("${{ 'see https://x.io/a, www.y.org and a.b@c.de or (z.com). z.com/x' | urlize }}",
		"see <a href=\"https://x.io/a\">https://x.io/a</a> <a href=\"http://www.y.org\">"
		"www.y.org</a> and <a href=\"mailto:a.b@c.de\">a.b@c.de</a> or (z.com). "
		"<a href=\"http://z.com/x\">z.com/x</a>");
	check("${{ ['x'] | random }}${{ 'y' | random }}", "xy");
}

static void test_tmpl__sequence_filters(void **state)
{
	(void)state;
	check("${{ values.list | join }} ${{ values.list | join('-') }} ${{ values.people | "
		"join(',', 'name') }}", "abc a-b-c b,a,c");
	check("${{ values.list | length }} ${{ values.obj | length }} ${{ 'héllo' | length }} "
		"${{ values.missing | length }}", "3 2 5 0");
	check("${{ values.list | first }} ${{ values.list | last }} ${{ 'xyz' | first }}"
		"${{ 'xyz' | last }}", "a c xz");
	check("${{ values.nums | sort }} ${{ values.nums | sort(true) }} "
		"${{ ['b', 'A', 'c'] | sort }} ${{ values.people | sort(false, false, 'name') | "
		"join(',', 'name') }}", "1,2,3 3,2,1 A,b,c a,b,c");
	check("${{ values.people | sort(attribute='age') | join(',', 'name') }} ${{ values.people | "
		"sort(true, attribute='name') | join('', 'name') }} ${{ 'x' | int(default=3) }}",
		"a,b,c cba 3");
	check_err("${{ values.nums | sort(nope=1) }}", "t.txt:1: sort: unexpected argument \"nope\"");
	check_err("${{ values.nums | sort(a=1, 2) }}", "t.txt:1: positional argument after keyword");
	check("${{ values.nums | reverse }} ${{ values.nums | sum }} ${{ values.people | "
		"sum('age') }} ${{ values.nums | sum(none, 10) }} ${{ values.list | sum }}",
		"2,1,3 6 90 16 00abc");
	check("${{ [1,2,3,4,5] | batch(2) | dump }} ${{ [1,2,3] | batch(2, 'x') | dump }}",
		"[[1,2],[3,4],[5]] [[1,2],[3,\"x\"]]");
	check("${{ [1,2,3,4,5] | slice(2) | dump }}", "[[1,2,3],[4,5]]");
	check("${{ {b: 1, A: 2} | dictsort | dump }}", "[[\"A\",2],[\"b\",1]]");
	check("${{ 'ab' | list | dump }} ${{ {a: 1} | list | dump }}",
		"[\"a\",\"b\"] [{\"key\":\"a\",\"value\":1}]");
	check("${{ [1,2,3,4] | select('odd') }} ${{ [1,2,3,4] | reject('odd') }} "
		"${{ [0,1,''] | select | length }}", "1,3 2,4 1");
	check("${{ values.people | selectattr('team') | length }} ${{ [{a: 1}, {a: 0}] | "
		"rejectattr('a') | dump }}", "3 [{\"a\":0}]");
	check("{% for team, ps in values.people | groupby('team') %}${{ team }}:${{ ps | "
		"join('', 'name') }};{% endfor %}", "x:bc;y:a;");
}

static void test_tmpl__value_filters(void **state)
{
	(void)state;
	check("${{ values.missing | default('d') }} ${{ values.empty | default('d') }} "
		"${{ values.empty | default('d', true) }} ${{ values.nul | d('x') }}|", "d  d |");
	check("${{ values.obj | dump }} ${{ values.missing | dump }}|${{ 'a\"b' | dump }}",
		"{\"x\":1,\"y\":\"two\"} |\"a\\\"b\"");
	check("${{ {a: [1]} | dump(2) }}", "{\n  \"a\": [\n    1\n  ]\n}");
	check("${{ '42' | int }} ${{ '3.9x' | int }} ${{ 'x' | int(7) }} ${{ '2.5' | float }} "
		"${{ 'x' | float(1.5) }}", "42 3 7 2.5 1.5");
	check("${{ -3 | abs }} ${{ 2.567 | round(2) }} ${{ 2.5 | round }} ${{ 2.1 | round(0, "
		"'ceil') }} ${{ 2.9 | round(0, 'floor') }}", "3 2.57 3 3 2");
	check("${{ values.people[0] | pick('name') }} ${{ {a: {b: [1, {c: 'deep'}] } } | "
		"pick('a.b[1].c') }}", "b deep");
}

static void test_tmpl__tests(void **state)
{
	(void)state;
	check("${{ values.name is defined }} ${{ values.missing is undefined }} "
		"${{ values.nul is none }} ${{ values.n is number }} ${{ values.name is string }}",
		"true true true true true");
	check("${{ 3 is odd }} ${{ 4 is even }} ${{ 9 is divisibleby(3) }} ${{ 1 is eq(1) }} "
		"${{ 1 is not eq(2) }} ${{ 0 is falsy }} ${{ 'x' is truthy }}",
		"true true true true true true true");
	check_err("${{ 1 is nonsense }}", "t.txt:1: unknown test \"nonsense\" in ${{ 1 is nonsense }}");
}

static void test_tmpl__js_methods(void **state)
{
	(void)state;
	check("${{ values.name.toUpperCase() }} ${{ values.name.toLowerCase() }} "
		"${{ '  x '.trim() }}|", "MY-SERVICE my-service x|");
	check("${{ values.name.split('-') | dump }} ${{ 'a,b,c'.split(',', 2) | dump }} "
		"${{ 'ab'.split('') | dump }}", "[\"My\",\"Service\"] [\"a\",\"b\"] [\"a\",\"b\"]");
	check("${{ values.name.includes('Serv') }} ${{ values.name.startsWith('My') }} "
		"${{ values.name.endsWith('x') }} ${{ values.list.includes('b') }}",
		"true true false true");
	check("${{ 'a-b-c'.replace('-', '+') }} ${{ 'a-b-c'.replaceAll('-', '+') }} "
		"${{ 'a-b-c'.replace(r/-/g, '') }}", "a+b-c a+b+c abc");
	check("${{ 'hello'.lastIndexOf('l') }} ${{ 'hello'.indexOf('z') }} ${{ 'hello'.lastIndexOf('') }} "
		"${{ 'héllo'.indexOf('l') }} ${{ 'a<b' | striptags }}", "3 -1 5 2 a<b");
	check("${{ 'hello'.indexOf('l') }} ${{ 'hello'.slice(1, 3) }} ${{ 'hello'.slice(-2) }} "
		"${{ values.list.join('/') }} ${{ values.list.join() }} ${{ values.list.slice(1) }} "
		"${{ values.list.indexOf('c') }}", "2 el lo a/b/c a,b,c b,c 2");
	check("${{ '5'.padStart(3, '0') }} ${{ 'ab'.repeat(2) }} ${{ (3.14159).toFixed(2) }}",
		"005 abab 3.14");
	check_err("${{ values.name.nope() }}", "t.txt:1: unknown method \"nope\"");
	check_err("${{ values.missing.toUpperCase() }}", "t.txt:1: unable to call \"toUpperCase\"");
}

static const char *scm(void *ctx, const char *host)
{
	(void)ctx;
	if (strcmp(host, "github.com") == 0)
		return "github";
	if (strcmp(host, "gitlab.com") == 0)
		return "gitlab";
	if (strcmp(host, "bitbucket.org") == 0)
		return "bitbucketCloud";
	if (strcmp(host, "dev.azure.com") == 0)
		return "azure";
	return NULL;
}

static void test_tmpl__parse_repo_url(void **state)
{
	struct tmpl_opts o = { .scm_type = scm };

	(void)state;
	check("${{ values.repoUrl | parseRepoUrl | dump }}",
		"{\"host\":\"github.com\",\"owner\":\"acme\",\"repo\":\"web\"}");
	check("${{ (values.repoUrl | parseRepoUrl).owner }} ${{ values.repoUrl | projectSlug }}",
		"acme acme/web");
	check("${{ 'github.com?owner=%2Facme%2F&repo=a+b&organization=o' | parseRepoUrl | dump }}",
		"{\"host\":\"github.com\",\"owner\":\"acme\",\"repo\":\"a b\",\"organization\":\"o\"}");
	check_err("${{ 'gitlab.com?owner=a&repo=b' | parseRepoUrl }}",
		"t.txt:1: parseRepoUrl: No matching integration configuration for host gitlab.com");
	check_err("${{ 'github.com?owner=a' | parseRepoUrl }}",
		"t.txt:1: parseRepoUrl: Invalid repo URL passed to publisher: "
		"https://github.com?owner=a, missing repo");
	check_err("${{ 'github.com?repo=a' | parseRepoUrl }}", "t.txt:1: parseRepoUrl: Invalid repo "
		"URL passed to publisher: https://github.com?repo=a, missing owner");
	check_opts(&o, "${{ 'gitlab.com?project=123' | parseRepoUrl | dump }}",
		"{\"host\":\"gitlab.com\",\"project\":\"123\"}");
	check_opts(&o, "${{ ('bitbucket.org?workspace=w&project=p' | parseRepoUrl) is defined }}",
		"ERR:t.txt:1: parseRepoUrl: Invalid repo URL passed to publisher: "
		"https://bitbucket.org?workspace=w&project=p, missing repo in ${{ ('bitbucket.org?"
		"workspace=w&project=p' | parseRepoUrl) is defined }}");
	check_opts(&o, "${{ 'dev.azure.com?project=p&repo=r&organization=o' | parseRepoUrl | dump }}",
		"{\"host\":\"dev.azure.com\",\"repo\":\"r\",\"organization\":\"o\",\"project\":\"p\"}");
}

static void test_tmpl__parse_entity_ref(void **state)
{
	(void)state;
	check("${{ values.owner | parseEntityRef | dump }}",
		"{\"kind\":\"group\",\"namespace\":\"default\",\"name\":\"team-a\"}");
	check("${{ 'Component:Ns/My-Thing' | parseEntityRef | dump }}",
		"{\"kind\":\"Component\",\"namespace\":\"Ns\",\"name\":\"My-Thing\"}");
	check("${{ 'jane' | parseEntityRef({defaultKind: 'user', defaultNamespace: 'people'}) | "
		"dump }}", "{\"kind\":\"user\",\"namespace\":\"people\",\"name\":\"jane\"}");
	check("${{ {kind: 'api', name: 'x'} | parseEntityRef | dump }}",
		"{\"kind\":\"api\",\"namespace\":\"default\",\"name\":\"x\"}");
	check("${{ values.owner | parseEntityRef | pick('name') }}", "team-a");
	check_err("${{ 'jane' | parseEntityRef }}", "t.txt:1: parseEntityRef: Entity reference "
		"\"jane\" had missing or empty kind");
	check_err("${{ {name: 'x'} | parseEntityRef }}", "t.txt:1: parseEntityRef: Entity reference "
		"{\"name\":\"x\"} had missing or empty kind");
	check_err("${{ '' | parseEntityRef }}", "t.txt:1: parseEntityRef: Entity reference must not be "
		"empty");
	check_err("${{ 'user:' | parseEntityRef }}", "t.txt:1: parseEntityRef: Entity reference "
		"\"user:\" was not on the form");
}

static void test_tmpl__render_value_keeps_types(void **state)
{
	(void)state;
	check_value("\"${{ values.n }}\"", "5");
	check_value("\"${{ values.n / 2 }}\"", "2.5");
	check_value("\"${{ values.t }}\"", "true");
	check_value("\"${{ values.obj }}\"", "{\"x\":1,\"y\":\"two\"}");
	check_value("\"${{ values.list }}\"", "[\"a\",\"b\",\"c\"]");
	check_value("\"${{ values.s123 }}\"", "\"123\"");
	check_value("\"${{ values.nul }}\"", "null");
	check_value("\"${{ values.n + 1 }}\"", "6");
	check_value("\"${{ 1 / 0 }}\"", "null");
	check_value("\"${{ values.empty }}\"", "\"\"");
	check_value("\"${{ '' }}\"", "\"\"");
	check_value("\"${{ values.missing }}\"", "<undefined>");
	check_value("\" ${{ values.n }}\"", "\" 5\"");
	check_value("\"${{ values.n }}${{ values.n }}\"", "\"55\"");
	check_value("\"x ${{ values.obj }} ${{ values.list }}\"", "\"x [object Object] a,b,c\"");
	check_value("\"${{ values.missing }}${{ values.empty }}\"", "<undefined>");
	check_value("\"\"", "<undefined>");
	check_value("\"plain\"", "\"plain\"");
	check_value("7", "7");
}

static void test_tmpl__render_value_blocks_and_objects(void **state)
{
	(void)state;
	check_value("\"{% if values.t %}true{% else %}false{% endif %}\"", "true");
	check_value("\"{% if values.no %}true{% else %}false{% endif %}\"", "false");
	check_value("\"{% if values.t %}[1,2]{% endif %}\"", "[1,2]");
	check_value("\"{% if values.t %}not json{% endif %}\"", "\"not json\"");
	check_value("\"{% if values.no %}x{% endif %}\"", "<undefined>");
	check_value("{\"a\":\"${{ values.n }}\",\"b\":\"${{ values.missing }}\",\"c\":[\"${{ "
		"values.t }}\",\"${{ values.missing }}\"],\"d\":{\"e\":\"${{ values.name | lower }}\"}}",
		"{\"a\":5,\"c\":[true,null],\"d\":{\"e\":\"my-service\"}}");
	/* A rendering error keeps the original string. */
	check_value("\"${{ values.name | nosuchfilter }}\"", "\"${{ values.name | nosuchfilter }}\"");
	check_value("\"${{ 'x' | parseRepoUrl }}\"", "\"${{ 'x' | parseRepoUrl }}\"");
	check_value("\"{% if %}\"", "\"{% if %}\"");
}

static void test_tmpl__eval_bool(void **state)
{
	int rc;

	(void)state;
	assert_true(eval_bool("${{ values.t }}", false, &rc));
	assert_int_equal(rc, 0);
	assert_true(eval_bool("values.n > 3", false, &rc));
	assert_false(eval_bool("${{ values.no }}", false, &rc));
	assert_false(eval_bool("${{ values.missing }}", false, &rc));
	assert_false(eval_bool("${{ [] }}", false, &rc));
	assert_true(eval_bool("${{ {} }}", false, &rc));
	assert_false(eval_bool("${{ values.empty }}", false, &rc));
	assert_false(eval_bool("${{ 0 }}", false, &rc));
	assert_false(eval_bool("${{ 0 / 0 }}", false, &rc));
	assert_false(eval_bool("${{ values.nul }}", false, &rc));
	assert_true(eval_bool("  ${{ failure() }}  ", true, &rc));
	assert_false(eval_bool("${{ failure() }}", false, &rc));
	assert_true(eval_bool("${{ always() }}", false, &rc));
	assert_true(eval_bool("{% if values.t %}true{% endif %}", false, &rc));
	assert_false(eval_bool("values.n >", false, &rc));
	assert_int_equal(rc, SH_EINPUT);
	assert_false(eval_bool("${{ values.n | nope }}", false, &rc));
	assert_int_equal(rc, SH_EINPUT);
}

static void test_tmpl__has_syntax(void **state)
{
	(void)state;
	assert_true(tmpl_has_syntax("a ${{ b }}", 10, false));
	assert_true(tmpl_has_syntax("{% if %}", 8, false));
	assert_true(tmpl_has_syntax("{# c #}", 7, false));
	assert_false(tmpl_has_syntax("{{ b }}", 7, false));
	assert_true(tmpl_has_syntax("{{ b }}", 7, true));
	assert_false(tmpl_has_syntax("plain { $ {", 11, false));
	assert_false(tmpl_has_syntax("${", 2, false));
}

static void test_tmpl__errors_name_the_line(void **state)
{
	(void)state;
	check("x", "x");
	check_err("line1\n${{ values.name | lowr }}",
		"t.txt:2: unknown filter \"lowr\" in ${{ values.name | lowr }}");
	check_err("a\nb\n{% if values.t %}x", "t.txt:3: unclosed {% if %} in {% if values.t %}");
	check_err("{% endfor %}", "t.txt:1: unexpected {% endfor %} in {% endfor %}");
	check_err("{% for x in [1] %}{% endif %}{% endfor %}", "t.txt:1: unexpected {% endif %}");
	check_err("${{ 1 + }}", "t.txt:1: unexpected end of tag, expected an expression in ${{ 1 + }}");
	check_err("${{ 'abc }}", "t.txt:1: unterminated string");
	check_err("{# open", "t.txt:1: unclosed comment");
	check_err("{% macro x() %}{% endmacro %}", "t.txt:1: unknown block tag \"macro\"");
	check_err("{% raw %}abc", "t.txt:1: unclosed {% raw %}");
	check_err("${{ values.list | join(',') }}${{ values.obj | join }}",
		"t.txt:1: join: expected an array in ${{ values.obj | join }}");
	check_err("\n\n${{ range(1,2) + foo(1) }}", "t.txt:3: unable to call \"foo\", which is undefined");
	check_err("${{ values.obj | dictsort('x', 'weird') }}", "t.txt:1: dictsort filter: You can only");
	check_err("${{ values.name | jsonify }}", "t.txt:1: unknown filter \"jsonify\"");
}

static void test_tmpl__budget_and_limits(void **state)
{
	struct tmpl_opts small = { .max_steps = 1000 }, tiny = { .max_output = 10 };
	struct tmpl_opts small_out = { .max_output = 1000 };
	struct sh_buf deep = SH_BUF_INIT;
	char *got;

	(void)state;
	got = render_opts("{% for i in range(100) %}{% for j in range(100) %}x{% endfor %}"
		"{% endfor %}", &small);
	assert_non_null(strstr(got, "step budget of 1000 exceeded"));
	free(got);
	got = render_opts("${{ range(100000000000) | length }}", NULL);
	assert_non_null(strstr(got, "step budget"));
	free(got);
	check_opts(&tiny, "0123456789", "0123456789");
	got = render_opts("0123456789${{ 'x' }}", &tiny);
	assert_non_null(strstr(got, "ERR:t.txt:1: output too large"));
	free(got);
	got = render_opts("{% set s = 'ab' %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}"
		"${{ s | length }}", &small_out);
	assert_non_null(strstr(got, "output too large"));
	free(got);
	got = render_opts("{% set s = 'ab' %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}"
		"${{ s | length }}", NULL);
	assert_non_null(strstr(got, "ERR:t.txt:1: "));
	free(got);
	got = render_opts("${{ 'x' | center(1000000000000) }}", NULL);
	assert_non_null(strstr(got, "output too large"));
	free(got);
	/* Deep nesting is an error, never a stack overflow. */
	for (int i = 0; i < 5000; i++)
		sh_buf_puts(&deep, "(");
	got = render_opts(deep.ptr, NULL);
	sh_buf_dispose(&deep);
	free(got);
	sh_buf_puts(&deep, "${{ ");
	for (int i = 0; i < 5000; i++)
		sh_buf_puts(&deep, "[");
	got = render_opts(deep.ptr, NULL);
	assert_non_null(strstr(got, "too deeply nested"));
	free(got);
	deep.len = 0;
	sh_buf_puts(&deep, "${{ 1");
	for (int i = 0; i < 5000; i++)
		sh_buf_puts(&deep, " + 1");
	sh_buf_puts(&deep, " }}");
	got = render_opts(deep.ptr, NULL);
	assert_non_null(strstr(got, "too deeply nested"));
	free(got);
	deep.len = 0;
	for (int i = 0; i < 500; i++)
		sh_buf_puts(&deep, "{% if true %}");
	got = render_opts(deep.ptr, NULL);
	assert_non_null(strstr(got, "too deeply nested"));
	free(got);
	sh_buf_dispose(&deep);
	got = render_opts("{% set x = [] %}{% for i in range(100) %}{% set x = [x] %}{% endfor %}"
		"${{ x | dump }}", NULL);
	assert_non_null(strstr(got, "value nested too deeply"));
	free(got);
}

static void test_tmpl__cookiecutter_mode(void **state)
{
	struct tmpl_opts cc = { .cookiecutter = true };
	json_t *ctx = json_pack("{s:{s:s,s:[i,i]}}", "cookiecutter", "name", "svc", "list", 1, 2);
	struct sh_err err;
	char *out = NULL;
	size_t len;
	const char *src = "{{ cookiecutter.name | jsonify }} {{ cookiecutter.list | jsonify }} "
		"${{ x }}";

	(void)state;
	assert_int_equal(tmpl_render(&out, &len, src, strlen(src), ctx, &cc, "f", &err), 0);
	assert_string_equal(out, "\"svc\" [1,2] $");
	free(out);
	json_decref(ctx);
}

static void test_tmpl__extensions_list_backstage_filters(void **state)
{
	json_t *ext = tmpl_extensions();

	(void)state;
	assert_non_null(ext);
	assert_int_equal(json_object_size(ext), 4);
	assert_non_null(json_object_get(json_object_get(ext, "parseRepoUrl"), "description"));
	assert_true(json_array_size(json_object_get(json_object_get(ext, "pick"), "examples")) > 0);
	json_decref(ext);
}

struct worker {
	const json_t *ctx;
	int bad;
};

static void *render_many(void *arg)
{
	struct worker *w = arg;
	const char *src = "{% for x in values.list %}${{ x | upper }}{% endfor %} ${{ values.obj | "
		"dump }} ${{ values.owner | parseEntityRef | pick('name') }}";
	struct sh_err err;

	for (int i = 0; i < 2000; i++) {
		char *out;
		size_t len;
		json_t *v = json_string("${{ values.obj }}"), *r;
		if (tmpl_render(&out, &len, src, strlen(src), w->ctx, NULL, "f", &err) != 0 ||
			strcmp(out, "ABC {\"x\":1,\"y\":\"two\"} team-a") != 0)
			w->bad++;
		free(out);
		r = tmpl_render_value(v, w->ctx, NULL);
		if (!json_is_object(r))
			w->bad++;
		json_decref(r);
		json_decref(v);
	}
	return NULL;
}

/* One ctx, many threads: values are shared by reference, never copied. */
static void test_tmpl__threads_share_one_context(void **state)
{
	json_t *ctx = json_loads(ctx_text, 0, NULL);
	struct worker w[4];
	pthread_t t[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ ctx, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, render_many, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].bad, 0);
	}
	assert_int_equal(ctx->refcount, 1);
	json_decref(ctx);
}

static void test_tmpl__more_edge_cases(void **state)
{
	(void)state;
	check("${{ 0 / 0 | dump }}|${{ [0 / 0] | dump }}|${{ '\x01\n' | dump }}",
		"NaN|[null]|\"\\u0001\\n\"");
	check("{% for x in [1, 2, 3] %}${{ loop.revindex0 }}{% endfor %}", "210");
	check("x {%- raw %} y {% endraw -%} z", "x y z");
	check("${{ values.list[-1] }}|${{ values.list['1'] }}|${{ values.name[0] }}", "|b|M");
	check("${{ values.missing.a.b.c }}|${{ values.nul.a }}", "|");
	check("${{ 3 > 2 > 1 }} ${{ 1 < 2 < 3 }}", "false true");
	check("${{ 'A' ~ 'b' | upper }} ${{ -2 | abs }} ${{ not true | string }}", "AB 2 false");
	check("${{ [1, 2] + [3] }} ${{ [] + 1 }} ${{ {} ~ '' }} ${{ null + 1 }} ${{ true + 1 }}",
		"1,23 1 [object Object] 1 2");
	check("${{ 'b' | replace(values.missing, 'x') }} ${{ 5 | replace(5, 6) }}", "b 6");
	check("${{ 'aa' | replace('a', 'b', 10 ** 300) }} ${{ ''.repeat(10 ** 300) }}|", "bb |");
	check("${{ false | upper }}|${{ false | length }}|${{ none | title }}|", "|0||");
	check_err("${{ 1 in 2 }}", "t.txt:1: cannot use \"in\" operator");
	check_err("${{ 'x' | replace(r/(a)\\1/, '') }}", "t.txt:1: regular expression too complex");
	check_err("${{ 'x' | replace(r/a++/, '') }}", "t.txt:1: regular expression too complex");
	check_err("${{ 'x' | replace(r/((((((a))))))/, '') }}", "t.txt:1: regular expression too complex");
	check_err("${{ 'x' | replace(r/(a)+(b)+(c)+(d)+/, '') }}", "t.txt:1: regular expression too "
		"complex");
	check_err("${{ 'x' | replace(r/a{1,1000}/, '') }}", "t.txt:1: regular expression too complex");
	check("${{ 'a1b22' | replace(r/[0-9]{1,2}/g, '#') }} ${{ 'a+b' | replace(r/[+]+/, '-') }} "
		"${{ 'x.y' | replace(r/\\./, '') }} ${{ 'a7' | replace(r/\\d/, 'N') }} "
		"${{ '[x]' | replace(r/\\[x\\]+/, 'y') }}", "a#b# a-b xy aN y");
}

/* A rough speed check: a 2 KB file with a dozen expressions. */
static void test_tmpl__renders_a_typical_file_quickly(void **state)
{
	struct sh_buf src = SH_BUF_INIT;
	json_t *ctx = json_loads(ctx_text, 0, NULL);
	struct sh_err err;
	struct timespec a, b;
	int iters = 2000;
	double us;

	(void)state;
	while (src.len < 2000) {
		sh_buf_puts(&src, "# ${{ values.name }}\n\nSome description text of the service that "
			"goes on for a while.\n{% if values.t %}owner: ${{ values.owner | parseEntityRef | "
			"pick('name') }}{% endif %}\n- ${{ values.name | lower | replace('-', '_') }}\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < iters; i++) {
		char *out;
		size_t len;
		assert_int_equal(tmpl_render(&out, &len, src.ptr, src.len, ctx, NULL, "f", &err), 0);
		free(out);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	us = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / iters;
	printf("# render of a %zu-byte file: %.1f us\n", src.len, us);
	sh_buf_dispose(&src);
	json_decref(ctx);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tmpl__text_and_expressions),
		cmocka_unit_test(test_tmpl__numbers_print_as_javascript),
		cmocka_unit_test(test_tmpl__operators),
		cmocka_unit_test(test_tmpl__literals),
		cmocka_unit_test(test_tmpl__if_elif_else),
		cmocka_unit_test(test_tmpl__for_loops),
		cmocka_unit_test(test_tmpl__set),
		cmocka_unit_test(test_tmpl__raw_and_comments),
		cmocka_unit_test(test_tmpl__whitespace_control),
		cmocka_unit_test(test_tmpl__trim_and_lstrip_blocks),
		cmocka_unit_test(test_tmpl__string_filters),
		cmocka_unit_test(test_tmpl__sequence_filters),
		cmocka_unit_test(test_tmpl__value_filters),
		cmocka_unit_test(test_tmpl__tests),
		cmocka_unit_test(test_tmpl__js_methods),
		cmocka_unit_test(test_tmpl__parse_repo_url),
		cmocka_unit_test(test_tmpl__parse_entity_ref),
		cmocka_unit_test(test_tmpl__render_value_keeps_types),
		cmocka_unit_test(test_tmpl__render_value_blocks_and_objects),
		cmocka_unit_test(test_tmpl__eval_bool),
		cmocka_unit_test(test_tmpl__has_syntax),
		cmocka_unit_test(test_tmpl__errors_name_the_line),
		cmocka_unit_test(test_tmpl__budget_and_limits),
		cmocka_unit_test(test_tmpl__cookiecutter_mode),
		cmocka_unit_test(test_tmpl__extensions_list_backstage_filters),
		cmocka_unit_test(test_tmpl__threads_share_one_context),
		cmocka_unit_test(test_tmpl__more_edge_cases),
		cmocka_unit_test(test_tmpl__renders_a_typical_file_quickly),
	};

	RUN_TESTS(tests, argc, argv);
}
