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
