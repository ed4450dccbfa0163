// One dashboard (GET /dashboards/UID): variables, time range, auto-refresh and the panel grid.
// State lives in the URL like Grafana's (?from=-6h&until=now&var-host=a&var-host=b&refresh=30s).
import {getJSON, query, markReady, markLoading} from './api.js';
import {fill, h, setPartialBanner} from './dom.js';
import {Panel} from './panel.js';

const PRESETS = ['-15min', '-1h', '-3h', '-6h', '-12h', '-24h', '-2d', '-7d'];
const REFRESH = ['off', '5s', '10s', '30s', '1m', '5m'];

function seconds(interval) {
  const m = /^(\d+)(s|m|h)$/.exec(interval || '');
  return m ? Number(m[1]) * {s: 1, m: 60, h: 3600}[m[2]] : 0;
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  const vars = new Map();
  for (const [k, v] of p) {
    if (!k.startsWith('var-')) continue;
    const name = k.slice(4);
    if (!vars.has(name)) vars.set(name, []);
    vars.get(name).push(v);
  }
  return {from: p.get('from'), until: p.get('until'), refresh: p.get('refresh'), vars};
}

class DashboardView {
  constructor(view, uid) {
    this.view = view;
    this.uid = uid;
    this.state = readUrl();
    this.panels = [];
    this.loads = 0;
    this.timer = null;
    this.abort = null;
    this.partials = {dashboard: '', panels: ''};
    this.resizeObserver = new ResizeObserver(() => this.panels.forEach((p) => p.resize()));
  }

  writeUrl() {
    const s = this.state;
    const pairs = [['from', s.from], ['until', s.until]];
    for (const [name, values] of s.vars) for (const v of values) pairs.push([`var-${name}`, v]);
    if (s.refresh) pairs.push(['refresh', s.refresh]);
    history.replaceState(null, '', `${location.pathname}?${query(pairs)}`);
  }

  // Loads the dashboard JSON (variables resolved with the current selections) and builds the page.
  async load() {
    const seq = ++this.loads;  // a newer load (quick variable changes) wins
    markLoading();
    clearTimeout(this.timer);
    if (this.abort) this.abort.abort();
    const s = this.state;
    const pairs = [];
    for (const [name, values] of s.vars) for (const v of values) pairs.push([`var-${name}`, v]);
    if (s.from) pairs.push(['from', s.from]);
    if (s.until) pairs.push(['until', s.until]);
    let d;
    try {
      const r = await getJSON(`/api/dashboards/${encodeURIComponent(this.uid)}?${query(pairs)}`);
      d = r.data;
      this.partials.dashboard = r.partial;
    } catch (e) {
      if (seq !== this.loads) return;
      fill(this.view, h('p', {}, h('a', {href: '/dashboards/'}, '← Dashboards')),
                                h('p', {class: 'error banner', role: 'alert'}, e.message));
      markReady();
      return;
    }
    if (seq !== this.loads) return;
    this.d = d;
    document.title = `${d.title} — Meridian`;
    s.from = s.from || d.time?.from || '-1h';
    s.until = s.until || d.time?.until || 'now';
    if (!s.refresh) s.refresh = d.refresh || 'off';
    // The selections the server kept (unknown values fall back to defaults there).
    s.vars = new Map((d.variables || []).map((v) => [v.name, v.all ? ['$__all'] : v.selected || []]));
    this.writeUrl();
    this.build();
    if ((d.errors || []).length) {
      markReady();
      return;
    }
    await this.refresh();
  }

  build() {
    const d = this.d;
    for (const p of this.panels) p.destroyPlot();
    this.resizeObserver.disconnect();
    this.panels = (d.errors || []).length ? [] :
      (d.panels || []).map((spec, i) => new Panel(spec, i, (from, until) => this.setRange(String(from), String(until))));
    fill(this.view, 
      h('div', {class: 'dash-head'},
        h('h1', {}, d.title),
        d.description ? h('p', {class: 'muted'}, d.description) : null),
      this.controls(),
      (d.errors || []).length ? h('div', {class: 'banner error', role: 'alert'},
        h('p', {}, `This dashboard's file has errors (${d.file || ''}):`),
        h('ul', {class: 'errors', dataset: {testid: 'dashboard-errors'}},
          d.errors.map((e) => h('li', {}, `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`)))) : null,
      h('div', {class: 'grid'}, this.panels.map((p) => p.el)));
    for (const p of this.panels) this.resizeObserver.observe(p.plotEl);
    setPartialBanner(this.view, [this.partials.dashboard]);
  }

  controls() {
    const s = this.state;
    const vars = (this.d.variables || []).map((v) => {
      const options = [...(v.include_all ? [['$__all', 'All']] : []), ...(v.options || []).map((o) => [o, o])];
      const selected = new Set(v.all ? ['$__all'] : v.selected || []);
      const sel = h('select', {id: `var-${v.name}`, multiple: v.multi || null, size: v.multi ? Math.min(4, options.length || 1) : null,
                               dataset: {testid: 'variable', var: v.name},
                               onchange: () => {
                                 s.vars.set(v.name, [...sel.selectedOptions].map((o) => o.value));
                                 this.load();
                               }},
        options.map(([value, label]) => h('option', {value, selected: selected.has(value)}, label)));
      return h('label', {class: 'var'}, h('span', {}, v.name), sel,
        v.error ? h('span', {class: 'error small'}, v.error) : null);
    });
    this.fromInput = h('input', {value: s.from, size: 14, 'aria-label': 'from', dataset: {testid: 'range-from'}});
    this.untilInput = h('input', {value: s.until, size: 14, 'aria-label': 'until', dataset: {testid: 'range-until'}});
    const apply = () => this.setRange(this.fromInput.value.trim() || '-1h', this.untilInput.value.trim() || 'now');
    const enter = (ev) => { if (ev.key === 'Enter') apply(); };
    this.fromInput.addEventListener('keydown', enter);
    this.untilInput.addEventListener('keydown', enter);
    const refreshValues = REFRESH.includes(s.refresh) ? REFRESH : [...REFRESH, s.refresh];
    const refreshSel = h('select', {'aria-label': 'auto-refresh', dataset: {testid: 'refresh'},
                                    onchange: () => { s.refresh = refreshSel.value; this.writeUrl(); this.schedule(); }},
      refreshValues.map((r) => h('option', {value: r, selected: r === s.refresh}, r === 'off' ? 'Auto-refresh off' : `Every ${r}`)));
    return h('div', {class: 'controls'},
      vars.length ? h('div', {class: 'vars'}, vars) : null,
      h('div', {class: 'range'},
        h('div', {class: 'presets', role: 'group', 'aria-label': 'time range presets'},
          PRESETS.map((p) => h('button', {type: 'button', class: p === s.from && s.until === 'now' ? 'active' : null,
                                           dataset: {testid: 'range-preset', range: p},
                                           onclick: () => this.setRange(p, 'now')}, p.slice(1)))),
        h('label', {}, 'From ', this.fromInput),
        h('label', {}, 'Until ', this.untilInput),
        h('button', {type: 'button', dataset: {testid: 'range-apply'}, onclick: apply}, 'Apply'),
        refreshSel,
        h('button', {type: 'button', dataset: {testid: 'refresh-now'}, 'aria-label': 'Refresh now', onclick: () => this.refresh()}, '↻ Refresh')));
  }

  setRange(from, until) {
    this.state.from = from;
    this.state.until = until;
    this.fromInput.value = from;
    this.untilInput.value = until;
    for (const b of this.view.querySelectorAll('[data-testid=range-preset]')) {
      b.classList.toggle('active', b.dataset.range === from && until === 'now');
    }
    this.writeUrl();
    markLoading();
    this.refresh();
  }

  // The events drawn as markers, once per refresh for every panel.
  async events(signal) {
    const {from, until} = this.state;
    const out = {alerts: [], annotations: []};
    const jobs = [];
    if (this.panels.some((p) => (p.spec.alert_rules || []).length)) {
      jobs.push(getJSON(`/events/get_data?${query([['from', from], ['until', until], ['tags', 'alert']])}`, {signal})
        .then((r) => { out.alerts = Array.isArray(r.data) ? r.data : []; }));
    }
    for (const a of this.d.annotations || []) {
      const q = query([['from', from], ['until', until], ['tags', (a.tags || []).join(' ')], ['set_operation', 'intersection']]);
      jobs.push(getJSON(`/events/get_data?${q}`, {signal})
        .then((r) => { out.annotations.push({...a, events: Array.isArray(r.data) ? r.data : []}); }));
    }
    // A failed events request costs the markers, never the panels.
    await Promise.allSettled(jobs);
    return out;
  }

  // Redraws every panel for the current range; then the ready hooks and the next auto-refresh.
  async refresh() {
    clearTimeout(this.timer);
    if (this.abort) this.abort.abort();
    const abort = new AbortController();
    this.abort = abort;
    const {from, until} = this.state;
    try {
      const events = await this.events(abort.signal);
      const partials = await Promise.all(this.panels.map((p) => p.load({from, until, events, signal: abort.signal})));
      this.partials.panels = partials.filter(Boolean).join('; ');
    } catch (e) {
      if (e.name === 'AbortError') return;  // superseded by a newer refresh
      throw e;
    }
    if (abort !== this.abort) return;
    setPartialBanner(this.view, [this.partials.dashboard, ...this.partials.panels.split('; ')]);
    markReady();
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    const s = seconds(this.state.refresh);
    if (s > 0) this.timer = setTimeout(() => this.refresh(), s * 1000);
  }

  redraw() {
    // Theme change: rebuild the plots with the new axis colours.
    for (const p of this.panels) p.destroyPlot();
    this.refresh();
  }

  stop() {
    clearTimeout(this.timer);
    if (this.abort) this.abort.abort();
    this.resizeObserver.disconnect();
    for (const p of this.panels) p.destroyPlot();
  }
}

export function showDashboard(view, uid) {
  const d = new DashboardView(view, uid);
  d.load();
  return d;
}
