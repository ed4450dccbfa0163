// One dashboard panel: a single /render request with all its targets, drawn with uPlot; legend
// table with stats over the drawn data (click a row to isolate a series); thresholds; stacking;
// vertical markers for alert transitions and annotations.
import {getJSON, query} from './api.js';
import {fill, h} from './dom.js';
import {formatValue, formatTime} from './format.js';

const PALETTE = ['#7eb26d', '#eab839', '#6ed0e0', '#ef843c', '#e24d42', '#1f78c1', '#ba43a9',
                 '#705da0', '#508642', '#cca300', '#447ebc', '#c15c17', '#890f02', '#0a437c'];
const STATE_COLORS = {critical: '#e24d42', warning: '#ef843c', unknown: '#ba43a9', ok: '#7eb26d'};
const ROW_PX = 30;  // a panel's height is in rows of 30 px
export const SYNC_KEY = 'meridian-dashboard';

// Width of the y axis: its longest label plus the tick gap (labels are unit-formatted).
const measure = document.createElement('canvas').getContext('2d');
function axisSize(u, values) {
  if (!values) return 48;
  measure.font = u.axes[1].font[0];
  const widest = Math.max(...values.map((v) => measure.measureText(v).width));
  return Math.ceil(widest / devicePixelRatio) + 18;
}

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

// Stats over the non-null values of one series.
function stats(values) {
  let last = null, min = null, max = null, total = 0, n = 0;
  for (const v of values) {
    if (v == null) continue;
    last = v;
    min = min == null || v < min ? v : min;
    max = max == null || v > max ? v : max;
    total += v;
    n++;
  }
  return {last, min, max, avg: n ? total / n : null, total: n ? total : null};
}

// graphite JSON ([{target, datapoints: [[v, t], ...]}]) → uPlot's columns over the union of the
// timestamps. Nulls stay null (gaps); a timestamp one series lacks is undefined (joined over).
function columns(series) {
  const tables = series.map((s) => [s.datapoints.map((p) => p[1]), s.datapoints.map((p) => p[0])]);
  if (tables.length === 0) return [[]];
  if (tables.length === 1) return tables[0];
  const sameX = tables.every((t) => t[0].length === tables[0][0].length &&
                                    t[0][0] === tables[0][0][0] && t[0].at(-1) === tables[0][0].at(-1));
  if (sameX) return [tables[0][0], ...tables.map((t) => t[1])];
  return uPlot.join(tables, tables.map(() => [1]));
}

// Cumulative sums for a stacked panel (hidden series add nothing).
function stacked(data, shown) {
  const out = [data[0]];
  let acc = new Array(data[0].length).fill(0);
  for (let i = 1; i < data.length; i++) {
    if (!shown[i - 1]) {
      out.push(acc.slice());
      continue;
    }
    acc = acc.map((a, j) => (data[i][j] == null ? a : a + data[i][j]));
    out.push(acc.map((a, j) => (data[i][j] == null ? data[i][j] : a)));  // a gap stays a gap
  }
  return out;
}

export class Panel {
  // spec: the panel from /api/dashboards/{uid}; onZoom(from, until) with epoch seconds.
  constructor(spec, index, onZoom) {
    this.spec = spec;
    this.onZoom = onZoom;
    this.plot = null;
    this.names = [];
    this.raw = null;      // columns as received
    this.isolated = -1;   // index of the isolated series, -1 = all shown
    this.markers = [];
    const w = Math.min(12, Math.max(1, spec.width || 6));
    this.title = h('h3', {}, spec.title || '');
    this.message = h('p', {class: 'panel-error', role: 'alert', hidden: true});
    this.plotEl = h('div', {class: 'plot', style: `height:${(spec.height || 8) * ROW_PX}px`});
    this.legend = h('table', {class: 'legend'});
    this.hovered = false;
    this.plotEl.addEventListener('mouseenter', () => { this.hovered = true; });
    this.plotEl.addEventListener('mouseleave', () => { this.hovered = false; if (this.tip) this.tip.hidden = true; });
    this.el = h('section', {class: 'panel card', style: `--w:${w}`,
                            dataset: {testid: 'panel', panel: String(index), state: 'loading', markers: '0'}},
      this.title, this.message, this.plotEl, h('div', {class: 'legend-wrap'}, this.legend));
  }

  // Fetches and draws the range; `events` = {alerts: [...], annotations: [{color, name, events}]}.
  // Resolves to the X-Meridian-Partial text ("" when complete); never rejects except on abort.
  async load({from, until, events, signal}) {
    this.el.dataset.state = 'loading';
    const width = Math.max(100, Math.round(this.plotEl.clientWidth || 600));
    const pairs = (this.spec.targets || []).map((t) => ['target', t]);
    pairs.push(['from', from], ['until', until], ['maxDataPoints', width], ['format', 'json']);
    try {
      const {data, partial} = await getJSON(`/render?${query(pairs)}`, {signal});
      this.draw(Array.isArray(data) ? data : [], width, events);
      this.message.hidden = true;
      this.el.dataset.state = 'drawn';
      return partial;
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      this.fail(e.message);
      return '';
    }
  }

  fail(message) {
    this.destroyPlot();
    this.legend.replaceChildren();
    this.message.textContent = message;
    this.message.hidden = false;
    this.el.dataset.state = 'error';
    this.el.dataset.markers = '0';
  }

  draw(series, width, events) {
    const names = series.map((s) => s.target);
    this.raw = columns(series);
    this.events = events;
    if (names.join('\n') !== this.names.join('\n')) this.isolated = -1;
    this.names = names;
    const data = this.plotData();
    if (this.plot && this.plot.series.length === names.length + 1) {
      this.plot.setData(data);
    } else {
      this.destroyPlot();
      this.plot = new uPlot(this.options(width), data, this.plotEl);
      this.tip = h('div', {class: 'tooltip', hidden: true});
      this.plot.over.append(this.tip);
    }
    this.applyVisibility();
    this.renderLegend();
    this.placeMarkers();
  }

  shown() {
    return this.names.map((_, i) => this.isolated < 0 || this.isolated === i);
  }

  plotData() {
    return this.spec.stack ? stacked(this.raw, this.shown()) : this.raw;
  }

  options(width) {
    const s = this.spec;
    const fmt = (v) => formatValue(v, s.unit, s.decimals);
    const fg = cssVar('--muted') || '#666';
    const grid = cssVar('--grid') || '#ddd';
    const series = [{}];
    this.names.forEach((name, i) => {
      const color = PALETTE[i % PALETTE.length];
      series.push({label: name, stroke: color, width: 1.5, spanGaps: false, value: (u, v) => fmt(v),
                   fill: s.stack ? `${color}55` : undefined,
                   points: {show: false, size: 5, fill: color, filter: isolatedPoints}});
    });
    const bands = s.stack ? this.names.slice(1).map((_, i) => ({series: [i + 2, i + 1]})) : undefined;
    return {
      width,
      height: (s.height || 8) * ROW_PX,
      legend: {show: false},
      series,
      bands,
      // The crosshair's time is shared across panels (not its height: units differ).
      cursor: {sync: {key: SYNC_KEY, setSeries: false, scales: ['x', null]},
               drag: {x: true, y: false, setScale: false}},
      scales: {
        y: {range: (u, lo, hi) => {
          const [alo, ahi] = uPlot.rangeNum(lo ?? 0, hi ?? 1, 0.1, true);
          return [s.min ?? alo, s.max ?? ahi];
        }},
      },
      axes: [
        {stroke: fg, grid: {stroke: grid, width: 1}, ticks: {stroke: grid}, space: 80},
        {stroke: fg, grid: {stroke: grid, width: 1}, ticks: {stroke: grid}, size: axisSize,
         values: (u, vals) => vals.map(fmt)},
      ],
      hooks: {
        draw: [(u) => { this.drawThresholds(u); this.placeMarkers(); }],
        setCursor: [(u) => this.showTooltip(u)],
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const from = Math.floor(u.posToVal(u.select.left, 'x'));
          const until = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
          u.setSelect({left: 0, top: 0, width: 0, height: 0}, false);
          this.onZoom(from, until);
        }],
      },
    };
  }

  // The values under the cursor, on the panel the pointer is over (the others show the line).
  showTooltip(u) {
    const idx = u.cursor.idx;
    if (!this.hovered || idx == null || !this.raw) {
      this.tip.hidden = true;
      return;
    }
    const fmt = (v) => formatValue(v, this.spec.unit, this.spec.decimals);
    const rows = this.names.map((name, i) => {
      if (!this.shown()[i]) return null;
      return h('div', {}, h('span', {class: 'swatch', style: `background:${PALETTE[i % PALETTE.length]}`}),
        `${name}: `, h('b', {}, fmt(this.raw[i + 1][idx])));
    });
    fill(this.tip, h('div', {class: 'muted'}, formatTime(this.raw[0][idx])), rows);
    this.tip.hidden = false;
    const left = u.cursor.left;
    const flip = left > u.over.clientWidth / 2;
    this.tip.style.left = flip ? '' : `${left + 12}px`;
    this.tip.style.right = flip ? `${u.over.clientWidth - left + 12}px` : '';
  }

  // Thresholds: a dashed line at each value and a faint band up to the next one.
  drawThresholds(u) {
    const ts = (this.spec.thresholds || []).slice().sort((a, b) => a.value - b.value);
    if (!ts.length) return;
    const ctx = u.ctx;
    const {left, width, top, height} = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ts.forEach((t, i) => {
      const y = u.valToPos(t.value, 'y', true);
      const yNext = i + 1 < ts.length ? u.valToPos(ts[i + 1].value, 'y', true) : top;
      ctx.globalAlpha = 0.08;
      ctx.fillStyle = t.color;
      ctx.fillRect(left, Math.min(y, yNext), width, Math.abs(y - yNext));
      ctx.globalAlpha = 0.9;
      ctx.strokeStyle = t.color;
      ctx.lineWidth = 1 * devicePixelRatio;
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    });
    ctx.restore();
  }

  // The events this panel draws: alert transitions of its rules, and every annotation's events.
  markerEvents() {
    const out = [];
    const e = this.events || {alerts: [], annotations: []};
    const rules = new Set((this.spec.alert_rules || []).map(
      (r) => `rule:${String(r.group).replace(/\s/g, '_')}/${String(r.rule).replace(/\s/g, '_')}`));
    if (rules.size) {
      for (const ev of e.alerts) {
        if (!(ev.tags || []).some((t) => rules.has(t))) continue;
        const state = (ev.tags || []).find((t) => STATE_COLORS[t]);
        out.push({when: ev.when, color: STATE_COLORS[state] || '#888', title: `${ev.what}\n${ev.data || ''}`});
      }
    }
    for (const a of e.annotations) {
      for (const ev of a.events) {
        out.push({when: ev.when, color: a.color || '#8888ff', title: `${a.name}: ${ev.what}\n${ev.data || ''}`});
      }
    }
    return out;
  }

  // Vertical markers as thin elements over the plot (a native hover title each).
  placeMarkers() {
    const u = this.plot;
    if (!u) return;
    for (const m of this.markers) m.remove();
    this.markers = [];
    const [xmin, xmax] = [u.scales.x.min, u.scales.x.max];
    for (const ev of this.markerEvents()) {
      if (xmin == null || ev.when < xmin || ev.when > xmax) continue;
      const left = u.valToPos(ev.when, 'x');
      const m = h('div', {class: 'marker', style: `left:${left}px;--c:${ev.color}`,
                          title: `${formatTime(ev.when)}\n${ev.title.trim()}`});
      u.over.append(m);
      this.markers.push(m);
    }
    this.el.dataset.markers = String(this.markers.length);
  }

  applyVisibility() {
    const shown = this.shown();
    shown.forEach((on, i) => {
      if (this.plot.series[i + 1].show !== on) this.plot.setSeries(i + 1, {show: on}, false);
    });
  }

  // Clicking a row isolates its series; clicking the isolated row again shows every series.
  toggle(i) {
    this.isolated = this.isolated === i ? -1 : i;
    if (this.spec.stack) this.plot.setData(this.plotData());
    this.applyVisibility();
    this.renderLegend();
  }

  renderLegend() {
    const want = this.spec.legend && this.spec.legend.length ? this.spec.legend : ['last', 'min', 'max', 'avg'];
    const fmt = (v) => formatValue(v, this.spec.unit, this.spec.decimals);
    const head = h('tr', {}, h('th', {class: 'name'}, 'Series'), want.map((k) => h('th', {}, k)));
    const rows = this.names.map((name, i) => {
      const st = stats(this.raw[i + 1] || []);
      const color = PALETTE[i % PALETTE.length];
      const attrs = {tabindex: '0', role: 'button', 'aria-pressed': String(this.isolated === i),
                     dataset: {testid: 'legend-row', series: name},
                     onclick: () => this.toggle(i),
                     onkeydown: (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); this.toggle(i); } }};
      if (this.isolated === i) attrs.dataset.isolated = 'true';
      if (this.isolated >= 0 && this.isolated !== i) attrs.dataset.hidden = 'true';
      return h('tr', attrs,
        h('td', {class: 'name'}, h('span', {class: 'swatch', style: `background:${color}`}), name),
        want.map((k) => h('td', {dataset: {stat: k}, title: st[k] == null ? '' : String(st[k])}, fmt(st[k]))));
    });
    if (!rows.length) {
      this.legend.replaceChildren(h('tr', {}, h('td', {class: 'muted'}, 'No data in this range.')));
      return;
    }
    this.legend.replaceChildren(h('thead', {}, head), h('tbody', {}, rows));
  }

  resize() {
    if (!this.plot) return;
    const width = Math.max(100, Math.round(this.plotEl.clientWidth));
    if (width !== this.plot.width) this.plot.setSize({width, height: this.plot.height});
  }

  destroyPlot() {
    if (this.plot) this.plot.destroy();
    this.plot = null;
    this.tip = null;
    this.markers = [];
  }
}

// A value with no value on either side draws no line (gaps stay gaps), so it is drawn as a dot:
// 60 s data in a 10 s archive reads back as one value between nulls, as from graphite-web.
function isolatedPoints(u, seriesIdx, show) {
  if (show) return null;
  const ys = u.data[seriesIdx];
  const idxs = [];
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) idxs.push(i);
  }
  return idxs.length ? idxs : null;
}
