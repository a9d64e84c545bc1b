/* Home: what the portal offers, and whether the backend is ready. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { sections } from '../sections.js';

function statusLine(signal) {
  const text = h('span', { class: 'status-text' });
  const retry = h('button', { type: 'button', class: 'button', hidden: true }, 'Retry');
  const line = h('p', { class: 'status', role: 'status', tabindex: '-1' },
    h('span', { class: 'status-dot', 'aria-hidden': 'true' }), text, retry);

  const show = (state, message) => {
    line.dataset.state = state;
    text.textContent = message;
  };

  async function check() {
    show('pending', 'Checking the backend\u2026');
    retry.disabled = true;
    try {
      const body = await api('/.backstage/health/v1/readiness', { signal });
      if (body?.status !== 'ok')
        throw new Error(`unexpected status ${JSON.stringify(body?.status)}`);
      const hadFocus = document.activeElement === retry;
      show('ok', 'Backend ready');
      retry.hidden = true;
      if (hadFocus)
        line.focus();
    } catch (err) {
      if (signal.aborted)
        return;
      show('error', `Backend not ready: ${err.message}`);
      retry.hidden = false;
      retry.disabled = false;
    }
  }

  retry.addEventListener('click', check);
  check();
  return line;
}

export function render({ signal }) {
  const node = h('div', { class: 'home' },
    h('header', { class: 'page-header' },
      h('h1', null, 'Welcome to stagehand'),
      h('p', { class: 'lead' },
        'Your developer portal: the catalog of everything your teams run, templates to ' +
        'create new services, their documentation, and search across all of it.')),
    h('ul', { class: 'card-grid', 'aria-label': 'Sections' },
      Object.values(sections).map((s) =>
        h('li', null,
          h('a', { class: 'card', href: s.path },
            h('h2', null, s.title),
            h('p', null, s.summary))))),
    statusLine(signal));
  return { title: null, node };
}
