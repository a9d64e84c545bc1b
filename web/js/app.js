/* The app shell: theme toggle, router and the route table. */
import { createRouter } from './router.js';
import { bindSearchBox } from './search-box.js';
import { bindThemeToggle } from './theme.js';

/* One line per page; the first matching pattern wins. */
export const routes = [
  { path: '/', page: () => import('./pages/home.js') },
  { path: '/catalog', page: () => import('./pages/catalog.js') },
  { path: '/catalog-import', page: () => import('./pages/import.js') },
  { path: '/catalog/:namespace/:kind/:name', page: () => import('./pages/entity.js') },
  { path: '/create', page: () => import('./pages/create.js') },
  { path: '/create/tasks', page: () => import('./pages/tasks.js') },
  { path: '/create/tasks/:taskId', page: () => import('./pages/task.js') },
  { path: '/create/templates/:namespace/:name', page: () => import('./pages/create-template.js') },
  { path: '/docs', page: () => import('./pages/docs.js') },
  /* The reader: the router matches whole segments only, hence one route per page depth. */
  ...Array.from({ length: 9 }, (_, depth) => ({
    path: '/docs/:namespace/:kind/:name' + Array.from({ length: depth }, (_, i) => `/:p${i}`).join(''),
    page: () => import('./pages/docs-reader.js'),
  })),
  { path: '/search', page: () => import('./pages/search.js') },
];

const navLinks = [...document.querySelectorAll('.site-nav a[data-nav]')];

/* Mark the header link of the section the page belongs to. */
function markCurrent(path) {
  for (const a of navLinks) {
    const href = a.getAttribute('href');
    if (path === href)
      a.setAttribute('aria-current', 'page');
    else if (path.startsWith(href + '/'))
      a.setAttribute('aria-current', 'true');
    else
      a.removeAttribute('aria-current');
  }
}

bindThemeToggle(document.getElementById('theme-toggle'));

export const router = createRouter({
  routes,
  outlet: document.getElementById('main'),
  notFound: () => import('./pages/notfound.js'),
  failure: () => import('./pages/error.js'),
  appName: 'stagehand',
  onRender: markCurrent,
});

bindSearchBox(document.getElementById('site-search'), router.navigate);
router.start();
