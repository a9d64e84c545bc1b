/*
 * Client-side router on the History API.
 *
 * A route is { path, page, props }: path is a pattern such as
 * '/catalog/:namespace/:kind/:name' (segments starting with ':' capture
 * one decoded path segment); page is a function returning a page module,
 * normally () => import('./pages/x.js'); props is passed through to it.
 *
 * A page module exports render(ctx), sync or async, returning
 * { title, node }. ctx = { path, params, query, props, signal, navigate }:
 * signal aborts when the user leaves the page, so fetches and timers can
 * stop; navigate(to, { replace }) is the router's navigate.
 *
 * A view may also have update(ctx): when only the query string changes
 * (the page's own controls, or Back/Forward) and the path still matches
 * the same route with the same params, the router calls view.update(ctx)
 * with the new query instead of rendering the page again, so the page
 * keeps its DOM and focus. The page's signal stays the same.
 */

function compile(pattern) {
  const names = [];
  const body = pattern.split('/').filter(Boolean).map((seg) => {
    if (seg.startsWith(':')) {
      names.push(seg.slice(1));
      return '/([^/]+)';
    }
    return '/' + seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  return { re: new RegExp(`^${body}/?$`), names };
}

/* Links that must load from the server rather than be routed. */
function isServerPath(path) {
  return /^\/(api|fonts|\.backstage)(\/|$)/.test(path) || path === '/healthcheck';
}

export function createRouter({ routes, outlet, notFound, failure, appName, onRender }) {
  const table = routes.map((r) => ({ ...r, ...compile(r.path) }));
  let rendered = null;   /* path + search now shown */
  let controller = null; /* aborts the current page */
  let current = null;    /* { route, params, path, view } of the page shown */
  let seq = 0;

  function match(path) {
    for (const route of table) {
      const m = route.re.exec(path);
      if (!m)
        continue;
      try {
        const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
        return { route, params };
      } catch {
        return null; /* malformed %-escape */
      }
    }
    return null;
  }

  async function render({ focus }) {
    const url = new URL(window.location.href);
    const key = url.pathname + url.search;
    if (key === rendered)
      return; /* only the #fragment changed */
    rendered = key;
    const found = match(url.pathname);
    if (current?.view.update && found && found.route === current.route && url.pathname === current.path) {
      ++seq; /* a page still loading must not replace this one */
      current.view.update({ path: url.pathname, params: found.params, query: url.searchParams,
        props: found.route.props ?? {}, signal: controller.signal, navigate });
      return;
    }
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    const token = ++seq;
    current = null;
    const ctx = { path: url.pathname, params: found?.params ?? {}, query: url.searchParams,
      props: found?.route.props ?? {}, signal, navigate };
    let view;
    try {
      const mod = await (found ? found.route.page() : notFound());
      view = await mod.render(ctx);
    } catch (err) {
      if (token !== seq)
        return;
      console.error(err);
      view = (await failure()).render({ ...ctx, error: err });
    }
    if (token !== seq)
      return; /* a newer navigation won */
    outlet.replaceChildren(view.node);
    if (found)
      current = { route: found.route, path: url.pathname, view };
    document.title = view.title ? `${view.title} · ${appName}` : appName;
    onRender?.(url.pathname);
    if (focus) {
      window.scrollTo(0, 0);
      const heading = outlet.querySelector('h1') ?? outlet;
      if (!heading.hasAttribute('tabindex'))
        heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }

  function navigate(to, { replace = false } = {}) {
    const url = new URL(to, window.location.href);
    if (url.origin !== window.location.origin || isServerPath(url.pathname)) {
      window.location.assign(url.href);
      return;
    }
    const same = url.href === window.location.href;
    history[replace || same ? 'replaceState' : 'pushState'](null, '', url.href);
    if (same)
      rendered = null; /* re-render on purpose, e.g. a retry */
    return render({ focus: true });
  }

  function onClick(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)
      return;
    const a = e.target.closest?.('a[href]');
    const target = a?.getAttribute('target');
    if (!a || (target && target !== '_self') || a.hasAttribute('download') ||
      a.getAttribute('rel')?.split(/\s+/).includes('external'))
      return;
    const url = new URL(a.getAttribute('href'), window.location.href);
    if (url.origin !== window.location.origin || isServerPath(url.pathname))
      return;
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash)
      return; /* in-page anchor, such as the skip link */
    e.preventDefault();
    navigate(url.href);
  }

  return {
    navigate,
    match,
    start() {
      document.addEventListener('click', onClick);
      window.addEventListener('popstate', () => render({ focus: true }));
      return render({ focus: false });
    },
  };
}
