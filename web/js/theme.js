/*
 * Light/dark theme. Without a stored choice, <html> has no data-theme and
 * CSS follows prefers-color-scheme; the toggle stores an explicit choice.
 */
const KEY = 'stagehand.theme';
const dark = window.matchMedia('(prefers-color-scheme: dark)');

export function storedTheme() {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch {
    return null;
  }
}

/* The palette in use: the stored choice, else the system's. */
export function currentTheme() {
  return storedTheme() ?? (dark.matches ? 'dark' : 'light');
}

export function setTheme(theme) {
  document.documentElement.setAttribute('data-theme', theme);
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* Not persisted, but still applied to this page. */
  }
}

/* Wire a toggle button; its label names the theme it switches to. */
export function bindThemeToggle(button) {
  const label = () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    button.setAttribute('aria-label', `Switch to ${next} theme`);
    button.title = `Switch to ${next} theme`;
  };
  button.addEventListener('click', () => {
    setTheme(currentTheme() === 'dark' ? 'light' : 'dark');
    label();
  });
  dark.addEventListener('change', label);
  /* Another tab changed the theme. */
  window.addEventListener('storage', (e) => {
    if (e.key !== KEY)
      return;
    const t = storedTheme();
    if (t)
      document.documentElement.setAttribute('data-theme', t);
    else
      document.documentElement.removeAttribute('data-theme');
    label();
  });
  label();
}
