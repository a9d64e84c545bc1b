/* A section of the portal that this build does not include yet. */
import { h, icon } from '../dom.js';
import { sections } from '../sections.js';

export function render({ props }) {
  const s = sections[props.section];
  const node = h('div', null,
    h('header', { class: 'page-header' },
      h('h1', null, s.title),
      h('p', { class: 'lead' }, s.summary)),
    h('section', { class: 'empty-state', 'aria-labelledby': 'empty-title' },
      icon('M12 3l9 5-9 5-9-5 9-5zM3 13l9 5 9-5M3 17.5l9 5 9-5'),
      h('h2', { id: 'empty-title' }, 'Not available in this build yet'),
      h('p', null, `The ${s.title} section is not part of this version of stagehand. ` +
        'When it is, it will appear here.'),
      h('p', null, h('a', { class: 'button', href: '/' }, 'Back to home'))));
  return { title: s.title, node };
}
