/*
 * A built TechDocs page made ready to show. The server sends the page as a
 * whole HTML document (as text); only the nodes of its
 * <article class="md-content__inner"> are kept, parsed by DOMParser (which
 * runs nothing) and cleaned again of scripts and event attributes before
 * they join the page. Links
 * and images are resolved, code blocks get a copy button and light
 * colouring, tabbed sets become keyboard tabs, tables scroll.
 */
import { h } from '../dom.js';

let uid = 0;
const DROP = 'script, style, iframe, object, embed, link, meta, base, form, frame, frameset';

/* Light colouring: comments, strings, numbers, a few keywords. */
const HASH = /^(sh|bash|shell|console|zsh|python|py|yaml|yml|toml|ruby|rb|make|makefile|dockerfile|ini|conf|r|perl)$/;
const KEYWORDS = 'if|else|elif|for|while|return|function|const|let|var|import|from|export|class|def|true|false|null|None|True|False|struct|static|void|int|char|fn|pub|use|package|func|type|then|fi|do|done|in|case|esac|async|await|new';
function colour(code, lang) {
  const comment = HASH.test(lang) ? '#[^\\n]*' : '\\/\\/[^\\n]*|\\/\\*[\\s\\S]*?\\*\\/';
  const re = new RegExp(`(${comment})|("(?:[^"\\\\\\n]|\\\\.)*"|'(?:[^'\\\\\\n]|\\\\.)*')|\\b(\\d+(?:\\.\\d+)?)\\b|\\b(${KEYWORDS})\\b`, 'g');
  const classes = ['tok-comment', 'tok-string', 'tok-number', 'tok-keyword'];
  const text = code.textContent;
  const out = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = classes.findIndex((_, k) => m[k + 1] !== undefined);
    out.push(text.slice(last, m.index), h('span', { class: classes[i] }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  code.replaceChildren(...out);
}

function codeBlock(pre) {
  const code = pre.querySelector('code');
  const lang = /(?:^|\s)language-([\w+-]+)/.exec(code?.className ?? '')?.[1]?.toLowerCase() ?? '';
  if (code && lang && !/^(text|plain|plaintext|txt)$/.test(lang)) {
    colour(code, lang);
    pre.classList.add('highlight');
  }
  const status = h('span', { class: 'docs-copied', role: 'status' });
  const button = h('button', { type: 'button', class: 'button docs-copy', 'aria-label': 'Copy code',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(pre.textContent);
        status.textContent = 'Copied';
      } catch {
        status.textContent = 'Copy failed';
      }
      setTimeout(() => { status.textContent = ''; }, 2000);
    } }, 'Copy');
  pre.classList.add('code');
  pre.tabIndex = 0;
  const box = h('div', { class: 'docs-code' }, button, status);
  pre.replaceWith(box);
  box.append(pre);
}

/* A tabbed set as tabs: buttons with arrow keys, panels. */
function tabbed(set) {
  const id = `dtab${++uid}`;
  const blocks = [...set.children].filter((c) => c.classList.contains('tabbed-block'));
  if (!blocks.length)
    return;
  const buttons = blocks.map((b, i) => h('button', { type: 'button', role: 'tab', id: `${id}-${i}`,
    'aria-controls': `${id}-${i}-panel`, onclick: () => select(i) }, b.dataset.tab || `Tab ${i + 1}`));
  function select(i, focus) {
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(i === j));
      b.tabIndex = i === j ? 0 : -1;
      blocks[j].hidden = i !== j;
    });
    if (focus)
      buttons[i].focus();
  }
  blocks.forEach((b, i) => {
    Object.assign(b, { id: `${id}-${i}-panel`, tabIndex: 0 });
    b.setAttribute('role', 'tabpanel');
    b.setAttribute('aria-labelledby', `${id}-${i}`);
  });
  const bar = h('div', { role: 'tablist', class: 'tabs docs-tabs' }, buttons);
  bar.addEventListener('keydown', (e) => {
    const n = buttons.length;
    const now = buttons.indexOf(document.activeElement);
    const to = { ArrowRight: now + 1, ArrowLeft: now - 1 + n, Home: 0, End: n - 1 }[e.key];
    if (to === undefined || now < 0)
      return;
    e.preventDefault();
    select(to % n, true);
  });
  set.prepend(bar);
  select(0);
}

/*
 * article(html, { pagePath, root, assets }) -> element or null when the
 * document has no article. pagePath: the reader URL of the page (links
 * resolve against it); root: the reader URL of the site; assets: the
 * static URL of the page's folder (images resolve against it).
 */
export function article(html, { pagePath, root, assets }) {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const src = doc.querySelector('article.md-content__inner') ?? doc.querySelector('article');
  if (!src)
    return null;
  src.querySelectorAll(DROP).forEach((el) => el.remove());
  for (const el of src.querySelectorAll('*')) {
    for (const a of [...el.attributes]) {
      if (/^on/i.test(a.name) || (/^(href|src|xlink:href|action|formaction)$/i.test(a.name) && /^\s*(javascript|data|vbscript):/i.test(a.value) && !(a.name === 'src' && /^\s*data:image\//i.test(a.value))))
        el.removeAttribute(a.name);
    }
  }
  const base = new URL(pagePath, window.location.origin);
  for (const a of src.querySelectorAll('a[href]')) {
    const raw = a.getAttribute('href');
    const url = new URL(raw, base);
    if (url.origin !== window.location.origin) {
      if (/^https?:$/.test(url.protocol))
        Object.assign(a, { target: '_blank', rel: 'external noopener' });
      continue;
    }
    if (url.pathname.startsWith(root) && !/\.[A-Za-z0-9]+$/.test(url.pathname)) {
      a.setAttribute('href', url.pathname + url.hash);
    } else if (url.pathname.startsWith(root)) {
      /* A file of the site (a PDF, say): the static URL. */
      a.setAttribute('href', new URL(raw, new URL(assets, window.location.origin)).pathname);
    }
  }
  for (const img of src.querySelectorAll('img[src]'))
    img.setAttribute('src', new URL(img.getAttribute('src'), new URL(assets, window.location.origin)).href);
  /* Permalinks: named for their section, and kept out of the heading's name. */
  for (const a of src.querySelectorAll(':is(h1, h2, h3, h4, h5, h6) > a.headerlink')) {
    const head = a.parentElement;
    const text = h('span', { id: `${head.id || `dh${uid}`}-t${++uid}` }, ...[...head.childNodes].filter((n) => n !== a));
    head.prepend(text);
    head.setAttribute('aria-labelledby', text.id);
    a.setAttribute('aria-label', `Link to the section \u201c${text.textContent.trim()}\u201d`);
  }
  for (const box of src.querySelectorAll('input[type="checkbox"]'))
    box.disabled = true;
  const out = h('article', { class: 'docs-content md-typeset' }, ...document.adoptNode(src).childNodes);
  out.querySelectorAll('pre').forEach(codeBlock);
  out.querySelectorAll('.tabbed-set').forEach(tabbed);
  for (const table of out.querySelectorAll('table')) {
    const box = h('div', { class: 'docs-table', tabindex: '0', role: 'region', 'aria-label': 'Table' });
    table.replaceWith(box);
    box.append(table);
  }
  return out;
}
