/*
 * /create: the template gallery. Template entities as cards, filtered by
 * tag and owner (entity-facets of kind Template) and text; the query string
 * holds them: q=text, tag=<tag> (repeatable: any of them), owner=<ref>.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { entityPath, shortRef } from '../entity.js';
import { failure, loading } from '../ui.js';

let uid = 0;

const readState = (q) => ({ q: q.get('q') ?? '', tag: [...new Set(q.getAll('tag').filter(Boolean))], owner: q.get('owner') ?? '' });
function urlFor(s) {
  const q = new URLSearchParams(s.q ? { q: s.q } : {});
  s.tag.forEach((t) => q.append('tag', t));
  if (s.owner)
    q.set('owner', s.owner);
  return `/create${q.size ? `?${q}` : ''}`;
}

const ownerRef = (e) => (e.relations ?? []).find((r) => r.type === 'ownedBy')?.targetRef ??
  (e.spec?.owner && (e.spec.owner.includes(':') ? e.spec.owner : `group:${e.spec.owner}`).toLowerCase());
const lower = (v) => String(v ?? '').toLowerCase();

function matches(e, s) {
  const tags = (e.metadata.tags ?? []).map(lower);
  return [e.metadata.name, e.metadata.title, e.metadata.description, e.spec?.type, ...tags].some((v) => lower(v).includes(lower(s.q))) &&
    (!s.tag.length || s.tag.some((t) => tags.includes(lower(t)))) && (!s.owner || lower(ownerRef(e)) === lower(s.owner));
}

function card(e) {
  const ns = e.metadata.namespace ?? 'default';
  const form = `/create/templates/${encodeURIComponent(ns)}/${encodeURIComponent(e.metadata.name)}`;
  const title = e.metadata.title ?? e.metadata.name;
  const owner = ownerRef(e);
  const docs = e.metadata.annotations?.['backstage.io/techdocs-ref'] && `/docs/${encodeURIComponent(ns)}/template/${encodeURIComponent(e.metadata.name)}`;
  const links = (e.metadata.links ?? []).filter((l) => l?.url);
  return h('li', null, h('article', { class: 'card tpl-card' },
    h('div', null, e.spec?.type && h('span', { class: 'tpl-type' }, e.spec.type), h('h2', null, h('a', { href: form }, title))),
    h('p', { class: 'tpl-desc' }, e.metadata.description ?? 'No description.'),
    e.metadata.tags?.length && h('ul', { class: 'tags', 'aria-label': 'Tags' }, e.metadata.tags.map((t) => h('li', null, t))),
    owner && h('dl', { class: 'facts' }, h('dt', null, 'Owner'), h('dd', null, h('a', { href: entityPath(owner) }, shortRef(owner, 'group')))),
    (links.length || docs) && h('ul', { class: 'links', 'aria-label': `Links for ${title}` },
      docs && h('li', null, h('a', { href: docs }, 'Docs')),
      links.map((l) => h('li', null, h('a', { href: l.url, rel: 'external noopener', target: '_blank' }, l.title ?? l.url)))),
    h('div', { class: 'tpl-actions' },
      h('a', { class: 'button', href: entityPath(e), 'aria-label': `Details of ${title}` }, 'Details'),
      h('a', { class: 'button button-primary', href: form, 'aria-label': `Choose ${title}` }, 'Choose'))));
}

/* Facet values plus those of the loaded templates the facets lack yet. */
function merge(facet, templates, valuesOf) {
  const out = [...facet];
  for (const v of new Set(templates.flatMap(valuesOf)))
    if (!out.some((x) => lower(x.value) === lower(v)))
      out.push({ value: v, count: templates.filter((t) => valuesOf(t).includes(v)).length });
  return out.sort((a, b) => a.value.localeCompare(b.value));
}

export function render(ctx) {
  const p = `gal${++uid}`;
  let state = readState(ctx.query);
  let templates = null;
  let facets = { tags: [], owners: [] };

  const go = (patch, opts) => ctx.navigate(urlFor({ ...state, ...patch }), opts);
  let typing = null;
  const search = h('input', { id: `${p}-q`, type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'Name, description or tag',
    oninput: () => {
      clearTimeout(typing);
      typing = setTimeout(() => go({ q: search.value.trim() }, { replace: true }), 250);
    } });
  const owner = h('select', { id: `${p}-owner`, onchange: () => go({ owner: owner.value }) });
  const tagBox = h('fieldset', { class: 'tpl-tags' }, h('legend', null, 'Tags'));
  const clear = h('button', { type: 'button', class: 'button', onclick: () => { search.value = ''; go({ q: '', tag: [], owner: '' }); } }, 'Clear filters');
  const summary = h('p', { class: 'summary', role: 'status' });
  const grid = h('ul', { class: 'card-grid tpl-grid' });
  const results = h('div', { class: 'results' }, summary, grid);

  function draw() {
    if (document.activeElement !== search)
      search.value = state.q;
    owner.replaceChildren(h('option', { value: '' }, 'All'), ...facets.owners.map((o) => h('option',
      { value: o.value, selected: lower(o.value) === lower(state.owner) }, `${shortRef(o.value, 'group')} (${o.count})`)));
    const focused = tagBox.contains(document.activeElement) && document.activeElement.value;
    const chosen = state.tag.map(lower);
    tagBox.replaceChildren(tagBox.firstChild, ...facets.tags.map((t) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: t.value, checked: chosen.includes(lower(t.value)),
        onchange: () => go({ tag: [...tagBox.querySelectorAll('input:checked')].map((i) => i.value) }) }),
      h('span', null, t.value), h('span', { class: 'count' }, String(t.count)))));
    [...tagBox.querySelectorAll('input')].find((i) => i.value === focused)?.focus();
    tagBox.hidden = !facets.tags.length;
    clear.disabled = !state.q && !state.tag.length && !state.owner;
    if (!templates)
      return;
    const shown = templates.filter((e) => matches(e, state));
    summary.textContent = `${shown.length} ${shown.length === 1 ? 'template' : 'templates'}`;
    grid.replaceChildren(...shown.map(card));
    if (!shown.length) {
      grid.append(h('li', { class: 'empty-state' }, h('h2', null, 'No matching templates'),
        h('p', null, 'Templates are catalog entities of kind Template; none matches.'),
        h('p', null, h('a', { class: 'button', href: '/create' }, 'Clear filters'))));
    }
  }

  async function load() {
    results.querySelector('.alert')?.remove();
    summary.replaceChildren(loading('Loading templates\u2026'));
    try {
      const [list, { facets: f }] = await Promise.all([
        api('/api/catalog/entities/by-query?filter=kind=template&limit=500', { signal: ctx.signal }),
        api('/api/catalog/entity-facets?facet=metadata.tags&facet=relations.ownedBy&filter=kind=template', { signal: ctx.signal }),
      ]);
      templates = list.items.sort((a, b) => (a.metadata.title ?? a.metadata.name).localeCompare(b.metadata.title ?? b.metadata.name));
      facets = { tags: merge(f['metadata.tags'] ?? [], templates, (e) => e.metadata.tags ?? []),
        owners: merge(f['relations.ownedBy'] ?? [], templates, (e) => [ownerRef(e)].filter(Boolean)) };
      draw();
    } catch (err) {
      if (!ctx.signal.aborted) {
        summary.textContent = '';
        results.append(failure(err, load, 'The templates could not be loaded'));
      }
    }
  }

  const node = h('div', { class: 'catalog' },
    h('header', { class: 'page-header' },
      h('h1', null, 'Create a new component'),
      h('p', { class: 'lead' }, 'Start from a software template: fill in its form and the scaffolder creates and publishes the result.'),
      h('p', { class: 'actions' }, h('a', { class: 'button', href: '/create/tasks' }, 'Task list'),
        h('a', { class: 'button', href: '/catalog-import' }, 'Register existing component'))),
    h('div', { class: 'catalog-layout' },
      h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter the templates', onsubmit: (e) => e.preventDefault() },
        h('div', { class: 'field field-wide' }, h('label', { for: search.id }, 'Search'), search),
        h('div', { class: 'field field-wide' }, h('label', { for: owner.id }, 'Owner'), owner),
        tagBox, clear),
      results));
  draw();
  load();
  return {
    title: 'Create',
    node,
    update(next) {
      clearTimeout(typing);
      state = readState(next.query);
      draw();
    },
  };
}
