/*
 * A parameter-schema page (JSON Schema with rjsf's ui: keys) as fields bound
 * to one values object: createForm({ id, values, signal, onChange }) ->
 * { renderPage(schema), validate(schema) -> [{ path, message }], showErrors }.
 * When dependencies change the set of fields, the page is drawn again.
 */
import { h } from '../dom.js';
import { picker } from './pickers.js';

export const isEmpty = (v) => v == null || v === '' || (Array.isArray(v) && !v.length);
const clone = (v) => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/* ---- schema ---- */

export function deref(schema, root) {
  let s = schema ?? {};
  for (let n = 0; /^#\//.test(s.$ref) && n < 10; n++) {
    const { $ref, ...rest } = s;
    s = { ...$ref.slice(2).split('/').reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], root), ...rest };
  }
  return s;
}

export const typeOf = (s) => [s.type].flat().find((t) => t && t !== 'null') ??
  (s.properties ? 'object' : s.enum ? typeof s.enum[0] : s.items ? 'array' : 'string');

/* Whether value fits a branch's schema for its key (enum or const). */
const fits = (p, v) => (!p ? false : p.enum ? p.enum.includes(v) : 'const' in p ? p.const === v : v !== undefined);

/* The object schema as it applies to value: properties and required with
 * allOf and dependencies folded in. */
export function effective(schema, value, root) {
  const s = deref(schema, root);
  const props = { ...s.properties };
  const required = [...(s.required ?? [])];
  const add = (part, keep) => {
    const p = deref(part, root);
    for (const [k, v] of Object.entries(p.properties ?? {}))
      if (k !== keep || !props[k])
        props[k] = v;
    required.push(...(p.required ?? []));
    return p;
  };
  (s.allOf ?? []).forEach((p) => add(p));
  for (const [key, dep] of Object.entries(s.dependencies ?? {})) {
    if (value?.[key] === undefined)
      continue;
    if (Array.isArray(dep)) {
      required.push(...dep);
      continue;
    }
    const d = add(dep, key);
    const hit = (d.oneOf ?? d.anyOf ?? []).map((b) => deref(b, root)).find((b) => fits(b.properties?.[key], value[key]));
    if (hit)
      add(hit, key);
  }
  return { ...s, properties: props, required: [...new Set(required)] };
}

/* Property keys in ui:order ('*' stands for the rest). */
export function ordered(s) {
  const keys = Object.keys(s.properties ?? {});
  const order = s['ui:order'];
  if (!Array.isArray(order))
    return keys;
  const star = order.includes('*') ? order.indexOf('*') : order.length;
  const head = order.slice(0, star).filter((k) => keys.includes(k));
  const tail = order.slice(star + 1).filter((k) => keys.includes(k));
  return [...head, ...keys.filter((k) => !head.includes(k) && !tail.includes(k)), ...tail];
}

/* Fill in defaults where the value is undefined (objects are walked). */
export function applyDefaults(schema, value, root) {
  const s = effective(schema, value, root);
  for (const key of Object.keys(s.properties)) {
    const p = deref(s.properties[key], root);
    if (value[key] === undefined && p.default !== undefined)
      value[key] = clone(p.default);
    if (typeOf(p) === 'object' && (value[key] !== undefined || p.properties))
      value[key] = applyDefaults(p, value[key] && typeof value[key] === 'object' ? value[key] : {}, root);
  }
  return value;
}

export const titleOf = (s, key) => s.title ?? String(key);

/* ---- validation ---- */

const ENTITY_NAME = /^[a-zA-Z0-9]([-_.a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const TAG = /^[a-z0-9+#]+(-[a-z0-9+#]+)*$/;

function checkValue(s, v, label, path, out, root) {
  const t = typeOf(s);
  const err = (message, p = path) => out.push({ path: p, message });
  if (v === undefined)
    return;
  if (s['ui:field'] === 'RepoUrlPicker') {
    const [host, q] = String(v).split('?');
    const p = new URLSearchParams(q ?? '');
    const m = !host ? 'Choose a host.' : !['owner', 'organization', 'workspace', 'project'].some((k) => p.get(k))
      ? 'Enter an owner.' : !p.get('repo') ? 'Enter a repository name.' : '';
    return m && err(m);
  }
  if (t === 'object')
    return checkObject(s, v, path, out, root);
  if (t === 'array') {
    if (!Array.isArray(v))
      return err(`${label} must be a list.`);
    if (v.length < (s.minItems ?? 0))
      err(`Choose at least ${s.minItems}.`);
    if (v.length > (s.maxItems ?? Infinity))
      err(`Choose at most ${s.maxItems}.`);
    if (s.uniqueItems && new Set(v.map((x) => JSON.stringify(x))).size !== v.length)
      err('Each item must be different.');
    const items = deref(s.items ?? {}, root);
    v.forEach((x, i) => {
      if (s['ui:field'] === 'EntityTagsPicker' && !TAG.test(String(x)))
        err(`"${x}" is not a valid tag: lower-case letters, digits, +, # and single dashes.`, [...path, i]);
      else if (isEmpty(x) && typeOf(items) !== 'object')
        err('Enter a value or remove the item.', [...path, i]);
      else if (!items.enum)
        checkValue(items, x, `Item ${i + 1}`, [...path, i], out, root);
    });
    return;
  }
  if (s.enum && !s.enum.includes(v))
    return err(`Choose one of the options for ${label}.`);
  if (t === 'number' || t === 'integer') {
    if (typeof v !== 'number' || Number.isNaN(v))
      return err(`${label} must be a number.`);
    if (t === 'integer' && !Number.isInteger(v))
      return err(`${label} must be a whole number.`);
    if (v < (s.minimum ?? -Infinity))
      err(`${label} must be at least ${s.minimum}.`);
    if (v > (s.maximum ?? Infinity))
      err(`${label} must be at most ${s.maximum}.`);
    return;
  }
  const str = String(v);
  if (s['ui:field'] === 'EntityNamePicker' && (str.length > 63 || !ENTITY_NAME.test(str)))
    return err('Use at most 63 letters, digits, "-", "_" or "."; start and end with a letter or digit.');
  if (str.length < (s.minLength ?? 0))
    err(`${label} must be at least ${s.minLength} characters.`);
  if (str.length > (s.maxLength ?? Infinity))
    err(`${label} must be at most ${s.maxLength} characters.`);
  let re = null;
  try { re = s.pattern && new RegExp(s.pattern, 'u'); } catch { /* the server judges it */ }
  if (re && !re.test(str))
    err(`${label} must match the pattern ${s.pattern}`);
  if (s.format === 'email' && !/^[^\s@]+@[^\s@]+$/.test(str))
    err(`${label} must be an email address.`);
}

function checkObject(schema, value, path, out, root) {
  const s = effective(schema, value, root);
  for (const key of ordered(s)) {
    const p = deref(s.properties[key], root);
    const v = value?.[key];
    const req = s.required.includes(key);
    const obj = typeOf(p) === 'object';
    if (req && (obj ? v == null : isEmpty(v)))
      out.push({ path: [...path, key], message: `${titleOf(p, key)} is required.` });
    else if (!(obj && !req && Object.values(v ?? {}).every((x) => x === undefined)))
      checkValue(p, v, titleOf(p, key), [...path, key], out, root);
  }
}

/* ---- the form ---- */

export function createForm({ id, values = {}, signal, onChange }) {
  const pathId = (path) => `${id}-f-${path.map((k) => String(k).replace(/[^\w-]/g, '_')).join('-')}`;
  const key = (path) => path.join('\u0000');
  const errors = new Map();
  const reported = new Map(); /* problems a picker found, by path */
  let page = null; /* { schema, node } */
  let lastShape = '';

  const get = (path) => path.reduce((o, k) => o?.[k], values);
  function set(path, v) {
    let o = values;
    for (const k of path.slice(0, -1))
      o = o[k] && typeof o[k] === 'object' ? o[k] : (o[k] = {});
    if (v === undefined)
      delete o[path.at(-1)];
    else
      o[path.at(-1)] = v;
    if (errors.delete(key(path))) {
      const el = document.getElementById(`${pathId(path)}-error`);
      if (el) {
        el.hidden = true;
        el.textContent = '';
      }
      document.getElementById(pathId(path))?.removeAttribute('aria-invalid');
    }
    if (page && shape(page.schema, values).join() !== lastShape)
      redraw();
    onChange?.(path);
  }

  /* ---- field pieces ---- */

  const mark = (req) => req && h('span', { class: 'required', 'aria-hidden': 'true' }, ' *');
  const describedBy = (f) => [f.schema.description && `${f.id}-desc`, f.schema['ui:help'] && `${f.id}-help`, `${f.id}-error`].filter(Boolean).join(' ');
  const extras = (f, body) => [
    f.schema.description && h('p', { id: `${f.id}-desc`, class: 'sf-desc' }, f.schema.description), body,
    f.schema['ui:help'] && h('p', { id: `${f.id}-help`, class: 'sf-help' }, f.schema['ui:help']),
    h('p', { id: `${f.id}-error`, class: 'sf-error', hidden: !errors.has(key(f.path)) }, errors.get(key(f.path)) ?? '')];
  const off = (s) => s['ui:readonly'] || s['ui:disabled'] || null;

  /* Attributes of a single control. */
  const attrs = (f, extra) => ({
    id: f.id, name: f.id, 'aria-describedby': describedBy(f), 'aria-required': f.required ? 'true' : null,
    'aria-invalid': errors.has(key(f.path)) ? 'true' : null, readonly: f.schema['ui:readonly'] || null,
    disabled: f.schema['ui:disabled'] || null, 'data-autofocus': f.schema['ui:autofocus'] ? '' : null,
    placeholder: f.schema['ui:placeholder'] ?? null, ...extra,
  });
  /* A labelled control, or a fieldset for a group of them. */
  const single = (f, control) => h('div', { class: 'sf-field' },
    h('label', { for: f.id }, f.label, mark(f.required)), extras(f, control));
  const group = (f, body, cls = '') => h('fieldset', { class: `sf-group ${cls}`, 'aria-describedby': describedBy(f) },
    h('legend', null, f.label, mark(f.required)), extras(f, body));

  const enumLabel = (s, i) => String(s.enumNames?.[i] ?? s.enum[i]);
  const choice = (type, f, s, checked, onchange) => h('div', { class: 'sf-choices' }, s.enum.map((v, i) => h('label', { class: 'check' },
    h('input', { type, name: f.id, id: i ? `${f.id}-${i}` : f.id, value: i, checked: checked(v), disabled: off(f.schema), onchange }),
    h('span', null, enumLabel(s, i)))));

  function enumField(f) {
    const s = f.schema;
    const v = get(f.path);
    if (s['ui:widget'] === 'radio')
      return group(f, choice('radio', f, s, (x) => x === v, (e) => set(f.path, s.enum[+e.target.value])));
    return single(f, h('select', attrs(f, { placeholder: null, disabled: off(s),
      onchange: (e) => set(f.path, e.target.value === '' ? s['ui:emptyValue'] : s.enum[+e.target.value]) }),
    h('option', { value: '' }, s['ui:placeholder'] ?? 'Choose\u2026'),
    s.enum.map((x, i) => h('option', { value: i, selected: x === v }, enumLabel(s, i)))));
  }

  /* A list editor: a row per item with Remove, then Add. */
  function list(f, items) {
    const value = get(f.path) ?? [];
    const ro = off(f.schema);
    const update = (fn, focus) => {
      const next = [...(get(f.path) ?? [])];
      fn(next);
      set(f.path, next);
      redraw(focus(next));
    };
    return group(f, [h('ul', { class: 'sf-list' }, value.map((_, i) => {
      const title = `${items.title ?? `${f.label} item`} ${i + 1}`;
      return h('li', { class: 'sf-item' }, field({ ...items, title }, [...f.path, i], false),
        !ro && h('button', { type: 'button', class: 'button', 'aria-label': `Remove ${title}`,
          onclick: () => update((n) => n.splice(i, 1), () => `${f.id}-add`) }, 'Remove'));
    })), !ro && h('button', { type: 'button', class: 'button sf-add', id: `${f.id}-add`, 'aria-label': `Add ${f.label} item`,
      onclick: () => update((n) => n.push(clone(items.default) ?? { object: {}, string: '' }[typeOf(items)]), (n) => pathId([...f.path, n.length - 1])) },
    '+ Add')], 'sf-array');
  }

  function scalar(f) {
    const s = f.schema;
    const t = typeOf(s);
    const w = s['ui:widget'];
    const v = get(f.path);
    const empty = s['ui:emptyValue'];
    if (t === 'boolean') {
      return h('div', { class: 'sf-field sf-bool' }, h('label', { class: 'check', for: f.id },
        h('input', attrs(f, { type: 'checkbox', checked: v === true, placeholder: null, disabled: off(s), onchange: (e) => set(f.path, e.target.checked) })),
        h('span', null, f.label, mark(f.required))), extras(f));
    }
    let input;
    if (t === 'number' || t === 'integer') {
      input = h('input', attrs(f, { type: w === 'range' ? 'range' : 'number', min: s.minimum, max: s.maximum,
        step: s.multipleOf ?? (t === 'integer' ? 1 : 'any'), oninput: (e) => set(f.path, e.target.value === '' ? empty : Number(e.target.value)) }));
    } else {
      const type = w === 'password' ? 'password' : w === 'date' || s.format === 'date' ? 'date' : s.format === 'email' ? 'email' : s.format === 'uri' ? 'url' : 'text';
      input = h(w === 'textarea' ? 'textarea' : 'input', attrs(f, { type: w === 'textarea' ? null : type, rows: w === 'textarea' ? 4 : null,
        autocomplete: 'off', spellcheck: 'false', oninput: (e) => set(f.path, e.target.value === '' ? empty : e.target.value) }));
    }
    input.value = v ?? '';
    return single(f, input);
  }

  /* One field for schema at path. */
  function field(schema, path, required) {
    const s = deref(schema, page.schema);
    const f = { schema: s, path, required, id: pathId(path), label: titleOf(s, path.at(-1)) };
    if (s['ui:widget'] === 'hidden')
      return null;
    const items = deref(s.items ?? { type: 'string' }, page.schema);
    const custom = picker(s['ui:field']);
    if (custom)
      return custom({ f, get, set, attrs, single, group, signal, list: () => list(f, items),
        report: (message) => (message ? reported.set(key(path), { path, message }) : reported.delete(key(path))) });
    const t = typeOf(s);
    if (s.enum)
      return enumField(f);
    if (t === 'array' && items.enum && (s.uniqueItems || s['ui:widget'] === 'checkboxes')) {
      return group(f, choice('checkbox', f, items, (x) => (get(path) ?? []).includes(x), (e) => {
        const boxes = e.target.closest('.sf-choices').querySelectorAll('input');
        set(path, items.enum.filter((_, j) => boxes[j].checked));
      }));
    }
    if (t === 'array')
      return list(f, items);
    if (t === 'object')
      return group(f, fields(s, get(path) ?? {}, path), 'sf-object');
    return scalar(f);
  }

  function fields(schema, value, path) {
    const s = effective(schema, value, page.schema);
    return ordered(s).map((k) => field(s.properties[k], [...path, k], s.required.includes(k)));
  }

  /* The fields the page has for the values (keys, required, list lengths). */
  function shape(schema, value, path = []) {
    const s = effective(schema, value, page.schema);
    return ordered(s).map((k) => {
      const p = deref(s.properties[k], page.schema);
      const t = typeOf(p);
      return `${[...path, k].join('.')}${s.required.includes(k) ? '!' : ''}${t === 'object' ? `{${shape(p, value?.[k], [...path, k])}}` : ''}${t === 'array' ? `[${value?.[k]?.length}]` : ''}`;
    });
  }

  /* Draw the page again, keeping the focus (or moving it to focusId). */
  function redraw(focusId) {
    const a = document.activeElement;
    const keep = focusId ?? (page.node.contains(a) ? a.id : null);
    const sel = !focusId && a?.type === 'text' ? [a.selectionStart, a.selectionEnd] : null;
    applyDefaults(page.schema, values, page.schema);
    lastShape = shape(page.schema, values).join();
    page.node.replaceChildren(...fields(page.schema, values, []).filter(Boolean));
    const el = keep && document.getElementById(keep);
    el?.focus();
    if (sel && el?.type === 'text')
      el.setSelectionRange(...sel);
  }

  return {
    values,
    renderPage(schema) {
      page = { schema, node: h('div', { class: 'sf-fields' }) };
      redraw();
      return page.node;
    },
    autofocus: () => page?.node.querySelector('[data-autofocus]')?.focus(),
    validate(schema) {
      const out = [];
      checkObject(schema, values, [], out, schema);
      const own = effective(schema, values, schema).properties;
      return [...out, ...[...reported.values()].filter((e) => e.path[0] in own && !out.some((o) => key(o.path) === key(e.path)))];
    },
    /* Show messages (replacing those shown) and focus the first field. */
    showErrors(list) {
      errors.clear();
      for (const e of list)
        if (!errors.has(key(e.path)))
          errors.set(key(e.path), e.message);
      redraw();
      const first = page.node.querySelector('[aria-invalid="true"], .sf-error:not([hidden])');
      (first?.matches('input, select, textarea') ? first : first?.closest('fieldset')?.querySelector('input, select, textarea, button'))?.focus();
    },
  };
}

/* Every top-level key a page defines, in any branch. */
export function pageKeys(schema) {
  const keys = new Set();
  const walk = (s) => {
    Object.keys(s?.properties ?? {}).forEach((k) => keys.add(k));
    [...(s?.allOf ?? []), ...(s?.oneOf ?? []), ...(s?.anyOf ?? []),
      ...Object.values(s?.dependencies ?? {}).filter((d) => !Array.isArray(d))].forEach((p) => p && walk(p));
  };
  walk(schema);
  return keys;
}
