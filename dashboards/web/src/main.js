// Meridian's pages: picks the view from the path (the server sends the same shell for all).
//   /                  regions overview      /dashboards/       the list
//   /dashboards/UID    one dashboard
import {showOverview} from './overview.js';
import {showList} from './list.js';
import {showDashboard} from './dashboard.js';

const THEME_KEY = 'meridian-theme';
let dashboard = null;

function effectiveTheme() {
  const t = document.documentElement.dataset.theme;
  if (t) return t;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function setupThemeToggle() {
  const button = document.getElementById('theme-toggle');
  const label = () => {
    const dark = effectiveTheme() === 'dark';
    button.setAttribute('aria-pressed', String(dark));
    button.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
  };
  label();
  button.addEventListener('click', () => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* private mode: not remembered */ }
    label();
    if (dashboard) dashboard.redraw();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    label();
    if (dashboard && !document.documentElement.dataset.theme) dashboard.redraw();
  });
}

function start() {
  setupThemeToggle();
  const view = document.getElementById('view');
  const path = location.pathname;
  const m = /^\/dashboards\/([^/]+)\/?$/.exec(path);
  let nav = 'overview';
  if (m) {
    nav = 'dashboards';
    dashboard = showDashboard(view, decodeURIComponent(m[1]));
  } else if (path.startsWith('/dashboards')) {
    nav = 'dashboards';
    showList(view);
  } else {
    showOverview(view);
  }
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === nav) a.setAttribute('aria-current', 'page');
  }
}

// uPlot is a classic deferred script: it has run before any module executes.
start();
