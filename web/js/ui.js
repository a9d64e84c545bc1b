/* Pieces the pages share: loading and failure states. */
import { h, icon } from './dom.js';

export function loading(text = 'Loading\u2026') {
  return h('p', { class: 'status', role: 'status', 'data-state': 'pending' },
    h('span', { class: 'status-dot', 'aria-hidden': 'true' }), text);
}

/* A failed request: what went wrong and a Retry button that calls retry(). */
export function failure(err, retry, what = 'The catalog could not be loaded') {
  const reason = err?.status === 0 ? 'The backend cannot be reached.'
    : err?.status ? `The server answered ${err.status}: ${err.message}` : String(err?.message ?? err);
  const button = h('button', { type: 'button', class: 'button button-primary', onclick: retry }, 'Retry');
  return h('div', { class: 'alert', role: 'alert' },
    icon('M12 9v4M12 17h.01M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z'),
    h('div', null,
      h('p', { class: 'alert-title' }, what),
      h('p', { class: 'error-detail' }, reason),
      h('p', null, button)));
}
