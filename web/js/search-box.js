/*
 * The header search box: a combobox (WAI-ARIA APG "list autocomplete")
 * whose listbox suggests up to MAX results while you type, plus a last
 * option "See all results" that opens /search?query=<term>.
 *
 * Queries run SETTLE_MS after the last key; a newer query aborts the one
 * still running. Keys: ArrowDown/ArrowUp move through the options (and
 * open the list), Home/End, Enter opens the chosen option or the search
 * page, Escape closes the list (a second Escape clears the box), "/"
 * anywhere outside a text field focuses the box.
 */
import { api } from './api.js';
import { h } from './dom.js';
import { capitalize, docsPageOf, entityOf, hrefOf, searchQuery, titleOf, typeLabel } from './search.js';

const MAX = 8;
const SETTLE_MS = 150;

const searchPath = (term) => (term ? `/search?${new URLSearchParams({ query: term })}` : '/search');

function isTyping(el) {
  return el instanceof HTMLElement && (el.isContentEditable ||
    el.matches('textarea, select, input:not([type=checkbox], [type=radio], [type=button], [type=submit], [type=reset])'));
}

function optionBody(result) {
  const d = result.document ?? {};
  const docs = result.type === 'techdocs';
  const entity = entityOf(result);
  return [
    h('span', { class: `sbox-badge${docs ? ' sbox-badge-docs' : ''}` }, docs ? typeLabel(result.type) : capitalize(d.kind) || typeLabel(result.type)),
    h('span', { class: 'sbox-text' },
      h('span', { class: 'sbox-title' }, titleOf(result)),
      docs && entity ? h('span', { class: 'sbox-sub' }, [entity.label, docsPageOf(result)].filter(Boolean).join(' \u203a '))
        : d.owner ? h('span', { class: 'sbox-sub' }, d.owner) : null),
  ];
}

/* Wires the header's form (input[role=combobox], ul[role=listbox], status). */
export function bindSearchBox(form, navigate) {
  const input = form.querySelector('[role="combobox"]');
  const list = form.querySelector('[role="listbox"]');
  const status = form.querySelector('[role="status"]');
  const pop = list.parentElement;
  const note = pop.querySelector('.sbox-note');
  let options = [];   /* { el, href } in order */
  let active = -1;
  let timer = null;
  let controller = null;
  let shownTerm = null; /* the term the options are for */

  const isOpen = () => !pop.hidden;

  function open() {
    if (!options.length)
      return;
    pop.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function close() {
    pop.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    select(-1);
  }

  function select(i) {
    options[active]?.el.setAttribute('aria-selected', 'false');
    active = i;
    const o = options[i];
    if (!o) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    o.el.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', o.el.id);
    o.el.scrollIntoView({ block: 'nearest' });
  }

  function go(href) {
    clearTimeout(timer);
    controller?.abort();
    close();
    input.value = '';
    shownTerm = null;
    options = [];
    list.replaceChildren();
    input.blur();
    navigate(href);
  }

  function option(id, href, body, extra) {
    const el = h('li', { id, role: 'option', 'aria-selected': 'false', class: `sbox-option${extra ? ` ${extra}` : ''}`,
      'data-href': href }, body);
    /* Keep the focus in the box while the pointer picks an option. */
    el.addEventListener('mousedown', (e) => e.preventDefault());
    el.addEventListener('click', () => go(href));
    return { el, href };
  }

  function show(term, results, total, problem) {
    shownTerm = term;
    options = results.slice(0, MAX).map((r, i) => option(`sbox-opt-${i}`, hrefOf(r), optionBody(r), null));
    const more = total > options.length ? `See all ${total} results` : 'See all results';
    options.push(option('sbox-opt-all', searchPath(term), [h('span', { class: 'sbox-all' }, `${more} for \u201c${term}\u201d`)], 'sbox-option-all'));
    note.textContent = problem ? `Search failed: ${problem}` : results.length ? '' : `No matches for \u201c${term}\u201d`;
    note.hidden = !note.textContent;
    note.classList.toggle('error-detail', Boolean(problem));
    list.replaceChildren(...options.map((o) => o.el));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    status.textContent = problem ? `Search failed: ${problem}`
      : results.length ? `${Math.min(results.length, MAX)} suggestions` : 'No matches';
    if (document.activeElement === input)
      open();
  }

  async function query(term) {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    form.setAttribute('aria-busy', 'true');
    try {
      const body = await api(`/api/search/query?${searchQuery({ term, pageLimit: MAX })}`, { signal });
      if (!signal.aborted)
        show(term, body?.results ?? [], body?.numberOfResults ?? 0, null);
    } catch (err) {
      if (!signal.aborted)
        show(term, [], 0, err.message);
    } finally {
      if (!signal.aborted)
        form.removeAttribute('aria-busy');
    }
  }

  function schedule() {
    clearTimeout(timer);
    const term = input.value.trim();
    if (!term) {
      controller?.abort();
      form.removeAttribute('aria-busy');
      shownTerm = null;
      options = [];
      list.replaceChildren();
      status.textContent = '';
      close();
      return;
    }
    timer = setTimeout(() => query(term), SETTLE_MS);
  }

  input.addEventListener('input', schedule);
  input.addEventListener('focus', () => {
    if (shownTerm !== null && shownTerm === input.value.trim())
      open();
  });
  input.addEventListener('keydown', (e) => {
    if (e.isComposing)
      return;
    const n = options.length;
    switch (e.key) {
    case 'ArrowDown':
    case 'ArrowUp':
      e.preventDefault();
      if (!isOpen()) {
        open();
        if (shownTerm !== input.value.trim() && input.value.trim())
          schedule();
        if (!isOpen())
          return;
      }
      if (e.key === 'ArrowDown')
        select(active + 1 >= n ? 0 : active + 1);
      else
        select(active <= 0 ? n - 1 : active - 1);
      break;
    case 'Home':
    case 'End':
      if (isOpen() && active >= 0) {
        e.preventDefault();
        select(e.key === 'Home' ? 0 : n - 1);
      }
      break;
    case 'Enter':
      e.preventDefault();
      if (isOpen() && options[active])
        go(options[active].href);
      else
        go(searchPath(input.value.trim()));
      break;
    case 'Escape':
      if (isOpen()) {
        e.preventDefault();
        close();
      } else if (input.value) {
        e.preventDefault();
        input.value = '';
        schedule();
      }
      break;
    case 'Tab':
      close();
      break;
    default:
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    go(searchPath(input.value.trim()));
  });
  form.addEventListener('focusout', (e) => {
    if (!form.contains(e.relatedTarget))
      close();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || isTyping(e.target))
      return;
    e.preventDefault();
    input.focus();
    input.select();
  });
}
