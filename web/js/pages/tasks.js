/* /create/tasks: GET /v2/tasks, newest first, 20 a page. Query string:
 * owner=all (default: the caller's own), page=. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { failure, loading } from '../ui.js';
import { when } from '../scaffolder/text.js';

const LIMIT = 20;
let uid = 0;
let mine = null;

const readState = (q) => ({ owner: q.get('owner') === 'all' ? 'all' : 'mine', page: Math.max(1, Number.parseInt(q.get('page'), 10) || 1) });
function urlFor(s) {
  const q = new URLSearchParams(Object.entries({ owner: s.owner === 'all' && 'all', page: s.page > 1 && s.page }).filter(([, v]) => v));
  return `/create/tasks${q.size ? `?${q}` : ''}`;
}

export function render(ctx) {
  const p = `tasks${++uid}`;
  let state = readState(ctx.query);
  const go = (patch) => ctx.navigate(urlFor({ ...state, page: 1, ...patch }));
  const radios = ['mine', 'all'].map((v) => h('input', { type: 'radio', name: `${p}-owner`, value: v, onchange: () => go({ owner: v }) }));
  const summary = h('p', { class: 'summary', role: 'status' });
  const wrap = h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Tasks' });
  const prev = h('button', { type: 'button', class: 'button', onclick: () => go({ page: state.page - 1 }) }, '\u2039 Previous');
  const next = h('button', { type: 'button', class: 'button', onclick: () => go({ page: state.page + 1 }) }, 'Next \u203a');
  const info = h('span', { class: 'muted page-info' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' }, info, prev, next);
  const results = h('div', { class: 'results' }, summary, wrap, pager);

  let ctl = null;
  async function load() {
    ctl?.abort();
    ctl = new AbortController();
    const signal = AbortSignal.any([ctx.signal, ctl.signal]);
    const s = state;
    radios.forEach((r) => { r.checked = r.value === s.owner; });
    summary.replaceChildren(loading('Loading tasks\u2026'));
    results.querySelector('.alert')?.remove();
    try {
      const q = new URLSearchParams({ limit: LIMIT, offset: (s.page - 1) * LIMIT, order: 'desc:created_at' });
      const sub = s.owner === 'mine' && await (mine ??= api('/api/auth/v1/userinfo').then((r) => r?.claims?.sub).catch(() => null));
      if (sub)
        q.set('createdBy', sub);
      const { tasks = [], totalTasks = 0 } = await api(`/api/scaffolder/v2/tasks?${q}`, { signal });
      if (signal.aborted)
        return;
      const pages = Math.max(1, Math.ceil(totalTasks / LIMIT));
      summary.textContent = `${totalTasks} ${totalTasks === 1 ? 'task' : 'tasks'}${s.owner === 'mine' && !sub ? ' (all: you are not known)' : ''}`;
      info.textContent = `Page ${Math.min(s.page, pages)} of ${pages}`;
      prev.disabled = s.page <= 1;
      next.disabled = s.page >= pages;
      pager.hidden = pages <= 1;
      wrap.replaceChildren(tasks.length ? h('table', { class: 'entity-table sf-task-table' },
        h('thead', null, h('tr', null, ['Task', 'Template', 'Status', 'Created', 'Created by'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, tasks.map((t) => h('tr', null,
          h('th', { scope: 'row' }, h('a', { href: `/create/tasks/${encodeURIComponent(t.id)}`, 'aria-label': `Task ${t.id}` }, h('code', null, t.id.slice(0, 8)))),
          h('td', null, t.spec?.templateInfo?.entity?.metadata?.title ?? t.spec?.templateInfo?.entityRef ?? ''),
          h('td', null, h('span', { class: 'sf-status', 'data-state': t.status }, t.status)),
          h('td', null, when(t.createdAt)), h('td', null, t.createdBy ?? '')))))
        : h('div', { class: 'empty-state' }, h('h2', null, 'No tasks'), h('p', null, 'No template has been run here yet.'),
          h('p', null, h('a', { class: 'button', href: '/create' }, 'Choose a template'))));
    } catch (err) {
      if (!signal.aborted) {
        summary.textContent = '';
        results.append(failure(err, load, 'The tasks could not be loaded'));
      }
    }
  }

  const node = h('div', null,
    h('header', { class: 'page-header' }, h('p', { class: 'breadcrumb' }, h('a', { href: '/create' }, 'Create')),
      h('h1', null, 'Tasks'), h('p', { class: 'lead' }, 'Runs of software templates, newest first.')),
    h('div', { class: 'sf-task-filters' },
      h('fieldset', { class: 'segmented' }, h('legend', { class: 'visually-hidden' }, 'Whose tasks'),
        h('label', null, radios[0], ' My tasks'), h('label', null, radios[1], ' All'))),
    results);
  load();
  return {
    title: 'Tasks',
    node,
    update(n) {
      state = readState(n.query);
      load();
    },
  };
}
