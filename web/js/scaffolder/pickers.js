/* The ui:field pickers (spec 1.1): each takes the form's helpers and
 * returns the field. Entity pickers: a text box with a <datalist> from
 * by-query, storing kind:namespace/name. */
import { api } from '../api.js';
import { h } from '../dom.js';

let me = null;
const whoAmI = () => (me ??= api('/api/auth/v1/userinfo').then((r) => r?.claims?.sub).catch(() => null));

/* catalogFilter (object or array of objects) -> filter= values. */
const filters = (cf) => [cf ?? []].flat().map((obj) => Object.entries(obj ?? {}).flatMap(([k, v]) =>
  (v && typeof v === 'object' && !Array.isArray(v) ? (v.exists === false ? [] : [k]) : [v].flat().map((x) => `${k}=${x}`))).join(',')).filter(Boolean);

/* 'team-a' -> 'group:default/team-a' with the defaults; kind lower-case. */
function normalize(text, { defaultKind, defaultNamespace }) {
  const m = /^(?:([^:/]+):)?(?:([^/]+)\/)?(.+)$/.exec(text.trim());
  if (!m)
    return undefined;
  const kind = (m[1] ?? defaultKind ?? '').toLowerCase();
  const ns = m[2] ?? (defaultNamespace === false ? '' : defaultNamespace || 'default');
  return `${kind ? `${kind}:` : ''}${ns ? `${ns}/` : ''}${m[3]}`;
}

function entityPicker(preset = {}) {
  return ({ f, get, set, attrs, single, signal, report }) => {
    const o = { ...preset, ...f.schema['ui:options'] };
    if (preset.owner) {
      o.catalogFilter ??= { kind: o.allowedKinds ?? ['Group', 'User'] };
      o.defaultKind ??= 'Group';
    }
    const datalist = h('datalist', { id: `${f.id}-options` });
    const input = h('input', attrs(f, { type: 'text', list: datalist.id, autocomplete: 'off', spellcheck: 'false',
      placeholder: f.schema['ui:placeholder'] ?? `${o.defaultKind ? o.defaultKind.toLowerCase() : 'kind'}:namespace/name` }));
    input.value = get(f.path) ?? '';
    let timer = null;
    let seq = 0;
    async function load(term) {
      const my = ++seq;
      const q = new URLSearchParams({ fields: 'kind,metadata.name,metadata.namespace,metadata.title,spec.profile.displayName',
        limit: '100', orderField: 'metadata.name,asc' });
      const sub = preset.mine && await whoAmI();
      filters(sub ? { ...o.catalogFilter, [preset.mine]: sub } : o.catalogFilter).forEach((x) => q.append('filter', x));
      if (term) {
        q.set('fullTextFilterTerm', term);
        q.set('fullTextFilterFields', 'metadata.name,metadata.title,spec.profile.displayName');
      }
      try {
        const { items } = await api(`/api/catalog/entities/by-query?${q}`, { signal });
        if (my === seq)
          datalist.replaceChildren(...items.map((e) => h('option', { value: `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}` },
            e.metadata.title ?? e.spec?.profile?.displayName ?? e.metadata.name)));
      } catch { /* no suggestions; a typed ref still works */ }
    }
    input.addEventListener('focus', () => load(''), { once: true });
    input.addEventListener('input', () => {
      set(f.path, normalize(input.value, o));
      clearTimeout(timer);
      timer = setTimeout(() => load(/[:/]/.test(input.value) ? '' : input.value.trim()), 200);
    });
    input.addEventListener('change', async () => {
      const ref = input.value = normalize(input.value, o) ?? '';
      set(f.path, ref || undefined);
      report(null);
      /* allowArbitraryValues: false -> the entity must exist. */
      if (ref && o.allowArbitraryValues === false) {
        const { items } = await api('/api/catalog/entities/by-refs', { method: 'POST', body: { entityRefs: [ref], fields: ['kind'] }, signal })
          .catch(() => ({ items: [{}] }));
        if (!items[0] && get(f.path) === ref)
          report('Choose an entity from the catalog.');
      }
    });
    return single(f, [input, datalist]);
  };
}

function tagsPicker({ f, get, set, attrs, single, signal }) {
  const datalist = h('datalist', { id: `${f.id}-options` });
  const input = h('input', attrs(f, { type: 'text', list: datalist.id, autocomplete: 'off', spellcheck: 'false',
    placeholder: f.schema['ui:placeholder'] ?? 'tag-one, tag-two' }));
  input.setAttribute('aria-describedby', `${f.id}-fmt ${input.getAttribute('aria-describedby')}`);
  input.value = (get(f.path) ?? []).join(', ');
  input.addEventListener('input', () => {
    const tags = input.value.split(/[\s,]+/).filter(Boolean);
    set(f.path, tags.length ? tags : undefined);
  });
  input.addEventListener('focus', () => api('/api/catalog/entity-facets?facet=metadata.tags', { signal })
    .then(({ facets }) => datalist.replaceChildren(...facets['metadata.tags'].map((t) => h('option', { value: t.value }))))
    .catch(() => {}), { once: true });
  return single(f, [h('span', { class: 'sf-desc', id: `${f.id}-fmt` }, 'Separate tags with commas or spaces.'), input, datalist]);
}

/* Host, owner and repository, stored as "host?owner=o&repo=r". */
function repoUrlPicker({ f, get, set, group }) {
  const o = f.schema['ui:options'] ?? {};
  const [host, query] = String(get(f.path) ?? '').split('?');
  const state = { host: host || o.allowedHosts?.[0] || '', ...Object.fromEntries(new URLSearchParams(query ?? '')) };
  const serial = () => {
    const q = ['owner', 'repo', 'organization', 'workspace', 'project'].filter((k) => state[k])
      .map((k) => `${k}=${encodeURIComponent(state[k])}`).join('&');
    return q ? `${state.host}?${q}` : undefined;
  };
  const part = (key, label, allowed) => {
    const id = key === 'host' ? f.id : `${f.id}-${key}`;
    const onchange = (e) => { state[key] = e.target.value.trim(); set(f.path, serial()); };
    if (allowed?.length && !allowed.includes(state[key]))
      state[key] = allowed[0];
    const control = allowed?.length
      ? h('select', { id, disabled: f.schema['ui:readonly'] || null, onchange }, allowed.map((v) => h('option', { selected: state[key] === v }, v)))
      : h('input', { id, type: 'text', readonly: f.schema['ui:readonly'] || null, spellcheck: 'false', autocomplete: 'off', oninput: onchange });
    control.value = state[key] ?? '';
    return h('div', { class: 'field' }, h('label', { for: id }, label), control);
  };
  const node = group(f, h('div', { class: 'sf-repo' }, part('host', 'Host', o.allowedHosts),
    part('owner', 'Owner', o.allowedOwners ?? o.allowedOrganizations), part('repo', 'Repository', o.allowedRepos)));
  if (serial() && serial() !== get(f.path))
    queueMicrotask(() => set(f.path, serial()));
  return node;
}

const PICKERS = {
  EntityPicker: entityPicker(),
  OwnerPicker: entityPicker({ owner: true }),
  MyGroupsPicker: entityPicker({ mine: 'relations.hasMember', catalogFilter: { kind: 'Group' }, defaultKind: 'Group' }),
  OwnedEntityPicker: entityPicker({ mine: 'relations.ownedBy' }),
  EntityTagsPicker: tagsPicker,
  RepoUrlPicker: repoUrlPicker,
  /* The page moves a Secret's value into the request's secrets. */
  Secret: ({ f, get, set, attrs, single }) => {
    const input = h('input', attrs(f, { type: 'password', autocomplete: 'off', oninput: (e) => set(f.path, e.target.value || undefined) }));
    input.value = get(f.path) ?? '';
    return single(f, input);
  },
  MultiEntityPicker: ({ list }) => list(),
};

/* The picker for a ui:field, or null: the field is drawn as its type. */
export const picker = (name) => PICKERS[name] ?? null;
