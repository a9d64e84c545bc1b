/*
 * toYaml(value): a JSON value as block-style YAML, for showing entities.
 *
 * Strings are written plain only when every YAML 1.1 and 1.2 reader takes
 * them back as the same string; anything that could read as a number, a
 * boolean, null, a date, a comment, an alias, a flow collection or a
 * mapping is double-quoted (JSON escapes are valid in YAML double quotes).
 * Multi-line strings become literal blocks (|, |- or |+) when that is exact.
 */
const RESERVED = /^(?:~|null|true|false|yes|no|y|n|on|off|=|<<)$/i;
const NUMBERISH = /^[-+.]?[0-9]|^[-+]?\.(?:inf|nan)$/i;
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
const UNSAFE_CHAR = /[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]/;

function plainOk(s) {
  return s.length > 0 && s === s.trim() && !RESERVED.test(s) && !NUMBERISH.test(s) &&
    !INDICATOR.test(s) && !UNSAFE_CHAR.test(s) && !s.includes(': ') && !s.includes(' #') &&
    !s.endsWith(':');
}

export function quote(s) {
  return JSON.stringify(s).replace(/[\u0085\u2028\u2029\ufeff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function scalar(s) {
  return plainOk(s) ? s : quote(s);
}

/* A literal block keeps the text exactly if no line starts the block with
 * a space and there are no characters a block cannot hold. */
function literalOk(s) {
  return s.includes('\n') && !/^[ \n]/.test(s) &&
    !/[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]/.test(s);
}

function literal(s, indent) {
  const trail = /\n*$/.exec(s)[0].length;
  const chomp = trail === 0 ? '-' : trail === 1 ? '' : '+';
  const body = trail === 0 ? s : s.slice(0, s.length - (trail === 1 ? 1 : 0));
  const pad = ' '.repeat(indent);
  const lines = body.split('\n').map((l) => (l === '' ? '' : pad + l));
  if (trail > 1)
    lines.pop(); /* |+ keeps the final line break itself */
  return `|${chomp}\n${lines.join('\n')}`;
}

function isBlock(v) {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function inline(v, indent) {
  if (v === null || v === undefined)
    return 'null';
  if (typeof v === 'string')
    return literalOk(v) ? literal(v, indent) : scalar(v);
  if (typeof v === 'number')
    return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean')
    return String(v);
  return Array.isArray(v) ? '[]' : '{}';
}

function lines(v, indent, out) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isBlock(item)) {
        const sub = [];
        lines(item, indent + 2, sub);
        out.push(pad + '- ' + sub[0].slice(indent + 2), ...sub.slice(1));
      } else {
        out.push(pad + '- ' + inline(item, indent + 2));
      }
    }
    return;
  }
  for (const [k, item] of Object.entries(v)) {
    if (isBlock(item)) {
      out.push(`${pad}${scalar(k)}:`);
      /* Sequences under a key are indented too: easier to read. */
      lines(item, indent + 2, out);
    } else {
      out.push(`${pad}${scalar(k)}: ${inline(item, indent + 2)}`);
    }
  }
}

export function toYaml(value) {
  if (!isBlock(value))
    return inline(value, 0) + '\n';
  const out = [];
  lines(value, 0, out);
  return out.join('\n') + '\n';
}

/*
 * parseYaml(text): the subset of YAML that API definitions use: block
 * mappings and sequences, literal and folded block scalars, one-line flow
 * collections, quoted and plain scalars, comments. No anchors, tags or
 * multi-document streams. Throws a SyntaxError on what it cannot read.
 */
export function parseYaml(text) {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\t/g, '  ').split('\n');
  let i = 0;
  const indentOf = (l) => l.length - l.trimStart().length;
  const blank = (l) => /^\s*(#.*)?$/.test(l);
  const skip = () => { while (i < lines.length && blank(lines[i])) i++; };
  const isItem = (t) => t === '-' || t.startsWith('- ');
  const fail = (msg) => { throw new SyntaxError(`YAML line ${i + 1}: ${msg}`); };

  function node(min) {
    skip();
    if (i >= lines.length || indentOf(lines[i]) < min)
      return null;
    const ind = indentOf(lines[i]);
    const t = lines[i].trim();
    if (isItem(t))
      return sequence(ind);
    if (keyOf(t))
      return mapping(ind);
    i++;
    return inline(t);
  }

  function sequence(ind) {
    const out = [];
    for (skip(); i < lines.length && indentOf(lines[i]) === ind && isItem(lines[i].trim()); skip()) {
      const rest = lines[i].trim().slice(1).trimStart();
      if (!rest) {
        i++;
        out.push(node(ind + 1));
      } else if (keyOf(rest) || isItem(rest)) {
        /* "- key: v" is a mapping indented to where key starts. */
        const col = lines[i].indexOf(rest);
        lines[i] = ' '.repeat(col) + rest;
        out.push(node(col));
      } else {
        i++;
        out.push(value(rest, ind));
      }
    }
    return out;
  }

  function mapping(ind) {
    const out = {};
    for (skip(); i < lines.length && indentOf(lines[i]) === ind; skip()) {
      const t = lines[i].trim();
      const k = keyOf(t);
      if (!k || isItem(t))
        break;
      const rest = t.slice(k.end).trim();
      i++;
      if (rest && !rest.startsWith('#')) {
        out[k.key] = value(rest, ind);
      } else {
        skip();
        const next = i < lines.length ? lines[i] : '';
        out[k.key] = indentOf(next) > ind || (indentOf(next) === ind && isItem(next.trim())) ? node(ind) : null;
      }
    }
    return out;
  }

  /* A value after "key:" or "- ": a block scalar header or an inline value. */
  function value(rest, ind) {
    const m = /^([|>])([+-]?)\s*(#.*)?$/.exec(rest);
    return m ? block(m[1], m[2], ind) : inline(rest);
  }

  function block(style, chomp, ind) {
    const body = [];
    let bi = -1;
    while (i < lines.length) {
      const l = lines[i];
      if (l.trim() === '') {
        body.push('');
        i++;
        continue;
      }
      if (bi < 0)
        bi = indentOf(l);
      if (indentOf(l) < bi || indentOf(l) <= ind)
        break;
      body.push(l.slice(bi));
      i++;
    }
    let trail = 0;
    while (trail < body.length && body[body.length - 1 - trail] === '')
      trail++;
    const kept = body.slice(0, body.length - trail);
    let s = style === '|' ? kept.join('\n') : kept.reduce((acc, l, j) => {
      if (j === 0)
        return l;
      const prev = kept[j - 1];
      if (l === '' || prev === '' || /^\s/.test(l) || /^\s/.test(prev))
        return `${acc}\n${l}`;
      return `${acc} ${l}`;
    }, '').replace(/\n(\n+)/g, '$1');
    if (chomp === '+')
      s += '\n'.repeat(trail + 1);
    else if (chomp !== '-' && kept.length)
      s += '\n';
    return s;
  }

  function inline(t) {
    const p = { s: t, at: 0 };
    const v = flow(p, false);
    const tail = p.s.slice(p.at).trim();
    if (tail && !tail.startsWith('#'))
      fail(`unexpected ${tail}`);
    return v;
  }

  /* A flow value at p.at; inFlow stops plain scalars at , ] }. */
  function flow(p, inFlow) {
    while (p.s[p.at] === ' ')
      p.at++;
    const c = p.s[p.at];
    if (c === '[' || c === '{') {
      p.at++;
      const out = c === '[' ? [] : {};
      for (;;) {
        while (p.s[p.at] === ' ')
          p.at++;
        if (p.s[p.at] === (c === '[' ? ']' : '}')) {
          p.at++;
          return out;
        }
        if (p.at >= p.s.length)
          fail('unclosed flow collection');
        const v = flow(p, true);
        while (p.s[p.at] === ' ')
          p.at++;
        if (c === '{') {
          if (p.s[p.at] !== ':')
            fail('expected : in flow mapping');
          p.at++;
          out[String(v)] = flow(p, true);
        } else {
          out.push(v);
        }
        while (p.s[p.at] === ' ')
          p.at++;
        if (p.s[p.at] === ',')
          p.at++;
      }
    }
    if (c === '"' || c === "'")
      return quoted(p);
    const stop = inFlow ? /\s#|:\s|:$|[,\]}]|:(?=[,\]}])/g : /\s#/g;
    stop.lastIndex = p.at;
    const m = stop.exec(p.s);
    const end = m ? m.index : p.s.length;
    const raw = p.s.slice(p.at, end).trim();
    p.at = end;
    return plain(raw);
  }

  function quoted(p) {
    const q = p.s[p.at];
    let j = p.at + 1;
    let out = '';
    for (; j < p.s.length; j++) {
      const ch = p.s[j];
      if (q === "'" && ch === "'") {
        if (p.s[j + 1] === "'") {
          out += "'";
          j++;
          continue;
        }
        break;
      }
      if (q === '"' && ch === '\\') {
        const esc = p.s.slice(j, j + 2);
        try {
          out += JSON.parse(`"${esc === '\\u' ? p.s.slice(j, j + 6) : esc}"`);
        } catch {
          out += esc[1];
        }
        j += esc === '\\u' ? 5 : 1;
        continue;
      }
      if (q === '"' && ch === '"')
        break;
      out += ch;
    }
    if (j >= p.s.length)
      fail('unclosed quote');
    p.at = j + 1;
    return out;
  }

  return node(0);
}

/* "key: rest" -> { key, end } (end is past the colon), or null. */
function keyOf(t) {
  if (t.startsWith('"') || t.startsWith("'")) {
    const q = t[0];
    let j = 1;
    for (; j < t.length; j++) {
      if (t[j] === '\\' && q === '"')
        j++;
      else if (t[j] === q && !(q === "'" && t[j + 1] === "'"))
        break;
    }
    if (t[j + 1] !== ':' || !(j + 2 >= t.length || t[j + 2] === ' '))
      return null;
    const inner = t.slice(1, j);
    const key = q === "'" ? inner.replace(/''/g, "'") : JSON.parse(`"${inner}"`);
    return { key, end: j + 2 };
  }
  if (/^[[{#|>&*!%@`]/.test(t))
    return null;
  const m = /:(\s|$)/.exec(t);
  if (!m || t.slice(0, m.index).includes(' #'))
    return null;
  return { key: t.slice(0, m.index).trim(), end: m.index + 1 };
}

function plain(s) {
  if (s === '' || s === '~' || s === 'null' || s === 'Null' || s === 'NULL')
    return null;
  if (/^(true|True|TRUE)$/.test(s))
    return true;
  if (/^(false|False|FALSE)$/.test(s))
    return false;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) && !/^[-+]?0\d/.test(s))
    return Number(s);
  return s;
}
