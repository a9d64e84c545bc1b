/* /create/tasks/:taskId: a task's steps, log and result, live from its
 * events (EventSource, else long polls of /events); Cancel and Retry. */
import { api } from '../api.js';
import { h, icon } from '../dom.js';
import { failure } from '../ui.js';
import { ansi, duration, fill, linkHref, markdown, stripAnsi, when } from '../scaffolder/text.js';

const LABEL = { open: 'Waiting to start', processing: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled',
  pending: 'Pending', skipped: 'Skipped' };
const MARK = { completed: '\u2713', failed: '\u2715', cancelled: '\u2715', skipped: '\u2013', processing: '\u25cf', pending: '\u25cb' };
let uid = 0;

export async function render(ctx) {
  const id = ctx.params.taskId;
  const p = `task${++uid}`;
  const base = `/api/scaffolder/v2/tasks/${encodeURIComponent(id)}`;
  const crumb = h('p', { class: 'breadcrumb' }, h('a', { href: '/create' }, 'Create'), ' \u203a ', h('a', { href: '/create/tasks' }, 'Tasks'));
  let task;
  try {
    task = await api(base, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted)
      throw err;
    return { title: 'Task', node: h('div', null, h('header', { class: 'page-header' }, crumb, h('h1', null, 'Task')),
      failure(err, () => ctx.navigate(window.location.href), err.status === 404 ? 'There is no such task' : 'The task could not be loaded')) };
  }

  const info = task.spec?.templateInfo ?? {};
  const tmplTitle = info.entity?.metadata?.title ?? info.entity?.metadata?.name ?? info.entityRef ?? 'template';
  const steps = (task.spec?.steps ?? []).map((s, i) => ({ id: s.id ?? `step-${i + 1}`, name: s.name ?? s.action, status: 'pending' }));
  const byId = new Map(steps.map((s) => [s.id, s]));
  const st = { status: task.status, lastId: 0, start: Date.parse(task.createdAt) };

  const badge = h('span', { class: 'sf-status', role: 'status' });
  const elapsed = h('span', { class: 'sf-elapsed' });
  const cancelBtn = h('button', { type: 'button', class: 'button button-danger-outline', onclick: () => act('cancel', 'Cancel') }, 'Cancel');
  const retryBtn = h('button', { type: 'button', class: 'button button-primary', onclick: () => act('retry', 'Retry') }, 'Retry');
  const note = h('span', { class: 'muted', role: 'status' });
  const problem = h('div');
  const stepList = h('ol', { class: 'sf-steps' });
  const log = h('pre', { class: 'code sf-log', tabindex: '0', role: 'log', 'aria-label': 'Log' });
  const outputBox = h('section', { class: 'panel sf-output', 'aria-labelledby': `${p}-out`, hidden: true });
  const ref = /^(?:template:)?(?:([^/]+)\/)?(.+)$/i.exec(info.entityRef ?? '');

  const shown = () => (st.cancelled && st.done && st.status !== 'completed' ? 'cancelled' : st.status);
  const running = () => !st.done && (st.status === 'open' || st.status === 'processing');

  function draw() {
    const now = Date.now();
    fill(stepList, steps.map((s) => h('li', { class: `sf-step is-${s.status}` },
      h('span', { class: 'sf-step-icon', 'aria-hidden': 'true' }, MARK[s.status] ?? ''),
      h('span', { class: 'sf-step-name' }, s.name),
      h('span', { class: 'sf-step-state' }, LABEL[s.status] ?? s.status),
      s.start && h('span', { class: 'sf-step-time' }, duration((s.end ?? (st.done ? s.start : now)) - s.start)))));
    const s = shown();
    badge.dataset.state = s;
    badge.textContent = LABEL[s] ?? s;
    elapsed.textContent = `${running() ? 'Running for' : 'Took'} ${duration((st.end ?? now) - st.start)}`;
    cancelBtn.hidden = !running();
    retryBtn.hidden = running() || !['failed', 'cancelled'].includes(s);
    fill(problem, st.error && s !== 'completed' && h('div', { class: 'alert sf-error-box', role: 'alert' },
      icon('M12 9v4M12 17h.01M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z'),
      h('div', null, h('h2', { class: 'alert-title' }, s === 'cancelled' ? 'The task was cancelled' : 'The task failed'),
        h('p', { class: 'error-detail' }, st.error))));
    const out = st.output ?? {};
    const links = (out.links ?? []).filter((l) => l?.url || l?.entityRef);
    const texts = (out.text ?? []).filter((t) => t?.content != null);
    outputBox.hidden = !links.length && !texts.length;
    fill(outputBox, h('h2', { id: `${p}-out` }, 'Result'),
      links.length && h('ul', { class: 'sf-links' }, links.map((l) => {
        const t = linkHref(l);
        return h('li', null, h('a', { class: 'button', href: t.href, rel: t.external && 'external noopener', target: t.external && '_blank' },
          l.title ?? t.href), t.external && h('span', { class: 'muted sf-link-url' }, t.href));
      })),
      texts.map((t) => h('section', { class: 'sf-text' }, t.title && h('h3', null, t.title), markdown(t.content))));
  }

  function addLine(ev, message = ev.body?.message) {
    const b = ev.body ?? {};
    const t = new Date(ev.createdAt);
    const node = h('div', { class: `sf-log-line${b.status === 'failed' ? ' is-failed' : ''}` },
      h('span', { class: 'sf-log-time' }, Number.isNaN(t.getTime()) ? '' : `${t.toLocaleTimeString(undefined, { hour12: false })} `),
      b.stepId && h('span', { class: 'sf-log-step' }, `[${byId.get(b.stepId)?.name ?? b.stepId}] `), ansi(String(message ?? '')));
    const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(node);
    if (atEnd)
      log.scrollTop = log.scrollHeight;
  }

  const reset = () => Object.assign(st, { done: false, cancelled: false, error: null, output: null, end: null, status: 'processing' });

  function onEvent(ev) {
    if (ev.type === 'completion' ? st.done : ev.id <= st.lastId)
      return;
    st.lastId = Math.max(st.lastId, ev.id ?? 0);
    const b = ev.body ?? {};
    const at = Date.parse(ev.createdAt) || Date.now();
    let s = byId.get(b.stepId);
    if (ev.type === 'recovered') {
      reset();
      steps.forEach((x) => x.status !== 'completed' && Object.assign(x, { status: 'pending', start: null, end: null }));
      addLine(ev, `Retrying the task${b.recoverStrategy ? ` (${b.recoverStrategy})` : ''}`);
    } else if (ev.type === 'completion') {
      addLine(ev);
      Object.assign(st, { done: true, end: at, output: b.output });
      st.status = /status: (\w+)/.exec(b.message ?? '')?.[1] ?? (b.error ? 'failed' : 'completed');
      for (const x of steps) {
        if (x.status === 'processing')
          Object.assign(x, { status: st.cancelled ? 'cancelled' : st.status === 'completed' ? 'completed' : 'failed', end: at });
        else if (x.status === 'pending')
          x.status = 'skipped'; /* never ran */
      }
      const failedStep = steps.find((x) => x.status === 'failed');
      st.error = b.error ? stripAnsi(b.error.message ?? b.error) : st.status === 'completed' ? null
        : failedStep ? `Step "${failedStep.name}" failed.` : b.message;
    } else {
      addLine(ev);
      if (ev.type === 'cancelled') {
        st.cancelled = true;
        /* "Step <id> has been cancelled." may be the only place the step is named. */
        s ||= byId.get(/^Step (\S+?)(?: has been cancelled\.?)?$/.exec(b.message ?? '')?.[1]) ||
          steps.find((x) => x.status === 'processing') || steps.findLast((x) => x.status === 'failed');
        if (s)
          Object.assign(s, { status: 'cancelled', end: s.end ?? at });
      } else if (s && b.status) {
        s.status = b.status;
        if (b.status === 'processing')
          s.start ??= at;
        else
          s.end = at;
      }
      if (st.status === 'open')
        st.status = 'processing';
    }
    draw();
  }

  /* ---- the events ---- */
  let es = null;
  let polling = false;
  function connect() {
    es?.close();
    if (ctx.signal.aborted)
      return;
    const source = new EventSource(`${base}/eventstream${st.lastId ? `?after=${st.lastId}` : ''}`);
    es = source;
    for (const type of ['log', 'completion', 'cancelled', 'recovered']) {
      source.addEventListener(type, (e) => {
        try { onEvent(JSON.parse(e.data)); } catch { /* a malformed frame is skipped */ }
        if (type === 'completion')
          source.close();
      });
    }
    source.onerror = () => {
      source.close();
      if (es === source && !st.done)
        poll();
    };
  }
  async function poll() {
    if (polling)
      return;
    polling = true;
    while (!st.done && !ctx.signal.aborted) {
      try {
        (await api(`${base}/events?after=${st.lastId}`, { signal: ctx.signal }) ?? []).forEach(onEvent);
      } catch {
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    polling = false;
  }
  const ticker = setInterval(() => running() && draw(), 1000);
  ctx.signal.addEventListener('abort', () => { es?.close(); clearInterval(ticker); });

  /* POST /cancel or /retry; a retry then follows the new run. */
  async function act(what, label) {
    const button = what === 'cancel' ? cancelBtn : retryBtn;
    if (button.getAttribute('aria-disabled') === 'true')
      return;
    button.setAttribute('aria-disabled', 'true');
    note.textContent = `${label}\u2026`;
    try {
      await api(`${base}/${what}`, { method: 'POST', body: what === 'retry' ? {} : undefined, signal: ctx.signal });
      note.textContent = what === 'cancel' ? 'Cancel requested.' : 'Retry started.';
      if (what === 'retry') {
        reset();
        draw();
        cancelBtn.focus();
        connect();
      }
    } catch (err) {
      note.textContent = `${label} failed: ${err.message}`;
    } finally {
      button.removeAttribute('aria-disabled');
    }
  }

  const node = h('div', { class: 'sf-task' },
    h('header', { class: 'page-header' }, crumb, h('h1', null, `Run of ${tmplTitle}`),
      h('p', { class: 'sf-task-meta' }, badge, elapsed, h('span', { class: 'muted' }, `Started ${when(task.createdAt)}`),
        task.createdBy && h('span', { class: 'muted' }, `by ${task.createdBy}`), h('span', { class: 'muted' }, 'Task ', h('code', null, id))),
      h('div', { class: 'actions' }, cancelBtn, retryBtn,
        ref && h('a', { class: 'button', href: `/create/templates/${encodeURIComponent(ref[1] ?? 'default')}/${encodeURIComponent(ref[2])}?formData=${encodeURIComponent(JSON.stringify(task.spec?.parameters ?? {}))}` }, 'Start over'),
        note)),
    problem, outputBox,
    h('div', { class: 'sf-task-layout' },
      h('section', { class: 'panel', 'aria-labelledby': `${p}-steps` }, h('h2', { id: `${p}-steps` }, 'Steps'), stepList),
      h('section', { class: 'panel', 'aria-labelledby': `${p}-log` }, h('h2', { id: `${p}-log` }, 'Log'), log)));
  draw();
  connect();
  return { title: `Task: ${tmplTitle}`, node };
}
