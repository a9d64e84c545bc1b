/* The Docs tab of an entity page: the reader (loaded on demand), started
 * when the tab is first shown. */
import { h } from '../dom.js';
import { loading } from '../ui.js';

export function docsTab(entity, signal) {
  const node = h('div', { class: 'docs-tab' }, loading('Loading the docs\u2026'));
  const seen = new IntersectionObserver(async (entries) => {
    if (!entries.some((e) => e.isIntersecting))
      return;
    seen.disconnect();
    const { reader } = await import('./reader.js');
    if (!signal?.aborted)
      node.replaceChildren(reader({ ns: entity.metadata.namespace ?? 'default', kind: entity.kind,
        name: entity.metadata.name, signal, embedded: true }).node);
  });
  seen.observe(node);
  signal?.addEventListener('abort', () => seen.disconnect());
  return node;
}
