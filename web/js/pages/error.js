/* Shown when a page fails to load or render. */
import { h } from '../dom.js';

export function render({ error }) {
  const node = h('div', { class: 'page-header' },
    h('h1', null, 'Something went wrong'),
    h('p', { class: 'lead' }, 'This page could not be shown.'),
    h('p', { class: 'error-detail' }, String(error?.message ?? error)),
    h('p', null,
      h('button', { type: 'button', class: 'button button-primary', onclick: () => window.location.reload() },
        'Reload the page')));
  return { title: 'Error', node };
}
