/*
 * Runs before the page is painted (a classic, blocking script, since the
 * CSP allows no inline script) so that a stored theme applies without a
 * flash of the other palette. theme.js owns the toggle.
 */
(function () {
  try {
    var t = localStorage.getItem('stagehand.theme');
    if (t === 'light' || t === 'dark')
      document.documentElement.setAttribute('data-theme', t);
  } catch (e) {
    /* Storage may be disabled; the system preference decides. */
  }
})();
