/*
 * Shared by the header search box (search-box.js) and the search page
 * (pages/search.js): the query string of /api/search/query and /facets,
 * and a result's title, snippet and labels.
 *
 * A result's highlight fields hold the text with each match between
 * highlight.preTag and highlight.postTag (random per server process).
 * marked() splits on the tags and builds text nodes and <mark> elements,
 * so nothing of the document is ever parsed as markup.
 */
import { h } from './dom.js';

export const TYPES = { 'software-catalog': 'Catalog', techdocs: 'Docs' };
export const typeLabel = (t) => TYPES[t] ?? t;
export const capitalize = (s) => (s ? s[0].toUpperCase() + s.slice(1) : '');

/*
 * The query string for the search API in the bracket form Backstage's
 * client sends: term=..&types[0]=..&filters[kind][0]=..&pageLimit=..
 * filters maps a document field to a list of values (any of them).
 */
export function searchQuery({ term = '', types = [], filters = {}, pageLimit, pageCursor }) {
  const q = new URLSearchParams({ term });
  types.forEach((t, i) => q.append(`types[${i}]`, t));
  for (const [field, values] of Object.entries(filters))
    values.forEach((v, i) => q.append(`filters[${field}][${i}]`, v));
  if (pageLimit)
    q.set('pageLimit', String(pageLimit));
  if (pageCursor)
    q.set('pageCursor', pageCursor);
  return q.toString();
}

/* Text with the highlight tags turned into <mark>: an array of nodes. */
export function marked(text, pre, post) {
  const out = [];
  let rest = String(text ?? '');
  while (pre && post) {
    const start = rest.indexOf(pre);
    if (start < 0)
      break;
    const end = rest.indexOf(post, start + pre.length);
    if (end < 0)
      break;
    if (start > 0)
      out.push(rest.slice(0, start));
    out.push(h('mark', null, rest.slice(start + pre.length, end)));
    rest = rest.slice(end + post.length);
  }
  if (rest)
    out.push(rest);
  return out;
}

const clip = (s, n) => (s.length > n ? `${s.slice(0, n).replace(/\s+\S*$/, '')}\u2026` : s);

/* The result's field (title or text) highlighted when the server did so. */
function field(result, name, max) {
  const hl = result.highlight;
  const value = hl?.fields?.[name];
  if (typeof value === 'string')
    return marked(value, hl.preTag, hl.postTag);
  const plain = String(result.document?.[name] ?? '');
  return [max ? clip(plain, max) : plain];
}

export const titleOf = (result) => field(result, 'title');
export const snippetOf = (result) => field(result, 'text', 240);
export const plainTitle = (result) => String(result.document?.title ?? '');

/* What a result belongs to: the entity of a docs section; null for an entity. */
export function entityOf(result) {
  const d = result.document ?? {};
  if (result.type !== 'techdocs' || !d.name)
    return null;
  return {
    label: d.entityTitle || d.name,
    href: `/catalog/${encodeURIComponent(d.namespace || 'default')}/${encodeURIComponent(d.kind)}/${encodeURIComponent(d.name)}`,
  };
}

/* The docs page of a section ('node-not-ready' of 'node-not-ready/#x'); '' for the home page. */
export function docsPageOf(result) {
  const path = String(result.document?.path ?? '').split('#')[0];
  return path.replace(/\/+$/, '').replace(/\/index$|^index$/, '');
}

/* A safe in-app href: the spec drops non-http locations; keep to paths. */
export const hrefOf = (result) => {
  const loc = String(result.document?.location ?? '');
  return loc.startsWith('/') && !loc.startsWith('//') ? loc : '#';
};
