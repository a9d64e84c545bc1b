/*
 * /catalog/:namespace/:kind/:name: one entity. Processing errors first,
 * then the header (kind, title, owner, system, lifecycle, tags) and tabs:
 * Overview (About and Relations), Definition (APIs with a definition) and
 * Raw YAML. The tab shown is in the URL fragment (#overview, #definition,
 * #yaml). An unknown entity gets a not-found page; a failed request a
 * Retry button.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { entityPath, processingErrors, refOf, relationLabel, relationTargets, shortRef } from '../entity.js';
import { definitionView } from '../definition.js';
import { groupCards, userCards } from '../org.js';
import { EDGE_TYPES, buildGraph, drawGraph } from '../graph.js';
import { failure, loading } from '../ui.js';
import { isStarred, setStarred } from '../stars.js';
import { unregisterAction } from '../unregister.js';
import { toYaml } from '../yaml.js';
import { docsTab } from '../techdocs/tab.js';

let uid = 0;

const safeUrl = (u) => (/^https?:\/\//i.test(u ?? '') ? u : null);
const extLink = (url, label) => h('a', { href: url, rel: 'external noopener', target: '_blank' }, label);

function notFound({ kind, namespace, name }) {
  const node = h('div', { class: 'page-header' },
    h('h1', null, 'Entity not found'),
    h('p', { class: 'lead' }, 'There is no ', h('code', null, `${kind}:${namespace}/${name}`), ' in the catalog.'),
    h('p', null, 'It may have been renamed or removed, or its file may not have been processed yet.'),
    h('p', null, h('a', { class: 'button button-primary', href: '/catalog' }, 'Go to the catalog')));
  return { title: 'Entity not found', node };
}

function refList(refs, expectedKind) {
  return refs.flatMap((r, i) => [i ? ', ' : null, h('a', { href: entityPath(r) }, shortRef(r, expectedKind))]);
}

function errorsBanner(errors) {
  if (!errors.length)
    return null;
  return h('section', { class: 'alert alert-error', 'aria-labelledby': 'processing-errors' },
    h('div', null,
      h('h2', { id: 'processing-errors', class: 'alert-title' },
        errors.length === 1 ? 'This entity has a processing error' : `This entity has ${errors.length} processing errors`),
      h('p', { class: 'muted' }, 'The catalog could not process its latest definition; what is shown may be out of date.'),
      h('ul', { class: 'error-list' }, errors.map((e) => h('li', null,
        e.error?.name ? h('strong', null, `${e.error.name}: `) : null,
        e.error?.message ?? e.message)))));
}

function sourceLocation(annotations) {
  const src = annotations['backstage.io/source-location'] ?? annotations['backstage.io/managed-by-location'];
  if (!src)
    return null;
  const i = src.indexOf(':');
  const [type, target] = i > 0 ? [src.slice(0, i), src.slice(i + 1)] : ['', src];
  return type === 'url' && safeUrl(target) ? extLink(target, target) : h('code', null, src);
}

function about(e, ctx) {
  const md = e.metadata;
  const ann = md.annotations ?? {};
  const ns = md.namespace ?? 'default';
  const rows = [];
  const row = (label, value) => {
    if (value != null && value !== '' && !(Array.isArray(value) && !value.length))
      rows.push(h('dt', null, label), h('dd', null, value));
  };
  const owners = relationTargets(e, 'ownedBy');
  row('Owner', owners.length ? refList(owners, 'group') : e.spec?.owner);
  row('System', refList(relationTargets(e, 'partOf', 'system'), 'system'));
  row('Domain', refList(relationTargets(e, 'partOf', 'domain'), 'domain'));
  row('Parent', refList(relationTargets(e, 'childOf'), 'group'));
  row('Type', e.spec?.type);
  row('Lifecycle', e.spec?.lifecycle);
  row('Display name', e.spec?.profile?.displayName);
  row('Email', e.spec?.profile?.email ? h('a', { href: `mailto:${e.spec.profile.email}` }, e.spec.profile.email) : null);
  const targets = [e.spec?.target, ...(e.spec?.targets ?? [])].filter((t) => typeof t === 'string');
  row('Targets', targets.length ? h('ul', { class: 'plain-list' }, targets.map((t) => h('li', null, h('code', null, t)))) : null);
  row('Namespace', ns);
  row('Tags', md.tags?.length ? h('ul', { class: 'tags' }, md.tags.map((t) =>
    h('li', null, h('a', { href: `/catalog?${new URLSearchParams({ kind: e.kind.toLowerCase(), tag: t })}` }, t)))) : null);
  row('Source', sourceLocation(ann));

  const actions = [];
  const view = safeUrl(ann['backstage.io/view-url']);
  const edit = safeUrl(ann['backstage.io/edit-url']);
  if (view)
    actions.push(h('a', { class: 'button', href: view, rel: 'external noopener', target: '_blank' }, 'View source'));
  if (edit)
    actions.push(h('a', { class: 'button', href: edit, rel: 'external noopener', target: '_blank' }, 'Edit'));
  if (ctx?.navigate)
    actions.push(unregisterAction(e, ctx));

  const links = (md.links ?? []).filter((l) => safeUrl(l.url));
  return h('section', { class: 'panel', 'aria-labelledby': 'about-title' },
    h('h2', { id: 'about-title' }, 'About'),
    md.description ? h('p', { class: 'description' }, md.description)
      : h('p', { class: 'muted' }, 'No description.'),
    actions.length ? h('p', { class: 'actions' }, actions) : null,
    h('dl', { class: 'facts' }, rows),
    links.length ? [h('h3', null, 'Links'),
      h('ul', { class: 'links' }, links.map((l) => h('li', null, extLink(l.url, l.title || l.url))))] : null);
}

function relations(e) {
  const groups = new Map();
  for (const r of e.relations ?? []) {
    if (!groups.has(r.type))
      groups.set(r.type, []);
    groups.get(r.type).push(r.targetRef);
  }
  return h('section', { class: 'panel', 'aria-labelledby': 'relations-title' },
    h('h2', { id: 'relations-title' }, 'Relations'),
    groups.size ? h('dl', { class: 'relations' }, [...groups].map(([type, refs]) => [
      h('dt', null, relationLabel(type), h('span', { class: 'count' }, ` (${refs.length})`)),
      h('dd', null, refItems(refs))]))
      : h('p', { class: 'muted' }, 'No relations.'));
}

function orgCards(e, signal) {
  const kind = e.kind.toLowerCase();
  return kind === 'group' ? groupCards(e, signal) : kind === 'user' ? userCards(e, signal) : null;
}

/* An API's providers and consumers. */
function apiUsers(e) {
  if (e.kind.toLowerCase() !== 'api')
    return null;
  const list = (type, title) => {
    const refs = relationTargets(e, type);
    return h('div', { class: 'api-users' }, h('h3', null, title),
      refs.length ? refItems(refs) : h('p', { class: 'muted' }, 'None.'));
  };
  return h('section', { class: 'panel', 'aria-labelledby': 'api-users-title' },
    h('h2', { id: 'api-users-title' }, 'Providers and consumers'),
    list('apiProvidedBy', 'Provided by'), list('apiConsumedBy', 'Consumed by'));
}

/* A list of related entities; a long one shows its first items and a
 * button for the rest. */
const SHOWN = 10;
function refItems(refs) {
  const items = refs.map((r) => h('li', null, h('a', { href: entityPath(r), 'data-ref': r }, shortRef(r))));
  if (refs.length <= SHOWN + 2)
    return h('ul', null, items);
  for (const li of items.slice(SHOWN))
    li.hidden = true;
  const more = h('button', { type: 'button', class: 'link-button', onclick: () => {
    for (const li of items)
      li.hidden = false;
    more.remove();
    items[SHOWN].querySelector('a')?.focus();
  } }, `Show all ${refs.length}`);
  return [h('ul', null, items), more];
}

/* Give related entities their titles and mark the ones the catalog does
 * not have (a relation may point at an entity that does not exist). Only
 * an improvement: if the request fails, the refs stay as they are. */
async function describeRelated(root, signal) {
  const links = [...root.querySelectorAll('a[data-ref]:not(.graph-node)')];
  const refs = [...new Set(links.map((a) => a.dataset.ref))].slice(0, 1000);
  if (!refs.length)
    return;
  let items;
  try {
    ({ items } = await api('/api/catalog/entities/by-refs', { method: 'POST', signal,
      body: { entityRefs: refs, fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'] } }));
  } catch {
    return;
  }
  const found = new Map(refs.map((r, i) => [r, items[i]]));
  for (const a of links) {
    if (!found.has(a.dataset.ref))
      continue;
    const e = found.get(a.dataset.ref);
    if (!e) {
      a.replaceWith(h('span', { class: 'missing', title: 'Not in the catalog' }, a.textContent,
        h('span', { class: 'muted' }, ' (not in the catalog)')));
    } else if (e.metadata.title && e.metadata.title !== e.metadata.name) {
      a.title = a.textContent;
      a.append(h('span', { class: 'muted' }, ` \u2013 ${e.metadata.title}`));
    }
  }
}

/* The Graph tab: depth 1 from the entity's own relations; depth 2 asks
 * by-refs once for the neighbours' relations. */
const GRAPH_FIELDS = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title', 'relations'];
function graph(e, signal) {
  const ref = `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`.toLowerCase();
  const id = `graph${++uid}`;
  const canvas = h('div', { class: 'graph-canvas' });
  const note = h('p', { class: 'muted graph-note', role: 'status' });
  let neighbours = null;
  const draw = (g) => {
    canvas.replaceChildren(drawGraph(g));
    const shown = g.nodes.size;
    note.textContent = `${shown - 1} related ${shown === 2 ? 'entity' : 'entities'}` +
      (g.total > shown ? ` (showing ${shown - 1} of ${g.total - 1})` : '');
  };
  async function setDepth(depth) {
    if (depth === 1 || !(e.relations ?? []).length) {
      draw(buildGraph(ref, e.relations));
      return;
    }
    if (!neighbours) {
      canvas.replaceChildren(loading());
      const refs = [...new Set(e.relations.map((r) => r.targetRef))].slice(0, 1000);
      try {
        const { items } = await api('/api/catalog/entities/by-refs', { method: 'POST', signal,
          body: { entityRefs: refs, fields: GRAPH_FIELDS } });
        neighbours = new Map(refs.map((r, i) => [r, items[i]]));
      } catch (err) {
        if (!signal?.aborted)
          canvas.replaceChildren(failure(err, () => setDepth(depth), 'The neighbours could not be loaded'));
        return;
      }
    }
    if (select.value === '2')
      draw(buildGraph(ref, e.relations, neighbours));
  }
  const select = h('select', { id: `${id}-depth`, onchange: () => setDepth(Number(select.value)) },
    h('option', { value: '1' }, '1'), h('option', { value: '2' }, '2'));
  const legend = h('ul', { class: 'graph-legend', 'aria-label': 'Edge types' }, EDGE_TYPES.map((t) =>
    h('li', null, h('span', { class: `legend-line edge-${t}`, 'aria-hidden': 'true' }), relationLabel(t))));
  setDepth(1);
  return h('section', { class: 'panel graph-panel', 'aria-labelledby': `${id}-title` },
    h('div', { class: 'graph-head' },
      h('h2', { id: `${id}-title` }, 'Relations graph'),
      h('label', { class: 'graph-depth', for: `${id}-depth` }, 'Depth ', select)),
    note, legend, canvas);
}

/* Tabs with arrow-key movement; the tab shown is kept in the fragment. */
function tabs(list) {
  const id = `tabs${++uid}`;
  const wanted = window.location.hash.slice(1);
  let current = Math.max(0, list.findIndex((t) => t.id === wanted));
  const buttons = list.map((t, i) => h('button', { type: 'button', role: 'tab', id: `${id}-${t.id}`,
    'aria-controls': `${id}-${t.id}-panel`, onclick: () => show(i, true) }, t.label));
  const panels = list.map((t) => h('div', { role: 'tabpanel', id: `${id}-${t.id}-panel`,
    'aria-labelledby': `${id}-${t.id}`, tabindex: '0', class: 'tab-panel' }, t.content()));
  function show(i, user) {
    current = i;
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(j === i));
      b.tabIndex = j === i ? 0 : -1;
      panels[j].hidden = j !== i;
    });
    if (user)
      history.replaceState(history.state, '', i === 0 ? window.location.pathname + window.location.search : `#${list[i].id}`);
  }
  const bar = h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Entity views' }, buttons);
  bar.addEventListener('keydown', (ev) => {
    const n = list.length;
    const to = { ArrowRight: current + 1, ArrowLeft: current - 1 + n, Home: 0, End: n - 1 }[ev.key];
    if (to === undefined)
      return;
    ev.preventDefault();
    show(to % n, true);
    buttons[to % n].focus();
  });
  show(current, false);
  return [bar, panels];
}

/* The star toggle: a pressed button, kept in localStorage (stars.js). */
function starButton(e) {
  const ref = refOf(e);
  const name = e.metadata.title || e.metadata.name;
  const button = h('button', { type: 'button', class: 'button star-toggle' });
  const show = (on) => {
    button.setAttribute('aria-pressed', String(on));
    button.setAttribute('aria-label', `${on ? 'Unstar' : 'Star'} ${name}`);
    button.replaceChildren(h('span', { class: 'star-mark', 'aria-hidden': 'true' }, on ? '\u2605' : '\u2606'),
      on ? ' Unstar' : ' Star');
  };
  button.addEventListener('click', () => show(setStarred(ref, button.getAttribute('aria-pressed') !== 'true')));
  show(isStarred(ref));
  return button;
}

function view(e, signal, navigate) {
  const md = e.metadata;
  const owners = relationTargets(e, 'ownedBy');
  const systems = relationTargets(e, 'partOf', 'system');
  const chip = (label, value) => (value ? h('li', null, h('span', { class: 'chip-label' }, label), ' ', value) : null);
  const list = [{ id: 'overview', label: 'Overview', content: () => h('div', { class: 'overview' }, about(e, { signal, navigate }), relations(e), apiUsers(e), orgCards(e, signal)) },
    { id: 'graph', label: 'Graph', content: () => graph(e, signal) }];
  if (typeof e.spec?.definition === 'string')
    list.push({ id: 'definition', label: 'Definition', content: () => h('div', { class: 'definition' }, definitionView(e)) });
  if (md.annotations?.['backstage.io/techdocs-ref'])
    list.push({ id: 'docs', label: 'Docs', content: () => docsTab(e, signal) });
  list.push({ id: 'yaml', label: 'Raw YAML', content: () => h('pre', { class: 'code' }, h('code', null, toYaml(e))) });
  return h('article', { class: 'entity' },
    errorsBanner(processingErrors(e)),
    h('header', { class: 'entity-header' },
      h('p', { class: 'breadcrumb' }, h('a', { href: '/catalog' }, 'Catalog'), ' / ',
        h('a', { href: `/catalog?kind=${encodeURIComponent(e.kind.toLowerCase())}` }, e.kind)),
      h('div', { class: 'entity-title' }, h('h1', null, md.title || md.name), starButton(e)),
      md.title && md.title !== md.name ? h('p', { class: 'muted entity-ref' }, h('code', null, `${e.kind.toLowerCase()}:${md.namespace ?? 'default'}/${md.name}`)) : null,
      h('ul', { class: 'chips', 'aria-label': 'Summary' },
        chip('Kind', e.kind),
        chip('Owner', owners.length ? refList(owners, 'group') : null),
        chip('System', systems.length ? refList(systems, 'system') : null),
        chip('Type', e.spec?.type),
        chip('Lifecycle', e.spec?.lifecycle),
        md.tags?.length ? h('li', null, h('span', { class: 'chip-label' }, 'Tags'), ' ', md.tags.join(', ')) : null)),
    tabs(list));
}

export async function render({ params, signal, navigate }) {
  const { kind, namespace, name } = params;
  const path = `/api/catalog/entities/by-name/${[kind, namespace, name].map(encodeURIComponent).join('/')}`;
  let entity;
  try {
    entity = await api(path, { signal });
  } catch (err) {
    if (err.status === 404)
      return notFound(params);
    if (signal.aborted)
      throw err;
    /* Anything else: say so and offer to try again in place. */
    const node = h('div', { class: 'entity' });
    const title = h('h1', null, name);
    const show = (e) => {
      node.replaceChildren(h('header', { class: 'entity-header' }, title), failure(e, retry, 'This entity could not be loaded'));
    };
    async function retry() {
      node.replaceChildren(h('header', { class: 'entity-header' }, title), loading());
      try {
        const e = await api(path, { signal });
        node.replaceChildren(...view(e, signal, navigate).childNodes);
        describeRelated(node, signal);
        document.title = `${e.metadata.title || e.metadata.name} · stagehand`;
        node.querySelector('h1').setAttribute('tabindex', '-1');
        node.querySelector('h1').focus();
      } catch (e2) {
        if (e2.status === 404) {
          node.replaceChildren(notFound(params).node);
          return;
        }
        if (!signal.aborted) {
          show(e2);
          node.querySelector('.alert button').focus();
        }
      }
    }
    show(err);
    return { title: name, node };
  }
  const node = view(entity, signal, navigate);
  describeRelated(node, signal);
  return { title: entity.metadata.title || entity.metadata.name, node };
}
