/*
 * Starred entities: a JSON array of entity refs ("component:default/foo",
 * lower case) in localStorage under one key, shared by every page and kept
 * across reloads. Storage that cannot be read or written (private mode,
 * quota) just means no stars.
 */
const KEY = 'stagehand.starredEntities';

export function starredRefs() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((r) => typeof r === 'string').map((r) => r.toLowerCase()) : [];
  } catch {
    return [];
  }
}

export const isStarred = (ref) => starredRefs().includes(ref.toLowerCase());

/* Star or unstar ref; returns whether it is starred now. */
export function setStarred(ref, on) {
  const r = ref.toLowerCase();
  const refs = starredRefs().filter((x) => x !== r);
  if (on)
    refs.push(r);
  try {
    localStorage.setItem(KEY, JSON.stringify(refs));
  } catch {
    /* not stored: the star lasts until the page changes */
  }
  return on;
}
