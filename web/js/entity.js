/* Entity references and the facts the catalog pages show about an entity. */

/* parseRef('group:default/team-a') -> { kind, namespace, name }. A ref
 * without kind or namespace takes them from defaults (§3 of the spec). */
export function parseRef(ref, { kind = '', namespace = 'default' } = {}) {
  const colon = ref.indexOf(':');
  const slash = ref.indexOf('/');
  let rest = ref;
  if (colon > 0 && (slash < 0 || colon < slash)) {
    kind = ref.slice(0, colon);
    rest = ref.slice(colon + 1);
  }
  const s = rest.indexOf('/');
  if (s > 0) {
    namespace = rest.slice(0, s);
    rest = rest.slice(s + 1);
  }
  return { kind, namespace, name: rest };
}

export function refOf(entity) {
  const ns = entity.metadata?.namespace ?? 'default';
  return `${entity.kind}:${ns}/${entity.metadata?.name}`.toLowerCase();
}

/* The entity page of a ref or of an entity: /catalog/:namespace/:kind/:name. */
export function entityPath(refOrEntity) {
  const r = typeof refOrEntity === 'string' ? parseRef(refOrEntity)
    : { kind: refOrEntity.kind, namespace: refOrEntity.metadata?.namespace ?? 'default', name: refOrEntity.metadata?.name };
  return `/catalog/${encodeURIComponent(r.namespace)}/${encodeURIComponent(r.kind.toLowerCase())}/${encodeURIComponent(r.name)}`;
}

/* How a ref reads next to others: the name, with the kind when it is not
 * the expected one, and the namespace when it is not default. */
export function shortRef(ref, expectedKind = '') {
  const r = parseRef(ref);
  const kind = r.kind && r.kind.toLowerCase() !== expectedKind.toLowerCase() ? `${r.kind}:` : '';
  const ns = r.namespace !== 'default' ? `${r.namespace}/` : '';
  return kind + ns + r.name;
}

export function relationTargets(entity, type, kind) {
  return (entity.relations ?? [])
    .filter((r) => r.type === type && (!kind || r.targetRef.startsWith(kind.toLowerCase() + ':')))
    .map((r) => r.targetRef);
}

/* status.items of level error. */
export function processingErrors(entity) {
  return (entity.status?.items ?? []).filter((i) => i.level === 'error');
}

/* 'ownedBy' -> 'Owned by', 'apiProvidedBy' -> 'API provided by'. */
export function relationLabel(type) {
  const words = type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ');
  const s = words.map((w) => (w === 'api' ? 'API' : w)).join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
