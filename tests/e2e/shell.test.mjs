// The web shell in a real browser against the real server: layout, routing,
// theme, fonts, keyboard use and phone width.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser } from './lib/suite.mjs';

const NAV = [['Catalog', '/catalog'], ['Create', '/create'], ['Docs', '/docs'], ['Search', '/search']];
const LIGHT_BG = 'rgb(246, 247, 249)';
const DARK_BG = 'rgb(14, 17, 22)';

const suite = serverAndBrowser();

// A page in a fresh context (no stored theme); see lib/browser.mjs.
const { open } = suite;

const h1 = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const navLink = (page, name) => page.getByRole('navigation', { name: 'Primary' }).getByRole('link', { name, exact: true });
const bodyBg = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

describe('web shell', () => {
  test('the shell loads at / with header, navigation and a ready backend', async () => {
    const { page, done } = await open('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    assert.equal(await page.title(), 'stagehand');
    const brand = page.getByRole('banner').getByRole('link', { name: 'stagehand home' });
    assert.equal(await brand.getAttribute('href'), '/');
    assert.equal(await brand.innerText(), 'stagehand');
    for (const [name, href] of NAV) {
      assert.equal(await navLink(page, name).getAttribute('href'), href);
      assert.equal(await navLink(page, name).getAttribute('aria-current'), null);
    }
    await page.getByRole('status').filter({ hasText: 'Backend ready' }).waitFor();
    assert.equal(await page.locator('link[rel=icon]').getAttribute('href'), '/favicon.svg');
    const icon = await page.request.get('/favicon.svg');
    assert.equal(icon.headers()['content-type'], 'image/svg+xml');
    await done();
  });

  test('the status line reports a failing backend and recovers on Retry', async () => {
    const { page, done, problems } = await open(null);
    await page.route('**/.backstage/health/v1/readiness', (route) => route.fulfill({
      status: 503, contentType: 'application/json',
      body: JSON.stringify({ status: 'error', message: 'Database is not available' }),
    }));
    await page.goto('/');
    const status = page.getByRole('status');
    await status.filter({ hasText: 'Backend not ready: Database is not available' }).waitFor();
    await page.unroute('**/.backstage/health/v1/readiness');
    await status.getByRole('button', { name: 'Retry' }).click();
    await status.filter({ hasText: 'Backend ready' }).waitFor();
    assert.equal(await status.getByRole('button', { name: 'Retry' }).count(), 0);
    // Chromium logs the 503 itself; nothing else may be logged.
    problems.splice(0, Infinity, ...problems.filter((p) => !p.includes('503')));
    await done();
  });

  test('navigation is client-side, marks the section and supports Back', async () => {
    const { page, done } = await open('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    await page.evaluate(() => { window.__shellMarker = 'kept'; });
    const documents = [];
    page.on('request', (r) => { if (r.resourceType() === 'document') documents.push(r.url()); });

    await navLink(page, 'Catalog').click();
    await h1(page, 'Catalog').waitFor();
    assert.equal(new URL(page.url()).pathname, '/catalog');
    assert.equal(await page.title(), 'Catalog · stagehand');
    assert.equal(await navLink(page, 'Catalog').getAttribute('aria-current'), 'page');
    assert.equal(await navLink(page, 'Docs').getAttribute('aria-current'), null);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Catalog',
      'focus moves to the new page heading');
    assert.equal(await page.evaluate(() => window.__shellMarker), 'kept');

    await page.goBack();
    await h1(page, 'Welcome to stagehand').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.title(), 'stagehand');
    assert.equal(await navLink(page, 'Catalog').getAttribute('aria-current'), null);

    await page.goForward();
    await h1(page, 'Catalog').waitFor();
    assert.equal(await page.evaluate(() => window.__shellMarker), 'kept');
    assert.deepEqual(documents, [], 'no full page load happened');
    await done();
  });

  test('a deep link loads its page directly', async () => {
    const { page, done } = await open('/search');
    await h1(page, 'Search').waitFor();
    assert.equal(await page.title(), 'Search · stagehand');
    assert.equal(await navLink(page, 'Search').getAttribute('aria-current'), 'page');
    await page.getByRole('search', { name: 'Search the portal' }).waitFor();
    await done();
  });

  test('an unknown path shows a real not-found page', async () => {
    const { page, done } = await open('/no/such/page');
    await h1(page, 'Page not found').waitFor();
    assert.equal(await page.title(), 'Page not found · stagehand');
    assert.equal(await page.locator('main code').innerText(), '/no/such/page');
    await page.getByRole('main').getByRole('link', { name: 'Go to the home page' }).click();
    await h1(page, 'Welcome to stagehand').waitFor();
    await done();
  });

  test('the theme toggle switches the palette and the choice persists', async () => {
    const { page, done } = await open('/');
    const html = page.locator('html');
    await h1(page, 'Welcome to stagehand').waitFor();
    assert.equal(await html.getAttribute('data-theme'), null);
    assert.equal(await bodyBg(page), LIGHT_BG);

    const toggle = page.getByRole('button', { name: 'Switch to dark theme' });
    await toggle.click();
    assert.equal(await html.getAttribute('data-theme'), 'dark');
    assert.equal(await bodyBg(page), DARK_BG);
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();

    await page.reload();
    await h1(page, 'Welcome to stagehand').waitFor();
    assert.equal(await html.getAttribute('data-theme'), 'dark');
    assert.equal(await bodyBg(page), DARK_BG);

    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    assert.equal(await html.getAttribute('data-theme'), 'light');
    assert.equal(await bodyBg(page), LIGHT_BG);
    await done();
  });

  test('a dark system preference gives the dark palette by default', async () => {
    const { page, done } = await open('/', { colorScheme: 'dark' });
    await h1(page, 'Welcome to stagehand').waitFor();
    assert.equal(await page.locator('html').getAttribute('data-theme'), null);
    assert.equal(await bodyBg(page), DARK_BG);
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
    await done();
  });

  test('Inter and IBM Plex Sans are served from /fonts/ and used', async () => {
    const { page, done } = await open(null);
    const fonts = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/fonts/'))
        fonts.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] });
    });
    await page.goto('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    const state = await page.evaluate(async () => {
      await document.fonts.ready;
      return {
        inter: document.fonts.check('16px Inter'),
        plex: document.fonts.check('600 16px "IBM Plex Sans"'),
        loaded: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => `${f.family} ${f.weight}`),
        body: getComputedStyle(document.body).fontFamily,
        heading: getComputedStyle(document.querySelector('h1')).fontFamily,
      };
    });
    assert.ok(state.inter, 'document.fonts.check("16px Inter")');
    assert.ok(state.plex, 'document.fonts.check("600 16px IBM Plex Sans")');
    assert.ok(state.loaded.includes('Inter 400'), `loaded faces: ${state.loaded}`);
    assert.ok(state.loaded.includes('"IBM Plex Sans" 600') || state.loaded.includes('IBM Plex Sans 600'),
      `loaded faces: ${state.loaded}`);
    assert.match(state.body, /^"?Inter"?,/);
    assert.match(state.heading, /^"IBM Plex Sans",/);
    const inter = fonts.find((f) => f.path === '/fonts/inter/files/inter-latin-400-normal.woff2');
    assert.ok(inter, `font requests: ${JSON.stringify(fonts)}`);
    for (const f of fonts) {
      assert.equal(f.status, 200, f.path);
      assert.equal(f.type, 'font/woff2', f.path);
    }
    await done();
  });

  test('keyboard: the skip link comes first and focus is visible', async () => {
    const { page, done } = await open('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement;
      const r = el.getBoundingClientRect();
      return { text: el.textContent, href: el.getAttribute('href'), outline: getComputedStyle(el).outlineStyle,
        visible: r.top >= 0 && r.bottom <= innerHeight && r.width > 0 };
    });
    assert.deepEqual(skip, { text: 'Skip to content', href: '#main', outline: 'solid', visible: true });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

    await page.keyboard.press('Tab');
    const next = await page.evaluate(() => ({
      text: document.activeElement?.textContent.trim(),
      outline: getComputedStyle(document.activeElement).outlineStyle,
    }));
    assert.match(next.text, /^Catalog/, 'Tab continues inside the content');
    assert.notEqual(next.outline, 'none');
    await done();
  });

  test('at phone width (360px) every section is reachable', async () => {
    const { page, done } = await open('/', { viewport: { width: 360, height: 720 } });
    await h1(page, 'Welcome to stagehand').waitFor();
    for (const [name] of NAV) {
      const box = await navLink(page, name).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `${name} link inside the viewport: ${JSON.stringify(box)}`);
    }
    const toggle = await page.locator('#theme-toggle').boundingBox();
    assert.ok(toggle.x + toggle.width <= 360, 'theme toggle inside the viewport');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scrolling');
    await navLink(page, 'Search').click();
    await h1(page, 'Search').waitFor();
    assert.equal(await navLink(page, 'Search').getAttribute('aria-current'), 'page');
    await done();
  });

  test('api.js turns a Backstage error body into an Error with its message', async () => {
    const { page, done, problems } = await open('/');
    await h1(page, 'Welcome to stagehand').waitFor();
    const err = await page.evaluate(async () => {
      const { api } = await import('/js/api.js');
      try {
        await api('/api/no-such-plugin/things');
        return null;
      } catch (e) {
        return { isError: e instanceof Error, message: e.message, status: e.status, name: e.errorName };
      }
    });
    assert.deepEqual(err, { isError: true, message: 'No route for GET /api/no-such-plugin/things',
      status: 404, name: 'NotFoundError' });
    problems.splice(0, Infinity, ...problems.filter((p) => !p.includes('404')));
    await done();
  });
});
