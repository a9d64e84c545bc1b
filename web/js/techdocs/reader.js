/*
 * The TechDocs reader of one entity: the site's nav, the page, its table of
 * contents, previous/next, Edit this page, in-site search, and the sync
 * stream that (re)builds the site.
 *
 * reader({ ns, kind, name, page, hash, signal, navigate, embedded })
 *   -> { node, ready, title() }. page is the page URL in the site ('' or
 *   'guides/setup/'). Full page: links are reader URLs the router follows.
 *   embedded (the entity page's Docs tab): the same links, but followed in
 *   place. ready resolves when the first page (or state) is shown.
 *
 * Per entity a session (module level, kept while the app runs) holds the
 * site.json and search index (fetched once) and the sync: one stream per
 * open, shared by the pages read, aborted once no reader shows the entity.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { failure, loading } from '../ui.js';
import { article } from './content.js';

let uid = 0;
const sessions = new Map();
const enc = (s) => s.split('/').map(encodeURIComponent).join('/');
const ANSI = /\x1b\[[0-9;]*m/g;

export const readerPath = (ns, kind, name, page = '') =>
  `/docs/${[ns, kind.toLowerCase(), name].map(encodeURIComponent).join('/')}/${enc(page)}`;

function session(ns, kind, name) {
  const key = [ns, kind, name].map((s) => encodeURIComponent(s.toLowerCase())).join('/');
  if (!sessions.has(key))
    sessions.set(key, { key, static: `/api/techdocs/static/docs/${key}/`, site: null, index: null, sync: null,
      views: new Set(), open: new Map() });
  return sessions.get(key);
}

/* site.json with the build's timestamp from the metadata. */
function site(s) {
  s.site ??= Promise.all([api(`${s.static}site.json`), api(`/api/techdocs/metadata/techdocs/${s.key}`)])
    .then(([site, meta]) => ({ ...site, build: meta.build_timestamp }))
    .catch((e) => { s.site = null; throw e; });
  return s.site;
}

/* The sync stream: Server-Sent Events read with fetch. Views get
 * (event, data) for log, finish and error. */
async function sync(s) {
  const st = { state: 'running', log: [], ctl: new AbortController(), at: Date.now() };
  s.sync = st;
  const emit = (event, data) => {
    if (s.sync !== st)
      return;
    if (event === 'log')
      st.log.push(data);
    else
      Object.assign(st, { state: event, data });
    s.views.forEach((v) => v(event, data));
  };
  try {
    const res = await fetch(`/api/techdocs/sync/${s.key}`, { signal: st.ctl.signal, headers: { Accept: 'text/event-stream' } });
    if (!res.ok) {
      const body = await res.json().catch(() => null);
      throw new Error(body?.error?.message ?? `The server answered ${res.status}`);
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done)
        break;
      buf = (buf + value).replace(/\r\n?/g, '\n');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let event = 'message', data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event:'))
            event = line.slice(6).trim();
          else if (line.startsWith('data:'))
            data += (data ? '\n' : '') + line.slice(5).replace(/^ /, '');
        }
        let value = data;
        try { value = JSON.parse(data); } catch { /* plain text */ }
        if (event === 'log')
          emit('log', String(value).replace(ANSI, ''));
        else if (event === 'finish' || event === 'error')
          emit(event, event === 'error' ? String(value).replace(ANSI, '') : value ?? {});
      }
    }
    if (st.state === 'running')
      emit('error', 'The build stream ended without a result.');
  } catch (e) {
    if (!st.ctl.signal.aborted)
      emit('error', e.message === 'Failed to fetch' ? 'The backend cannot be reached.' : e.message);
  }
}

/* The sync a view should see: a new one unless one ran this minute. */
function attach(s, view, signal) {
  s.views.add(view);
  if (!s.sync || (s.sync.state !== 'running' && Date.now() - s.sync.at > 60_000))
    sync(s);
  signal?.addEventListener('abort', () => {
    s.views.delete(view);
    setTimeout(() => {
      if (!s.views.size && s.sync?.state === 'running') {
        s.sync.ctl.abort();
        s.sync = null;
      }
    }, 0);
  });
}

const external = (url, label, cls) => h('a', { href: url, class: cls, target: '_blank', rel: 'external noopener' },
  label, h('span', { class: 'docs-ext', 'aria-hidden': 'true' }, ' \u2197'), h('span', { class: 'visually-hidden' }, ' (opens in a new tab)'));

/* Edit this page: edit_uri (absolute, or under repo_url) + the page's source. */
function editUrl(site, page) {
  const abs = /^https?:\/\//i;
  if (!site.edit_uri || !page.source)
    return null;
  const base = abs.test(site.edit_uri) ? site.edit_uri
    : abs.test(site.repo_url ?? '') ? `${site.repo_url.replace(/\/+$/, '')}/${site.edit_uri.replace(/^\/+/, '')}` : null;
  return base && base.replace(/\/*$/, '/') + page.source;
}

/* In-site search over search_index.json: every word must appear. */
function find(docs, q) {
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length)
    return [];
  return docs.map((d) => {
    const title = (d.title ?? '').toLowerCase(), text = (d.text ?? '').toLowerCase();
    if (!words.every((w) => title.includes(w) || text.includes(w)))
      return null;
    return { d, score: words.filter((w) => title.includes(w)).length * 2 + (text.includes(words[0]) ? 1 : 0) };
  }).filter(Boolean).sort((a, b) => b.score - a.score).slice(0, 10).map((r) => r.d);
}

function snippet(text = '', word) {
  const i = text.toLowerCase().indexOf(word);
  if (i < 0)
    return text.slice(0, 120);
  const from = Math.max(0, i - 50);
  return [from ? '\u2026' : '', text.slice(from, i), h('mark', null, text.slice(i, i + word.length)),
    text.slice(i + word.length, i + 90), '\u2026'];
}

export function reader({ ns, kind, name, page: startPage = '', hash = '', signal, navigate, embedded = false }) {
  const s = session(ns, kind, name);
  const id = `docs${++uid}`;
  const root = readerPath(ns, kind, name);
  let current = startPage, shown = null, state = 'loading', title = name, settled = false, fullLink = null, pending = null;
  const href = (page, anchor) => readerPath(ns, kind, name, page) + (anchor ? `#${anchor}` : '');

  const siteName = h('a', { href: root }, name);
  const siteDesc = h('p', { class: 'muted docs-desc' });
  const notice = h('div', { class: 'docs-notice' });
  const nav = h('nav', { class: 'docs-nav', 'aria-label': 'Docs pages' });
  const toc = h('nav', { class: 'docs-toc', 'aria-labelledby': `${id}-toc` });
  const main = h('div', { class: 'docs-main' });
  const menu = h('button', { type: 'button', class: 'button docs-menu', 'aria-expanded': 'false', 'aria-controls': `${id}-side`,
    onclick: () => {
      const open = menu.getAttribute('aria-expanded') !== 'true';
      menu.setAttribute('aria-expanded', String(open));
      node.classList.toggle('menu-open', open);
    } }, 'Pages and contents');
  menu.hidden = true;

  /* ---- search ---- */
  const query = h('input', { id: `${id}-q`, type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'Search these docs' });
  const results = h('ul', { class: 'docs-results', id: `${id}-results` });
  const found = h('p', { class: 'docs-found', role: 'status' });
  let typing = null;
  async function search() {
    const q = query.value.trim();
    if (!q) {
      results.replaceChildren();
      found.textContent = '';
      return;
    }
    try {
      s.index ??= api(`${s.static}search/search_index.json`).catch((e) => { s.index = null; throw e; });
      const { docs = [] } = await s.index;
      if (q !== query.value.trim())
        return;
      const hits = find(docs, q);
      found.textContent = hits.length ? `${hits.length} ${hits.length === 1 ? 'result' : 'results'}` : 'No results';
      const word = q.toLowerCase().split(/\s+/)[0];
      results.replaceChildren(...hits.map((d) => {
        const [page, anchor] = d.location.split('#');
        const pageTitle = shown?.site.pages.find((p) => p.url === page)?.title;
        return h('li', null, h('a', { href: href(page, anchor), onclick: () => { query.value = ''; search(); } },
          h('span', { class: 'docs-hit-title' }, d.title || pageTitle || page || 'Home'),
          pageTitle && pageTitle !== d.title ? h('span', { class: 'cell-sub' }, pageTitle) : null,
          d.text ? h('span', { class: 'docs-hit-text' }, snippet(d.text, word)) : null));
      }));
    } catch (e) {
      found.textContent = e.status === 404 ? 'These docs have no search index.' : 'The search index could not be loaded.';
    }
  }
  query.addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(search, 150); });
  query.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      query.value = '';
      search();
    } else if (e.key === 'ArrowDown' && results.firstChild) {
      e.preventDefault();
      results.querySelector('a').focus();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(typing);
      search().then(() => results.querySelector('a')?.click());
    }
  });
  results.addEventListener('keydown', (e) => {
    const links = [...results.querySelectorAll('a')];
    const i = links.indexOf(document.activeElement);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1 }[e.key];
    if (to === undefined)
      return;
    e.preventDefault();
    (links[to] ?? query).focus();
  });
  const searchBox = h('form', { class: 'docs-search', role: 'search', 'aria-label': 'These docs', onsubmit: (e) => e.preventDefault() },
    h('label', { for: query.id, class: 'visually-hidden' }, 'Search these docs'), query, found, results);
  /* The results close when the focus leaves the search, and come back with it. */
  searchBox.addEventListener('focusout', (e) => { if (!searchBox.contains(e.relatedTarget)) results.hidden = found.hidden = true; });
  searchBox.addEventListener('focusin', () => { results.hidden = found.hidden = false; });

  const node = h('div', { class: `docs-reader${embedded ? ' docs-embedded' : ''}` },
    h('header', { class: 'docs-head' },
      h('div', { class: 'docs-id' }, h('p', { class: 'docs-site' }, siteName), siteDesc),
      searchBox, menu),
    notice,
    h('div', { class: 'docs-layout' },
      h('div', { class: 'docs-side', id: `${id}-side` }, nav), main, toc));

  /* ---- nav ---- */
  function contains(item, page) {
    return item.children ? item.children.some((c) => contains(c, page)) : 'page' in item && item.url === page;
  }
  function navList(items, path) {
    return h('ul', null, items.map((item, i) => {
      const key = `${path}/${i}`;
      if (item.children) {
        const open = s.open.get(key) ?? contains(item, current);
        const list = navList(item.children, key);
        list.id = `${id}-n${key.replace(/\//g, '-')}`;
        list.hidden = !open;
        const toggle = h('button', { type: 'button', class: 'docs-section', 'aria-expanded': String(open), 'aria-controls': list.id,
          onclick: () => {
            const now = toggle.getAttribute('aria-expanded') !== 'true';
            toggle.setAttribute('aria-expanded', String(now));
            list.hidden = !now;
            s.open.set(key, now);
          } }, item.title);
        return h('li', null, toggle, list);
      }
      if (!('page' in item) && /^https?:\/\//i.test(item.url ?? ''))
        return h('li', null, external(item.url, item.title));
      return h('li', null, h('a', { href: href(item.url ?? ''), 'aria-current': item.url === current ? 'page' : null }, item.title));
    }));
  }

  /* ---- states of the main column ---- */
  function building() {
    state = 'building';
    pending = null;
    const log = logList();
    main.replaceChildren(h('section', { class: 'docs-building', 'aria-labelledby': `${id}-b` },
      h('h1', { id: `${id}-b` }, 'Building the docs\u2026'),
      loading('The documentation is being built; the page opens when it is ready.'),
      log));
  }
  const logList = () => h('ol', { class: 'docs-log', 'aria-label': 'Build log' }, (s.sync?.log ?? []).map((l) => h('li', null, l)));
  function failed(err, retry, what) {
    state = 'failed';
    pending = null;
    main.replaceChildren(h('h1', null, what), failure(typeof err === 'string' ? { message: err } : err, retry, 'What went wrong'),
      s.sync?.log.length ? h('details', { class: 'docs-logs' }, h('summary', null, 'Build log'), logList()) : null);
  }
  const resync = () => { sync(s); building(); };

  /* A sync event while this reader is shown. */
  function onSync(event, data) {
    if (state === 'loading' && event !== 'log') {
      pending = [event, data]; /* handled once the page is shown */
    } else if (event === 'log') {
      main.querySelector('.docs-log')?.append(h('li', null, data));
    } else if (event === 'finish' && state === 'building') {
      s.site = null;
      show(current, hash);
    } else if (event === 'finish' && state === 'shown' && data?.updated) {
      api(`/api/techdocs/metadata/techdocs/${s.key}`, { signal }).then((meta) => {
        if (shown && meta.build_timestamp !== shown.site.build)
          notice.replaceChildren(h('div', { class: 'alert docs-newer', role: 'status' },
            h('p', null, 'A newer version of these docs is available.'),
            h('button', { type: 'button', class: 'button button-primary', onclick: () => {
              notice.replaceChildren();
              s.site = null;
              s.index = null;
              show(current, '');
            } }, 'Refresh')));
      }).catch(() => {});
    } else if (event === 'error' && state === 'building') {
      failed(data, resync, 'The docs could not be built');
    } else if (event === 'error' && state === 'shown') {
      notice.replaceChildren(failure({ message: data }, () => { notice.replaceChildren(); sync(s); },
        'Building a newer version of these docs failed'));
    }
  }

  /* After the router's own scrolling: to the anchor (or, in a tab, the reader's top). */
  function scrollTo(anchor, moved) {
    let target = null;
    try {
      target = anchor && main.querySelector(`#${CSS.escape(decodeURIComponent(anchor))}`);
    } catch { /* malformed */ }
    setTimeout(() => {
      if (target)
        target.scrollIntoView();
      else if (embedded && moved)
        node.scrollIntoView();
      spy();
    }, 0);
  }

  /* Highlight the TOC entry of the section being read. */
  function spy() {
    if (!node.isConnected)
      return;
    const links = [...toc.querySelectorAll('a')];
    const heads = links.map((a) => main.querySelector(`#${CSS.escape(a.dataset.id)}`));
    let best = 0;
    heads.forEach((el, i) => { if (el && el.getBoundingClientRect().top < 140) best = i; });
    if (window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2 && !embedded)
      best = links.length - 1;
    links.forEach((a, i) => (i === best ? a.setAttribute('aria-current', 'location') : a.removeAttribute('aria-current')));
  }
  let ticking = false;
  const onScroll = () => {
    if (!ticking) {
      ticking = true;
      requestAnimationFrame(() => { ticking = false; spy(); });
    }
  };
  window.addEventListener('scroll', onScroll, { passive: true });
  signal?.addEventListener('abort', () => window.removeEventListener('scroll', onScroll));

  function drawPage(site, page, content) {
    const pageOf = (url) => site.pages.find((p) => p.url === url);
    const entries = page ? page.toc.filter((t) => t.level === 2 || t.level === 3) : [];
    toc.replaceChildren(...(entries.length ? [h('h2', { id: `${id}-toc` }, 'On this page'),
      h('ul', null, entries.map((t) => h('li', { class: `toc-${t.level}` },
        h('a', { href: href(page.url, t.id), 'data-id': t.id }, t.title))))] : []));
    toc.hidden = !entries.length;
    const edit = page && editUrl(site, page);
    const link = (url, rel) => {
      const p = url == null ? null : pageOf(url);
      return p ? h('a', { href: href(p.url), rel, class: `docs-${rel}` },
        h('span', { class: 'cell-sub' }, rel === 'prev' ? 'Previous' : 'Next'), p.title || p.url) : null;
    };
    main.replaceChildren(content,
      page ? h('footer', { class: 'docs-foot' },
        edit ? h('p', null, external(edit, 'Edit this page', 'docs-edit')) : null,
        page.prev != null || page.next != null ? h('nav', { class: 'docs-pager', 'aria-label': 'Previous and next page' },
          link(page.prev, 'prev'), link(page.next, 'next')) : null) : null);
  }

  /* Load and show a page of the site. */
  async function show(page, anchor, again = false) {
    current = page;
    hash = anchor;
    let site_;
    try {
      site_ = await site(s);
    } catch (e) {
      if (signal?.aborted || current !== page)
        return;
      if (e.status !== 404)
        return failed(e, () => show(page, anchor), 'The docs could not be loaded');
      if (s.sync?.state === 'running')
        return building();
      if (s.sync?.state === 'finish' && !again)
        return show(page, anchor, true); /* it finished while site.json was on its way */
      if (s.sync?.state === 'error')
        return failed(s.sync.data, resync, 'The docs could not be built');
      return failed('No documentation has been built for this entity yet.', resync, 'No docs yet');
    }
    siteName.textContent = site_.site_name || name;
    siteDesc.textContent = site_.site_description ?? '';
    const info = site_.pages.find((p) => p.url === page);
    let content;
    if (info) {
      try {
        const html = await api(`${s.static}${enc(page)}index.html`, { signal, headers: { Accept: 'text/html' } });
        content = article(String(html), { pagePath: href(page), root, assets: `${s.static}${enc(page)}` });
      } catch (e) {
        if (signal?.aborted || current !== page)
          return;
        if (e.status !== 404)
          return failed(e, () => show(page, anchor), 'The page could not be loaded');
      }
    }
    if (current !== page)
      return;
    nav.replaceChildren(navList(site_.nav ?? [], ''));
    menu.hidden = false;
    if (!content) {
      title = 'Page not found';
      content = h('div', { class: 'docs-content' }, h('h1', null, 'Page not found'),
        h('p', null, 'These docs have no page ', h('code', null, page || '/'), '.'),
        h('p', null, h('a', { class: 'button', href: root }, 'Go to the docs home')));
    } else {
      title = info.title || page || 'Home';
      if (!content.querySelector('h1'))
        content.prepend(h('h1', null, info.title || site_.site_name));
    }
    shown = { site: site_, page: info };
    state = 'shown';
    const missed = pending;
    pending = null;
    if (missed)
      onSync(...missed);
    drawPage(site_, content.classList.contains('md-typeset') ? info : null, content);
    if (settled && !embedded)
      document.title = `${title} \u00b7 ${site_.site_name} \u00b7 stagehand`;
    if (fullLink)
      fullLink.href = href(page, anchor);
    scrollTo(anchor, settled);
  }

  /* Embedded: links of this site open in place. */
  if (embedded) {
    node.addEventListener('click', (e) => {
      const a = e.target.closest('a[href]');
      if (!a || a === fullLink || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target)
        return;
      const url = new URL(a.href);
      if (url.origin !== window.location.origin || !url.pathname.startsWith(root))
        return;
      e.preventDefault();
      const page = decodeURIComponent(url.pathname.slice(root.length));
      const anchor = url.hash.slice(1);
      if (page === current && shown)
        scrollTo(anchor);
      else
        show(page, anchor);
    });
    fullLink = h('a', { href: root, class: 'docs-full' }, 'Open in the docs reader');
    node.querySelector('.docs-id').append(h('p', null, fullLink));
  }

  attach(s, onSync, signal);
  const ready = show(startPage, hash).finally(() => { settled = true; });
  return { node, ready, title: () => (shown ? `${title} \u00b7 ${shown.site.site_name}` : `Docs: ${name}`) };
}
