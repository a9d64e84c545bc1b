/*
 * A form page's `when` (spec 1.1), read in the browser: a boolean, or
 * ${{ ... }} (the braces optional) made of terms `[not|!] parameters.x`
 * or `parameters.x ==|!=|===|!== <string, number, true, false, null>`
 * joined by and/&& and or/|| (no parentheses). Anything else counts as
 * true, as on the server.
 */
const TERM = /^(not\s+|!\s*)?parameters((?:\.[\w$]+)+)(?:\s*(===?|!==?)\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false|null|none))?$/i;
const truthy = (v) => Boolean(v) && !(Array.isArray(v) && !v.length);

function term(text, parameters) {
  const m = TERM.exec(text.trim());
  if (!m)
    throw new Error('not understood');
  const v = m[2].slice(1).split('.').reduce((o, k) => o?.[k], parameters);
  const lit = m[4] && (/^['"]/.test(m[4]) ? m[4].slice(1, -1) : { true: true, false: false, null: null, none: null }[m[4].toLowerCase()] ?? Number(m[4]));
  const r = m[3] ? (v === lit) === m[3].startsWith('=') : truthy(v);
  return m[1] ? !r : r;
}

/* Whether a page with this `when` is shown for these values. */
export function pageShown(when, parameters) {
  if (typeof when !== 'string')
    return when !== false;
  try {
    return when.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1').split(/\s+(?:or|\|\|)\s+/)
      .map((alt) => alt.split(/\s+(?:and|&&)\s+/).map((t) => term(t, parameters)).every(Boolean)).some(Boolean);
  } catch {
    return true;
  }
}
