/*
 * /docs/:namespace/:kind/:name/<page>: the TechDocs reader of an entity
 * (web/js/techdocs/reader.js). The page path is the route's extra
 * segments (:p0/:p1/..., see app.js); a page URL ends with a slash.
 */
import { reader } from '../techdocs/reader.js';

export async function render({ params, signal, navigate }) {
  const { namespace, kind, name } = params;
  const segs = Object.keys(params).filter((k) => /^p\d+$/.test(k))
    .sort((a, b) => a.slice(1) - b.slice(1)).map((k) => params[k]);
  const page = segs.length ? `${segs.join('/')}/` : '';
  const r = reader({ ns: namespace, kind, name, page, hash: window.location.hash.slice(1), signal, navigate });
  await r.ready;
  return { title: r.title(), node: r.node };
}
