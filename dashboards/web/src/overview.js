// The regions overview (GET /): one card per region from /api/overview, and the checks that are
// not OK across every region. Polls every 10 s.
import {getJSON, markReady} from './api.js';
import {h, fill} from './dom.js';
import {formatAge, formatCount, formatRate} from './format.js';

const POLL_MS = 10000;
const STATES = ['CRITICAL', 'WARNING', 'UNKNOWN', 'OK'];
const PROBLEM_ORDER = {CRITICAL: 0, WARNING: 1, UNKNOWN: 2};

function regionCard(r) {
  const alerts = r.alerts || {};
  return h('section', {class: `card region ${r.up ? 'up' : 'down'}`,
                       dataset: {testid: 'region', region: r.name, up: String(!!r.up)}},
    h('header', {},
      h('h2', {}, r.name),
      h('span', {class: `badge ${r.up ? 'ok' : 'critical'}`}, r.up ? 'up' : 'down'),
      h('span', {class: 'muted role'}, r.role || '')),
    r.up ? null : h('p', {class: 'error', dataset: {testid: 'region-error'}}, r.error || 'down'),
    r.up && r.health && r.health !== 'ok' ? h('p', {class: 'error'}, r.health) : null,
    h('dl', {class: 'stats'},
      r.ingest_points_per_second != null ?
        [h('dt', {}, 'ingest'), h('dd', {}, `${formatRate(r.ingest_points_per_second)} points/s`)] : null,
      r.series != null ? [h('dt', {}, 'series'), h('dd', {}, formatCount(r.series))] : null,
      r.up && r.latency_ms != null ? [h('dt', {}, 'latency'), h('dd', {}, `${Math.round(r.latency_ms)} ms`)] : null),
    r.alerts ? h('ul', {class: 'alert-counts', 'aria-label': 'alerts by state'},
      STATES.map((s) => h('li', {class: `state ${s.toLowerCase()}`},
        h('span', {dataset: {testid: 'alert-count', state: s}}, String(alerts[s] || 0)), ` ${s}`)))
      : null);
}

function problemRows(regions, now) {
  const rows = [];
  for (const r of regions) {
    for (const p of r.problems || []) rows.push({region: r.name, ...p});
  }
  rows.sort((a, b) => (PROBLEM_ORDER[a.state] ?? 3) - (PROBLEM_ORDER[b.state] ?? 3) ||
                      a.state_since - b.state_since);
  return rows.map((p) => h('tr', {dataset: {testid: 'problem', region: p.region, state: p.state}},
    h('td', {}, h('span', {class: `badge ${String(p.state).toLowerCase()}`}, p.state)),
    h('td', {}, p.region),
    h('td', {}, `${p.host}/${p.service}`),
    h('td', {title: new Date(p.state_since * 1000).toLocaleString()},
      `for ${formatAge(p.state_since, now)}`),
    // The plugin text without its perfdata (after '|'), which the title keeps.
    h('td', {class: 'output', title: p.output || ''}, (p.output || '').split('|')[0].trim())));
}

function render(view, data, dashboards) {
  const regions = data.regions || [];
  const now = data.now || Date.now() / 1000;
  const rows = problemRows(regions, now);
  fill(view, 
    h('h1', {}, 'Regions'),
    h('div', {class: 'cards'}, regions.map(regionCard)),
    h('h2', {}, 'Problems'),
    rows.length ?
      h('div', {class: 'table-wrap'}, h('table', {class: 'problems'},
        h('thead', {}, h('tr', {}, ['State', 'Region', 'Host/service', 'Since', 'Output'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows))) :
      h('p', {class: 'muted'}, 'No check is CRITICAL, WARNING or UNKNOWN.'),
    h('h2', {}, 'Dashboards'),
    dashboards.length ?
      h('ul', {class: 'dash-links'}, dashboards.map((d) => h('li', {},
        h('a', {href: `/dashboards/${encodeURIComponent(d.uid)}`}, d.title),
        (d.errors || []).length ? h('span', {class: 'error small'}, ' (errors)') : null))) : null,
    h('p', {}, h('a', {href: '/dashboards/'}, 'All dashboards →')),
    h('p', {class: 'muted small'}, `Updated ${new Date(now * 1000).toLocaleTimeString()}; every ${POLL_MS / 1000} s.`));
}

export function showOverview(view) {
  document.title = 'Regions — Meridian';
  let timer = null;
  let stopped = false;
  // The dashboards' links, once (a failure only costs the links).
  const dashboards = getJSON('/api/dashboards').then((r) => r.data.dashboards || [], () => []);
  async function poll() {
    try {
      const [{data}, list] = await Promise.all([getJSON('/api/overview'), dashboards]);
      if (stopped) return;
      render(view, data, list);
    } catch (e) {
      if (stopped) return;
      fill(view, h('h1', {}, 'Regions'), h('p', {class: 'error banner'}, e.message));
    }
    markReady();
    timer = setTimeout(poll, POLL_MS);
  }
  poll();
  return () => { stopped = true; clearTimeout(timer); };
}
