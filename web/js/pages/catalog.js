/*
 * /catalog: the entity list. Kind, facet filters, text filter, sort, page
 * size and page cursor all live in the query string, so a URL is a
 * shareable view and Back/Forward restore it (the router calls
 * view.update with the new query; the page keeps its DOM and focus).
 *
 *   kind=component  type=  lifecycle=  owner=group:default/x  tag=  namespace=
 *   q=text  sort=name|name,desc  limit=20|50  cursor=<by-query cursor>  page=n
 *   starred=1: only the starred entities of the kind (stars.js), read with
 *   POST /entities/by-refs and filtered here by type, lifecycle, namespace,
 *   tag and text (not by owner); no paging.
 *   owned=me: owned by the caller (GET /api/auth/v1/userinfo, once per page
 *   life), directly or through their groups: relations.ownedBy=<sub> with
 *   ownership=transitive on the list and the facets. With owner= values too,
 *   the owner values are cut down to the caller's owners (see ownership()).
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { entityPath, parseRef, processingErrors, refOf, shortRef } from '../entity.js';
import { failure } from '../ui.js';
import { starredRefs } from '../stars.js';
import { takeFlash } from '../unregister.js';

const LIMITS = [20, 50];
const has = (s, f) => (f.multi ? s[f.param].length > 0 : Boolean(s[f.param]));
const DEFAULT_KIND = 'component';

/* The facet filters: URL parameter, label, facet (and filter key). */
const FILTERS = [
  { param: 'type', label: 'Type', facet: 'spec.type' },
  { param: 'lifecycle', label: 'Lifecycle', facet: 'spec.lifecycle' },
  { param: 'owner', label: 'Owner', facet: 'relations.ownedBy', show: (v) => shortRef(v, 'group'), multi: true },
  { param: 'tag', label: 'Tags', facet: 'metadata.tags', multi: true },
  { param: 'namespace', label: 'Namespace', facet: 'metadata.namespace' },
];

/* ---- columns ---- */

const refLink = (ref, expectedKind) => h('a', { href: entityPath(ref) }, shortRef(ref, expectedKind));
const specRef = (e, value, kind) => {
  if (!value)
    return null;
  const r = parseRef(value, { kind, namespace: e.metadata.namespace ?? 'default' });
  return refLink(`${r.kind.toLowerCase()}:${r.namespace}/${r.name}`, kind);
};
const text = (v) => (v == null || v === '' ? null : String(v));

function nameCell(e, stars) {
  const errors = processingErrors(e);
  const title = e.metadata.title && e.metadata.title !== e.metadata.name ? e.metadata.title : null;
  return [
    stars?.has(refOf(e)) ? h('span', { class: 'star-row', role: 'img', 'aria-label': 'Starred', title: 'Starred' }, '\u2605') : null,
    h('a', { href: entityPath(e), class: 'entity-link' }, e.metadata.name),
    errors.length ? h('span', { class: 'badge badge-error', title: errors.map((x) => x.message).join('\n') },
      errors.length === 1 ? '1 error' : `${errors.length} errors`) : null,
    title ? h('span', { class: 'cell-sub' }, title) : null,
  ];
}

const COL = {
  name: { label: 'Name', sort: 'metadata.name', fields: ['metadata.title'], cell: nameCell },
  system: { label: 'System', sort: 'spec.system', fields: ['spec.system'], cell: (e) => specRef(e, e.spec?.system, 'system') },
  domain: { label: 'Domain', sort: 'spec.domain', fields: ['spec.domain'], cell: (e) => specRef(e, e.spec?.domain, 'domain') },
  owner: { label: 'Owner', sort: 'spec.owner', fields: ['spec.owner'], cell: (e) => specRef(e, e.spec?.owner, 'group') },
  parent: { label: 'Parent', sort: 'spec.parent', fields: ['spec.parent'], cell: (e) => specRef(e, e.spec?.parent, 'group') },
  type: { label: 'Type', sort: 'spec.type', fields: ['spec.type'], cell: (e) => text(e.spec?.type) },
  lifecycle: { label: 'Lifecycle', sort: 'spec.lifecycle', fields: ['spec.lifecycle'], cell: (e) => text(e.spec?.lifecycle) },
  displayName: { label: 'Display name', sort: 'spec.profile.displayName', fields: ['spec.profile.displayName'],
    cell: (e) => text(e.spec?.profile?.displayName) },
  email: { label: 'Email', sort: 'spec.profile.email', fields: ['spec.profile.email'], cell: (e) => text(e.spec?.profile?.email) },
  memberOf: { label: 'Groups', fields: ['spec.memberOf'],
    cell: (e) => (e.spec?.memberOf ?? []).flatMap((g, i) => [i ? ', ' : null, specRef(e, g, 'group')]) },
  target: { label: 'Targets', fields: ['spec.target', 'spec.targets'], cell: (e) => {
    const t = [e.spec?.target, ...(e.spec?.targets ?? [])].filter(Boolean);
    return t.length === 1 ? h('code', null, t[0]) : t.length ? `${t.length} targets` : null;
  } },
  description: { label: 'Description', fields: ['metadata.description'],
    cell: (e) => (e.metadata.description ? h('span', { class: 'clamp' }, e.metadata.description) : null) },
  tags: { label: 'Tags', fields: ['metadata.tags'],
    cell: (e) => (e.metadata.tags?.length ? h('ul', { class: 'tags' }, e.metadata.tags.map((t) => h('li', null, t))) : null) },
};

const KIND_COLUMNS = {
  component: ['name', 'system', 'owner', 'type', 'lifecycle', 'description', 'tags'],
  api: ['name', 'system', 'owner', 'type', 'lifecycle', 'description', 'tags'],
  resource: ['name', 'system', 'owner', 'type', 'description', 'tags'],
  system: ['name', 'domain', 'owner', 'type', 'description', 'tags'],
  domain: ['name', 'owner', 'description', 'tags'],
  group: ['name', 'displayName', 'type', 'parent', 'email', 'description'],
  user: ['name', 'displayName', 'email', 'memberOf'],
  location: ['name', 'type', 'target', 'description'],
  template: ['name', 'type', 'owner', 'description', 'tags'],
};
const columnsFor = (kind) => KIND_COLUMNS[kind] ?? ['name', 'owner', 'type', 'description', 'tags'];

/* ---- the caller ---- */

/*
 * Who "me" is, asked once for the page's life (a reload asks again):
 * { sub, owners } where owners are the lower-case refs that own an entity
 * on the caller's behalf (the caller, their groups and the groups' parents,
 * as far as they own something), read from the relations.ownedBy facet of
 * what the caller owns transitively. A failure is kept too, so the page
 * asks only once and the checkbox stays disabled.
 */
let mePromise = null;
function ownership() {
  mePromise ??= (async () => {
    const info = await api('/api/auth/v1/userinfo');
    const sub = info?.claims?.sub;
    if (typeof sub !== 'string' || !sub)
      throw new Error('the answer names no user');
    const q = new URLSearchParams({ facet: 'relations.ownedBy', filter: `relations.ownedBy=${sub}`, ownership: 'transitive' });
    const { facets } = await api(`/api/catalog/entity-facets?${q}`);
    return { sub, owners: new Set((facets['relations.ownedBy'] ?? []).map((v) => v.value.toLowerCase())) };
  })();
  return mePromise;
}

function ownershipProblem(err) {
  if (err.status === 401 || err.status === 403)
    return 'Sign in to use this filter.';
  if (err.status === 404)
    return 'This server does not say who you are.';
  if (err.status)
    return `Unavailable: the server answered ${err.status} when asked who you are.`;
  return 'Unavailable: the backend could not say who you are.';
}

/* ---- state <-> URL ---- */

function readState(query) {
  const s = { kind: (query.get('kind') || DEFAULT_KIND).toLowerCase() };
  for (const f of FILTERS)
    s[f.param] = f.multi ? [...new Set(query.getAll(f.param).filter(Boolean))] : query.get(f.param) ?? '';
  s.q = query.get('q') ?? '';
  const [col, dir] = (query.get('sort') ?? '').split(',');
  s.sort = COL[col]?.sort && columnsFor(s.kind).includes(col) ? col : 'name';
  s.dir = dir === 'desc' ? 'desc' : 'asc';
  s.limit = LIMITS.includes(Number(query.get('limit'))) ? Number(query.get('limit')) : LIMITS[0];
  s.cursor = query.get('cursor') ?? '';
  s.page = Math.max(1, Number.parseInt(query.get('page'), 10) || 1);
  s.starred = query.get('starred') === '1';
  s.owned = query.get('owned') === 'me';
  return s;
}

function urlFor(s) {
  const q = new URLSearchParams();
  if (s.kind !== DEFAULT_KIND)
    q.set('kind', s.kind);
  for (const f of FILTERS) {
    for (const v of [s[f.param] ?? []].flat().filter(Boolean))
      q.append(f.param, v);
  }
  if (s.q)
    q.set('q', s.q);
  if (s.starred)
    q.set('starred', '1');
  if (s.owned)
    q.set('owned', 'me');
  if (s.sort !== 'name' || s.dir !== 'asc')
    q.set('sort', s.dir === 'desc' ? `${s.sort},desc` : s.sort);
  if (s.limit !== LIMITS[0])
    q.set('limit', String(s.limit));
  if (s.cursor) {
    q.set('cursor', s.cursor);
    q.set('page', String(s.page));
  }
  const qs = q.toString();
  return qs ? `/catalog?${qs}` : '/catalog';
}

/*
 * The filter= value for the state, leaving out one facet's own filter, and
 * whether it needs ownership=transitive. Returns null when nothing can
 * match. With owned=me (me: the answer of ownership()) alone, the filter
 * gets relations.ownedBy=<sub>, widened by the server. With owner values
 * too, both are on relations.ownedBy, whose values the server OR-s (and
 * ownership=transitive would widen the owner values as well), so the owner
 * values are cut down here to those among the caller's owners instead.
 */
function filterFor(s, except, me) {
  const conds = [`kind=${s.kind}`];
  let transitive = false;
  for (const f of FILTERS) {
    /* Values of one key inside one filter are OR-ed by the server. */
    if (f.param === except)
      continue;
    let values = [s[f.param] ?? []].flat().filter(Boolean);
    if (f.param === 'owner' && s.owned && me && values.length) {
      values = values.filter((v) => me.owners.has(v.toLowerCase()));
      if (!values.length)
        return null;
    }
    conds.push(...values.map((v) => `${f.facet}=${v}`));
  }
  if (s.owned && me && (except === 'owner' || !s.owner.length)) {
    conds.push(`relations.ownedBy=${me.sub}`);
    transitive = true;
  }
  return { filter: conds.join(','), transitive };
}

const listFields = (s) => [...new Set(['kind', 'metadata.name', 'metadata.namespace', 'status.items',
  ...columnsFor(s.kind).flatMap((c) => COL[c].fields)])];

/* The by-query URL, or null when nothing can match. A cursor carries the
 * query it came from (the widened owners included). */
function listQuery(s, me) {
  const q = new URLSearchParams();
  q.set('fields', listFields(s).join(','));
  q.set('limit', String(s.limit));
  if (s.cursor) {
    q.set('cursor', s.cursor);
  } else {
    const f = filterFor(s, null, me);
    if (!f)
      return null;
    q.set('filter', f.filter);
    if (f.transitive)
      q.set('ownership', 'transitive');
    q.set('orderField', `${COL[s.sort].sort},${s.dir}`);
    if (s.q) {
      q.set('fullTextFilterTerm', s.q);
      q.set('fullTextFilterFields', 'metadata.name,metadata.title,spec.profile.displayName');
    }
  }
  return `/api/catalog/entities/by-query?${q}`;
}

/* The starred entities of the kind: one by-refs request, then the simple
 * filters and the sort applied here. Returns the by-query answer's shape. */
const pathValue = (e, path) => path.split('.').reduce((o, k) => (o == null ? o : o[k]), e);
async function starredList(s, signal, me) {
  const refs = starredRefs().filter((r) => r.startsWith(`${s.kind}:`));
  if (!refs.length)
    return { items: [], totalItems: 0, pageInfo: {} };
  const fields = [...new Set([...listFields(s), 'spec.type', 'spec.lifecycle', 'metadata.tags',
    'metadata.title', 'spec.profile.displayName', ...(s.owned && me ? ['relations'] : [])])];
  /* owned=me: an ownedBy relation to one of the caller's owners. */
  const mine = (e) => !(s.owned && me) ||
    (e.relations ?? []).some((r) => r.type === 'ownedBy' && me.owners.has(String(r.targetRef).toLowerCase()));
  const { items } = await api('/api/catalog/entities/by-refs', { method: 'POST', signal,
    body: { entityRefs: refs, fields } });
  const eq = (a, b) => !b || String(a ?? '').toLowerCase() === b.toLowerCase();
  const text = s.q.toLowerCase();
  const tags = s.tag.map((t) => t.toLowerCase());
  const rows = items.filter((e) => e && mine(e) &&
    eq(e.spec?.type, s.type) && eq(e.spec?.lifecycle, s.lifecycle) && eq(e.metadata.namespace ?? 'default', s.namespace) &&
    (!tags.length || (e.metadata.tags ?? []).some((t) => tags.includes(t.toLowerCase()))) &&
    (!text || [e.metadata.name, e.metadata.title, e.spec?.profile?.displayName]
      .some((v) => String(v ?? '').toLowerCase().includes(text))));
  const key = (e) => String(pathValue(e, COL[s.sort].sort) ?? '');
  rows.sort((a, b) => key(a).localeCompare(key(b)) * (s.dir === 'desc' ? -1 : 1));
  return { items: rows, totalItems: rows.length, pageInfo: {} };
}

/* Facet requests: one for every filter without a value (all filters
 * applied), one per filter with a value (the other filters applied),
 * and the kinds (no filter). */
function facetRequests(s, me) {
  const reqs = [{ facets: ['kind'], all: true }];
  const free = FILTERS.filter((f) => !has(s, f));
  if (free.length)
    reqs.push({ facets: free.map((f) => f.facet), filter: filterFor(s, null, me) });
  for (const f of FILTERS.filter((x) => has(s, x)))
    reqs.push({ facets: [f.facet], filter: filterFor(s, f.param, me) });
  return reqs.map((r) => {
    if (!r.all && !r.filter) /* nothing can match: no request */
      return null;
    const q = new URLSearchParams();
    for (const f of r.facets)
      q.append('facet', f);
    if (r.filter) {
      q.set('filter', r.filter.filter);
      if (r.filter.transitive)
        q.set('ownership', 'transitive');
    }
    return `/api/catalog/entity-facets?${q}`;
  });
}

/* ---- page ---- */

let uid = 0;

/* 'Component' -> 'components', 'API' -> 'APIs'. */
function plural(kind, n) {
  const word = /^[A-Z]+$/.test(kind) ? kind : kind.toLowerCase();
  return n === 1 ? word : word + (/(s|x|sh|ch)$/i.test(word) ? 'es' : 's');
}

function select(label, id, onchange) {
  const el = h('select', { id, onchange });
  return { el, field: h('div', { class: id.endsWith('-kind') ? 'field field-wide' : 'field' }, h('label', { for: id }, label), el) };
}

/*
 * A multiple choice: a disclosure whose summary names the choice, holding
 * a checkbox per value. onchange(values) runs on every tick; fill(items,
 * selected) redraws the boxes and keeps the focus on the same value.
 */
function multi(label, id, onchange) {
  const chosen = h('span', { class: 'multi-chosen' });
  const summary = h('summary', { id: `${id}-summary` }, h('span', { class: 'multi-label' }, label), chosen);
  const box = h('fieldset', { class: 'multi-options' }, h('legend', { class: 'visually-hidden' }, label));
  const field = h('details', { class: 'field multi' }, summary, box);
  field.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && field.open) {
      field.open = false;
      summary.focus();
    }
  });
  const fill = (items, selected) => {
    const focused = box.contains(document.activeElement) ? document.activeElement.value : null;
    const lower = new Set(selected.map((v) => v.toLowerCase()));
    const all = [...items];
    for (const v of selected) { /* a value from the URL with no matches left */
      if (!items.some((i) => i.value.toLowerCase() === v.toLowerCase()))
        all.push({ value: v, label: v, count: 0 });
    }
    box.replaceChildren(box.firstChild, ...all.map((item) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: item.value, checked: lower.has(item.value.toLowerCase()),
        onchange: () => onchange([...box.querySelectorAll('input:checked')].map((i) => i.value)) }),
      h('span', null, item.label), h('span', { class: 'count' }, String(item.count)))));
    chosen.textContent = selected.length === 0 ? 'All' : selected.length === 1
      ? all.find((i) => i.value.toLowerCase() === selected[0].toLowerCase()).label : `${selected.length} selected`;
    if (focused != null)
      [...box.querySelectorAll('input')].find((i) => i.value === focused)?.focus();
  };
  return { field, fill, el: box };
}

function fillSelect(el, items, value, anyLabel) {
  const opts = anyLabel ? [h('option', { value: '' }, anyLabel)] : [];
  let found = !value;
  for (const { value: v, label, count } of items) {
    found ||= v.toLowerCase() === value.toLowerCase();
    opts.push(h('option', { value: v }, count == null ? label : `${label} (${count})`));
  }
  if (!found) /* a value from the URL with no matches left */
    opts.push(h('option', { value }, `${value} (0)`));
  el.replaceChildren(...opts);
  const match = [...el.options].find((o) => o.value.toLowerCase() === value.toLowerCase());
  el.value = match ? match.value : '';
}

export function render(ctx) {
  const p = `cat${++uid}`;
  let state = readState(ctx.query);
  let loadCtl = null;

  const go = (patch, { replace = false } = {}) => {
    const next = { ...state, cursor: '', page: 1, ...patch };
    ctx.navigate(urlFor(next), { replace });
  };

  const kind = select('Kind', `${p}-kind`, () => go({ kind: kind.el.value.toLowerCase(), type: '', lifecycle: '', sort: 'name', dir: 'asc' }));
  const filters = FILTERS.map((f) => {
    if (f.multi)
      return { ...f, ...multi(f.label, `${p}-${f.param}`, (values) => go({ [f.param]: values })) };
    const s = select(f.label, `${p}-${f.param}`, () => go({ [f.param]: s.el.value }));
    return { ...f, ...s };
  });
  const search = h('input', { id: `${p}-q`, type: 'search', autocomplete: 'off', spellcheck: 'false',
    placeholder: 'Name or title' });
  let typing = null;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      const q = search.value.trim();
      if (q !== state.q)
        go({ q }, { replace: Boolean(state.q) && Boolean(q) });
    }, 300);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(typing);
      if (search.value.trim() !== state.q)
        go({ q: search.value.trim() });
    }
  });
  const starredBox = h('input', { id: `${p}-starred`, type: 'checkbox',
    onchange: () => go({ starred: starredBox.checked }) });
  const starredField = h('div', { class: 'field field-wide' },
    h('label', { class: 'check', for: starredBox.id }, starredBox, h('span', null, 'Starred only')));
  const ownedBox = h('input', { id: `${p}-owned`, type: 'checkbox',
    onchange: () => go({ owned: ownedBox.checked }) });
  const ownedNote = h('span', { id: `${p}-owned-note`, class: 'field-note', hidden: true });
  const ownedField = h('div', { class: 'field field-wide' },
    h('label', { class: 'check', for: ownedBox.id }, ownedBox, h('span', null, 'Owned by me')), ownedNote);
  let ownedError = null;
  const showOwnedError = (err) => {
    ownedError = err;
    ownedBox.disabled = true;
    ownedBox.checked = false;
    ownedBox.setAttribute('aria-describedby', ownedNote.id);
    ownedNote.textContent = ownershipProblem(err);
    ownedNote.hidden = false;
  };
  const clear = h('button', { type: 'button', class: 'button', onclick: () => {
    search.value = '';
    go({ q: '', starred: false, owned: false, ...Object.fromEntries(FILTERS.map((f) => [f.param, f.multi ? [] : ''])) });
  } }, 'Clear filters');

  const form = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the catalog',
    onsubmit: (e) => e.preventDefault() },
  kind.field,
  h('div', { class: 'field field-wide' }, h('label', { for: search.id }, 'Search'), search),
  starredField,
  ownedField,
  filters.map((f) => f.field),
  clear);

  const summary = h('p', { class: 'summary', role: 'status', 'aria-live': 'polite' }, 'Loading\u2026');
  const tableWrap = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Entities' });
  const limit = select('Rows per page', `${p}-limit`, () => go({ limit: Number(limit.el.value) }));
  fillSelect(limit.el, LIMITS.map((n) => ({ value: String(n), label: String(n) })), String(state.limit));
  const prev = h('button', { type: 'button', class: 'button' }, '\u2039 Previous');
  const next = h('button', { type: 'button', class: 'button' }, 'Next \u203a');
  const pageInfo = h('span', { class: 'muted page-info' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' }, limit.field, pageInfo, prev, next);
  const results = h('div', { class: 'results' }, summary, tableWrap, pager);
  let cursors = {};
  prev.addEventListener('click', () => {
    if (cursors.prevCursor)
      go({ cursor: state.page - 1 > 1 ? cursors.prevCursor : '', page: state.page - 1 });
  });
  next.addEventListener('click', () => {
    if (cursors.nextCursor)
      go({ cursor: cursors.nextCursor, page: state.page + 1 });
  });

  function syncControls() {
    search.value = state.q;
    limit.el.value = String(state.limit);
    starredBox.checked = state.starred;
    ownedBox.checked = state.owned && !ownedError;
    clear.disabled = !state.q && !state.starred && !state.owned && FILTERS.every((f) => !has(state, f));
  }

  function header(cols) {
    return h('thead', null, h('tr', null, cols.map((c) => {
      const col = COL[c];
      if (!col.sort)
        return h('th', { scope: 'col' }, col.label);
      const active = state.sort === c;
      const dir = active && state.dir === 'asc' ? 'desc' : 'asc';
      return h('th', { scope: 'col', 'aria-sort': active ? (state.dir === 'asc' ? 'ascending' : 'descending') : null },
        h('button', { type: 'button', class: 'sort', 'data-col': c,
          'aria-label': `${col.label}, sort ${dir === 'asc' ? 'ascending' : 'descending'}`,
          onclick: () => go({ sort: c, dir }) },
        col.label, h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, active ? (state.dir === 'asc' ? '\u25b2' : '\u25bc') : '\u21c5')));
    })));
  }

  function table(items) {
    const cols = columnsFor(state.kind);
    const stars = new Set(starredRefs());
    return h('table', { class: 'entity-table' },
      h('caption', { class: 'visually-hidden' }, `${kindLabel()} entities`),
      header(cols),
      h('tbody', null, items.map((e) => h('tr', { class: processingErrors(e).length ? 'has-error' : null },
        cols.map((c) => h(c === 'name' ? 'th' : 'td', { scope: c === 'name' ? 'row' : null, 'data-label': COL[c].label },
          COL[c].cell(e, stars)))))));
  }

  let kinds = [];
  const kindLabel = () => kinds.find((k) => k.value.toLowerCase() === state.kind)?.value ?? state.kind;

  async function load() {
    loadCtl?.abort();
    loadCtl = new AbortController();
    const signal = AbortSignal.any([ctx.signal, loadCtl.signal]);
    const s = state;
    results.setAttribute('aria-busy', 'true');
    try {
      let me = null;
      if (s.owned) {
        try {
          me = await ownership();
        } catch (err) {
          if (signal.aborted)
            return;
          /* Not knowing the caller: the checkbox explains, the rest works. */
          showOwnedError(err);
          go({ owned: false }, { replace: true });
          return;
        }
        if (signal.aborted)
          return;
      }
      const listUrl = s.starred ? null : listQuery(s, me);
      const [list, ...facets] = await Promise.all([
        s.starred ? starredList(s, signal, me)
          : listUrl ? api(listUrl, { signal }) : { items: [], totalItems: 0, pageInfo: {} },
        ...facetRequests(s, me).map((u) => (u ? api(u, { signal }) : { facets: {} }))]);
      if (signal.aborted)
        return;
      const merged = Object.assign({}, ...facets.map((f) => f.facets));
      kinds = merged.kind ?? [];
      fillSelect(kind.el, kinds.map((k) => ({ value: k.value.toLowerCase(), label: k.value, count: k.count })), s.kind);
      for (const f of filters) {
        const values = merged[f.facet] ?? [];
        const items = values.map((v) => ({ value: v.value, label: f.show ? f.show(v.value) : v.value, count: v.count }));
        if (f.multi)
          f.fill(items, s[f.param]);
        else
          fillSelect(f.el, items, s[f.param], 'All');
        f.field.hidden = values.length === 0 && !has(s, f);
      }
      cursors = list.pageInfo ?? {};
      const total = list.totalItems ?? list.items.length;
      const pages = Math.max(1, Math.ceil(total / s.limit));
      summary.textContent = `${total} ${s.starred ? 'starred ' : ''}${plural(kindLabel(), total)}`;
      pageInfo.textContent = `Page ${Math.min(s.page, pages)} of ${pages}`;
      const hadFocus = pager.contains(document.activeElement) ? document.activeElement : null;
      prev.disabled = !cursors.prevCursor;
      next.disabled = !cursors.nextCursor;
      if (hadFocus?.disabled)
        (hadFocus === next ? prev : next).disabled ? tableWrap.focus() : (hadFocus === next ? prev : next).focus();
      const sortFocus = document.activeElement?.closest?.('.sort')?.dataset.col;
      tableWrap.replaceChildren(list.items.length ? table(list.items)
        : h('div', { class: 'empty-state' }, h('h2', null, 'No matching entities'),
          h('p', null, s.starred ? 'No starred entity of this kind matches. Star an entity with the Star button on its page.'
            : 'Nothing in the catalog matches these filters.'),
          h('p', null, h('a', { class: 'button', href: urlFor({ kind: s.kind, sort: s.sort, dir: s.dir, limit: s.limit }) },
            'Clear filters'))));
      if (sortFocus)
        tableWrap.querySelector(`.sort[data-col="${sortFocus}"]`)?.focus();
      pager.hidden = s.starred;
      tableWrap.hidden = false;
      results.querySelector('.alert')?.remove();
    } catch (err) {
      if (signal.aborted)
        return;
      if (err.status === 400 && s.cursor) {
        /* A cursor from an old link the server no longer reads: start over. */
        go({}, { replace: true });
        return;
      }
      summary.textContent = '';
      tableWrap.hidden = true;
      pager.hidden = true;
      results.querySelector('.alert')?.remove();
      const panel = failure(err, () => load());
      results.append(panel);
      if (results.contains(document.activeElement) || document.activeElement === document.body)
        panel.querySelector('button').focus();
    } finally {
      if (!signal.aborted)
        results.removeAttribute('aria-busy');
    }
  }

  const flashMessage = takeFlash();
  const node = h('div', { class: 'catalog' },
    h('header', { class: 'page-header' },
      h('h1', null, 'Catalog'),
      h('p', { class: 'lead' }, 'Every service, website, library, API and team, with its owner and what it depends on.'),
      h('p', null, h('a', { class: 'button', href: '/catalog-import' }, 'Register existing component')),
      flashMessage ? h('p', { class: 'flash', role: 'status' }, flashMessage) : null),
    h('div', { class: 'catalog-layout' }, form, results));

  syncControls();
  fillSelect(kind.el, [{ value: state.kind, label: state.kind }], state.kind);
  load();

  return {
    title: 'Catalog',
    node,
    update(next) {
      clearTimeout(typing);
      state = readState(next.query);
      syncControls();
      load();
    },
  };
}
