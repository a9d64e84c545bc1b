/* /create/templates/:namespace/:name: the pages of parameter-schema with a
 * stepper, a review, Create (POST /v2/tasks) and Dry run (docs/web.md). */
import { api } from '../api.js';
import { h } from '../dom.js';
import { failure, loading } from '../ui.js';
import { applyDefaults, createForm, deref, effective, ordered, pageKeys, titleOf, typeOf } from '../scaffolder/form.js';
import { pageShown } from '../scaffolder/when.js';
import { fill, problems } from '../scaffolder/text.js';

let uid = 0;

/* "instance.a.b[2]" -> ['a', 'b', 2]; a required error names the property. */
export function errorPath(e) {
  const path = String(e.property ?? '').replace(/^instance\.?/, '').replace(/\[(\d+)\]/g, '.$1').split('.')
    .filter(Boolean).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  return e.name === 'required' && typeof e.argument === 'string' ? [...path, e.argument] : path;
}

function display(s, v) {
  if (typeof v === 'boolean')
    return v ? 'Yes' : 'No';
  if (v && typeof v === 'object')
    return Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : x)).join(', ') : JSON.stringify(v);
  const label = s.enumNames?.[s.enum?.indexOf(v)];
  return label != null ? `${label} (${v})` : String(v);
}

/* The review rows of one page: [label, shown value]. */
function reviewRows(schema, values, root = schema, prefix = '') {
  const s = effective(schema, values, root);
  return ordered(s).flatMap((key) => {
    const p = deref(s.properties[key], root);
    const v = values?.[key];
    const review = p['ui:backstage']?.review ?? {};
    const label = prefix + titleOf(p, key);
    if (review.show === false || p['ui:widget'] === 'hidden' || v === undefined)
      return [];
    if (review.mask != null || p['ui:widget'] === 'password' || p['ui:field'] === 'Secret')
      return [[label, String(review.mask ?? '******')]];
    if (typeOf(p) === 'object' && v && typeof v === 'object' && !Array.isArray(v))
      return reviewRows(p, v, root, `${label} \u203a `);
    return [[label, display(p, v)]];
  });
}


export async function render(ctx) {
  const { namespace, name } = ctx.params;
  const p = `tpl${++uid}`;
  const node = h('div', { class: 'sf-page' });
  const crumb = h('p', { class: 'breadcrumb' }, h('a', { href: '/create' }, 'Create'));
  let title = name;

  async function start() {
    fill(node, h('header', { class: 'page-header' }, crumb, h('h1', null, name)), loading('Loading the template\u2026'));
    try {
      build(await api(`/api/scaffolder/v2/templates/${encodeURIComponent(namespace)}/template/${encodeURIComponent(name)}/parameter-schema`,
        { signal: ctx.signal }));
    } catch (err) {
      if (!ctx.signal.aborted)
        node.lastChild.replaceWith(failure(err, start, err.status === 404 ? 'There is no such template' : 'The template could not be loaded'));
    }
  }

  function build(info) {
    title = info.title ?? name;
    const steps = info.steps ?? [];
    let initial = {};
    try {
      const data = JSON.parse(ctx.query.get('formData') ?? '{}');
      if (data && typeof data === 'object' && !Array.isArray(data))
        initial = data;
    } catch { /* ignore a malformed formData */ }
    const form = createForm({ id: p, values: initial, signal: ctx.signal, onChange: () => { drawStepper(); refreshNext(); } });
    steps.forEach((st) => applyDefaults(st.schema ?? {}, form.values, st.schema));
    const labels = info.presentation?.buttonLabels ?? {};
    const dryRunMode = ctx.query.get('dryRun') === '1';
    let current = 0; /* index into steps; steps.length is the review */
    let nextBtn = null;

    const visible = () => steps.flatMap((s, i) => (pageShown(s.when, form.values) ? [i] : []));
    const stepper = h('ol', { class: 'sf-stepper', 'aria-label': 'Steps' });
    const panel = h('section', { class: 'panel sf-panel', 'aria-labelledby': `${p}-h` });
    const dryOut = h('div');
    const heading = (text) => h('h2', { id: `${p}-h`, tabindex: '-1' }, text);
    const nextLabel = () => (visible().at(-1) === current ? labels.reviewButtonText ?? 'Review' : 'Next');
    const refreshNext = () => nextBtn && (nextBtn.textContent = nextLabel());
    const nav = (...buttons) => h('div', { class: 'sf-nav' },
      h('button', { type: 'button', class: 'button', disabled: visible()[0] === current || null, onclick: back }, labels.backButtonText ?? 'Back'),
      ...buttons);
    const dryButton = () => h('button', { type: 'button', class: 'button sf-dry-button', onclick: dryRun }, 'Dry run');

    function drawStepper() {
      const vis = visible();
      const pos = current >= steps.length ? vis.length : vis.indexOf(current);
      fill(stepper, [...vis.map((i) => steps[i].title ?? `Step ${i + 1}`), 'Review'].map((t, i) => h('li', {
        class: i < pos ? 'done' : i === pos ? 'current' : null, 'aria-current': i === pos ? 'step' : null },
      h('span', { class: 'sf-step-n', 'aria-hidden': 'true' }, i < pos ? '\u2713' : String(i + 1)),
      h('span', null, t, i < pos && h('span', { class: 'visually-hidden' }, ' (done)')))));
    }

    /* Values without hidden pages' keys or empty objects; Secret fields
     * moved to secrets ('*' of the same length in values). */
    function payload() {
      const vis = visible();
      const keep = new Set(vis.flatMap((i) => [...pageKeys(steps[i].schema)]));
      const prune = (o) => {
        for (const [k, v] of Object.entries(o))
          if (v && typeof v === 'object' && !Array.isArray(v) && !Object.keys(prune(v)).length)
            delete o[k];
        return o;
      };
      const values = prune(JSON.parse(JSON.stringify(form.values)));
      steps.forEach((st, i) => !vis.includes(i) && pageKeys(st.schema).forEach((k) => keep.has(k) || delete values[k]));
      const secrets = {};
      for (const i of vis) {
        const s = effective(steps[i].schema, values, steps[i].schema);
        for (const k of Object.keys(s.properties))
          if (deref(s.properties[k], steps[i].schema)['ui:field'] === 'Secret' && typeof values[k] === 'string') {
            secrets[k] = values[k];
            values[k] = '*'.repeat(values[k].length);
          }
      }
      return { values, secrets };
    }

    function show(index, focus = true) {
      current = index;
      drawStepper();
      if (current >= steps.length)
        return showReview(focus);
      const st = steps[current];
      nextBtn = h('button', { type: 'submit', class: 'button button-primary' }, nextLabel());
      fill(panel, heading(st.title ?? `Step ${current + 1}`), st.description && h('p', { class: 'muted' }, st.description),
        h('form', { class: 'sf-form', novalidate: true, 'aria-labelledby': `${p}-h`, onsubmit: (e) => { e.preventDefault(); next(); } },
          form.renderPage(st.schema ?? {}),
          h('p', { class: 'sf-legend muted' }, h('span', { class: 'required', 'aria-hidden': 'true' }, '*'), ' Required'),
          nav(nextBtn, dryRunMode && dryButton())));
      if (focus)
        panel.querySelector('[data-autofocus]') ? form.autofocus() : panel.querySelector('h2').focus();
    }

    /* Whether the current page is valid (else its messages show). */
    function check() {
      const errs = current < steps.length ? form.validate(steps[current].schema ?? {}) : [];
      if (errs.length)
        form.showErrors(errs);
      return !errs.length;
    }
    const next = () => check() && show(visible().find((i) => i > current) ?? steps.length);
    function back() {
      const before = visible().filter((i) => i < current).at(-1);
      if (before != null)
        show(before);
    }

    function showReview(focus) {
      const status = h('div', { class: 'sf-submit-status', role: 'status' });
      const create = h('button', { type: 'button', class: 'button button-primary', onclick: submit }, labels.createButtonText ?? 'Create');
      fill(panel, heading('Review'), h('p', { class: 'muted' }, 'Check the values; Create starts the template.'),
        visible().map((i) => {
          const rows = reviewRows(steps[i].schema ?? {}, form.values);
          return h('section', { class: 'sf-review' }, h('h3', null, steps[i].title ?? `Step ${i + 1}`),
            rows.length ? h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]))
              : h('p', { class: 'muted' }, 'No values.'));
        }), status, nav(create, dryButton()));
      if (focus)
        panel.querySelector('h2').focus();

      async function submit() {
        if (create.getAttribute('aria-disabled') === 'true')
          return;
        create.setAttribute('aria-disabled', 'true');
        status.replaceChildren(loading('Starting the task\u2026'));
        try {
          const { values, secrets } = payload();
          const res = await api('/api/scaffolder/v2/tasks', { method: 'POST', signal: ctx.signal,
            body: { templateRef: `template:${namespace}/${name}`, values, ...(Object.keys(secrets).length ? { secrets } : {}) } });
          ctx.navigate(`/create/tasks/${encodeURIComponent(res.id)}`);
        } catch (err) {
          if (ctx.signal.aborted)
            return;
          create.removeAttribute('aria-disabled');
          const list = (err.status === 400 && err.body?.errors) || [];
          if (!list.length) {
            status.replaceChildren(failure(err, submit, 'The task could not be started'));
            return status.querySelector('button')?.focus();
          }
          const mapped = list.map((e) => ({ path: errorPath(e), message: e.message ?? e.stack ?? 'Invalid value' }));
          const page = visible().find((i) => mapped.some((m) => pageKeys(steps[i].schema).has(m.path[0])));
          if (page == null)
            return status.replaceChildren(problems(list));
          show(page, false);
          panel.querySelector('form').prepend(problems(list));
          form.showErrors(mapped.filter((m) => pageKeys(steps[page].schema).has(m.path[0])));
        }
      }
    }

    async function dryRun() {
      if (check()) {
        const { runDryRun } = await import('../scaffolder/dryrun.js');
        runDryRun({ container: dryOut, namespace, name, payload: payload(), signal: ctx.signal });
      }
    }

    fill(node, h('header', { class: 'page-header' }, crumb, h('h1', null, title), info.description && h('p', { class: 'lead' }, info.description)),
      h('div', { class: 'sf-layout' }, stepper, panel), dryOut);
    show(visible()[0] ?? steps.length, false);
  }

  await start();
  return { title: `Create: ${title}`, node };
}
