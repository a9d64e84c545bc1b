/*
 * A search request as SQL. The query string comes in the bracket form
 * Backstage's frontend writes (types[0]=…, filters[kind]=…,
 * filters[owner][0]=…) or plainly repeated. A term becomes an FTS5 query
 * of quoted word prefixes, all required, so no input can reach FTS5's own
 * syntax; filter fields are checked names, and every value is a bound
 * parameter. Results rank in two tiers — every word in the title or
 * keywords, then the rest — each by bm25 with titles weighing most and
 * body text least, an exact name first of all; an empty term browses
 * every document of the chosen types, by type and title.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_KEY 64
#define SNIPPET_TOKENS 32
/* Column weights of bm25: name, title, keywords, text. */
#define RANK "bm25(search_fts, 10.0, 10.0, 4.0, 1.0)"

static const char *const types_known[] = { SEARCH_TYPE_CATALOG, SEARCH_TYPE_TECHDOCS };

/* ---- the query string ---------------------------------------------------------------------- */

static int bad(struct sh_err *err, const char *what)
{
	return sh_err_set(err, SH_EINPUT, "Invalid query string: %s", what);
}

/* Whether rest is "", "[]" or "[<digits>]": one value of a list. */
static bool list_suffix(const char *rest)
{
	size_t n;

	if (rest[0] == '\0' || strcmp(rest, "[]") == 0)
		return true;
	if (rest[0] != '[' || (n = strspn(rest + 1, "0123456789")) == 0 || n > 6)
		return false;
	return strcmp(rest + 1 + n, "]") == 0;
}

static int add_type(struct search_query *q, const char *value, struct sh_err *err)
{
	for (size_t i = 0; i < SH_ARRAY_LEN(types_known); i++) {
		if (strcmp(value, types_known[i]) != 0)
			continue;
		for (size_t k = 0; k < q->n_types; k++)
			if (strcmp(q->types[k], value) == 0)
				return 0;
		q->types[q->n_types++] = types_known[i];
		return 0;
	}
	return sh_err_set(err, SH_EINPUT, "Invalid query string: unknown search type \"%.100s\"; "
		"the types are software-catalog and techdocs", value);
}

static bool key_ok(const char *key, size_t n)
{
	if (n == 0 || n > MAX_KEY)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_' && key[i] != '-')
			return false;
	return true;
}

/* name is what follows "filters[": "<key>]" with an optional list suffix. */
static int add_filter(struct search_query *q, struct sh_arena *a, const char *name,
	const char *value, struct sh_err *err)
{
	const char *close = strchr(name, ']');
	size_t n = close ? (size_t)(close - name) : 0;
	struct search_filter *f = NULL;
	const char *key;

	if (close == NULL || !list_suffix(close + 1))
		return sh_err_set(err, SH_EINPUT, "Invalid query string: cannot read \"filters[%.100s\"", name);
	if (!key_ok(name, n))
		return sh_err_set(err, SH_EINPUT, "Invalid query string: \"%.*s\" is not a field name",
			(int)(n > 100 ? 100 : n), name);
	key = sh_arena_printf(a, "%.*s", (int)n, name);
	for (size_t i = 0; i < q->n_filters && f == NULL; i++)
		if (strcmp(q->filters[i].key, key) == 0)
			f = &q->filters[i];
	if (f == NULL) {
		if (q->n_filters == SEARCH_MAX_FILTERS)
			return bad(err, "too many filters");
		f = &q->filters[q->n_filters++];
		f->key = key;
	}
	if (f->n == SEARCH_MAX_VALUES)
		return bad(err, "too many values for one filter");
	f->values[f->n++] = value;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)s[0]) || strlen(s) > 12)
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_cursor(struct search_query *q, struct sh_arena *a, const char *cursor,
	struct sh_err *err)
{
	size_t len = 0;
	char *text = sh_base64_decode(a, cursor, &len);

	if (text == NULL || len == 0 || strlen(text) != len || parse_long(text, 0, 1000000, &q->page) != 0)
		return bad(err, "pageCursor is not a cursor this server gave");
	return 0;
}

/* An FTS5 query requiring every word of term, or NULL when term has no
 * word. Words are runs of letters and digits (any non-ASCII byte counts
 * as a letter, as for the tokenizer); each is quoted, so nothing of
 * FTS5's own syntax gets through. The word the term ends with may be
 * unfinished and matches as a prefix ("kube" finds kubernetes); a word
 * followed by anything was typed to its end and matches whole — which also
 * spares FTS5 merging every word that starts like a common one. */
static const char *match_of(struct sh_arena *a, const char *term)
{
	struct sh_buf b = SH_BUF_INIT;
	const char *out = NULL;
	int tokens = 0;

	for (const char *p = term; *p;) {
		size_t n = 0;
		while (p[n] && (isalnum((unsigned char)p[n]) || (unsigned char)p[n] >= 0x80))
			n++;
		if (n > 0) {
			sh_buf_printf(&b, "%s\"%.*s\"%s", tokens++ ? " " : "", (int)n, p, p[n] ? "" : "*");
			p += n;
		} else {
			p++;
		}
	}
	if (tokens > 0)
		out = sh_arena_strdup(a, b.ptr);
	sh_buf_dispose(&b);
	return out;
}

static const char *trimmed(struct sh_arena *a, const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return sh_arena_printf(a, "%.*s", (int)n, s);
}

/* The length of UTF-8 s as JavaScript counts it (UTF-16 units), which is
 * how Backstage bounds a term. */
static size_t js_length(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) != 0x80)
			n++;
		if (*p >= 0xF0)
			n++; /* beyond the BMP: a surrogate pair */
	}
	return n;
}

static int parse_pair(struct search_query *q, struct sh_arena *a, const struct http_pair *p,
	const struct sh_config *cfg, struct sh_err *err)
{
	if (strcmp(p->name, "term") == 0) {
		if ((int64_t)js_length(p->value) > cfg->search_max_term)
			return sh_err_set(err, SH_EINPUT, "Invalid query string: the term is longer than %lld "
				"characters", (long long)cfg->search_max_term);
		q->term = trimmed(a, p->value);
	} else if (strncmp(p->name, "types", 5) == 0 && list_suffix(p->name + 5)) {
		return add_type(q, p->value, err);
	} else if (strncmp(p->name, "filters[", 8) == 0) {
		return add_filter(q, a, p->name + 8, p->value, err);
	} else if (strcmp(p->name, "pageLimit") == 0) {
		if (parse_long(p->value, 1, (long)cfg->search_max_page, &q->limit) != 0)
			return sh_err_set(err, SH_EINPUT, "Invalid query string: pageLimit must be a whole "
				"number from 1 to %lld", (long long)cfg->search_max_page);
	} else if (strcmp(p->name, "pageCursor") == 0) {
		return parse_cursor(q, a, p->value, err);
	}
	return 0; /* anything else is passed to the engine, which ignores it */
}

int search_parse(struct search_query *q, struct sh_arena *a, const struct http_query *qs,
	const struct sh_config *cfg, struct sh_err *err)
{
	int rc;

	memset(q, 0, sizeof(*q));
	q->term = "";
	q->limit = SEARCH_DEFAULT_PAGE;
	for (size_t i = 0; qs != NULL && i < qs->n; i++)
		if ((rc = parse_pair(q, a, &qs->pairs[i], cfg, err)) != 0)
			return rc;
	q->match = match_of(a, q->term);
	return 0;
}

/* ---- SQL -------------------------------------------------------------------------------- */

static void bind_add(struct search_binds *b, const char *v)
{
	if (b->n < SEARCH_MAX_BINDS) /* always: the parser bounds filters and values */
		b->v[b->n++] = v;
}

/* "?, ?, …" for values, each wrapped in fn (or bare when fn is ""). */
static void put_in_list(struct sh_buf *sql, struct search_binds *b, const char *const *values,
	size_t n, const char *fn)
{
	for (size_t i = 0; i < n; i++) {
		sh_buf_printf(sql, i ? ", %s(?)" : "%s(?)", fn);
		bind_add(b, values[i]);
	}
}

/* " AND d.owner IN (…" (unclosed) for an owner filter. Owners are written
 * many ways (team, group:team, group:default/team) and documents keep the
 * owner's plain name, which each value is reduced to. */
static void owner_in(struct sh_buf *sql, struct search_binds *b, struct sh_arena *a,
	const struct search_filter *f)
{
	sh_buf_puts(sql, " AND d.owner IN (");
	for (size_t i = 0; i < f->n; i++) {
		const char *v = f->values[i], *cut = strrchr(v, '/');
		if (cut == NULL)
			cut = strrchr(v, ':');
		sh_buf_puts(sql, i ? ", lower(?)" : "lower(?)");
		bind_add(b, cut ? cut + 1 : v);
	}
}

/* " AND …" for the types and filters of q, leaving out what the facet
 * skip selects by (a facet is counted as if its own choice were not made):
 * "type" is the document types, any other name a filter. */
static void where_sql(struct sh_buf *sql, struct search_binds *b, struct sh_arena *a,
	const struct search_query *q, const char *skip)
{
	bool skip_types = skip != NULL && strcmp(skip, "type") == 0;

	if (q->n_types > 0 && !skip_types) {
		sh_buf_puts(sql, " AND d.type IN (");
		put_in_list(sql, b, q->types, q->n_types, "");
		sh_buf_putc(sql, ')');
	}
	for (size_t i = 0; i < q->n_filters; i++) {
		const struct search_filter *f = &q->filters[i];
		if (skip != NULL && !skip_types && strcmp(skip, f->key) == 0)
			continue;
		if (strcmp(f->key, "kind") == 0) {
			sh_buf_puts(sql, " AND d.kind IN (");
			put_in_list(sql, b, f->values, f->n, "lower");
		} else if (strcmp(f->key, "owner") == 0) {
			owner_in(sql, b, a, f);
		} else {
			sh_buf_puts(sql, " AND lower(json_extract(d.document, ?)) IN (");
			bind_add(b, sh_arena_printf(a, "$.\"%s\"", f->key));
			put_in_list(sql, b, f->values, f->n, "lower");
		}
		sh_buf_putc(sql, ')');
	}
}

/* The FTS5 expression of a tier's matches. The first two tiers also name
 * the whole match, so that highlights and bm25 see the words in the text
 * too. */
static const char *tier_match(struct sh_arena *a, const struct search_query *q,
	enum search_tier tier)
{
	const char *m = q->match;

	switch (tier) {
	case SEARCH_TITLES:
		return sh_arena_printf(a, "({name title} : (%s)) AND (%s)", m, m);
	case SEARCH_KEYWORDS:
		return sh_arena_printf(a, "(({name title keywords} : (%s)) AND (%s)) NOT ({name title} : (%s))",
			m, m, m);
	case SEARCH_TEXT:
		return sh_arena_printf(a, "(%s) NOT ({name title keywords} : (%s))", m, m);
	default:
		return m;
	}
}

/* FROM and WHERE of every statement over a tier of q's matches. */
static void from_sql(struct sh_buf *sql, struct search_binds *b, struct sh_arena *a,
	const struct search_query *q, enum search_tier tier, const char *skip)
{
	if (q->match != NULL) {
		/* CROSS JOIN keeps the full-text match the outer loop: with a
		 * type condition the planner would otherwise scan documents by
		 * type and run the match once per row. */
		sh_buf_puts(sql, " FROM search_fts CROSS JOIN search_docs d ON d.id = search_fts.rowid "
			"WHERE search_fts MATCH ?");
		bind_add(b, tier_match(a, q, tier));
	} else {
		sh_buf_puts(sql, " FROM search_docs d WHERE 1");
	}
	where_sql(sql, b, a, q, skip);
}

char *search_sql_count(const struct search_query *q, struct sh_arena *a, enum search_tier tier,
	struct search_binds *b)
{
	struct sh_buf sql = SH_BUF_INIT;

	b->n = 0;
	if (q->match != NULL && q->n_types == 0 && q->n_filters == 0) {
		/* Nothing to check per document: FTS5 counts its own matches. */
		sh_buf_puts(&sql, "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?");
		bind_add(b, tier_match(a, q, tier));
		return sh_buf_detach(&sql);
	}
	sh_buf_puts(&sql, "SELECT count(*)");
	from_sql(&sql, b, a, q, tier, NULL);
	return sh_buf_detach(&sql);
}

char *search_sql_page(const struct search_query *q, struct sh_arena *a, enum search_tier tier,
	long limit, long offset, const char *pre, const char *post, struct search_binds *b)
{
	struct sh_buf sql = SH_BUF_INIT;

	b->n = 0;
	if (q->match != NULL) {
		sh_buf_printf(&sql, "SELECT d.type, d.document, highlight(search_fts, 1, ?, ?), "
			"snippet(search_fts, 3, ?, ?, '…', %d)", SNIPPET_TOKENS);
		bind_add(b, pre);
		bind_add(b, post);
		bind_add(b, pre);
		bind_add(b, post);
	} else {
		sh_buf_puts(&sql, "SELECT d.type, d.document, NULL, NULL");
	}
	from_sql(&sql, b, a, q, tier, NULL);
	if (q->match != NULL && tier == SEARCH_KEYWORDS) {
		sh_buf_puts(&sql, " ORDER BY search_fts.rowid"); /* as FTS5 reads them: no sort */
	} else if (q->match != NULL) {
		/* An entity named exactly as asked comes first. */
		sh_buf_puts(&sql, " ORDER BY d.name = ? DESC, " RANK ", d.id");
		bind_add(b, sh_arena_lower(a, q->term));
	} else {
		sh_buf_puts(&sql, " ORDER BY d.type, d.title, d.id");
	}
	sh_buf_printf(&sql, " LIMIT %ld OFFSET %ld", limit, offset);
	return sh_buf_detach(&sql);
}

char *search_sql_facet(const struct search_query *q, struct sh_arena *a, const char *name,
	struct search_binds *b)
{
	const char *column = strcmp(name, "type") == 0 ? "d.type" : strcmp(name, "kind") == 0 ? "d.kind"
		: "d.owner";
	struct sh_buf sql = SH_BUF_INIT;

	b->n = 0;
	sh_buf_printf(&sql, "SELECT %s, count(*)", column);
	from_sql(&sql, b, a, q, SEARCH_ALL, name);
	sh_buf_printf(&sql, " AND %s <> '' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 100", column);
	return sh_buf_detach(&sql);
}
