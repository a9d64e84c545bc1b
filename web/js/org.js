/*
 * The cards of Group and User pages. A Group shows its members (display
 * names through by-refs), its parent and child groups, and what it owns,
 * directly or including its sub-groups (one GET /entities with a
 * relations.ownedBy filter per group of the subtree). A User shows their
 * groups and what they own, directly and through their groups
 * (ownership=transitive).
 */
import { api } from './api.js';
import { h } from './dom.js';
import { entityPath, relationTargets, shortRef } from './entity.js';
import { failure, loading } from './ui.js';

let uid = 0;
const OWNED_FIELDS = 'kind,metadata.name,metadata.namespace,metadata.title,spec.type,relations';
const PEOPLE_FIELDS = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title',
  'spec.profile.displayName', 'spec.profile.email'];

const refOf = (e) => `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`.toLowerCase();
const title = (e) => e.spec?.profile?.displayName || e.metadata.title || e.metadata.name;

function card(id, heading, ...body) {
  return h('section', { class: 'panel org-card', 'aria-labelledby': id }, h('h2', { id }, heading), body);
}

/* Fill box with what load() gives, with a loading state and Retry. */
function later(box, load, signal) {
  const run = async () => {
    box.replaceChildren(loading());
    box.setAttribute('aria-busy', 'true');
    try {
      box.replaceChildren(...[await load()].flat());
    } catch (err) {
      if (!signal?.aborted)
        box.replaceChildren(failure(err, run, 'This could not be loaded'));
    }
    box.removeAttribute('aria-busy');
  };
  run();
  return box;
}

function people(refs, signal) {
  const box = h('div', { class: 'members' });
  if (!refs.length)
    return h('p', { class: 'muted' }, 'No members.');
  return later(box, async () => {
    const { items } = await api('/api/catalog/entities/by-refs', { method: 'POST', signal,
      body: { entityRefs: refs.slice(0, 1000), fields: PEOPLE_FIELDS } });
    const rows = refs.map((r, i) => ({ r, e: items[i] }))
      .sort((a, b) => (a.e ? title(a.e) : a.r).localeCompare(b.e ? title(b.e) : b.r));
    return h('ul', { class: 'member-list' }, rows.map(({ r, e }) => h('li', null,
      e ? h('a', { href: entityPath(r) }, title(e)) : h('span', { class: 'missing' }, shortRef(r, 'user')),
      e && title(e) !== e.metadata.name ? h('span', { class: 'muted' }, ` ${e.metadata.name}`) : null,
      e?.spec?.profile?.email ? h('span', { class: 'member-email' }, ' \u00b7 ',
        h('a', { href: `mailto:${e.spec.profile.email}` }, e.spec.profile.email)) : null)));
  }, signal);
}

function refLinks(refs, kind, none) {
  return refs.length ? h('ul', { class: 'plain-list' }, refs.map((r) => h('li', null,
    h('a', { href: entityPath(r), 'data-ref': r }, shortRef(r, kind))))) : h('p', { class: 'muted' }, none);
}

/* A table of owned entities; the Owner column says through whom. */
function ownedTable(items, self) {
  if (!items.length)
    return h('p', { class: 'muted' }, 'Nothing.');
  items.sort((a, b) => a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
  return h('table', { class: 'owned-table' },
    h('thead', null, h('tr', null, ['Name', 'Kind', 'Type', 'Owner'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, items.map((e) => h('tr', null,
      h('td', null, h('a', { href: entityPath(e), class: 'owned-link' }, e.metadata.title || e.metadata.name)),
      h('td', null, e.kind),
      h('td', null, e.spec?.type ?? ''),
      h('td', null, relationTargets(e, 'ownedBy').flatMap((r, i) => [i ? ', ' : null,
        r === self ? h('span', { class: 'muted' }, 'directly') : h('a', { href: entityPath(r) }, shortRef(r, 'group'))]))))));
}

async function ownedBy(refs, signal, extra = '') {
  const q = new URLSearchParams(refs.map((r) => ['filter', `relations.ownedBy=${r}`]));
  q.set('fields', OWNED_FIELDS);
  const items = await api(`/api/catalog/entities?${q}${extra}`, { signal });
  return Array.isArray(items) ? items : items.items ?? [];
}

/* Two views of owned entities behind a pair of radio buttons. */
function ownedCard(id, views, signal) {
  const box = h('div', { class: 'owned' });
  const name = `${id}-scope`;
  const cache = new Map();
  const show = (i) => later(box, async () => {
    if (!cache.has(i))
      cache.set(i, await views[i].load());
    const items = cache.get(i);
    return [h('p', { class: 'muted owned-count', role: 'status' }, `${items.length} ${items.length === 1 ? 'entity' : 'entities'}`),
      ownedTable([...items], views[i].self)];
  }, signal);
  const radios = h('fieldset', { class: 'segmented' }, h('legend', { class: 'visually-hidden' }, 'Show'),
    views.map((v, i) => h('label', null,
      h('input', { type: 'radio', name, value: String(i), checked: i === 0, onchange: () => show(i) }), ` ${v.label}`)));
  show(0);
  return card(id, 'Owned entities', radios, box);
}

/* All groups under ref (itself included), from one list of every group. */
async function subtree(ref, signal) {
  const groups = await api('/api/catalog/entities?filter=kind=group&fields=kind,metadata.name,metadata.namespace,relations', { signal });
  const children = new Map((Array.isArray(groups) ? groups : groups.items).map((g) => [refOf(g), relationTargets(g, 'parentOf')]));
  const out = [];
  const walk = (r) => {
    if (out.includes(r))
      return;
    out.push(r);
    (children.get(r) ?? []).forEach(walk);
  };
  walk(ref);
  return out;
}

export function groupCards(e, signal) {
  const ref = refOf(e);
  const id = `org${++uid}`;
  return [
    card(`${id}-members`, 'Members', people(relationTargets(e, 'hasMember'), signal)),
    card(`${id}-groups`, 'Groups',
      h('h3', null, 'Parent'), refList(relationTargets(e, 'childOf'), 'No parent group.'),
      h('h3', null, 'Child groups'), refList(relationTargets(e, 'parentOf'), 'No child groups.')),
    ownedCard(`${id}-owned`, [
      { label: 'Direct', self: ref, load: () => ownedBy([ref], signal) },
      { label: 'Including sub-groups', self: ref, load: async () => ownedBy(await subtree(ref, signal), signal) },
    ], signal),
  ];
}

export function userCards(e, signal) {
  const ref = refOf(e);
  const id = `org${++uid}`;
  return [
    card(`${id}-groups`, 'Groups', refList(relationTargets(e, 'memberOf'), 'Not a member of any group.')),
    ownedCard(`${id}-owned`, [
      { label: 'Including their groups', self: ref, load: () => ownedBy([ref], signal, '&ownership=transitive') },
      { label: 'Direct', self: ref, load: () => ownedBy([ref], signal) },
    ], signal),
  ];
}

function refList(refs, none) {
  return refLinks(refs, 'group', none);
}
