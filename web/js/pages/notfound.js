/* Any path no route matches. */
import { h } from '../dom.js';

export function render({ path }) {
  const node = h('div', { class: 'page-header' },
    h('h1', null, 'Page not found'),
    h('p', { class: 'lead' }, 'There is no page at ', h('code', null, path), '.'),
    h('p', null, 'Check the address, or start again from the home page.'),
    h('p', null, h('a', { class: 'button button-primary', href: '/' }, 'Go to the home page')));
  return { title: 'Page not found', node };
}
