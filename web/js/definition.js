/*
 * An API's spec.definition. OpenAPI 2 and 3 (YAML or JSON text) become
 * operations grouped by tag, each a details element with its parameters,
 * request and response schemas and examples. AsyncAPI 2.x and 3.x become
 * channels with their operations (publish/subscribe, or send/receive) and
 * messages (payload schema and examples). GraphQL SDL and gRPC
 * (protobuf) get simple highlighting; anything else, or a definition that
 * does not parse, is shown as preformatted text with JSON/YAML-style
 * highlighting (keys, strings, numbers, comments).
 */
import { h } from './dom.js';
import { parseYaml, toYaml } from './yaml.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function parse(text) {
  try {
    return /^\s*[{[]/.test(text) ? JSON.parse(text) : parseYaml(text);
  } catch {
    return null;
  }
}

/* Follow local $refs ('#/components/schemas/X'), depth-limited so that
 * recursive schemas stop. */
function resolver(doc) {
  const lookup = (ref) => ref.slice(2).split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), doc);
  const one = (v) => {
    for (let n = 0; v && typeof v.$ref === 'string' && v.$ref.startsWith('#/') && n < 10; n++)
      v = lookup(v.$ref);
    return v;
  };
  const deep = (v, depth = 0, seen = new Set()) => {
    if (!v || typeof v !== 'object')
      return v;
    if (typeof v.$ref === 'string') {
      if (seen.has(v.$ref) || depth > 8 || !v.$ref.startsWith('#/'))
        return { $ref: v.$ref };
      return deep(one(v), depth + 1, new Set([...seen, v.$ref]));
    }
    if (Array.isArray(v))
      return v.map((x) => deep(x, depth + 1, seen));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x, depth + 1, seen)]));
  };
  return { one, deep };
}

const code = (value) => h('pre', { class: 'code' }, h('code', null, typeof value === 'string' ? value : toYaml(value)));
const fold = (label, body, cls = 'fold') => h('details', { class: cls }, h('summary', null, label), body);

function typeOf(schema) {
  if (!schema)
    return '';
  if (schema.type === 'array')
    return `${typeOf(schema.items)}[]`;
  return [schema.type, schema.format && `(${schema.format})`].filter(Boolean).join(' ') ||
    (schema.$ref ? schema.$ref.split('/').pop() : '');
}

function parameters(list, r) {
  if (!list.length)
    return null;
  return h('div', { class: 'op-block' },
    h('h4', null, 'Parameters'),
    h('table', { class: 'op-params' },
      h('thead', null, h('tr', null, ['Name', 'In', 'Type', 'Description'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', null, list.map((p) => h('tr', null,
        h('td', null, h('code', null, p.name), p.required ? h('span', { class: 'required', title: 'required' }, ' *') : null),
        h('td', null, p.in),
        h('td', null, typeOf(r.one(p.schema) ?? p)),
        h('td', null, p.description ?? ''))))));
}

/* Examples of a media type (OpenAPI 3) or of a response (OpenAPI 2). */
function examples(media, r) {
  const out = [];
  if (media.example !== undefined)
    out.push(fold('Example', code(media.example)));
  for (const [name, ex] of Object.entries(media.examples ?? {})) {
    const e = r.one(ex);
    if (e && typeof e === 'object' && 'value' in e)
      out.push(fold(`Example: ${e.summary ?? name}`, code(e.value)));
    else if (e !== undefined)
      out.push(fold(`Example: ${name}`, code(e)));
  }
  return out;
}

function content(c, r, what) {
  return Object.entries(c ?? {}).map(([type, media]) => [
    media?.schema ? fold(`${what} schema (${type})`, code(r.deep(media.schema))) : null,
    examples(media ?? {}, r)]);
}

function operation(r, path, method, op, shared) {
  const params = [...shared, ...(op.parameters ?? [])].map((p) => r.one(p)).filter(Boolean);
  const bodyParam = params.find((p) => p.in === 'body');
  const body = r.one(op.requestBody);
  const responses = Object.entries(op.responses ?? {}).map(([status, resp]) => {
    const res = r.one(resp) ?? {};
    return h('li', null,
      h('span', { class: 'status-code' }, status), ' ', res.description ?? '',
      content(res.content, r, 'Response'),
      res.schema ? fold('Response schema', code(r.deep(res.schema))) : null,
      res.examples && !res.content ? Object.entries(res.examples).map(([t, v]) => fold(`Example (${t})`, code(v))) : null);
  });
  return h('details', { class: 'operation', id: op.operationId ? `op-${op.operationId}` : null },
    h('summary', null,
      h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ',
      h('code', { class: 'op-path' }, path), ' ',
      h('span', { class: 'op-summary' }, op.summary ?? ''),
      op.deprecated ? h('span', { class: 'badge' }, 'deprecated') : null),
    h('div', { class: 'op-body' },
      op.description ? h('p', { class: 'pre-line' }, op.description) : null,
      parameters(params.filter((p) => p.in !== 'body'), r),
      body || bodyParam ? h('div', { class: 'op-block' },
        h('h4', null, 'Request body', body?.required || bodyParam?.required ? ' (required)' : ''),
        body?.description ? h('p', null, body.description) : null,
        content(body?.content, r, 'Request'),
        bodyParam?.schema ? fold('Request schema', code(r.deep(bodyParam.schema))) : null) : null,
      responses.length ? h('div', { class: 'op-block' }, h('h4', null, 'Responses'), h('ul', { class: 'responses' }, responses)) : null));
}

function openapi(doc) {
  const r = resolver(doc);
  const groups = new Map((doc.tags ?? []).map((t) => [t.name, { tag: t, ops: [] }]));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const pi = r.one(item) ?? {};
    for (const method of METHODS) {
      const op = pi[method];
      if (!op)
        continue;
      for (const tag of op.tags?.length ? op.tags : ['default']) {
        if (!groups.has(tag))
          groups.set(tag, { tag: { name: tag }, ops: [] });
        groups.get(tag).ops.push(() => operation(r, path, method, op, pi.parameters ?? []));
      }
    }
  }
  const info = doc.info ?? {};
  const servers = doc.servers?.map((s) => [s.url, s.description]) ??
    (doc.host ? (doc.schemes ?? ['https']).map((s) => [`${s}://${doc.host}${doc.basePath ?? ''}`]) : []);
  return h('div', { class: 'openapi' },
    h('div', { class: 'api-info' },
      h('h2', null, info.title ?? 'API', info.version ? h('span', { class: 'muted version' }, ` v${info.version}`) : null),
      h('p', { class: 'muted' }, doc.openapi ? `OpenAPI ${doc.openapi}` : `Swagger ${doc.swagger}`),
      info.description ? h('p', { class: 'pre-line' }, info.description) : null,
      servers.length ? h('ul', { class: 'servers', 'aria-label': 'Servers' }, servers.map(([url, d]) =>
        h('li', null, h('code', null, url), d ? ` \u2013 ${d}` : null))) : null),
    [...groups.values()].filter((g) => g.ops.length).map((g) => h('section', { class: 'op-group', 'aria-label': `Tag ${g.tag.name}` },
      h('h3', null, g.tag.name),
      g.tag.description ? h('p', { class: 'muted' }, g.tag.description) : null,
      g.ops.map((make) => make()))));
}

/* ---- AsyncAPI ---- */

/* A 3.x multi-format schema ({schemaFormat, schema}) or a plain one. */
const payloadSchema = (p) => (p && typeof p === 'object' && p.schemaFormat && p.schema ? p.schema : p);

function asyncMessage(r, msg, key) {
  const m = r.one(msg) ?? {};
  const name = m.name ?? m.messageId ?? key ?? (typeof msg?.$ref === 'string' ? msg.$ref.split('/').pop() : 'message');
  const traitHeaders = (m.traits ?? []).map((t) => r.one(t)?.headers).filter(Boolean);
  const headers = m.headers ?? (traitHeaders.length === 1 ? traitHeaders[0] : null);
  const examples = (m.examples ?? []).map((ex, i) => {
    const e = r.one(ex) ?? {};
    const body = e.payload !== undefined || e.headers !== undefined
      ? Object.fromEntries([['headers', e.headers], ['payload', e.payload]].filter(([, v]) => v !== undefined)) : e;
    return fold(`Example: ${e.summary ?? e.name ?? i + 1}`, code(body));
  });
  return h('div', { class: 'async-message', 'data-message': name },
    h('h5', null, h('code', null, name), m.title && m.title !== name ? ` \u2013 ${m.title}` : null,
      m.contentType ? h('span', { class: 'muted' }, ` (${m.contentType})`) : null),
    m.summary ? h('p', null, m.summary) : null,
    m.description ? h('p', { class: 'pre-line muted' }, m.description) : null,
    m.payload ? fold('Payload schema', code(r.deep(payloadSchema(m.payload)))) : null,
    headers ? fold('Headers schema', code(r.deep(payloadSchema(headers)))) : null,
    examples);
}

/* A 2.x operation's messages: one message or oneOf. */
function messagesOf2(r, op) {
  const msg = r.one(op?.message);
  if (!msg)
    return [];
  return Array.isArray(msg.oneOf) ? msg.oneOf.map((m) => [m, null]) : [[op.message, null]];
}

function asyncOperation(action, op, id) {
  return h('li', { class: 'async-op' },
    h('span', { class: `method action-${action}` }, action), ' ',
    id ?? op.operationId ? h('code', null, id ?? op.operationId) : null, ' ',
    op.summary ? h('span', { class: 'op-summary' }, op.summary) : null,
    op.description ? h('p', { class: 'pre-line muted' }, op.description) : null);
}

/* Channels of an AsyncAPI document: [{ name, address, description, ops, messages }]. */
function asyncChannels(doc, r) {
  const v3 = /^3\./.test(String(doc.asyncapi));
  const channels = Object.entries(doc.channels ?? {}).map(([name, ch0]) => {
    const ch = r.one(ch0) ?? {};
    const c = { name, address: v3 ? ch.address : null, title: ch.title, description: ch.description, ops: [], messages: [] };
    if (v3) {
      c.messages = Object.entries(ch.messages ?? {}).map(([k, m]) => [m, k]);
    } else {
      for (const action of ['publish', 'subscribe']) {
        if (!ch[action])
          continue;
        c.ops.push(asyncOperation(action, ch[action]));
        c.messages.push(...messagesOf2(r, ch[action]));
      }
    }
    return c;
  });
  if (v3) {
    for (const [id, op0] of Object.entries(doc.operations ?? {})) {
      const op = r.one(op0) ?? {};
      const ref = op.channel?.$ref ?? '';
      const c = channels.find((x) => ref === `#/channels/${x.name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      c?.ops.push(asyncOperation(op.action ?? 'operation', op, id));
    }
  }
  /* The same message reached twice (publish and subscribe) shows once. */
  for (const c of channels) {
    const seen = new Set();
    c.messages = c.messages.filter(([m, k]) => {
      const key = m?.$ref ?? k ?? m;
      return seen.has(key) ? false : seen.add(key);
    });
  }
  return channels;
}

function asyncapi(doc) {
  const r = resolver(doc);
  const info = doc.info ?? {};
  const servers = Object.entries(doc.servers ?? {}).map(([name, s0]) => {
    const s = r.one(s0) ?? {};
    return [name, s.url ?? `${s.host ?? ''}${s.pathname ?? ''}`, s.protocol, s.description];
  });
  return h('div', { class: 'asyncapi' },
    h('div', { class: 'api-info' },
      h('h2', null, info.title ?? 'API', info.version ? h('span', { class: 'muted version' }, ` v${info.version}`) : null),
      h('p', { class: 'muted' }, `AsyncAPI ${doc.asyncapi}`),
      info.description ? h('p', { class: 'pre-line' }, info.description) : null,
      servers.length ? h('ul', { class: 'servers', 'aria-label': 'Servers' }, servers.map(([name, url, protocol, d]) =>
        h('li', null, h('strong', null, name), ' ', h('code', null, url), protocol ? ` (${protocol})` : null,
          d ? ` \u2013 ${d}` : null))) : null),
    asyncChannels(doc, r).map((c) => h('section', { class: 'op-group async-channel', 'aria-label': `Channel ${c.name}` },
      h('h3', null, h('code', null, c.name), c.title ? ` \u2013 ${c.title}` : null),
      c.address && c.address !== c.name ? h('p', { class: 'muted' }, 'Address ', h('code', null, c.address)) : null,
      c.description ? h('p', { class: 'pre-line' }, c.description) : null,
      c.ops.length ? [h('h4', null, 'Operations'), h('ul', { class: 'async-ops' }, c.ops)] : null,
      c.messages.length ? [h('h4', null, 'Messages'), c.messages.map(([m, k]) => asyncMessage(r, m, k))] : null)));
}

/* GraphQL SDL as spans: comments, strings, keywords, directives, types. */
const GQL = /("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*")|(#[^\n]*)|\b(type|query|mutation|subscription|schema|enum|input|interface|union|scalar|directive|extend|implements|fragment|on|repeatable)\b|(@[A-Za-z_]\w*)|\b([A-Z]\w*)\b/g;
export function highlightGraphql(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(GQL)) {
    out.push(text.slice(last, m.index));
    const cls = m[1] ? 'tok-string' : m[2] ? 'tok-comment' : m[3] ? 'tok-keyword' : m[4] ? 'tok-directive' : 'tok-type';
    out.push(h('span', { class: cls }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

/* Protocol buffers (gRPC) as spans: comments, strings, keywords, scalar
 * types, numbers, and capitalised names as types. */
const PROTO = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|\b(syntax|edition|package|import|public|weak|message|enum|service|rpc|returns|stream|option|repeated|optional|required|oneof|map|reserved|extensions|extend|to|max|true|false)\b|\b(double|float|int32|int64|uint32|uint64|sint32|sint64|fixed32|fixed64|sfixed32|sfixed64|bool|string|bytes)\b|(-?\b(?:0[xX][0-9A-Fa-f]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\b)|\b([A-Z]\w*)\b/g;
const PROTO_CLASSES = ['tok-comment', 'tok-string', 'tok-keyword', 'tok-builtin', 'tok-number', 'tok-type'];

/* JSON or YAML text as spans: comments, keys, strings, numbers and
 * literals. A fallback for definition types without their own view. */
const DATA = /((?<!\S)(?:#|\/\/)[^\n]*)|(?:("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[A-Za-z_$][\w$.\-/]*)(?=\s*:(?:\s|$)))|("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')|(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|\b(true|false|null|yes|no|on|off)\b/g;
const DATA_CLASSES = ['tok-comment', 'tok-key', 'tok-string', 'tok-number', 'tok-keyword'];

/* Text and spans for the matches of re, whose groups map to classes; text
 * stays text (h() makes text nodes), so nothing is parsed as HTML. */
function tokens(text, re, classes) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const i = classes.findIndex((_, k) => m[k + 1] !== undefined);
    if (i < 0 || !m[0])
      continue;
    const start = m.index + m[0].indexOf(m[i + 1]);
    out.push(text.slice(last, start), h('span', { class: classes[i] }, m[i + 1]));
    last = start + m[i + 1].length;
  }
  out.push(text.slice(last));
  return out;
}

export const highlightProto = (text) => tokens(text, PROTO, PROTO_CLASSES);
export const highlightData = (text) => tokens(text, DATA, DATA_CLASSES);

/* The Definition tab's content for an API entity. */
export function definitionView(e) {
  const text = e.spec.definition;
  const type = String(e.spec.type ?? '').toLowerCase();
  const source = (body) => h('pre', { class: 'code' }, h('code', null, body));
  if (type === 'openapi' || type === 'swagger') {
    const doc = parse(text);
    if (doc && typeof doc === 'object' && (doc.openapi || doc.swagger))
      return [openapi(doc), fold('Definition source', source(text), 'fold source')];
  }
  if (type === 'asyncapi') {
    const doc = parse(text);
    if (doc && typeof doc === 'object' && /^[23]\./.test(String(doc.asyncapi ?? '')))
      return [asyncapi(doc), fold('Definition source', source(text), 'fold source')];
  }
  if (type === 'graphql')
    return h('pre', { class: 'code graphql' }, h('code', null, highlightGraphql(text)));
  if (type === 'grpc' || type === 'protobuf')
    return h('pre', { class: 'code highlight grpc' }, h('code', null, highlightProto(text)));
  return h('pre', { class: 'code highlight data' }, h('code', null, highlightData(text)));
}
