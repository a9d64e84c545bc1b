/*
 * /catalog-import: register an existing component (Backstage's URL).
 *
 * 1. The user gives the URL of a catalog-info.yaml; Analyze runs
 *    POST /api/catalog/locations?dryRun=true, which reads and processes
 *    the file without storing anything, and lists the entities it would
 *    add (or the errors that stop it).
 * 2. Import registers the location for real (POST without dryRun). The
 *    server processes it in the background, so the page then asks for the
 *    new entities (POST /entities/by-refs, no 404 noise) until they show
 *    up, and links to their pages.
 * A location that is already registered answers 409 (or exists: true in
 * the dry run): the page says so and links to the entities already there.
 */
import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { entityPath, processingErrors } from '../entity.js';

const POLL_MS = 500;
const POLL_LIMIT_MS = 30_000;
const ICON_ERROR = 'M12 9v4M12 17h.01M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z';
const ICON_OK = 'M20 6L9 17l-5-5';
const ICON_INFO = 'M12 16v-4M12 8h.01M22 12a10 10 0 1 1-20 0 10 10 0 0 1 20 0z';

let uid = 0;

const nsOf = (e) => e.metadata?.namespace ?? 'default';
const refOf = (e) => `${e.kind}:${nsOf(e)}/${e.metadata?.name}`.toLowerCase();

/* The dry run's message joins every processing error with "; "; each
 * one starts with an error name such as "InputError: ". */
export function splitErrors(message) {
  return String(message ?? '').split(/; (?=[A-Z]\w*Error: )/).filter(Boolean);
}

/* "http://host/x.yaml" when it is an http(s) URL, else null. */
function checkUrl(text) {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/* The root Location entity the server makes for the registered target. */
function isRoot(e, target) {
  return e.kind === 'Location' && e.spec?.type === 'url' && e.spec?.target === target &&
    /^generated-[0-9a-f]{40}$/.test(e.metadata?.name ?? '');
}

/* A box: tone is error, ok or info; body is the content after the title. */
function box(tone, title, ...body) {
  const d = tone === 'error' ? ICON_ERROR : tone === 'ok' ? ICON_OK : ICON_INFO;
  return h('div', { class: `alert import-box import-${tone}`, role: tone === 'error' ? 'alert' : null },
    icon(d),
    h('div', { class: 'import-box-body' },
      h('h2', { class: 'alert-title', tabindex: '-1' }, title),
      ...body));
}

function errorList(messages) {
  return h('ul', { class: 'error-list' }, messages.map((m) => h('li', null, m)));
}

/* The entities as a list: kind, then namespace/name linking to the page
 * the entity has (or will have). state(e) may add a note per entity. */
function entityList(entities, state) {
  return h('ul', { class: 'import-entities' }, entities.map((e) => h('li', { 'data-ref': refOf(e) },
    h('span', { class: 'import-kind' }, e.kind),
    h('a', { href: entityPath(e), class: 'import-ref' }, `${nsOf(e)}/${e.metadata?.name}`),
    state ? state(e) : null)));
}

export function render(ctx) {
  const p = `imp${++uid}`;
  let run = null;      /* aborts the request or polling in flight */
  let analysis = null; /* { target, entities, root, exists } of the last good dry run */

  const input = h('input', {
    id: `${p}-url`, name: 'url', type: 'url', inputmode: 'url', autocomplete: 'url', spellcheck: 'false',
    required: true, placeholder: 'https://github.com/org/repo/blob/main/catalog-info.yaml',
    'aria-describedby': `${p}-hint`,
  });
  input.value = ctx.query.get('url') ?? '';
  const hint = h('p', { id: `${p}-hint`, class: 'import-hint' },
    'The full URL of a ', h('code', null, 'catalog-info.yaml'),
    ' file. The server must be allowed to read its host (', h('code', null, 'backend.reading.allow'), ').');
  const fieldError = h('p', { id: `${p}-error`, class: 'error-detail import-field-error', hidden: true });
  const analyze = h('button', { type: 'submit', class: 'button button-primary' }, 'Analyze');
  const status = h('p', { class: 'import-status', role: 'status', 'aria-live': 'polite' });
  const result = h('div', { class: 'import-result' });

  const form = h('form', { class: 'panel import-form', novalidate: true, 'aria-label': 'Catalog file',
    onsubmit: (e) => { e.preventDefault(); doAnalyze(); } },
  h('div', { class: 'field' },
    h('label', { for: input.id }, 'URL of the catalog file'),
    input, hint, fieldError),
  h('div', { class: 'actions' }, analyze),
  status);

  const begin = (text) => {
    run?.abort();
    run = new AbortController();
    status.textContent = text;
    return AbortSignal.any([ctx.signal, run.signal]);
  };
  const showField = (message) => {
    fieldError.textContent = message ?? '';
    fieldError.hidden = !message;
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    input.setAttribute('aria-describedby', message ? `${p}-hint ${p}-error` : `${p}-hint`);
  };
  const show = (node, { focus = true } = {}) => {
    result.replaceChildren(node);
    if (focus)
      node.querySelector('h2')?.focus();
  };

  /* Editing the URL makes the last analysis stale. */
  input.addEventListener('input', () => {
    if (analysis && input.value.trim() !== analysis.target) {
      run?.abort();
      analysis = null;
      status.textContent = '';
      result.replaceChildren();
    }
    if (input.getAttribute('aria-invalid') === 'true')
      showField(null);
  });

  async function doAnalyze() {
    const raw = input.value.trim();
    const target = checkUrl(raw);
    analysis = null;
    result.replaceChildren();
    if (!raw || !target) {
      run?.abort();
      status.textContent = '';
      showField(raw ? 'Enter a full URL that starts with https:// or http://.' : 'Enter the URL of a catalog-info.yaml file.');
      input.focus();
      return;
    }
    showField(null);
    /* A second Analyze while one runs starts over; the button is never
     * disabled, so it keeps the focus of a keyboard user. */
    const signal = begin('Analyzing\u2026');
    try {
      const body = await api('/api/catalog/locations?dryRun=true', { method: 'POST', body: { type: 'url', target: raw }, signal });
      if (signal.aborted)
        return;
      const entities = body.entities ?? [];
      const root = entities.find((e) => isRoot(e, raw)) ?? null;
      analysis = { target: raw, entities: entities.filter((e) => e !== root), root, exists: Boolean(body.exists) };
      status.textContent = '';
      show(review(analysis));
    } catch (err) {
      if (signal.aborted)
        return;
      status.textContent = '';
      const messages = err.status === 0 ? ['The backend cannot be reached.'] : splitErrors(err.message);
      show(box('error', 'The file cannot be imported', errorList(messages),
        h('p', null, 'Check the URL and the file, then analyze again.')), { focus: false });
      showField(null);
      input.setAttribute('aria-invalid', 'true');
    }
  }

  function review(a) {
    const errors = a.entities.flatMap((e) => processingErrors(e).map((x) => `${refOf(e)}: ${x.message}`));
    const rootNote = a.root ? h('p', { class: 'muted' }, 'The location itself is stored as ',
      h('a', { href: entityPath(a.root) }, refOf(a.root)), '.') : null;
    if (a.exists) {
      return box('info', 'This location is already registered',
        h('p', null, 'Its entities are already in the catalog:'),
        entityList(a.entities), rootNote,
        h('p', null, h('button', { type: 'button', class: 'button', onclick: reset }, 'Register another')));
    }
    if (errors.length) {
      return box('error', 'The file has processing errors', errorList(errors),
        h('p', null, 'Fix the file, then analyze again.'));
    }
    if (a.entities.length === 0) {
      return box('error', 'The file holds no entities',
        h('p', null, 'Nothing would be added to the catalog. Check that the URL points at a catalog-info.yaml with at least one entity.'));
    }
    const importButton = h('button', { type: 'button', class: 'button button-primary', onclick: doImport }, 'Import');
    const n = a.entities.length;
    return h('section', { class: 'panel import-review', 'aria-labelledby': `${p}-review` },
      h('h2', { id: `${p}-review`, tabindex: '-1' }, 'Review'),
      h('p', null, n === 1 ? 'This entity will be added to the catalog:' : `These ${n} entities will be added to the catalog:`),
      entityList(a.entities), rootNote,
      h('div', { class: 'actions' }, importButton,
        h('button', { type: 'button', class: 'button', onclick: reset }, 'Cancel')));
  }

  async function doImport(e) {
    const a = analysis;
    const button = e.currentTarget;
    if (!a || button.getAttribute('aria-disabled') === 'true')
      return; /* one registration at a time */
    const signal = begin('Importing\u2026');
    button.setAttribute('aria-disabled', 'true');
    try {
      await api('/api/catalog/locations', { method: 'POST', body: { type: 'url', target: a.target }, signal });
      if (signal.aborted)
        return;
      status.textContent = '';
      done(a, signal);
    } catch (err) {
      if (signal.aborted)
        return;
      status.textContent = '';
      if (err.status === 409) {
        show(box('info', 'This location already exists', h('p', null, err.message),
          h('p', null, 'Its entities are already in the catalog:'), entityList(a.entities),
          h('p', null, h('button', { type: 'button', class: 'button', onclick: reset }, 'Register another'))));
      } else {
        const why = err.status === 0 ? 'The backend cannot be reached.' : err.message;
        show(box('error', 'The location could not be registered', h('p', { class: 'error-detail' }, why),
          h('p', null, h('button', { type: 'button', class: 'button button-primary', onclick: doImport }, 'Try again'))));
      }
    } finally {
      button.removeAttribute('aria-disabled');
    }
  }

  /* Registered: link to the entities and watch them arrive. */
  function done(a, signal) {
    const notes = new Map();
    const note = (e) => {
      const s = h('span', { class: 'import-state', 'data-state': 'pending' }, 'processing\u2026');
      notes.set(refOf(e), s);
      return s;
    };
    const summary = h('p', { class: 'import-progress', role: 'status' }, 'Waiting for the catalog to process them\u2026');
    show(box('ok', 'Registered',
      h('p', null, a.entities.length === 1 ? 'The location was registered. Its entity:' : 'The location was registered. Its entities:'),
      entityList(a.entities, note), summary,
      h('div', { class: 'actions' },
        h('a', { class: 'button', href: '/catalog' }, 'Go to the catalog'),
        h('button', { type: 'button', class: 'button', onclick: reset }, 'Register another'))));
    watch([...notes.keys()], notes, summary, signal);
  }

  async function watch(refs, notes, summary, signal) {
    const waiting = new Set(refs);
    const until = Date.now() + POLL_LIMIT_MS;
    while (waiting.size && !signal.aborted && Date.now() < until) {
      try {
        const list = [...waiting];
        const body = await api('/api/catalog/entities/by-refs', { method: 'POST', signal,
          body: { entityRefs: list, fields: ['kind', 'metadata.name', 'metadata.namespace', 'status.items'] } });
        body.items.forEach((e, i) => {
          if (!e)
            return;
          waiting.delete(list[i]);
          const errs = processingErrors(e);
          const s = notes.get(list[i]);
          s.dataset.state = errs.length ? 'error' : 'ok';
          s.textContent = errs.length ? `in the catalog, ${errs.length === 1 ? '1 error' : `${errs.length} errors`}` : 'in the catalog';
        });
      } catch (err) {
        if (signal.aborted)
          return;
      }
      if (waiting.size)
        await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (signal.aborted)
      return;
    if (waiting.size) {
      for (const ref of waiting) {
        notes.get(ref).dataset.state = 'pending';
        notes.get(ref).textContent = 'not processed yet';
      }
      summary.textContent = 'Some entities are not in the catalog yet; processing may still be running.';
    } else {
      summary.textContent = 'All entities are in the catalog.';
    }
  }

  function reset() {
    run?.abort();
    analysis = null;
    status.textContent = '';
    result.replaceChildren();
    input.value = '';
    showField(null);
    input.focus();
  }

  const node = h('div', { class: 'import-page' },
    h('header', { class: 'page-header' },
      h('p', { class: 'breadcrumb' }, h('a', { href: '/catalog' }, 'Catalog')),
      h('h1', null, 'Register an existing component'),
      h('p', { class: 'lead' }, 'Add the entities of a catalog-info.yaml to the catalog. Analyze shows what would be added; nothing is stored until you import.')),
    form,
    result);

  return { title: 'Register an existing component', node };
}
