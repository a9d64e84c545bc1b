/* What the scaffolder pages show as text: ANSI-coloured log lines, simple
 * markdown, times, output links. Built as nodes, never as markup. */
import { h } from '../dom.js';

const COLOURS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
const ESC = /\u001b\[[\d;?]*[A-Za-z]/g;
export const stripAnsi = (s) => String(s).replace(ESC, '');

/* SGR colour codes -> coloured spans; other escapes are dropped. */
export function ansi(text) {
  const out = [];
  let cls = '';
  text.split(/(\u001b\[[\d;]*m)/).forEach((part, i) => {
    if (i % 2 === 0) {
      const s = stripAnsi(part);
      if (s)
        out.push(cls ? h('span', { class: cls }, s) : s);
      return;
    }
    for (const c of (part.slice(2, -1) || '0').split(';').map(Number)) {
      const n = c >= 90 ? c - 60 : c;
      if (n === 0 || n === 39)
        cls = '';
      else if (n >= 30 && n <= 37)
        cls = `ansi-${COLOURS[n - 30]}`;
    }
  });
  return out;
}

/* Inline markdown: `code`, **bold**, *em*, [text](url). */
function inline(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\(([^)\s]+)\)/g)) {
    out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const href = /^(https?:|mailto:|\/)/i.test(m[5]) ? m[5] : null;
    const ext = href && !href.startsWith('/');
    out.push(m[1] != null ? h('code', null, m[1]) : m[2] != null ? h('strong', null, m[2]) : m[3] != null ? h('em', null, m[3])
      : href ? h('a', { href, rel: ext && 'external noopener', target: ext && '_blank' }, m[4] ?? href) : m[4]);
  }
  out.push(text.slice(last));
  return out;
}

/* Block markdown: paragraphs, ``` code ```, - or 1. lists, # headings (bold). */
export function markdown(src) {
  const lines = String(src ?? '').split(/\r?\n/);
  const out = [];
  let para = [];
  const flush = () => para.length && out.push(h('p', null, inline(para.splice(0).join(' '))));
  const item = /^\s*([-*+]|\d+\.)\s+/;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*```/.test(line) || item.test(line) || /^#{1,6}\s/.test(line) || !line.trim())
      flush();
    if (/^\s*```/.test(line)) {
      const body = [];
      while (++i < lines.length && !/^\s*```/.test(lines[i]))
        body.push(lines[i]);
      out.push(h('pre', { class: 'code' }, h('code', null, body.join('\n'))));
    } else if (/^#{1,6}\s/.test(line)) {
      out.push(h('p', null, h('strong', null, inline(line.replace(/^#+\s*/, '')))));
    } else if (item.test(line)) {
      const items = [];
      for (; i < lines.length && item.test(lines[i]); i++)
        items.push(h('li', null, inline(lines[i].replace(item, ''))));
      out.push(h(/^\s*\d/.test(line) ? 'ol' : 'ul', null, items));
      i--;
    } else if (line.trim()) {
      para.push(line.trim());
    }
  }
  flush();
  return out;
}

/* 65000 -> '1 min 5 s'. */
export function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(s / 60);
  return s < 60 ? `${s} s` : m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export const when = (iso) => (Number.isNaN(Date.parse(iso)) ? String(iso ?? '')
  : new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));

/* An output link's target: url (external unless an app page) or entityRef. */
export function linkHref(link) {
  if (link.url)
    return { href: link.url, external: !/^\/(catalog|create|docs|search)(\/|$)/.test(link.url) };
  const m = /^(?:([^:/]+):)?(?:([^/]+)\/)?(.+)$/.exec(link.entityRef ?? '');
  return m && { href: `/catalog/${encodeURIComponent(m[2] ?? 'default')}/${encodeURIComponent((m[1] ?? 'component').toLowerCase())}/${encodeURIComponent(m[3])}` };
}

/* The field errors of a 400 answer ({ errors: [{ property, message }] }). */
export const problems = (list, title = 'The server did not accept these values') => h('div', { class: 'alert', role: 'alert' },
  h('div', null, h('p', { class: 'alert-title' }, title), h('ul', { class: 'error-list' },
    list.map((e) => h('li', null, `${String(e.property ?? '').replace(/^instance\.?/, '') || 'values'}: ${e.message}`)))));

/* el.replaceChildren with h()'s rules: arrays flattened, null and false skipped. */
export function fill(el, ...kids) {
  el.replaceChildren(...kids.flat(Infinity).filter((c) => c != null && c !== false && c !== ''));
  return el;
}
