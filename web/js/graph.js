/*
 * The relations graph of an entity: an SVG drawn with a small layered
 * layout. The entity sits in the middle column, its neighbours in the
 * columns either side, and at depth 2 their neighbours further out, next
 * to the neighbour that brought them in. Each relation pair (ownedBy and
 * ownerOf, ...) is one edge, styled by type. Nodes are links.
 */
import { entityPath, parseRef, relationLabel, shortRef } from './entity.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 168;
const NODE_H = 30;
const ROW = 40;
const COL = 236;
const MAX_NODES = 150;
const MAX_LABEL = 23;

/* One edge per relation pair, drawn in the canonical direction. */
const INVERSE = { ownerOf: 'ownedBy', hasPart: 'partOf', parentOf: 'childOf', hasMember: 'memberOf',
  dependencyOf: 'dependsOn', apiProvidedBy: 'providesApi', apiConsumedBy: 'consumesApi' };
export const EDGE_TYPES = ['ownedBy', 'partOf', 'childOf', 'memberOf', 'dependsOn', 'providesApi', 'consumesApi'];

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {}))
    if (v != null)
      el.setAttribute(k, String(v));
  el.append(...children.filter((c) => c != null));
  return el;
}

function edge(from, type, to) {
  return INVERSE[type] ? { from: to, to: from, type: INVERSE[type] } : { from, to, type };
}

/*
 * buildGraph(ref, relations, neighbours) -> { nodes, edges, total }.
 * neighbours (depth 2) maps a neighbour's ref to its entity (with
 * relations) or null when the catalog does not have it.
 */
export function buildGraph(ref, relations, neighbours = null) {
  const nodes = new Map([[ref, { ref, depth: 0, parent: null }]]);
  const edges = new Map();
  const add = (from, type, to) => {
    const e = edge(from, type, to);
    edges.set(`${e.from}|${e.type}|${e.to}`, e);
  };
  for (const r of relations ?? []) {
    if (!nodes.has(r.targetRef))
      nodes.set(r.targetRef, { ref: r.targetRef, depth: 1, parent: ref, type: INVERSE[r.type] ?? r.type });
    add(ref, r.type, r.targetRef);
  }
  let total = nodes.size;
  if (neighbours) {
    for (const [n, e] of neighbours) {
      nodes.get(n).entity = e;
      for (const r of e?.relations ?? []) {
        if (!nodes.has(r.targetRef)) {
          total++;
          if (nodes.size >= MAX_NODES)
            continue;
          nodes.set(r.targetRef, { ref: r.targetRef, depth: 2, parent: n, type: INVERSE[r.type] ?? r.type });
        }
        add(n, r.type, r.targetRef);
      }
    }
  }
  return { nodes, edges: [...edges.values()].filter((e) => nodes.has(e.from) && nodes.has(e.to)), total };
}

/* Columns: -2 -1 0 1 2. Depth-1 nodes are sorted by relation type and
 * split between the two sides; depth-2 nodes go outside their parent. */
function layout(nodes) {
  const cols = new Map([[-2, []], [-1, []], [0, []], [1, []], [2, []]]);
  const all = [...nodes.values()];
  const first = all.filter((n) => n.depth === 1)
    .sort((a, b) => a.type.localeCompare(b.type) || a.ref.localeCompare(b.ref));
  const half = Math.ceil(first.length / 2);
  first.forEach((n, i) => { n.col = i < half ? 1 : -1; });
  const root = all[0];
  root.col = 0;
  cols.get(0).push(root);
  for (const n of first)
    cols.get(n.col).push(n);
  for (const n of all.filter((x) => x.depth === 2)) {
    n.col = nodes.get(n.parent).col * 2;
    cols.get(n.col).push(n);
  }
  const height = Math.max(...[...cols.values()].map((c) => c.length), 1) * ROW;
  for (const [c, list] of cols) {
    if (Math.abs(c) === 2)
      list.sort((a, b) => nodes.get(a.parent).y - nodes.get(b.parent).y || a.ref.localeCompare(b.ref));
    const top = (height - list.length * ROW) / 2;
    list.forEach((n, i) => { n.x = (c + 2) * COL; n.y = top + i * ROW; });
  }
  const used = [...cols.keys()].filter((c) => cols.get(c).length);
  const minCol = Math.min(...used);
  const maxCol = Math.max(...used);
  return { height, minX: (minCol + 2) * COL, width: (maxCol - minCol) * COL + NODE_W };
}

/* Room for the label after the kind, by rough character widths. */
function truncate(text, kind) {
  const max = Math.floor(MAX_LABEL - (kind.length + 1) * 0.85);
  return text.length > max ? `${text.slice(0, max - 1)}\u2026` : text;
}

function edgePath(a, b) {
  const ay = a.y + NODE_H / 2;
  const by = b.y + NODE_H / 2;
  if (a.col === b.col) {
    /* Same column: bow out on the outer side. */
    const side = a.col < 0 ? -1 : 1;
    const x = side < 0 ? a.x : a.x + NODE_W;
    const bow = x + side * (30 + Math.abs(ay - by) / 6);
    return `M${x},${ay} C${bow},${ay} ${bow},${by} ${x},${by}`;
  }
  const [l, r, ly, ry] = a.x < b.x ? [a, b, ay, by] : [b, a, by, ay];
  const x1 = l.x + NODE_W;
  const x2 = r.x;
  const mid = (x1 + x2) / 2;
  return `M${x1},${ly} C${mid},${ly} ${mid},${ry} ${x2},${ry}`;
}

function nodeLabel(n) {
  return n.entity?.metadata?.title || parseRef(n.ref).name;
}

/* The SVG for a graph from buildGraph. */
export function drawGraph({ nodes, edges }) {
  const { height, minX, width } = layout(nodes);
  const pad = 8;
  const svg = s('svg', { class: 'graph', role: 'group', 'aria-label': 'Relations graph',
    viewBox: `${minX - pad} ${-pad} ${width + 2 * pad} ${height + 2 * pad}`,
    width: width + 2 * pad, height: height + 2 * pad });
  const edgeLayer = s('g', { class: 'graph-edges' });
  for (const e of edges) {
    const a = nodes.get(e.from);
    const b = nodes.get(e.to);
    edgeLayer.append(s('path', { class: `graph-edge edge-${e.type}`, d: edgePath(a, b), 'data-type': e.type },
      s('title', null, `${shortRef(e.from)} ${relationLabel(e.type).toLowerCase()} ${shortRef(e.to)}`)));
  }
  const nodeLayer = s('g', { class: 'graph-nodes' });
  for (const n of nodes.values()) {
    const full = nodeLabel(n);
    const { kind } = parseRef(n.ref);
    const box = [
      s('title', null, n.ref),
      s('rect', { x: n.x, y: n.y, width: NODE_W, height: NODE_H, rx: 6 }),
      s('text', { x: n.x + 10, y: n.y + NODE_H / 2, 'dominant-baseline': 'central' },
        s('tspan', { class: 'graph-kind' }, `${kind.toLowerCase()} `), truncate(full, kind)),
    ];
    const cls = `graph-node${n.depth === 0 ? ' graph-current' : ''}${n.entity === null ? ' graph-missing' : ''}`;
    nodeLayer.append(n.depth === 0
      ? s('g', { class: cls, 'data-ref': n.ref, 'aria-current': 'page' }, ...box)
      : s('a', { class: cls, href: entityPath(n.ref), 'data-ref': n.ref, 'aria-label': `${kind} ${full}` }, ...box));
  }
  svg.append(edgeLayer, nodeLayer);
  return svg;
}
