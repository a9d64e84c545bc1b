/* The form page's dry run: POST /v2/dry-run with the Template entity, the
 * values and the files of a folder the user may pick; shows the files
 * produced (tree and viewer), the output and the log. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { failure, loading } from '../ui.js';
import { ansi, fill, linkHref, markdown, problems } from './text.js';

let uid = 0;

const size = (n) => (n < 1024 ? `${n} bytes` : `${(n / 1024).toFixed(1)} KB`);
const bytesToB64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
/* Text of a file, or null when binary. */
function decode(bytes) {
  try {
    return bytes.includes(0) ? null : new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/* Folders (open details) and files (buttons), sorted. */
function tree(files, onOpen) {
  const root = { dirs: {}, files: [] };
  for (const f of files) {
    const parts = f.path.split('/').filter(Boolean);
    let node = root;
    for (const d of parts.slice(0, -1))
      node = node.dirs[d] ??= { dirs: {}, files: [] };
    node.files.push({ ...f, name: parts.at(-1) });
  }
  const draw = (node) => h('ul', null,
    Object.keys(node.dirs).sort().map((d) => h('li', null, h('details', { open: true }, h('summary', null, `${d}/`), draw(node.dirs[d])))),
    node.files.sort((a, b) => a.name.localeCompare(b.name)).map((f) => h('li', null,
      h('button', { type: 'button', class: 'sf-file', 'data-path': f.path, 'aria-pressed': 'false',
        'aria-label': f.path + (f.executable ? ' (executable)' : ''), onclick: () => onOpen(f) }, f.name))));
  return h('nav', { class: 'sf-tree', 'aria-label': 'Files' }, draw(root));
}

export async function runDryRun({ container, namespace, name, payload, signal }) {
  const p = `dry${++uid}`;
  let panel = container.querySelector('.sf-dry-panel');
  if (!panel) {
    const folder = h('input', { id: `${p}-dir`, type: 'file', webkitdirectory: true, multiple: true, 'aria-describedby': `${p}-note` });
    panel = h('section', { class: 'panel sf-dry-panel', 'aria-labelledby': `${p}-h` },
      h('h2', { id: `${p}-h`, tabindex: '-1' }, 'Dry run'),
      h('div', { class: 'sf-dry-controls' },
        h('div', { class: 'field' }, h('label', { for: folder.id }, 'Template folder'), folder,
          h('p', { class: 'sf-help', id: `${p}-note` }, 'Optional: the folder of the template. Its files are sent as directoryContents, so relative urls such as ./skeleton resolve against them.')),
        h('button', { type: 'button', class: 'button', onclick: () => panel.rerun() }, 'Run again')),
      h('div'));
    panel.folder = folder;
    container.replaceChildren(panel);
  }
  panel.rerun = () => runDryRun({ container, namespace, name, payload, signal });
  const result = panel.lastChild;
  result.replaceChildren(loading('Running the template without changing anything\u2026'));
  panel.querySelector('h2').focus();
  try {
    const directoryContents = await Promise.all([...panel.folder.files].map(async (file) => ({
      path: file.webkitRelativePath ? file.webkitRelativePath.split('/').slice(1).join('/') : file.name,
      base64Content: bytesToB64(new Uint8Array(await file.arrayBuffer())) })));
    const template = await api(`/api/catalog/entities/by-name/template/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`, { signal });
    const res = await api('/api/scaffolder/v2/dry-run', { method: 'POST', signal,
      body: { template, values: payload.values, directoryContents, ...(Object.keys(payload.secrets).length ? { secrets: payload.secrets } : {}) } });
    show(result, res);
  } catch (err) {
    if (signal.aborted)
      return;
    const list = err.body?.errors;
    result.replaceChildren(list?.length ? problems(list, 'The dry run did not accept these values') : failure(err, panel.rerun, 'The dry run failed'));
  }
}

function show(result, res) {
  const files = (res.directoryContents ?? []).map((f) => ({ ...f, bytes: Uint8Array.from(atob(f.base64Content ?? ''), (c) => c.charCodeAt(0)) }));
  const viewer = h('div', { class: 'sf-viewer', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'The run produced no files.'));
  const open = (f) => {
    list.querySelectorAll('.sf-file').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.path === f.path)));
    const text = decode(f.bytes);
    fill(viewer, h('h4', { class: 'sf-viewer-path' }, f.path, h('span', { class: 'muted' }, ` \u00b7 ${size(f.bytes.length)}`)),
      text == null ? h('p', { class: 'muted' }, `Binary file, ${size(f.bytes.length)}.`) : h('pre', { class: 'code' }, h('code', null, text)));
  };
  const list = tree(files, open);
  const failed = res.log?.find((l) => l.body?.status === 'failed');
  const out = res.output ?? {};
  fill(result,
    failed && h('div', { class: 'alert', role: 'alert' }, h('div', null, h('p', { class: 'alert-title' }, `Step ${failed.body.stepId ?? ''} failed`),
      h('p', { class: 'error-detail' }, ansi(String(failed.body.message).split('\n')[0])))),
    h('h3', null, `Files (${files.length})`),
    h('div', { class: 'sf-files' }, list, viewer),
    (out.links?.length || out.text?.length) && h('h3', null, 'Output'),
    out.links?.length && h('ul', { class: 'links' }, out.links.map((l) => {
      const t = linkHref(l);
      return h('li', null, t ? h('a', { href: t.href, rel: t.external && 'external noopener' }, l.title ?? t.href) : l.title);
    })),
    (out.text ?? []).map((t) => h('div', { class: 'sf-text' }, h('h4', null, t.title ?? ''), markdown(t.content))),
    h('h3', null, 'Log'),
    h('pre', { class: 'code sf-log', tabindex: '0', 'aria-label': 'Dry run log' },
      (res.log ?? []).map((l) => h('div', { class: 'sf-log-line' }, ansi(String(l.body?.message ?? ''))))));
  if (files.length)
    open(files.find((f) => /readme/i.test(f.path)) ?? files[0]);
}
