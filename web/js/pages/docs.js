/*
 * /docs: every entity with docs (the backstage.io/techdocs-ref
 * annotation), filtered by owner, kind and text; the query string holds
 * them: q=text, owner=<ref>, kind=<kind>. Each row links to the reader.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { entityPath, shortRef } from '../entity.js';
import { failure, loading } from '../ui.js';
import { readerPath } from '../techdocs/reader.js';

let uid = 0;
const FILTER = 'filter=metadata.annotations.backstage.io/techdocs-ref';
const FIELDS = 'kind,metadata.namespace,metadata.name,metadata.title,metadata.description,spec.owner,spec.type,metadata.annotations';
const lower = (v) => String(v ?? '').toLowerCase();
/* spec.owner as a full ref: 'team-a' is group:default/team-a. */
const ownerOf = (e) => {
  const o = e.spec?.owner;
  return o ? lower(o.includes(':') ? o : `group:${o.includes('/') ? o : `default/${o}`}`) : '';
};
const readState = (q) => ({ q: q.get('q') ?? '', owner: lower(q.get('owner')), kind: lower(q.get('kind')) });
function urlFor(s) {
  const q = new URLSearchParams(Object.entries(s).filter(([, v]) => v));
  return `/docs${q.size ? `?${q}` : ''}`;
}

function matches(e, s) {
  return [e.metadata.name, e.metadata.title, e.metadata.description, e.spec?.type].some((v) => lower(v).includes(lower(s.q))) &&
    (!s.owner || ownerOf(e) === s.owner) && (!s.kind || lower(e.kind) === s.kind);
}

function row(e) {
  const ns = e.metadata.namespace ?? 'default';
  const owner = ownerOf(e);
  return h('tr', null,
    h('th', { scope: 'row' }, h('a', { href: readerPath(ns, e.kind, e.metadata.name) }, e.metadata.title || e.metadata.name),
      e.metadata.title && e.metadata.title !== e.metadata.name ? h('span', { class: 'cell-sub' }, e.metadata.name) : null),
    h('td', { 'data-label': 'Description' }, e.metadata.description ?? ''),
    h('td', { 'data-label': 'Owner' }, owner ? h('a', { href: entityPath(owner) }, shortRef(owner, 'group')) : ''),
    h('td', { 'data-label': 'Kind' }, h('a', { href: entityPath(e), 'aria-label': `${e.kind} ${e.metadata.name} in the catalog` }, e.kind)),
    h('td', { 'data-label': 'Type' }, e.spec?.type ?? ''));
}

export function render(ctx) {
  const p = `docs${++uid}`;
  let state = readState(ctx.query);
  let items = null, kinds = [];
  const go = (patch, opts) => ctx.navigate(urlFor({ ...state, ...patch }), opts);
  let typing = null;
  const search = h('input', { id: `${p}-q`, type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'Title, name or description',
    oninput: () => {
      clearTimeout(typing);
      typing = setTimeout(() => go({ q: search.value.trim() }, { replace: true }), 250);
    } });
  const owner = h('select', { id: `${p}-owner`, onchange: () => go({ owner: owner.value }) });
  const kind = h('select', { id: `${p}-kind`, onchange: () => go({ kind: kind.value }) });
  const clear = h('button', { type: 'button', class: 'button', onclick: () => { search.value = ''; go({ q: '', owner: '', kind: '' }); } }, 'Clear filters');
  const summary = h('p', { class: 'summary', role: 'status' });
  const body = h('tbody');
  const table = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Documentation' },
    h('table', { class: 'entity-table docs-index' },
      h('thead', null, h('tr', null, ['Document', 'Description', 'Owner', 'Kind', 'Type'].map((c) => h('th', { scope: 'col' }, c)))), body));
  table.hidden = true;
  const results = h('div', { class: 'results' }, summary, table);

  const options = (select, values, chosen, label) => select.replaceChildren(h('option', { value: '' }, 'All'),
    ...values.map(([v, n]) => h('option', { value: v, selected: v === chosen }, `${label(v)} (${n})`)));
  function draw() {
    if (document.activeElement !== search)
      search.value = state.q;
    clear.disabled = !state.q && !state.owner && !state.kind;
    if (!items)
      return;
    const count = (f) => [...items.reduce((m, e) => m.set(f(e), (m.get(f(e)) ?? 0) + 1), new Map())].filter(([v]) => v)
      .sort(([a], [b]) => a.localeCompare(b));
    options(owner, count(ownerOf), state.owner, (v) => shortRef(v, 'group'));
    options(kind, kinds.length ? kinds : count((e) => lower(e.kind)), state.kind, (v) => v[0].toUpperCase() + v.slice(1));
    const shown = items.filter((e) => matches(e, state));
    summary.textContent = `${shown.length} ${shown.length === 1 ? 'document' : 'documents'}`;
    body.replaceChildren(...shown.map(row));
    table.hidden = !shown.length;
    results.querySelector('.empty-state')?.remove();
    if (!shown.length) {
      results.append(h('section', { class: 'empty-state' }, h('h2', null, items.length ? 'No matching docs' : 'No docs yet'),
        h('p', null, items.length ? 'No entity with docs matches these filters.'
          : 'Entities get docs with the backstage.io/techdocs-ref annotation; none has it.'),
        items.length ? h('p', null, h('a', { class: 'button', href: '/docs' }, 'Clear filters')) : null));
    }
  }

  async function load() {
    results.querySelector('.alert')?.remove();
    summary.replaceChildren(loading('Loading the docs\u2026'));
    try {
      const [list, { facets }] = await Promise.all([
        api(`/api/catalog/entities/by-query?${FILTER}&fields=${FIELDS}&limit=1000`, { signal: ctx.signal }),
        api(`/api/catalog/entity-facets?facet=kind&${FILTER}`, { signal: ctx.signal }),
      ]);
      items = list.items.sort((a, b) => lower(a.metadata.title || a.metadata.name).localeCompare(lower(b.metadata.title || b.metadata.name)));
      kinds = (facets.kind ?? []).map((f) => [lower(f.value), f.count]).sort(([a], [b]) => a.localeCompare(b));
      draw();
    } catch (err) {
      if (!ctx.signal.aborted) {
        summary.textContent = '';
        results.append(failure(err, load, 'The docs could not be listed'));
      }
    }
  }

  const node = h('div', { class: 'catalog' },
    h('header', { class: 'page-header' },
      h('h1', null, 'Documentation'),
      h('p', { class: 'lead' }, 'Technical documentation written next to the code, published for each component.')),
    h('div', { class: 'catalog-layout' },
      h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the docs', onsubmit: (e) => e.preventDefault() },
        h('div', { class: 'field field-wide' }, h('label', { for: search.id }, 'Search'), search),
        h('div', { class: 'field field-wide' }, h('label', { for: owner.id }, 'Owner'), owner),
        h('div', { class: 'field field-wide' }, h('label', { for: kind.id }, 'Kind'), kind),
        clear),
      results));
  draw();
  load();
  return {
    title: 'Docs',
    node,
    update(next) {
      clearTimeout(typing);
      state = readState(next.query);
      draw();
    },
  };
}
