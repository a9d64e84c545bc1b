/*
 * Unregister an entity from its page. An entity whose origin location was
 * registered through the API (GET /locations/by-entity finds it and
 * GET /locations lists it) can be unregistered: DELETE /locations/:id
 * removes the location and the entities it produced. Anything else came
 * from the configuration, so only the entity itself can be deleted
 * (DELETE /entities/by-uid/:uid), and it comes back on the next refresh
 * if its file still holds it. Both go through a confirmation <dialog>.
 */
import { api } from './api.js';
import { h } from './dom.js';
import { entityPath, refOf } from './entity.js';

const FLASH = 'stagehand.flash';

/* A message for the next page (the catalog shows it once). */
export function takeFlash() {
  try {
    const m = sessionStorage.getItem(FLASH);
    sessionStorage.removeItem(FLASH);
    return m;
  } catch {
    return null;
  }
}
function flash(message) {
  try {
    sessionStorage.setItem(FLASH, message);
  } catch {
    /* the message is lost, the navigation still happens */
  }
}

/* The API-registered location of e, or null if it came from configuration.
 * GET /locations first, so that an entity from configuration costs no 404
 * (which the browser would log); then by-entity names the location. */
async function registeredLocation(e, signal) {
  const origin = e.metadata.annotations?.['backstage.io/managed-by-origin-location'];
  const listed = await api('/api/catalog/locations', { signal });
  if (!origin || !listed.some((l) => `${l.data?.type}:${l.data?.target}` === origin))
    return null;
  const parts = [e.kind, e.metadata.namespace ?? 'default', e.metadata.name].map(encodeURIComponent).join('/');
  let loc;
  try {
    loc = await api(`/api/catalog/locations/by-entity/${parts}`, { signal });
  } catch (err) {
    if (err.status === 404)
      return null;
    throw err;
  }
  return listed.some((l) => l.data?.id === loc.id) ? loc : null;
}

async function locationEntities(loc, signal) {
  const q = new URLSearchParams({
    filter: `metadata.annotations.backstage.io/managed-by-origin-location=${loc.type}:${loc.target}`,
    fields: 'kind,metadata.name,metadata.namespace',
  });
  return api(`/api/catalog/entities?${q}`, { signal });
}

/*
 * A modal confirmation. body is the content; confirm() runs on the
 * destructive button and may throw (the error is shown in the dialog);
 * once it succeeds the dialog closes and then() runs. Escape or Cancel
 * closes it and gives the focus back to opener; so does leaving the page.
 */
function confirmDialog({ title, body, action, confirm, then, opener, signal }) {
  const id = `dlg${Math.random().toString(36).slice(2, 8)}`;
  const error = h('p', { class: 'error-detail', role: 'alert' });
  const cancel = h('button', { type: 'button', class: 'button', onclick: () => dialog.close() }, 'Cancel');
  const ok = h('button', { type: 'button', class: 'button button-danger', onclick: async () => {
    ok.disabled = true;
    error.textContent = '';
    try {
      await confirm();
      dialog.close();
      then?.();
    } catch (err) {
      error.textContent = `${action} failed: ${err.status ? `the server answered ${err.status}: ` : ''}${err.message}`;
      ok.disabled = false;
      ok.focus();
    }
  } }, action);
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title), body, error, h('p', { class: 'dialog-actions' }, cancel, ok));
  dialog.addEventListener('close', () => {
    dialog.remove();
    opener?.focus();
  });
  signal?.addEventListener('abort', () => dialog.close());
  document.body.append(dialog);
  dialog.showModal();
  cancel.focus();
  return dialog;
}

/* The Unregister or Delete entity button for the About card; it fills in
 * once the location is known. */
export function unregisterAction(e, { signal, navigate }) {
  const slot = h('span', { class: 'unregister-slot' });
  const ref = refOf(e);
  const leave = (message) => {
    flash(message);
    navigate('/catalog');
  };
  registeredLocation(e, signal).then((loc) => {
    if (signal?.aborted)
      return;
    const button = h('button', { type: 'button', class: 'button button-danger-outline' },
      loc ? 'Unregister' : 'Delete entity');
    button.addEventListener('click', async () => {
      if (loc) {
        let items = [];
        try {
          items = await locationEntities(loc, signal);
        } catch {
          items = null;
        }
        confirmDialog({
          title: `Unregister ${e.metadata.name}?`,
          action: 'Unregister',
          opener: button,
          body: [
            h('p', null, 'This removes the location ', h('code', { class: 'dialog-target' }, `${loc.type}:${loc.target}`),
              ' and every entity it produced:'),
            items ? h('ul', { class: 'dialog-list' }, items.map((x) =>
              h('li', null, h('a', { href: entityPath(x) }, refOf(x))))) : h('p', { class: 'muted' }, 'The entities could not be listed.'),
            h('p', { class: 'muted' }, 'The file itself is not changed; register it again to bring them back.'),
          ],
          signal,
          confirm: () => api(`/api/catalog/locations/${encodeURIComponent(loc.id)}`, { method: 'DELETE' }),
          then: () => {
            leave(`Unregistered ${loc.type}:${loc.target}` +
              (items ? ` and its ${items.length} ${items.length === 1 ? 'entity' : 'entities'}.` : '.'));
          },
        });
      } else {
        confirmDialog({
          title: `Delete ${e.metadata.name}?`,
          action: 'Delete entity',
          opener: button,
          body: [
            h('p', null, 'This deletes ', h('code', null, ref), ' from the catalog.'),
            h('p', { class: 'muted' }, 'It was not registered through the catalog API but comes from the configuration, ' +
              'so it returns on the next refresh if its file still holds it.'),
          ],
          signal,
          confirm: () => api(`/api/catalog/entities/by-uid/${encodeURIComponent(e.metadata.uid)}`, { method: 'DELETE' }),
          then: () => leave(`Deleted ${ref}.`),
        });
      }
    });
    slot.replaceChildren(button);
  }, () => { /* no button when the location cannot be read */ });
  return slot;
}
