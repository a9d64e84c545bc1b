/*
 * /search: results of GET /api/search/query with facets from
 * /api/search/facets. The query string holds the whole state, so a URL is
 * a shareable view and Back/Forward restore it (the router calls
 * view.update; the page keeps its DOM and focus):
 *
 *   query=text  type=software-catalog|techdocs  kind=component  owner=x
 *   cursor=<pageCursor>
 *
 * type, kind and owner may repeat (any of the ticked values). An empty
 * query lists everything.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { failure } from '../ui.js';
import { capitalize, docsPageOf, entityOf, hrefOf, searchQuery, snippetOf, titleOf, typeLabel } from '../search.js';

const PAGE_SIZE = 10;
const FACETS = [
  { param: 'type', label: 'Type', show: typeLabel },
  { param: 'kind', label: 'Kind', show: capitalize },
  { param: 'owner', label: 'Owner', show: (v) => v },
];

let uid = 0;

function readState(q) {
  const s = { query: (q.get('query') ?? '').trim(), cursor: q.get('cursor') ?? '' };
  for (const f of FACETS)
    s[f.param] = [...new Set(q.getAll(f.param).map((v) => (f.param === 'type' ? v : v.toLowerCase())).filter(Boolean))];
  return s;
}

function urlFor(s) {
  const q = new URLSearchParams();
  if (s.query)
    q.set('query', s.query);
  for (const f of FACETS) {
    for (const v of s[f.param])
      q.append(f.param, v);
  }
  if (s.cursor)
    q.set('cursor', s.cursor);
  const qs = q.toString();
  return qs ? `/search?${qs}` : '/search';
}

/* The API parameters of a state. */
const apiParams = (s) => ({
  term: s.query,
  types: s.type,
  filters: Object.fromEntries(['kind', 'owner'].filter((k) => s[k].length).map((k) => [k, s[k]])),
});

const anyFilter = (s) => FACETS.some((f) => s[f.param].length);

function resultItem(r) {
  const d = r.document ?? {};
  const entity = entityOf(r);
  const docs = r.type === 'techdocs';
  const meta = [
    d.kind ? ['Kind', capitalize(d.kind)] : null,
    d.owner ? ['Owner', d.owner] : null,
    d.lifecycle ? ['Lifecycle', d.lifecycle] : null,
  ].filter(Boolean);
  return h('li', { class: 'search-result', 'data-type': r.type },
    h('div', { class: 'search-result-head' },
      h('span', { class: `search-type${docs ? ' search-type-docs' : ''}` }, typeLabel(r.type)),
      h('h2', { class: 'search-result-title' }, h('a', { href: hrefOf(r) }, titleOf(r)))),
    entity ? h('p', { class: 'search-result-entity' }, 'In ', h('a', { href: entity.href }, entity.label),
      docsPageOf(r) ? ` \u203a ${docsPageOf(r)}` : null) : null,
    d.text || r.highlight?.fields?.text ? h('p', { class: 'search-snippet' }, snippetOf(r)) : null,
    meta.length ? h('dl', { class: 'search-meta' },
      meta.map(([k, v]) => h('div', null, h('dt', null, k), h('dd', null, v)))) : null);
}

/* A group of checkboxes for one facet; onchange(values) on every tick. */
function facetGroup(f, id, onchange) {
  const box = h('fieldset', { class: 'search-facet', id },
    h('legend', null, f.label));
  const fill = (items, selected) => {
    const focused = box.contains(document.activeElement) ? document.activeElement.value : null;
    const all = [...items];
    for (const v of selected) { /* a value from the URL with no matches left */
      if (!all.some((i) => i.value.toLowerCase() === v.toLowerCase()))
        all.push({ value: v, count: 0 });
    }
    const chosen = new Set(selected.map((v) => v.toLowerCase()));
    box.replaceChildren(box.firstChild, ...(all.length ? all.map((item) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: f.param, value: item.value, checked: chosen.has(item.value.toLowerCase()),
        onchange: () => onchange([...box.querySelectorAll('input:checked')].map((i) => i.value)) }),
      h('span', null, f.show(item.value)),
      h('span', { class: 'count' }, String(item.count))))
      : [h('p', { class: 'field-note' }, 'None')]));
    if (focused != null)
      [...box.querySelectorAll('input')].find((i) => i.value === focused)?.focus();
  };
  return { el: box, fill };
}

export function render(ctx) {
  const p = `search${++uid}`;
  let state = readState(ctx.query);
  let loadCtl = null;

  const go = (patch, { replace = false } = {}) => ctx.navigate(urlFor({ ...state, cursor: '', ...patch }), { replace });

  const field = h('input', { id: `${p}-q`, type: 'search', name: 'query', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Services, APIs, teams, docs\u2026' });
  let typing = null;
  field.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const query = field.value.trim();
      if (query !== state.query)
        go({ query }, { replace: Boolean(state.query) && Boolean(query) });
    }, 300);
  });
  const form = h('form', { class: 'search-form', role: 'search', 'aria-label': 'Search the portal',
    onsubmit: (e) => {
      e.preventDefault();
      clearTimeout(typing);
      if (field.value.trim() !== state.query)
        go({ query: field.value.trim() });
    } },
  h('label', { for: field.id }, 'Search for'),
  h('div', { class: 'search-form-row' }, field, h('button', { type: 'submit', class: 'button button-primary' }, 'Search')));

  const groups = FACETS.map((f) => ({ ...f, ...facetGroup(f, `${p}-${f.param}`, (values) => go({ [f.param]: values })) }));
  const clear = h('button', { type: 'button', class: 'button', onclick: () => go({ type: [], kind: [], owner: [] }) }, 'Clear filters');
  const filters = h('form', { class: 'filters search-filters', 'aria-label': 'Filter the results', onsubmit: (e) => e.preventDefault() },
    groups.map((g) => g.el), clear);

  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' }, 'Searching\u2026');
  const list = h('ol', { class: 'search-results', 'aria-label': 'Results' });
  const prev = h('button', { type: 'button', class: 'button' }, '\u2039 Previous');
  const next = h('button', { type: 'button', class: 'button' }, 'Next \u203a');
  const pageInfo = h('span', { class: 'muted page-info' });
  const pager = h('nav', { class: 'pager search-pager', 'aria-label': 'Result pages' }, pageInfo, prev, next);
  const results = h('div', { class: 'results' }, summary, list, pager);
  let cursors = {};
  let firstRank = 1;
  /* Back to the first page: no cursor, the same URL as before paging. */
  prev.addEventListener('click', () => cursors.previousPageCursor != null &&
    go({ cursor: firstRank - PAGE_SIZE <= 1 ? '' : cursors.previousPageCursor }));
  next.addEventListener('click', () => cursors.nextPageCursor && go({ cursor: cursors.nextPageCursor }));

  function syncControls() {
    if (field.value.trim() !== state.query)
      field.value = state.query;
    clear.disabled = !anyFilter(state);
  }

  function empty(s) {
    return h('li', { class: 'empty-state search-empty' },
      h('h2', null, 'No results'),
      h('p', null, s.query ? ['Nothing matches \u201c', h('strong', null, s.query), '\u201d',
        anyFilter(s) ? ' with these filters.' : '.'] : 'Nothing matches these filters.'),
      anyFilter(s) ? h('p', null, h('a', { class: 'button', href: urlFor({ ...s, type: [], kind: [], owner: [], cursor: '' }) },
        'Clear filters')) : h('p', null, 'Try fewer or different words.'));
  }

  function showPage(s, body) {
    const items = body.results ?? [];
    const total = body.numberOfResults ?? items.length;
    const what = `${total} ${total === 1 ? 'result' : 'results'}`;
    summary.replaceChildren(...(s.query ? [what, ' for \u201c', h('span', { class: 'search-term' }, s.query), '\u201d'] : [what]));
    list.replaceChildren(...(items.length ? items.map(resultItem) : [empty(s)]));
    cursors = body;
    const first = items[0]?.rank, last = items[items.length - 1]?.rank;
    firstRank = first ?? 1;
    pageInfo.textContent = first && last ? `${first}\u2013${last} of ${total}` : '';
    const hadFocus = pager.contains(document.activeElement) ? document.activeElement : null;
    prev.disabled = body.previousPageCursor == null;
    next.disabled = !body.nextPageCursor;
    pager.hidden = prev.disabled && next.disabled;
    if (hadFocus && (hadFocus.disabled || pager.hidden)) {
      const other = hadFocus === next ? prev : next;
      if (!other.disabled && !pager.hidden)
        other.focus();
      else
        summary.closest('.results').querySelector('a')?.focus();
    }
  }

  async function load() {
    loadCtl?.abort();
    loadCtl = new AbortController();
    const signal = AbortSignal.any([ctx.signal, loadCtl.signal]);
    const s = state;
    const params = apiParams(s);
    results.setAttribute('aria-busy', 'true');
    try {
      const [body, { facets = {} }] = await Promise.all([
        api(`/api/search/query?${searchQuery({ ...params, pageLimit: PAGE_SIZE, pageCursor: s.cursor })}`, { signal }),
        api(`/api/search/facets?${searchQuery(params)}`, { signal }),
      ]);
      if (signal.aborted)
        return;
      results.querySelector('.alert')?.remove();
      list.hidden = false;
      for (const g of groups)
        g.fill(facets[g.param] ?? [], s[g.param]);
      showPage(s, body);
    } catch (err) {
      if (signal.aborted)
        return;
      if (err.status === 400 && s.cursor) {
        /* A cursor from an old link the server no longer reads: start over. */
        go({ cursor: '' }, { replace: true });
        return;
      }
      summary.textContent = '';
      list.hidden = true;
      pager.hidden = true;
      results.querySelector('.alert')?.remove();
      const panel = failure(err, () => load(), 'The search failed');
      results.append(panel);
      if (results.contains(document.activeElement))
        panel.querySelector('button').focus();
    } finally {
      if (!signal.aborted)
        results.removeAttribute('aria-busy');
    }
  }

  const node = h('div', { class: 'catalog search-page' },
    h('header', { class: 'page-header' },
      h('h1', null, 'Search'),
      h('p', { class: 'lead' }, 'Find services, APIs, teams and documentation pages from one search box.'),
      form),
    h('div', { class: 'catalog-layout' }, filters, results));

  syncControls();
  load();

  return {
    title: 'Search',
    node,
    update(nextCtx) {
      clearTimeout(typing);
      state = readState(nextCtx.query);
      syncControls();
      load();
    },
  };
}
